// `venv-manager create`: the options and defaults of `python -m venv` of the chosen interpreter's version.
import { resolvePythonSpec } from '../core/discovery';
import { fsp as fs } from '../core/asyncFs';
import * as path from 'node:path';
import { EnvBuilder, type EnvBuilderOptions } from '../core/envBuilder';
import { LifecycleError, replaceWithNewEnvironment } from '../core/lifecycle';
import { getInterpreterInfo, versionAtLeast, type InterpreterInfo } from '../core/interpreter';
import { targetPlatform } from '../core/platform';
import { CliError, withInterrupts, type CliCommand, type CliIo } from './io';

/** A real folder (not a link) holding a regular pyvenv.cfg. */
async function isEnvironmentFolder(dir: string): Promise<boolean> {
  const [st, cfg] = await Promise.all([fs.lstat(dir).catch(() => undefined), fs.lstat(path.join(dir, 'pyvenv.cfg')).catch(() => undefined)]);
  return (st?.isDirectory() ?? false) && (cfg?.isFile() ?? false);
}

const HELP = `usage: venv-manager create [-h] [--python PATH_OR_SPEC] [--system-site-packages]
                           [--symlinks | --copies] [--clear] [--upgrade]
                           [--without-pip] [--prompt PROMPT] [--upgrade-deps]
                           [--without-scm-ignore-files]
                           ENV_DIR [ENV_DIR ...]

Creates virtual Python environments in one or more target directories, the way
\`python -m venv\` of the chosen interpreter builds them, without running venv.

positional arguments:
  ENV_DIR               A directory to create the environment in.

options:
  -h, --help            Show this help message and exit.
  --python PATH_OR_SPEC
                        The base interpreter: a path, a command on PATH
                        (python3.12), or a version spec (3.12, 3.11.7).
                        Default: python3 on PATH.
  --system-site-packages
                        Give the virtual environment access to the system
                        site-packages dir.
  --symlinks            Try to use symlinks rather than copies, when symlinks
                        are not the default for the platform.
  --copies              Try to use copies rather than symlinks, even when
                        symlinks are the default for the platform.
  --clear               Delete the contents of the environment directory if it
                        already exists, before environment creation. A link
                        at the environment directory is refused, never
                        followed.
  --upgrade             Upgrade the environment directory to use this version
                        of Python, assuming Python has been upgraded in-place.
  --without-pip         Skips installing or upgrading pip in the virtual
                        environment (pip is seeded by default, from the wheels
                        the interpreter bundles).
  --prompt PROMPT       Provides an alternative prompt prefix for this
                        environment ('.' means the current directory's name;
                        Python 3.9+).
  --upgrade-deps        Upgrade core dependencies (pip, and setuptools before
                        Python 3.12) to the latest version in PyPI
                        (Python 3.9+).
  --without-scm-ignore-files
                        Skips adding SCM ignore files to the environment
                        directory (Git is supported by default; Python 3.13+).

Defaults follow the interpreter's version and platform: links on POSIX, copies on
Windows; pip is seeded; a .gitignore is written from Python 3.13 on.
Errors are printed as "Error: <message>" with exit status 1.
`;

interface CreateArgs {
  python?: string;
  systemSitePackages: boolean;
  symlinks?: boolean;
  clear: boolean;
  upgrade: boolean;
  withPip: boolean;
  prompt?: string;
  upgradeDeps: boolean;
  scmIgnoreFiles: boolean;
  dirs: string[];
}

function parseArgs(args: readonly string[]): CreateArgs {
  const parsed: CreateArgs = { systemSitePackages: false, clear: false, upgrade: false, withPip: true, upgradeDeps: false, scmIgnoreFiles: true, dirs: [] };
  let linkChoice: string | undefined;
  const valueOf = (flag: string, i: number, inline: string | undefined): [string, number] => {
    if (inline !== undefined) return [inline, i];
    const next = args[i + 1];
    if (next === undefined || (next.startsWith('-') && next !== '-')) throw new CliError(`argument ${flag}: expected one argument`, 2);
    return [next, i + 1];
  };
  let onlyDirs = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (onlyDirs || !arg.startsWith('-') || arg === '-') {
      parsed.dirs.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = flag === arg ? undefined : arg.slice(eq + 1);
    const noValue = () => {
      if (inline !== undefined) throw new CliError(`argument ${flag}: ignored explicit argument '${inline}'`, 2);
    };
    switch (flag) {
      case '--':
        onlyDirs = true;
        break;
      case '--python':
        [parsed.python, i] = valueOf(flag, i, inline);
        break;
      case '--prompt':
        [parsed.prompt, i] = valueOf(flag, i, inline);
        break;
      case '--system-site-packages':
        noValue();
        parsed.systemSitePackages = true;
        break;
      case '--symlinks':
      case '--copies':
        noValue();
        if (linkChoice && linkChoice !== flag) throw new CliError(`argument ${flag}: not allowed with argument ${linkChoice}`, 2);
        linkChoice = flag;
        parsed.symlinks = flag === '--symlinks';
        break;
      case '--clear':
        noValue();
        parsed.clear = true;
        break;
      case '--upgrade':
        noValue();
        parsed.upgrade = true;
        break;
      case '--without-pip':
        noValue();
        parsed.withPip = false;
        break;
      case '--upgrade-deps':
        noValue();
        parsed.upgradeDeps = true;
        break;
      case '--without-scm-ignore-files':
        noValue();
        parsed.scmIgnoreFiles = false;
        break;
      default:
        throw new CliError(`unrecognized arguments: ${arg}`, 2);
    }
  }
  if (parsed.dirs.length === 0) throw new CliError('the following arguments are required: ENV_DIR', 2);
  if (parsed.upgrade && parsed.clear) throw new CliError('you cannot supply --upgrade and --clear together.');
  return parsed;
}

/** Flags the chosen interpreter's own venv does not know are refused as its argparse would. */
function checkVersionFlags(args: CreateArgs, info: InterpreterInfo): void {
  const unknown: string[] = [];
  if (args.upgradeDeps && !versionAtLeast(info, 3, 9)) unknown.push('--upgrade-deps');
  if (!args.scmIgnoreFiles && !versionAtLeast(info, 3, 13)) unknown.push('--without-scm-ignore-files');
  if (unknown.length > 0) {
    throw new CliError(`unrecognized arguments: ${unknown.join(' ')} (the venv of Python ${info.versionString} has no such option)`, 2);
  }
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv);
  let python = 'python3';
  if (args.python !== undefined) {
    try {
      python = await resolvePythonSpec(args.python, { env: io.env, cwd: io.cwd });
    } catch (err) {
      throw new CliError(err instanceof Error ? err.message : String(err));
    }
  }
  const info = await getInterpreterInfo(python, { env: io.env, cwd: io.cwd });
  checkVersionFlags(args, info);
  const messages = {
    first: 'Interrupted: cancelling; what this create made is removed (Ctrl-C again to exit at once)...',
    again: 'Interrupted again: exiting now; the environment may be half-built (it is marked incomplete).',
  };
  await withInterrupts(io, messages, async (signal) => {
    const options: EnvBuilderOptions = {
      interpreterInfo: info,
      systemSitePackages: args.systemSitePackages,
      clear: args.clear,
      symlinks: args.symlinks ?? targetPlatform(info.osName).symlinksByDefault,
      upgrade: args.upgrade,
      withPip: args.withPip,
      prompt: args.prompt,
      upgradeDeps: args.upgradeDeps,
      scmIgnoreFiles: args.scmIgnoreFiles ? ['git'] : [],
      env: io.env,
      cwd: io.cwd,
      signal,
      log: (line) => io.stderr(`${line}\n`),
      confirmClear: async (dir) => {
        const name = path.basename(dir);
        const answer = io.ask ? await io.ask(`${dir} is not a virtual environment. Type its name (${name}) to delete everything in it: `) : undefined;
        if (answer === undefined) throw new CliError(`Refusing to clear ${dir}: it is not a virtual environment (it has no pyvenv.cfg) and there is no terminal to confirm on. Nothing in it was deleted.`);
        return answer.trim() === name;
      },
    };
    const builder = new EnvBuilder(options);
    for (const dir of args.dirs) {
      const envDir = path.resolve(io.cwd, dir);
      // An existing env is replaced as `clear` does it: refusals, lock, and the old env kept
      // (set aside) until the new one is complete, so a failed or cancelled create loses nothing.
      if (args.clear && (await isEnvironmentFolder(envDir))) {
        try {
          await replaceWithNewEnvironment(envDir, options, { signal, env: io.env, log: (line) => io.stderr(`${line}\n`) });
        } catch (err) {
          if (err instanceof LifecycleError && err.code === 'cancelled') throw new CliError('Cancelled. The environment is as it was.');
          throw err;
        }
      } else await builder.create(envDir);
    }
  });
  return 0;
}

export const createCommand: CliCommand = {
  help: HELP,
  run,
};

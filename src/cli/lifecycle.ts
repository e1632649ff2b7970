// `venv-manager recreate | install | clear | upgrade | delete | recover`: the lifecycle operations of src/core/lifecycle.
import { clearEnvironment, deleteEnvironment, installIntoEnvironment, recoverEnvironment, recreateEnvironment, upgradeEnvironment, type InstallerChoice, type LifecycleOptions } from '../core/lifecycle';
import { parseOptions, type ParsedOptions } from './args';
import { CliError, type CliCommand, type CliIo } from './io';

function oneEnvDir(command: string, parsed: ParsedOptions): string {
  if (parsed.positionals.length !== 1) throw new CliError(`${command}: expected exactly one ENV_DIR, got ${parsed.positionals.length}. Run \`venv-manager ${command} --help\`.`, 2);
  return parsed.positionals[0];
}

/**
 * Progress lines on stderr, the installer's output too with --verbose, and Ctrl-C cancels: the
 * operation then puts the old env back before the process exits.
 */
async function withLifecycleIo<T>(io: CliIo, verbose: boolean, run: (opts: LifecycleOptions) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) {
      // A second Ctrl-C: stop now. The journal beside the env lets the next operation restore it.
      io.stderr('Interrupted again: exiting now; the next operation on this environment restores it.\n');
      process.exit(130);
    }
    io.stderr('Interrupted: cancelling and restoring the environment (Ctrl-C again to exit at once)...\n');
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  try {
    return await run({
      signal: controller.signal,
      env: io.env,
      onProgress: (message) => io.stderr(`${message}\n`),
      ...(verbose ? { log: (line: string) => io.stderr(`  | ${line}\n`) } : {}),
    });
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}

const shortOptions = (a: string) => (a === '-r' ? '--requirements' : a === '-v' ? '--verbose' : a);

/** --requirements FILE (required) and --installer auto|pip|uv, as recreate and install take them. */
function requirementsAndInstaller(command: string, parsed: ParsedOptions): { requirements: string; installer: InstallerChoice } {
  const requirements = parsed.values.get('--requirements')?.at(-1);
  if (!requirements) throw new CliError(`${command}: the argument --requirements FILE is required.`, 2);
  const installer = parsed.values.get('--installer')?.at(-1) ?? 'auto';
  if (installer !== 'auto' && installer !== 'pip' && installer !== 'uv') throw new CliError(`${command}: argument --installer: invalid choice '${installer}' (choose from auto, pip, uv)`, 2);
  return { requirements, installer };
}

const COMMON_NOTES = `Only a folder holding a pyvenv.cfg is touched. A file-system root, the home folder, paths
less than two levels deep and symbolic links are refused. One operation per environment at a time
(a lock file .<name>.venv-manager.lock beside it); an operation interrupted earlier is finished
or rolled back first. Errors are printed as "Error: <message>" with exit status 1.`;

export const recreateCommand: CliCommand = {
  name: 'recreate',
  summary: 'replace an environment with a fresh one holding a requirements file\'s packages',
  help: `usage: venv-manager recreate [-h] --requirements FILE [--python SPEC]
                             [--installer auto|pip|uv] [--verbose] ENV_DIR

Builds a fresh environment at ENV_DIR (same prompt and options, base interpreter from its
pyvenv.cfg unless --python is given) and installs FILE into it with the env's pip, or with
\`uv pip install\` when uv is on PATH (installer auto). pip's own PIP_* environment variables
(PIP_INDEX_URL, PIP_FIND_LINKS, PIP_NO_INDEX, ...) apply. The old environment is kept aside
until the new one is complete: if the install fails or you press Ctrl-C, it is put back exactly
as it was and the installer's error is shown.

options:
  -h, --help            Show this help message and exit.
  --requirements FILE, -r FILE
                        The requirements file to install (required).
  --python SPEC         Base interpreter: a path, a command, or a version (3.12).
  --installer auto|pip|uv
                        Which installer to use (default auto: uv if on PATH).
  --verbose, -v         Also print the installer's output.

${COMMON_NOTES}
`,
  async run(args, io) {
    const parsed = parseOptions('recreate', args.map(shortOptions), { values: ['--requirements', '--python', '--installer'], flags: ['--verbose'] });
    const envDir = oneEnvDir('recreate', parsed);
    const { requirements, installer } = requirementsAndInstaller('recreate', parsed);
    const python = parsed.values.get('--python')?.at(-1);
    await withLifecycleIo(io, parsed.flags.has('--verbose'), (opts) =>
      recreateEnvironment(envDir, { ...opts, requirements, installer, ...(python ? { python } : {}) }),
    );
    return 0;
  },
};

export const installCommand: CliCommand = {
  name: 'install',
  summary: 'install a requirements file into an environment, all or nothing',
  help: `usage: venv-manager install [-h] --requirements FILE [--installer auto|pip|uv]
                           [--verbose] ENV_DIR

Installs FILE into the environment at ENV_DIR with its own pip, or with \`uv pip install\` when uv
is on PATH (installer auto). pip's own PIP_* environment variables apply. A snapshot of the
environment is taken first (hard links: one link per file, no copy of the data): if the install
fails half-way, is interrupted with Ctrl-C or the process is killed, the environment is put back
exactly as it was and the installer's error is shown.

options:
  -h, --help            Show this help message and exit.
  --requirements FILE, -r FILE
                        The requirements file to install (required).
  --installer auto|pip|uv
                        Which installer to use (default auto: uv if on PATH).
  --verbose, -v         Also print the installer's output.

${COMMON_NOTES}
`,
  async run(args, io) {
    const parsed = parseOptions('install', args.map(shortOptions), { values: ['--requirements', '--installer'], flags: ['--verbose'] });
    const envDir = oneEnvDir('install', parsed);
    const { requirements, installer } = requirementsAndInstaller('install', parsed);
    await withLifecycleIo(io, parsed.flags.has('--verbose'), (opts) => installIntoEnvironment(envDir, { ...opts, requirements, installer }));
    return 0;
  },
};

export const clearCommand: CliCommand = {
  name: 'clear',
  summary: 'empty an environment and build it afresh with the same options',
  help: `usage: venv-manager clear [-h] [--verbose] ENV_DIR

Like \`python -m venv --clear\` on an existing environment, made safe: installed packages are
removed and the environment is built again from its own base interpreter, prompt and options.
Links inside it are removed, never followed. If rebuilding fails, the old contents come back.

${COMMON_NOTES}
`,
  async run(args, io) {
    const parsed = parseOptions('clear', args.map((a) => (a === '-v' ? '--verbose' : a)), { values: [], flags: ['--verbose'] });
    const envDir = oneEnvDir('clear', parsed);
    await withLifecycleIo(io, parsed.flags.has('--verbose'), (opts) => clearEnvironment(envDir, opts));
    return 0;
  },
};

export const upgradeCommand: CliCommand = {
  name: 'upgrade',
  summary: 're-point an environment at its base Python after a patch upgrade',
  help: `usage: venv-manager upgrade [-h] [--python SPEC] [--upgrade-deps] [--verbose] ENV_DIR

Like \`python -m venv --upgrade\`: after the base Python was upgraded in place (3.12.1 -> 3.12.4),
the environment's interpreter links or copies are made afresh and pyvenv.cfg is rewritten;
installed packages stay. A move to another minor version (3.11 -> 3.12) is refused: compiled
packages cannot be kept, recreate the environment instead.

options:
  -h, --help            Show this help message and exit.
  --python SPEC         The base interpreter (default: the one in pyvenv.cfg).
  --upgrade-deps        Also upgrade pip (and setuptools before Python 3.12).
  --verbose, -v         Print more detail.

${COMMON_NOTES}
`,
  async run(args, io) {
    const parsed = parseOptions('upgrade', args.map((a) => (a === '-v' ? '--verbose' : a)), { values: ['--python'], flags: ['--upgrade-deps', '--verbose'] });
    const envDir = oneEnvDir('upgrade', parsed);
    const python = parsed.values.get('--python')?.at(-1);
    await withLifecycleIo(io, parsed.flags.has('--verbose'), (opts) =>
      upgradeEnvironment(envDir, { ...opts, upgradeDeps: parsed.flags.has('--upgrade-deps'), ...(python ? { python } : {}) }),
    );
    return 0;
  },
};

export const deleteCommand: CliCommand = {
  name: 'delete',
  summary: 'delete an environment folder (asks first)',
  help: `usage: venv-manager delete [-h] [--yes] ENV_DIR

Deletes the environment folder after asking on the terminal. Without a terminal, --yes is
required. Links inside the environment are removed, never followed.

options:
  -h, --help            Show this help message and exit.
  --yes, -y             Do not ask.

${COMMON_NOTES}
`,
  async run(args, io) {
    const parsed = parseOptions('delete', args.map((a) => (a === '-y' ? '--yes' : a)), { values: [], flags: ['--yes'] });
    const envDir = oneEnvDir('delete', parsed);
    if (!parsed.flags.has('--yes')) {
      const answer = io.ask ? await io.ask(`Delete the environment ${envDir} and everything in it? [y/N] `) : undefined;
      if (answer === undefined) throw new CliError(`Not deleting ${envDir}: there is no terminal to confirm on. Pass --yes to delete without asking.`);
      if (!/^\s*y(es)?\s*$/i.test(answer)) {
        io.stderr(`Not deleted: ${envDir}\n`);
        return 1;
      }
    }
    await withLifecycleIo(io, false, (opts) => deleteEnvironment(envDir, opts));
    return 0;
  },
};

export const recoverCommand: CliCommand = {
  name: 'recover',
  summary: 'finish or roll back an operation on an environment that was interrupted',
  help: `usage: venv-manager recover [-h] ENV_DIR

When a recreate, install, clear or upgrade was killed midway, this puts the previous environment back
(or, if the new one was already complete, removes the old copy) and nothing else. Every other
lifecycle command does the same first, then its own work.

${COMMON_NOTES}
`,
  async run(args, io) {
    const parsed = parseOptions('recover', args, { values: [], flags: [] });
    const envDir = oneEnvDir('recover', parsed);
    const result = await recoverEnvironment(envDir, { env: io.env });
    const messages = {
      none: `Nothing to recover: no interrupted operation on ${envDir}.`,
      'rolled-back': `Restored ${envDir} as it was before the interrupted operation.`,
      completed: `Finished the interrupted operation on ${envDir}; the new environment stays.`,
    };
    io.stderr(`${messages[result]}\n`);
    return 0;
  },
};

export const lifecycleCommands: CliCommand[] = [recreateCommand, installCommand, clearCommand, upgradeCommand, deleteCommand, recoverCommand];

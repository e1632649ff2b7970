/**
 * `venv-manager packages` and `find-package`: what an environment holds, and which environments
 * hold a package. Read from site-packages without running Python; only `--outdated` runs the env's
 * installer, to ask its index. JSON shapes are documented in docs/cli-json.md.
 */
import { fsp as fs } from '../core/asyncFs';
import * as path from 'node:path';
import { LifecycleError } from '../core/lifecycle';
import { randomHex } from '../core/hashing';
import {
  checkOutdated,
  exportPylock,
  findPackageInEnvironments,
  normalizeProjectName,
  readInstalledDistributions,
  requirementsText,
  type InstalledDistribution,
  type OutdatedReport,
} from '../core/packages';
import { parseOptions } from './args';
import { environmentsUnder, inspectEnvDir } from './discovery';
import { CliError, printable, withInterrupts, type CliCommand, type CliIo } from './io';

/** JSON format version of these commands' output; bumped on an incompatible change. */
export const PACKAGES_JSON_FORMAT = 1;

/** A distribution in the JSON output: what `InstalledDistribution` holds, less the metadata details. */
export type PackageJson = Pick<InstalledDistribution, 'name' | 'normalizedName' | 'version' | 'requested' | 'editable' | 'sourceFolder' | 'format' | 'metadataPath' | 'problems'> & {
  /** With --outdated: the newest version the index offers, when newer than `version`. */
  latest?: string;
};

export function packageToJson(d: InstalledDistribution, latest?: string): PackageJson {
  return {
    name: d.name,
    normalizedName: d.normalizedName,
    version: d.version,
    requested: d.requested,
    editable: d.editable,
    ...(d.sourceFolder ? { sourceFolder: d.sourceFolder } : {}),
    format: d.format,
    metadataPath: d.metadataPath,
    problems: d.problems,
    ...(latest ? { latest } : {}),
  };
}

function packageLine(d: InstalledDistribution, width: number, latest?: string): string {
  const notes: string[] = [d.requested ? 'requested' : 'dependency'];
  if (d.editable) notes.push(`editable${d.sourceFolder ? `: ${d.sourceFolder}` : ''}`);
  if (latest) notes.push(`${d.version} -> ${latest}`);
  for (const p of d.problems) notes.push(`${p.code.toUpperCase()}`);
  return `${d.name.padEnd(width)}  ${(d.version || '?').padEnd(12)}  ${notes.join(', ')}`;
}

const packagesHelp = `usage: venv-manager packages ENV_DIR [--json] [--outdated]

Lists the distributions installed in the environment's site-packages: name, version, whether it
was asked for (REQUESTED) or came as a dependency, editable installs and their source folder, and
damaged records (no METADATA, no RECORD). Read from *.dist-info / *.egg-info; nothing is executed.

options:
  --json       machine-readable output (see docs/cli-json.md)
  --outdated   also ask the env's index which packages have a newer release: runs the env's pip
               (\`pip list --outdated\`, or uv's when the installer setting picks it) with your
               PIP_* settings; needs the network or a local index
  --installer auto|pip|uv   with --outdated: which installer asks (default auto: uv when on PATH)

Exit status: 0; 1 when ENV_DIR is not an environment or the outdated check fails; 2 for bad usage.`;

export const packagesCommand: CliCommand = {
  help: packagesHelp,
  async run(args: string[], io: CliIo): Promise<number> {
    const parsed = parseOptions('packages', args, { flags: ['--json', '--outdated'], values: ['--installer'] });
    if (parsed.positionals.length !== 1) throw new CliError('packages takes exactly one ENV_DIR. Run `venv-manager packages --help`.', 2);
    const env = await inspectEnvDir(path.resolve(io.cwd, parsed.positionals[0]!), io);
    const dists = await readInstalledDistributions(env);
    let outdated: OutdatedReport | undefined;
    if (parsed.flags.has('--outdated')) {
      const installer = parsed.values.get('--installer')?.at(-1) ?? 'auto';
      if (installer !== 'auto' && installer !== 'pip' && installer !== 'uv') throw new CliError(`--installer must be auto, pip or uv, not '${installer}'.`, 2);
      try {
        outdated = await checkOutdated(env.path, { env: io.env, installer });
      } catch (err) {
        if (err instanceof LifecycleError) throw new CliError(err.message);
        throw err;
      }
    }
    const latest = new Map(outdated?.packages.map((p) => [p.normalizedName, p.latest]));
    if (parsed.flags.has('--json')) {
      io.stdout(`${JSON.stringify({
        format: PACKAGES_JSON_FORMAT,
        environment: env.path,
        ...(env.sitePackages ? { sitePackages: env.sitePackages } : {}),
        packages: dists.map((d) => packageToJson(d, latest.get(d.normalizedName))),
        ...(outdated ? { outdated: { checkedAt: outdated.checkedAt, tool: outdated.tool } } : {}),
      }, null, 2)}\n`);
      return 0;
    }
    if (dists.length === 0) {
      io.stdout(`No packages installed in ${printable(env.path)}${env.sitePackages ? '' : ' (it has no site-packages folder)'}.\n`);
      return 0;
    }
    const width = Math.max(...dists.map((d) => d.name.length));
    const lines = dists.map((d) => printable(packageLine(d, width, latest.get(d.normalizedName))));
    if (outdated) lines.push('', outdated.packages.length === 0 ? `${outdated.tool} reports no newer versions.` : `${outdated.packages.length} outdated (asked ${outdated.tool}).`);
    io.stdout(`${lines.join('\n')}\n`);
    return 0;
  },
};

const findHelp = `usage: venv-manager find-package NAME [--json] [--global] [--extra DIR]... [--depth N] [--exclude GLOB]... [DIR ...]

Lists every environment under each DIR (default: the current folder), and with --global in the
global places too, that has the distribution NAME installed, with its version. Any spelling of
the name matches (Foo_Bar, foo-bar, foo.bar). Read from site-packages; nothing is executed.

options:
  --json           machine-readable output (see docs/cli-json.md)
  --global         also search the global places (see \`venv-manager list --help\`)
  --extra DIR      with --global: one more folder holding environments (repeatable)
  --depth N, --exclude GLOB   as for \`venv-manager list\`

Exit status: 0 (also when no environment has it); 1 when a DIR does not exist; 2 for bad usage.`;

export const findPackageCommand: CliCommand = {
  help: findHelp,
  async run(args: string[], io: CliIo): Promise<number> {
    const parsed = parseOptions('find-package', args, { flags: ['--json', '--global'], values: ['--depth', '--exclude', '--extra'] });
    const [name, ...dirArgs] = parsed.positionals;
    if (name === undefined || name.trim() === '') throw new CliError('find-package needs the NAME of a package. Run `venv-manager find-package --help`.', 2);
    const depthText = parsed.values.get('--depth')?.at(-1);
    const maxDepth = depthText === undefined ? undefined : Number(depthText);
    if (maxDepth !== undefined && (!Number.isInteger(maxDepth) || maxDepth < 0)) throw new CliError(`--depth must be a whole number >= 0, not '${depthText}'.`, 2);
    const dirs = (dirArgs.length > 0 ? dirArgs : ['.']).map((d) => path.resolve(io.cwd, d));
    const { environments, unreadable } = await environmentsUnder(dirs, {
      exclude: parsed.values.get('--exclude') ?? [],
      ...(maxDepth !== undefined ? { maxDepth } : {}),
      ...(parsed.flags.has('--global') ? { global: { extraFolders: parsed.values.get('--extra') ?? [] } } : {}),
    }, io);
    const found = await findPackageInEnvironments(environments, name);
    if (parsed.flags.has('--json')) {
      io.stdout(`${JSON.stringify({
        format: PACKAGES_JSON_FORMAT,
        name,
        normalizedName: normalizeProjectName(name),
        roots: dirs,
        searched: environments.length,
        found: found.map((f) => ({ environment: f.env, ...packageToJson(f.distribution) })),
        unreadable,
      }, null, 2)}\n`);
      return 0;
    }
    for (const u of unreadable) io.stderr(`warning: could not read ${printable(u.path)} (${u.code}); environments below it are not searched\n`);
    if (found.length === 0) {
      io.stdout(`${printable(name)} is not installed in any of the ${environments.length} environment(s) searched.\n`);
      return 0;
    }
    const width = Math.max(...found.map((f) => (f.distribution.version || '?').length));
    io.stdout(`${found.map((f) => {
      const d = f.distribution;
      const notes = [d.name, ...(d.editable ? [`editable${d.sourceFolder ? `: ${d.sourceFolder}` : ''}`] : []), ...d.problems.map((p) => p.code.toUpperCase())];
      return printable(`${(d.version || '?').padEnd(width)}  ${f.env}  (${notes.join(', ')})`);
    }).join('\n')}\n`);
    return 0;
  },
};

const exportHelp = `usage: venv-manager export ENV_DIR [--format requirements|pylock] [-o FILE] [--json] [--verbose]

Writes the environment's installed packages as a requirements file (the default: name==version
per distribution, -e FOLDER for an editable install; read from site-packages, nothing is run) or,
with --format pylock, as a PEP 751 lock file: the env's own pip (pip lock, pip 25.1 or newer)
resolves the exact versions installed with your PIP_* settings and index configuration and writes
each package with its source and sha256. Editable installs become directory entries (editable =
true), which must lie inside the lock file's folder. pip itself is left out, as pip freeze does.

options:
  --format requirements|pylock   what to write (default requirements)
  -o FILE, --output FILE         where; the file appears whole or not at all (replaced if there).
                                 Required for pylock; requirements without it go to stdout
  --json                         with -o: a JSON summary on stdout (see docs/cli-json.md)
  -v, --verbose                  with pylock: show pip's output

Exit status: 0; 1 when ENV_DIR is not an environment, the env's pip is missing or too old, pip
cannot resolve the pins, or the file cannot be written (an existing file is then left as it was);
2 for bad usage. Ctrl-C cancels (nothing is written).`;

/** Writes `text` to `file` through a temporary file beside it, so the file appears whole or not at all. */
async function writeWhole(file: string, text: string): Promise<void> {
  const partial = path.join(path.dirname(file), `.${path.basename(file)}.venv-manager-partial-${randomHex(4)}`);
  try {
    await fs.writeFile(partial, text, { flag: 'wx' });
    await fs.rename(partial, file);
  } catch (err) {
    await fs.rm(partial, { force: true }).catch(() => undefined);
    throw new CliError(`Could not write ${printable(file)}: ${(err as Error).message}`);
  }
}

export const exportCommand: CliCommand = {
  help: exportHelp,
  async run(args: string[], io: CliIo): Promise<number> {
    const parsed = parseOptions('export', args.map((a) => (a === '-v' ? '--verbose' : a === '-o' ? '--output' : a)), { flags: ['--json', '--verbose'], values: ['--format', '--output'] });
    if (parsed.positionals.length !== 1) throw new CliError('export takes exactly one ENV_DIR. Run `venv-manager export --help`.', 2);
    const format = parsed.values.get('--format')?.at(-1) ?? 'requirements';
    if (format !== 'requirements' && format !== 'pylock') throw new CliError(`--format must be requirements or pylock, not '${format}'.`, 2);
    const outputArg = parsed.values.get('--output')?.at(-1);
    const output = outputArg === undefined ? undefined : path.resolve(io.cwd, outputArg);
    if (format === 'pylock' && !output) throw new CliError('export --format pylock needs -o FILE (a lock names local folders relative to itself, so it is written where it will live).', 2);
    if (parsed.flags.has('--json') && !output) throw new CliError('--json needs -o FILE (without it the requirements themselves go to stdout).', 2);
    const env = await inspectEnvDir(path.resolve(io.cwd, parsed.positionals[0]!), io);
    let count: number;
    if (format === 'requirements') {
      const dists = await readInstalledDistributions(env);
      const text = requirementsText(dists);
      count = dists.filter((d) => d.version !== '').length;
      if (!output) {
        io.stdout(text);
        return 0;
      }
      await writeWhole(output, text);
    } else {
      const verbose = parsed.flags.has('--verbose');
      const messages = { first: 'Interrupted: stopping pip (Ctrl-C again to exit at once)...', again: 'Interrupted again: exiting now.' };
      try {
        const result = await withInterrupts(io, messages, (signal) => exportPylock(env.path, output!, {
          env: io.env,
          signal,
          onProgress: (message) => io.stderr(`${message}\n`),
          ...(verbose ? { log: (line: string) => io.stderr(`  | ${line}\n`) } : {}),
        }));
        count = result.pinned;
      } catch (err) {
        if (err instanceof LifecycleError) throw new CliError(err.code === 'cancelled' ? 'Cancelled: nothing was written.' : err.message);
        throw err;
      }
    }
    if (parsed.flags.has('--json')) {
      io.stdout(`${JSON.stringify({ format: PACKAGES_JSON_FORMAT, environment: env.path, kind: format, file: output, packages: count }, null, 2)}\n`);
    } else {
      io.stdout(`Wrote ${count} package(s) of ${printable(env.path)} to ${printable(output!)}.\n`);
    }
    return 0;
  },
};

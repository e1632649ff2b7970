// `venv-manager recreate | install | clear | upgrade | delete | recover`: the lifecycle operations of src/core/lifecycle.
import * as path from 'node:path';
import { refusal, type EnvOperation } from '../core/capabilities';
import type { DeclaredSource } from '../core/declared';
import { inspectEnvironment } from '../core/discovery';
import { clearEnvironment, deleteEnvironment, environmentStatus, installIntoEnvironment, recoverEnvironment, recreateEnvironment, syncEnvironment, upgradeEnvironment, type EnvStatus, type InstallerChoice, type LifecycleOptions } from '../core/lifecycle';
import { parseOptions, type ParsedOptions } from './args';
import { CliError, withInterrupts, type CliCommand, type CliIo } from './io';

function oneEnvDir(command: string, parsed: ParsedOptions): string {
  if (parsed.positionals.length !== 1) throw new CliError(`${command}: expected exactly one ENV_DIR, got ${parsed.positionals.length}. Run \`venv-manager ${command} --help\`.`, 2);
  return parsed.positionals[0];
}

/**
 * Refuses what core's capabilities refuse for the env at `envDir` (an env another tool owns, pip
 * of a broken env), with the same reason the extension gives. A folder that is not an environment
 * is left to the operation, whose own checks say why.
 */
async function checkAllowed(envDir: string, operation: EnvOperation, io: CliIo): Promise<void> {
  const env = await inspectEnvironment(envDir, 'workspace', 'cli', { env: io.env });
  const reason = env && refusal(env, operation);
  if (reason) throw new CliError(reason, 1);
}

/**
 * Progress lines on stderr, the installer's output too with --verbose, and Ctrl-C cancels: the
 * operation then puts the old env back before the process exits.
 */
async function withLifecycleIo<T>(io: CliIo, verbose: boolean, run: (opts: LifecycleOptions) => Promise<T>): Promise<T> {
  const messages = {
    first: 'Interrupted: cancelling and restoring the environment (Ctrl-C again to exit at once)...',
    // A second Ctrl-C: stop now. The journal beside the env lets the next operation restore it.
    again: 'Interrupted again: exiting now; the next operation on this environment restores it.',
  };
  return withInterrupts(io, messages, (signal) =>
    run({
      signal,
      env: io.env,
      onProgress: (message) => io.stderr(`${message}\n`),
      ...(verbose ? { log: (line: string) => io.stderr(`  | ${line}\n`) } : {}),
    }),
  );
}

const shortOptions = (a: string) => (a === '-r' ? '--requirements' : a === '-v' ? '--verbose' : a);

/** The value options every source-taking command accepts. */
const SOURCE_VALUES = ['--requirements', '--pyproject', '--lock', '--uv-lock', '--extra', '--group', '--installer'];
const SOURCE_FLAGS = ['--no-project'];

/**
 * The declared source of --requirements FILE | --pyproject FILE [--extra E]... [--group G]...
 * [--no-project] | --lock FILE [--extra E]... [--group G]... | --uv-lock FILE [--extra E]...
 * [--group G]... [--no-project]; undefined when none is given.
 */
function sourceOption(command: string, parsed: ParsedOptions, cwd: string): DeclaredSource | undefined {
  const one = (name: string) => parsed.values.get(name)?.at(-1);
  const given = (['--requirements', '--pyproject', '--lock', '--uv-lock'] as const).filter((o) => one(o) !== undefined);
  if (given.length > 1) throw new CliError(`${command}: give only one of --requirements, --pyproject, --lock and --uv-lock.`, 2);
  const extras = parsed.values.get('--extra') ?? [];
  const groups = parsed.values.get('--group') ?? [];
  const at = (file: string) => path.resolve(cwd, file);
  if (given.length === 0) {
    if (extras.length || groups.length || parsed.flags.has('--no-project')) throw new CliError(`${command}: --extra, --group and --no-project go with --pyproject FILE, --lock FILE or --uv-lock FILE.`, 2);
    return undefined;
  }
  if (given[0] === '--requirements') {
    if (extras.length || groups.length || parsed.flags.has('--no-project')) throw new CliError(`${command}: --extra, --group and --no-project go with --pyproject FILE, --lock FILE or --uv-lock FILE, not --requirements.`, 2);
    return { kind: 'requirements', file: at(one('--requirements')!) };
  }
  if (given[0] === '--pyproject') return { kind: 'pyproject', file: at(one('--pyproject')!), extras, groups, project: !parsed.flags.has('--no-project') };
  if (given[0] === '--uv-lock') return { kind: 'uvlock', file: at(one('--uv-lock')!), extras, ...(groups.length ? { groups } : {}), project: !parsed.flags.has('--no-project') };
  if (parsed.flags.has('--no-project')) throw new CliError(`${command}: --no-project goes with --pyproject FILE or --uv-lock FILE.`, 2);
  return { kind: 'pylock', file: at(one('--lock')!), extras, ...(groups.length ? { groups } : {}) };
}

function installerOption(command: string, parsed: ParsedOptions): InstallerChoice {
  const installer = parsed.values.get('--installer')?.at(-1) ?? 'auto';
  if (installer !== 'auto' && installer !== 'pip' && installer !== 'uv') throw new CliError(`${command}: argument --installer: invalid choice '${installer}' (choose from auto, pip, uv)`, 2);
  return installer;
}

/** The source (required) and --installer, as recreate and install take them. */
function requiredSource(command: string, parsed: ParsedOptions, cwd: string): { source: DeclaredSource; installer: InstallerChoice } {
  const source = sourceOption(command, parsed, cwd);
  if (!source) throw new CliError(`${command}: the argument --requirements FILE is required (or --pyproject FILE, --lock FILE or --uv-lock FILE).`, 2);
  return { source, installer: installerOption(command, parsed) };
}

const SOURCE_USAGE = `(--requirements FILE | --pyproject FILE [--extra E]... [--group G]...
                             [--no-project] | --lock FILE [--extra E]... [--group G]...
                             | --uv-lock FILE [--extra E]... [--group G]... [--no-project])`;

const SOURCE_HELP = `  --requirements FILE, -r FILE
                        A requirements file.
  --pyproject FILE      A pyproject.toml: its [project] dependencies, the project itself
                        (editable, when it names a build backend), the extras and the
                        dependency groups given.
  --extra E             An extra of [project.optional-dependencies] (or of the lock); repeatable.
  --group G             A [dependency-groups] group (or a lock's group); repeatable. For
                        --uv-lock the default is the group dev, as uv sync does.
  --no-project          Do not install the project itself, only its dependencies.
  --lock FILE           A pylock.toml / pylock.<name>.toml, installed exactly as written: one
                        wheel per package (else its sdist, archive or folder, built by pip),
                        size and sha256 checked first, nothing resolved.
  --uv-lock FILE        A uv.lock (version 1): what its root project(s) reach with the extras
                        and groups given, for this environment's Python; one wheel per
                        package, size and sha256 checked first, nothing resolved.`;

const COMMON_NOTES = `Only a folder holding a pyvenv.cfg is touched. A file-system root, the home folder, paths
less than two levels deep and symbolic links are refused. One operation per environment at a time
(a lock file .<name>.venv-manager.lock beside it); an operation interrupted earlier is finished
or rolled back first. Errors are printed as "Error: <message>" with exit status 1.`;

export const recreateCommand: CliCommand = {
  help: `usage: venv-manager recreate [-h] ${SOURCE_USAGE}
                             [--python SPEC] [--installer auto|pip|uv] [--verbose] ENV_DIR

Builds a fresh environment at ENV_DIR (same prompt and options, base interpreter from its
pyvenv.cfg unless --python is given) and installs FILE into it with the env's pip, or with
\`uv pip install\` when uv is on PATH (installer auto). pip's own PIP_* environment variables
(PIP_INDEX_URL, PIP_FIND_LINKS, PIP_NO_INDEX, ...) apply. The old environment is kept aside
until the new one is complete: if the install fails or you press Ctrl-C, it is put back exactly
as it was and the installer's error is shown.

A pyproject or lock source is remembered in the new environment for \`sync\` and \`status\`.

options:
  -h, --help            Show this help message and exit.
${SOURCE_HELP}
  --python SPEC         Base interpreter: a path, a command, or a version (3.12).
  --installer auto|pip|uv
                        Which installer to use (default auto: uv if on PATH).
  --verbose, -v         Also print the installer's output.

${COMMON_NOTES}
`,
  async run(args, io) {
    const parsed = parseOptions('recreate', args.map(shortOptions), { values: [...SOURCE_VALUES, '--python'], flags: [...SOURCE_FLAGS, '--verbose'] });
    const envDir = oneEnvDir('recreate', parsed);
    const { source, installer } = requiredSource('recreate', parsed, io.cwd);
    await checkAllowed(envDir, 'recreate', io);
    const python = parsed.values.get('--python')?.at(-1);
    await withLifecycleIo(io, parsed.flags.has('--verbose'), (opts) =>
      recreateEnvironment(envDir, { ...opts, ...asOptions(source), installer, ...(python ? { python } : {}) }),
    );
    return 0;
  },
};

export const installCommand: CliCommand = {
  help: `usage: venv-manager install [-h] ${SOURCE_USAGE}
                           [--installer auto|pip|uv] [--verbose] ENV_DIR

Installs FILE into the environment at ENV_DIR with its own pip, or with \`uv pip install\` when uv
is on PATH (installer auto). pip's own PIP_* environment variables apply. A snapshot of the
environment is taken first (hard links: one link per file, no copy of the data): if the install
fails half-way, is interrupted with Ctrl-C or the process is killed, the environment is put back
exactly as it was and the installer's error is shown. A pyproject or lock source is remembered
in the environment for \`sync\` and \`status\`.

options:
  -h, --help            Show this help message and exit.
${SOURCE_HELP}
  --installer auto|pip|uv
                        Which installer to use (default auto: uv if on PATH).
  --verbose, -v         Also print the installer's output.

${COMMON_NOTES}
`,
  async run(args, io) {
    const parsed = parseOptions('install', args.map(shortOptions), { values: SOURCE_VALUES, flags: [...SOURCE_FLAGS, '--verbose'] });
    const envDir = oneEnvDir('install', parsed);
    const { source, installer } = requiredSource('install', parsed, io.cwd);
    await checkAllowed(envDir, 'install', io);
    await withLifecycleIo(io, parsed.flags.has('--verbose'), (opts) => installIntoEnvironment(envDir, { ...opts, ...asOptions(source), installer }));
    return 0;
  },
};

export const clearCommand: CliCommand = {
  help: `usage: venv-manager clear [-h] [--verbose] ENV_DIR

Like \`python -m venv --clear\` on an existing environment, made safe: installed packages are
removed and the environment is built again from its own base interpreter, prompt and options.
Links inside it are removed, never followed. If rebuilding fails, the old contents come back.

${COMMON_NOTES}
`,
  async run(args, io) {
    const parsed = parseOptions('clear', args.map((a) => (a === '-v' ? '--verbose' : a)), { values: [], flags: ['--verbose'] });
    const envDir = oneEnvDir('clear', parsed);
    await checkAllowed(envDir, 'clear', io);
    await withLifecycleIo(io, parsed.flags.has('--verbose'), (opts) => clearEnvironment(envDir, opts));
    return 0;
  },
};

export const upgradeCommand: CliCommand = {
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
    await checkAllowed(envDir, 'upgrade', io);
    const python = parsed.values.get('--python')?.at(-1);
    await withLifecycleIo(io, parsed.flags.has('--verbose'), (opts) =>
      upgradeEnvironment(envDir, { ...opts, upgradeDeps: parsed.flags.has('--upgrade-deps'), ...(python ? { python } : {}) }),
    );
    return 0;
  },
};

export const deleteCommand: CliCommand = {
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
    await checkAllowed(envDir, 'delete', io);
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
      unchanged: `The interrupted operation had not changed ${envDir} yet; it stays as it was, and what the operation left beside it was removed.`,
    };
    io.stderr(`${messages[result]}\n`);
    return 0;
  },
};

/** A requirements file stays a plain --requirements (not remembered, as before); other sources are remembered. */
function asOptions(source: DeclaredSource): { requirements: string } | { source: DeclaredSource } {
  return source.kind === 'requirements' ? { requirements: source.file } : { source };
}

/** The JSON of \`status --json\` and \`sync --json\` (docs/cli-json.md). */
function statusJson(status: EnvStatus): Record<string, unknown> {
  return {
    format: 1,
    env: status.envDir,
    source: status.source,
    exact: status.exact,
    inSync: status.inSync,
    summary: status.summary,
    missing: status.drift.missing,
    otherVersion: status.drift.otherVersion,
    notDeclared: status.drift.notDeclared,
    unchecked: status.unchecked,
  };
}

function printStatus(io: CliIo, status: EnvStatus): void {
  io.stdout(`${status.envDir}: ${status.summary}\n`);
  for (const m of status.drift.missing) io.stdout(`  missing        ${m.wanted}\n`);
  for (const o of status.drift.otherVersion) io.stdout(`  other version  ${o.name} ${o.installed} (declared ${o.wanted})\n`);
  if (status.exact) for (const n of status.drift.notDeclared) io.stdout(`  not declared   ${n.name} ${n.version}\n`);
  for (const u of status.unchecked) io.stdout(`  not checked    ${u} (names no project)\n`);
}

export const syncCommand: CliCommand = {
  help: `usage: venv-manager sync [-h] [${SOURCE_USAGE.replace(/\n\s+/g, ' ')}]
                        [--exact | --no-exact] [--installer auto|pip|uv] [--json] [--verbose] ENV_DIR

Installs what the source declares and the environment lacks (or has at another version) and,
with --exact (the default), removes what nothing declared needs; pip and setuptools always stay.
Without a source option, the source remembered in the environment (by an earlier sync, recreate
or install) is used; the source given is remembered. All or nothing, like install: if anything
fails or you press Ctrl-C, the environment is put back exactly as it was. An environment already
in sync is not touched. Exit status 0 when done, 1 on an error, 2 for bad usage.

options:
  -h, --help            Show this help message and exit.
${SOURCE_HELP}
  --exact, --no-exact   Remove what is not declared (default), or leave it.
  --installer auto|pip|uv
                        Which installer to use (default auto: uv if on PATH).
  --json                Print the resulting status as JSON (see docs/cli-json.md).
  --verbose, -v         Also print the installer's output.

${COMMON_NOTES}
`,
  async run(args, io) {
    const parsed = parseOptions('sync', args.map(shortOptions), { values: SOURCE_VALUES, flags: [...SOURCE_FLAGS, '--exact', '--no-exact', '--json', '--verbose'] });
    const envDir = oneEnvDir('sync', parsed);
    const source = sourceOption('sync', parsed, io.cwd);
    if (parsed.flags.has('--exact') && parsed.flags.has('--no-exact')) throw new CliError('sync: give --exact or --no-exact, not both.', 2);
    const exact = parsed.flags.has('--exact') ? true : parsed.flags.has('--no-exact') ? false : undefined;
    await checkAllowed(envDir, 'install', io);
    const installer = installerOption('sync', parsed);
    const result = await withLifecycleIo(io, parsed.flags.has('--verbose'), (opts) =>
      syncEnvironment(envDir, { ...opts, installer, ...(source ? { source } : {}), ...(exact !== undefined ? { exact } : {}) }),
    );
    if (parsed.flags.has('--json')) io.stdout(`${JSON.stringify({ ...statusJson(result.status), changed: result.changed, removed: result.removed }, null, 2)}\n`);
    return 0;
  },
};

export const statusCommand: CliCommand = {
  help: `usage: venv-manager status [-h] [--json] [${SOURCE_USAGE.replace(/\n\s+/g, ' ')}] [--exact | --no-exact] ENV_DIR

Compares the distributions installed in ENV_DIR (read from its *.dist-info folders; nothing is
run) with the source remembered in it, or the one given: declared projects that are missing or at
a version the declaration does not allow, and (exact) installed projects nothing declared needs.
Exit status 0 in sync, 3 out of sync, 1 on an error (no source remembered or given, a source that
cannot be read), 2 for bad usage.

options:
  -h, --help            Show this help message and exit.
  --json                Machine-readable output (see docs/cli-json.md).
${SOURCE_HELP}
  --exact, --no-exact   Count what is not declared as drift (default: as remembered, else yes).
`,
  async run(args, io) {
    const parsed = parseOptions('status', args.map(shortOptions), { values: SOURCE_VALUES.filter((v) => v !== '--installer'), flags: [...SOURCE_FLAGS, '--exact', '--no-exact', '--json'] });
    const envDir = oneEnvDir('status', parsed);
    const source = sourceOption('status', parsed, io.cwd);
    const exact = parsed.flags.has('--no-exact') ? false : parsed.flags.has('--exact') ? true : undefined;
    const status = await environmentStatus(envDir, source ? { source, exact: exact ?? true } : undefined, { env: io.env });
    const shown = exact !== undefined && !source ? await environmentStatus(envDir, { source: status.source, exact }, { env: io.env }) : status;
    if (parsed.flags.has('--json')) io.stdout(`${JSON.stringify(statusJson(shown), null, 2)}\n`);
    else printStatus(io, shown);
    return shown.inSync ? 0 : 3;
  },
};

/**
 * `venv-manager list`, `inspect` and `interpreters`: discovery from the command line. Nothing found
 * is executed. JSON shapes are documented in docs/cli-json.md.
 */
import { fsp } from '../core/asyncFs';
import * as path from 'node:path';
import {
  findGlobalEnvironments,
  findInterpreters,
  inspectEnvironment,
  scanWorkspace,
  versionLabel,
  type BaseFactsCache,
  type BaseInterpreter,
  type DiscoveredEnvironment,
} from '../core/discovery';
import { quotePosix } from '../core/activation/quoting';
import type { PyvenvCfg } from '../core/pyvenvCfg';
import { parseOptions } from './args';
import { CliError, printable, type CliCommand, type CliIo } from './io';

/** JSON format version of these commands' output; bumped on an incompatible change. */
export const DISCOVERY_JSON_FORMAT = 1;

export interface CfgJson {
  entries: { key: string; value: string; line: number }[];
  values: Record<string, string>;
  problems: string[];
}

export type EnvironmentJson = Omit<DiscoveredEnvironment, 'cfg'> & { cfg?: CfgJson };

export function cfgToJson(cfg: PyvenvCfg): CfgJson {
  return {
    entries: cfg.entries.map((e) => ({ key: e.key, value: e.value, line: e.line })),
    values: Object.fromEntries(cfg.values),
    problems: [...cfg.problems],
  };
}

export function environmentToJson(env: DiscoveredEnvironment): EnvironmentJson {
  const { cfg, ...rest } = env;
  return cfg ? { ...rest, cfg: cfgToJson(cfg) } : rest;
}

function healthMark(env: DiscoveredEnvironment): string {
  return env.health.ok ? 'ok ' : 'BAD';
}

function describeEnvLine(env: DiscoveredEnvironment): string {
  const version = versionLabel(env.version, env.freeThreaded);
  const parts = [healthMark(env), env.path, `${env.kind}${version ? ` ${version}` : ''}`];
  if (env.scope === 'global') parts.push(`[${env.source}]`);
  if (env.prompt !== undefined && env.prompt !== env.name) parts.push(`prompt '${env.prompt}'`);
  return parts.join('  ');
}

function problemLines(env: DiscoveredEnvironment): string[] {
  return problemTexts(env).map((t) => `      ${t}`);
}

/** Each problem as `code: core's message`, with this command line's way to fix it where there is one. */
function problemTexts(env: DiscoveredEnvironment): string[] {
  return env.health.problems.map((p) => `${p.code}: ${p.message}${p.code === 'incomplete' ? ` (run \`venv-manager recover ${process.platform === 'win32' ? `"${env.path}"` : quotePosix(env.path)}\`)` : ''}`);
}

/**
 * The environments under each DIR (which must be folders), sorted by path, then the global ones when
 * asked: what `list` prints and what `find-package` searches.
 */
export async function environmentsUnder(
  dirs: readonly string[],
  opts: { exclude?: readonly string[]; maxDepth?: number; global?: { extraFolders: string[] } },
  io: CliIo,
): Promise<{ environments: DiscoveredEnvironment[]; unreadable: { path: string; code: string }[] }> {
  for (const dir of dirs) {
    const st = await fsp.stat(dir).catch(() => undefined);
    if (!st?.isDirectory()) throw new CliError(`${dir} ${st ? 'is not a folder' : 'does not exist'}.`);
  }
  // Each environment is inspected as soon as the walk finds it (the reads overlap the walk).
  const baseFactsCache: BaseFactsCache = new Map();
  const scans = await Promise.all(
    dirs.map((dir) => scanWorkspace(dir, { exclude: [...(opts.exclude ?? [])], ...(opts.maxDepth !== undefined ? { maxDepth: opts.maxDepth } : {}), env: io.env, baseFactsCache })),
  );
  const unreadable = scans.flatMap((s) => s.unreadable);
  const found = scans.flatMap((s) => s.environments);
  const seen = new Set<string>();
  const environments: DiscoveredEnvironment[] = [];
  const add = (e: DiscoveredEnvironment) => {
    if (seen.has(e.path)) return;
    seen.add(e.path);
    environments.push(e);
  };
  for (const e of found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) add(e);
  if (opts.global) {
    for (const e of await findGlobalEnvironments({ env: io.env, extraFolders: opts.global.extraFolders })) {
      add(e);
    }
  }
  return { environments, unreadable };
}

const listHelp = `usage: venv-manager list [--json] [--global] [--depth N] [--exclude GLOB]... [DIR ...]

Lists the Python virtual environments (folders holding a pyvenv.cfg) under each DIR (default: the
current folder), with a health verdict. Nothing found is executed.

options:
  --json           machine-readable output (see docs/cli-json.md)
  --global         also list environments kept outside the folders: $WORKON_HOME (~/.virtualenvs),
                   pyenv and pyenv-virtualenv, pipenv, poetry, hatch, uv tools, conda
  --extra DIR      with --global: one more folder holding environments (repeatable)
  --depth N        how many folders deep to look (default 8)
  --exclude GLOB   skip folders matching GLOB: a name (build), a name glob (*.egg-info) or a
                   path glob relative to DIR (docs/**); repeatable. node_modules, .git,
                   site-packages and __pycache__ are always skipped.

Folders that cannot be read are named in a warning on stderr (in the JSON: "unreadable").

Exit status: 0, also when some environments are unhealthy (see their problems); 1 when a DIR does
not exist; 2 for bad usage.`;

export const listCommand: CliCommand = {
  help: listHelp,
  async run(args: string[], io: CliIo): Promise<number> {
    const parsed = parseOptions('list', args, { flags: ['--json', '--global'], values: ['--depth', '--exclude', '--extra'] });
    const depthText = parsed.values.get('--depth')?.at(-1);
    const maxDepth = depthText === undefined ? undefined : Number(depthText);
    if (maxDepth !== undefined && (!Number.isInteger(maxDepth) || maxDepth < 0)) throw new CliError(`--depth must be a whole number >= 0, not '${depthText}'.`, 2);
    const dirs = (parsed.positionals.length > 0 ? parsed.positionals : ['.']).map((d) => path.resolve(io.cwd, d));
    const { environments, unreadable } = await environmentsUnder(dirs, {
      exclude: parsed.values.get('--exclude') ?? [],
      ...(maxDepth !== undefined ? { maxDepth } : {}),
      ...(parsed.flags.has('--global') ? { global: { extraFolders: parsed.values.get('--extra') ?? [] } } : {}),
    }, io);
    if (parsed.flags.has('--json')) {
      io.stdout(`${JSON.stringify({ format: DISCOVERY_JSON_FORMAT, roots: dirs, environments: environments.map(environmentToJson), unreadable }, null, 2)}\n`);
      return 0;
    }
    for (const u of unreadable) io.stderr(`warning: could not read ${printable(u.path)} (${u.code}); environments below it are not listed\n`);
    if (environments.length === 0) {
      io.stdout(`No virtual environments found under ${printable(dirs.join(', '))}${parsed.flags.has('--global') ? ' or in the global places' : ''}.\n`);
      return 0;
    }
    const lines: string[] = [];
    for (const e of environments) lines.push(describeEnvLine(e), ...problemLines(e));
    io.stdout(`${lines.map(printable).join('\n')}\n`);
    return 0;
  },
};

/** The environment at `dir` (a venv, or a conda env), or a CliError saying it is not one. */
export async function inspectEnvDir(dir: string, io: CliIo): Promise<DiscoveredEnvironment> {
  const env = (await inspectEnvironment(dir, 'workspace', 'cli', { env: io.env })) ?? (await inspectEnvironment(dir, 'workspace', 'cli', { env: io.env, kind: 'conda' }));
  if (!env) throw new CliError(`${printable(dir)} is not a virtual environment: it holds no pyvenv.cfg (nor conda-meta).`);
  return env;
}

const inspectHelp = `usage: venv-manager inspect ENV_DIR [--json]

Shows one environment: its pyvenv.cfg (every line as read), where its interpreter, base
interpreter and site-packages are, and its health. A conda environment (conda-meta, no
pyvenv.cfg) is shown too. Nothing is executed.

Exit status: 0 (also for an unhealthy environment; see its problems), 1 when ENV_DIR is not an
environment, 2 for bad usage.`;

export const inspectCommand: CliCommand = {
  help: inspectHelp,
  async run(args: string[], io: CliIo): Promise<number> {
    const parsed = parseOptions('inspect', args, { flags: ['--json'] });
    if (parsed.positionals.length !== 1) throw new CliError('inspect takes exactly one ENV_DIR. Run `venv-manager inspect --help`.', 2);
    const env = await inspectEnvDir(path.resolve(io.cwd, parsed.positionals[0]), io);
    if (parsed.flags.has('--json')) {
      io.stdout(`${JSON.stringify({ format: DISCOVERY_JSON_FORMAT, environment: environmentToJson(env) }, null, 2)}\n`);
      return 0;
    }
    const rows: [string, string | undefined][] = [
      ['path', env.path],
      ['kind', env.kind],
      ['version', versionLabel(env.version, env.freeThreaded)],
      ['prompt', env.prompt],
      ['interpreter', env.interpreterPath],
      ['base interpreter', env.baseInterpreter],
      ['home', env.home],
      ['site-packages', env.sitePackages],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    const lines = rows.filter(([, v]) => v !== undefined).map(([k, v]) => `${k.padEnd(width)}  ${v}`);
    if (env.cfgPath) {
      lines.push('', `pyvenv.cfg (${env.cfgPath}):`);
      if (env.cfg) for (const entry of env.cfg.entries) lines.push(`  ${String(entry.line).padStart(3)}: ${entry.key} = ${entry.value}`);
      else lines.push('  (not readable)');
    }
    lines.push('', env.health.ok ? 'health: ok' : 'health: PROBLEMS', ...problemTexts(env).map((t) => `  ${t}`));
    io.stdout(`${lines.map(printable).join('\n')}\n`);
    return 0;
  },
};

const interpretersHelp = `usage: venv-manager interpreters [--json]

Lists the base Python interpreters environments can be made from: PATH, pyenv, the usual system
folders, uv-managed Pythons and, on Windows, the PEP 514 registry. Newest first, de-duplicated by
real path; pyenv shims are not listed. Versions come from the file system; none is executed.`;

export const interpretersCommand: CliCommand = {
  help: interpretersHelp,
  async run(args: string[], io: CliIo): Promise<number> {
    const parsed = parseOptions('interpreters', args, { flags: ['--json'] });
    if (parsed.positionals.length > 0) throw new CliError('interpreters takes no arguments. Run `venv-manager interpreters --help`.', 2);
    const found: BaseInterpreter[] = await findInterpreters({ env: io.env });
    if (parsed.flags.has('--json')) {
      io.stdout(`${JSON.stringify({ format: DISCOVERY_JSON_FORMAT, interpreters: found }, null, 2)}\n`);
      return 0;
    }
    if (found.length === 0) {
      io.stdout('No Python interpreters found on PATH, in pyenv or in the usual system folders.\n');
      return 0;
    }
    const label = (i: BaseInterpreter) => `${i.implementation ?? 'python'} ${versionLabel(i.version ?? '?', i.freeThreaded)}`;
    const width = Math.max(...found.map((i) => label(i).length));
    io.stdout(`${found.map((i) => printable(`${label(i).padEnd(width)}  ${i.path}  [${i.source}]`)).join('\n')}\n`);
    return 0;
  },
};

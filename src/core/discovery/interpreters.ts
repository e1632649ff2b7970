/**
 * Base interpreters on this machine, found without running any of them: PATH, pyenv, the usual
 * system folders, uv-managed Pythons, and on Windows the PEP 514 registry. Versions come from file
 * names, pyenv version folders, the install's `lib/pythonX.Y` and `include/.../patchlevel.h`.
 */
import { type Dirent } from 'node:fs';
import { fsp as fs } from '../asyncFs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getInterpreterInfo } from '../interpreter';
import { CoreError } from '../errors';
import { pathExists } from '../fsUtil';
import { findOnPath, isExecutableFile, pathEntries } from '../pathLookup';
import { describeSpec, interpreterMatchesSpec, parsePythonSpec, type PythonSpec } from './pythonSpec';
import { readRegularFileHead } from './safeRead';
import type { BaseInterpreter } from './types';
import { loadWindowsRegistry, readRegisteredPythons, type RegistryReader } from './windowsRegistry';
import {
  compareVersionsDesc,
  parseExecutableName,
  parsePyenvVersionName,
  parseVersion,
  readExecutableBits,
  readInstallVersion,
  versionLabel,
} from './versionFacts';

export interface FindInterpretersOptions {
  env?: NodeJS.ProcessEnv;
  /** The platform whose conventions apply (PATH separator, `.exe`, registry). Default: this one. */
  platform?: NodeJS.Platform;
  /** PEP 514 registry. Default: the real registry on Windows, consulted on Windows only. */
  registry?: RegistryReader;
  /** Replaces the built-in list of system folders (tests use it to keep the machine's own out). */
  systemFolders?: string[];
}

interface Candidate {
  path: string;
  source: string;
  version?: string;
  implementation?: string;
  freeThreaded?: boolean;
  bits?: 32 | 64;
  company?: string;
  tag?: string;
}

interface Context {
  env: NodeJS.ProcessEnv;
  windows: boolean;
  home: string;
  pyenvRoot: string;
}

function makeContext(opts: FindInterpretersOptions): Context {
  const env = opts.env ?? process.env;
  const windows = (opts.platform ?? process.platform) === 'win32';
  const home = env.HOME || env.USERPROFILE || os.homedir();
  const pyenvRoot = env.PYENV_ROOT || (windows ? path.join(home, '.pyenv', 'pyenv-win') : path.join(home, '.pyenv'));
  return { env, windows, home, pyenvRoot };
}

async function readDir(dir: string): Promise<Dirent[]> {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function pathDirs(ctx: Context): string[] {
  return pathEntries(ctx.env, ctx.windows);
}

/** Interpreter-named entries of one folder, `python` before `python3` before `python3.12`. */
async function interpreterNamesIn(dir: string, ctx: Context): Promise<string[]> {
  const names = (await readDir(dir))
    .filter((d) => !d.isDirectory())
    .map((d) => d.name)
    .filter((n) => parseExecutableName(n) && n.toLowerCase().endsWith('.exe') === ctx.windows);
  return names.sort((a, b) => a.length - b.length || a.localeCompare(b));
}

/** pyenv's shims are bash scripts that re-dispatch to a version; they are not interpreters. */
async function isPyenvShim(file: string, ctx: Context): Promise<boolean> {
  const dir = path.dirname(file);
  if (path.resolve(dir) === path.resolve(ctx.pyenvRoot, 'shims')) return true;
  if (path.basename(dir) !== 'shims') return false;
  const head = await readHead(file, 1024);
  return head.startsWith('#!') && /pyenv/.test(head);
}

async function readHead(file: string, bytes: number): Promise<string> {
  return (await readRegularFileHead(file, bytes))?.bytes.toString('latin1') ?? '';
}

async function fromPath(ctx: Context): Promise<Candidate[]> {
  // Windows' app execution aliases (python.exe opening the Store) are stubs, not interpreters; an
  // installed Store Python is registered under PEP 514 and found there.
  const dirs = pathDirs(ctx).filter((d) => !(ctx.windows && /[\\/]WindowsApps[\\/]?$/i.test(d)));
  const perDir = await Promise.all(
    dirs.map(async (dir) => (await interpreterNamesIn(dir, ctx)).map((name) => ({ path: path.join(dir, name), source: 'PATH' }))),
  );
  return perDir.flat();
}

/** One interpreter per pyenv version folder; pyenv-virtualenv's envs (they hold a pyvenv.cfg) are environments. */
async function fromPyenv(ctx: Context): Promise<Candidate[]> {
  const versionsDir = path.join(ctx.pyenvRoot, 'versions');
  const found = await Promise.all(
    (await readDir(versionsDir)).map(async (entry): Promise<Candidate | undefined> => {
      const prefix = path.join(versionsDir, entry.name);
      if (await pathExists(path.join(prefix, 'pyvenv.cfg'))) return undefined;
      const binDir = ctx.windows ? prefix : path.join(prefix, 'bin');
      const names = ctx.windows ? ['python.exe', 'pypy3.exe', 'pypy.exe'] : ['python', 'python3', 'pypy3', 'pypy', 'graalpy', 'jython'];
      for (const name of names) {
        const exe = path.join(binDir, name);
        if (!(await pathExists(exe))) continue;
        const facts = parsePyenvVersionName(entry.name);
        return {
          path: exe,
          source: 'pyenv',
          ...(facts?.version ? { version: facts.version } : {}),
          ...(facts ? { implementation: facts.implementation, freeThreaded: facts.freeThreaded } : {}),
        };
      }
      return undefined;
    }),
  );
  return found.filter((c): c is Candidate => c !== undefined);
}

/** Expands one trailing-`*` path segment pattern like `/opt/python*` or `/opt/python/*`. */
async function expandGlob(pattern: string): Promise<string[]> {
  const segments = pattern.split(/[\\/]/);
  const starAt = segments.findIndex((s) => s.includes('*'));
  if (starAt < 0) return [pattern];
  const sep = pattern.includes('\\') && !pattern.includes('/') ? '\\' : '/';
  const parent = segments.slice(0, starAt).join(sep) || sep;
  const re = new RegExp(`^${segments[starAt].split('*').map(escapeRegExp).join('.*')}$`);
  const rest = segments.slice(starAt + 1);
  const matches = (await readDir(parent)).filter((d) => re.test(d.name));
  const expanded = await Promise.all(matches.map((d) => expandGlob([parent === sep ? '' : parent, d.name, ...rest].join(sep))));
  return expanded.flat();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function defaultSystemFolders(ctx: Context): string[] {
  if (ctx.windows) {
    const local = ctx.env.LOCALAPPDATA ?? path.join(ctx.home, 'AppData', 'Local');
    const programFiles = [ctx.env.ProgramFiles, ctx.env['ProgramFiles(x86)']].filter((p): p is string => Boolean(p));
    return [path.join(local, 'Programs', 'Python', 'Python*'), ...programFiles.map((p) => path.join(p, 'Python*')), 'C:\\Python*'];
  }
  return [
    '/usr/local/bin',
    '/usr/bin',
    '/opt/homebrew/bin',
    '/opt/local/bin',
    '/opt/python*/bin',
    '/opt/python/*/bin',
    '/Library/Frameworks/Python.framework/Versions/*/bin',
  ];
}

/** uv keeps the Pythons it downloads under its data dir, one folder per build. */
function uvPythonFolders(ctx: Context): string[] {
  const uvData = ctx.windows
    ? path.join(ctx.env.APPDATA || path.join(ctx.home, 'AppData', 'Roaming'), 'uv', 'data')
    : path.join(ctx.env.XDG_DATA_HOME || path.join(ctx.home, '.local', 'share'), 'uv');
  const root = ctx.env.UV_PYTHON_INSTALL_DIR || path.join(uvData, 'python');
  return [path.join(root, '*', ctx.windows ? '' : 'bin')];
}

async function fromFolders(patterns: string[], source: string, ctx: Context): Promise<Candidate[]> {
  const dirs = (await Promise.all(patterns.map(expandGlob))).flat();
  const perDir = await Promise.all(dirs.map(async (dir) => (await interpreterNamesIn(dir, ctx)).map((name) => ({ path: path.join(dir, name), source }))));
  return perDir.flat();
}

async function fromRegistry(registry: RegistryReader): Promise<Candidate[]> {
  return (await readRegisteredPythons(registry)).map((r) => ({
    path: r.executable,
    source: 'registry',
    ...(r.version ? { version: r.version } : {}),
    implementation: r.company === 'PythonCore' ? 'cpython' : r.company.toLowerCase(),
    ...(r.bits ? { bits: r.bits } : {}),
    company: r.company,
    tag: r.tag,
  }));
}

function moreSpecific(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return (parseVersion(b)?.length ?? 0) > (parseVersion(a)?.length ?? 0) ? b : a;
}

interface DiskVersionFacts {
  version?: string;
  implementation?: string;
  freeThreaded: boolean;
}

/** Version facts of an interpreter from its names, its pyenv folder and its install's files. */
async function versionFactsOnDisk(
  invokedPath: string,
  realPath: string,
  known: Pick<Candidate, 'version' | 'implementation' | 'freeThreaded'>,
  ctx: Context,
  installVersionCache: Map<string, Promise<string | undefined>>,
): Promise<DiskVersionFacts> {
  const byName = parseExecutableName(path.basename(invokedPath));
  const byRealName = parseExecutableName(path.basename(realPath));
  let version = moreSpecific(moreSpecific(byName?.version, byRealName?.version), known.version);
  let implementation = known.implementation;
  let freeThreaded = known.freeThreaded ?? (byName?.freeThreaded || byRealName?.freeThreaded || false);

  const pyenvVersions = path.join(path.resolve(ctx.pyenvRoot), 'versions') + path.sep;
  if (realPath.startsWith(pyenvVersions)) {
    const facts = parsePyenvVersionName(realPath.slice(pyenvVersions.length).split(path.sep)[0]);
    if (facts) {
      version = moreSpecific(version, facts.version);
      implementation ??= facts.implementation;
      freeThreaded ||= facts.freeThreaded;
    }
  }
  implementation ??= byRealName?.implementation ?? byName?.implementation;

  if (!version || (parseVersion(version)?.length ?? 0) < 3) {
    const prefix = ctx.windows ? path.dirname(realPath) : path.dirname(path.dirname(realPath));
    const key = `${prefix}\0${version ?? ''}`;
    let pending = installVersionCache.get(key);
    if (!pending) {
      pending = readInstallVersion(prefix, { windows: ctx.windows, ...(version ? { hint: version } : {}) });
      installVersionCache.set(key, pending);
    }
    version = moreSpecific(version, await pending);
  }
  // A bare `python3` says only the major version; listing '3' as a version helps nobody.
  if (version && (parseVersion(version)?.length ?? 0) < 2) version = undefined;
  return { ...(version ? { version } : {}), ...(implementation ? { implementation } : {}), freeThreaded };
}

/**
 * The version of the Python installed behind `executable`, from the file system (follows links).
 * Undefined when the file is missing. Used by the health check to notice an in-place upgrade.
 */
export async function readInterpreterVersionOnDisk(
  executable: string,
  opts: { env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform } = {},
): Promise<{ version?: string; realPath: string } | undefined> {
  const ctx = makeContext(opts);
  let realPath: string;
  try {
    realPath = await fs.realpath(executable);
  } catch {
    return undefined;
  }
  const facts = await versionFactsOnDisk(executable, realPath, {}, ctx, new Map());
  return { ...(facts.version ? { version: facts.version } : {}), realPath };
}

/** Turns a candidate into a listed interpreter: checks it is a runnable file and gathers version facts. */
async function describe(candidate: Candidate, ctx: Context, installVersionCache: Map<string, Promise<string | undefined>>): Promise<BaseInterpreter | undefined> {
  let realPath: string;
  try {
    if (!(await isExecutableFile(candidate.path, ctx.windows))) return undefined;
    realPath = await fs.realpath(candidate.path);
  } catch {
    return undefined;
  }
  if (await isPyenvShim(candidate.path, ctx)) return undefined;
  // An environment's own python is an environment, not a base interpreter.
  const envRoot = path.dirname(path.dirname(candidate.path));
  if (await pathExists(path.join(envRoot, 'pyvenv.cfg'))) return undefined;

  const facts = await versionFactsOnDisk(candidate.path, realPath, candidate, ctx, installVersionCache);
  const { version, implementation, freeThreaded } = facts;

  return {
    path: candidate.path,
    ...(version ? { version } : {}),
    source: candidate.source,
    ...(implementation ? { implementation } : {}),
    realPath,
    ...(freeThreaded ? { freeThreaded } : {}),
    ...(candidate.bits ? { bits: candidate.bits } : {}),
    ...(candidate.company ? { company: candidate.company, tag: candidate.tag } : {}),
  };
}

/**
 * Every base interpreter found, de-duplicated by realpath (the first way it was found wins: PATH,
 * then pyenv, system folders, uv, registry), newest version first, unknown versions last.
 * Executes nothing; versions are file-system facts (see `completeInterpreterFacts` for the rest).
 */
export async function findInterpreters(opts: FindInterpretersOptions = {}): Promise<BaseInterpreter[]> {
  const ctx = makeContext(opts);
  const registry = opts.registry ?? (ctx.windows ? await loadWindowsRegistry(ctx.env) : undefined);
  const groups = await Promise.all([
    fromPath(ctx),
    fromPyenv(ctx),
    fromFolders(opts.systemFolders ?? defaultSystemFolders(ctx), 'system', ctx),
    fromFolders(uvPythonFolders(ctx), 'uv', ctx),
    registry ? fromRegistry(registry) : Promise.resolve([]),
  ]);
  const cache = new Map<string, Promise<string | undefined>>();
  const described = await Promise.all(groups.flat().map((c) => describe(c, ctx, cache)));
  const byRealPath = new Map<string, BaseInterpreter>();
  for (const interp of described) {
    if (!interp) continue;
    const key = ctx.windows ? interp.realPath!.toLowerCase() : interp.realPath!;
    const seen = byRealPath.get(key);
    if (!seen) byRealPath.set(key, interp);
    else {
      const version = moreSpecific(seen.version, interp.version);
      if (version) seen.version = version;
      if (seen.bits === undefined && interp.bits !== undefined) seen.bits = interp.bits;
      if (interp.company && !seen.company) Object.assign(seen, { company: interp.company, tag: interp.tag });
    }
  }
  return [...byRealPath.values()].sort((a, b) => compareVersionsDesc(a.version, b.version));
}

/** What `completeInterpreterFacts` needs from an introspection (the core's `getInterpreterInfo` gives it). */
export interface IntrospectedFacts {
  versionString: string;
  implementation: string;
  is64bit: boolean;
  gilDisabled?: boolean;
}

/**
 * Fills in versions the file system could not tell, from an introspection the caller supplies (the
 * core's cached `getInterpreterInfo`). Separate from `findInterpreters` so a picker can show the
 * list at once and update items as facts arrive via `onUpdate`. Runs interpreters: only call it for
 * interpreters the user may run (not in an untrusted workspace).
 */
export async function completeInterpreterFacts(
  interpreters: readonly BaseInterpreter[],
  introspect: (python: string) => Promise<IntrospectedFacts>,
  opts: { onUpdate?: (updated: BaseInterpreter, index: number) => void; signal?: AbortSignal; concurrency?: number; all?: boolean } = {},
): Promise<BaseInterpreter[]> {
  const result = interpreters.map((i) => ({ ...i }));
  const todo = result.map((_, i) => i).filter((i) => opts.all || (parseVersion(result[i].version ?? '')?.length ?? 0) < 3);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length && !opts.signal?.aborted) {
      const index = todo[next++];
      try {
        const facts = await introspect(result[index].path);
        const updated: BaseInterpreter = {
          ...result[index],
          version: facts.versionString,
          implementation: facts.implementation,
          bits: facts.is64bit ? 64 : 32,
          ...(facts.gilDisabled ? { freeThreaded: true } : {}),
        };
        result[index] = updated;
        opts.onUpdate?.(updated, index);
      } catch {
        // An interpreter that fails to introspect keeps its file-system facts.
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  return result;
}

/**
 * `completeInterpreterFacts` with the core's cached introspection (`getInterpreterInfo`): an
 * interpreter already introspected is answered from the cache without running it again.
 */
export function completeInterpreterFactsFromCache(
  interpreters: readonly BaseInterpreter[],
  opts: { cacheDir?: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal; onUpdate?: (updated: BaseInterpreter, index: number) => void; all?: boolean } = {},
): Promise<BaseInterpreter[]> {
  const { cacheDir, env, signal, ...rest } = opts;
  const infoOpts = { ...(cacheDir ? { cacheDir } : {}), ...(env ? { env } : {}), ...(signal ? { signal } : {}) };
  return completeInterpreterFacts(interpreters, (python) => getInterpreterInfo(python, infoOpts), { ...rest, ...(signal ? { signal } : {}) });
}

/** Thrown when no interpreter matches a `--python` spec; the message lists what was found. */
export class PythonNotFoundError extends CoreError<'no-interpreter'> {
  constructor(message: string, readonly found: readonly BaseInterpreter[] = []) {
    super('no-interpreter', message);
    this.name = 'PythonNotFoundError';
  }
}

export interface ResolvePythonSpecOptions extends FindInterpretersOptions {
  /** Base for relative path specs. Default: process.cwd(). */
  cwd?: string;
}

async function resolvePathSpec(spec: Extract<PythonSpec, { kind: 'path' }>, ctx: Context, cwd: string): Promise<string> {
  const expanded = spec.path.startsWith('~') ? path.join(ctx.home, spec.path.slice(1)) : spec.path;
  const absolute = path.resolve(cwd, expanded);
  let st;
  try {
    st = await fs.stat(absolute);
  } catch {
    throw new PythonNotFoundError(`No Python interpreter at ${absolute}: the path does not exist.`);
  }
  if (st.isFile()) {
    if (!(await isExecutableFile(absolute, ctx.windows))) throw new PythonNotFoundError(`${absolute} is not an executable file.`);
    return absolute;
  }
  // A folder: an environment or an install prefix.
  const inside = ctx.windows ? ['Scripts\\python.exe', 'python.exe'] : ['bin/python3', 'bin/python'];
  for (const rel of inside) {
    const p = path.join(absolute, rel);
    if (await isExecutableFile(p, ctx.windows)) return p;
  }
  throw new PythonNotFoundError(`No Python interpreter in the folder ${absolute} (looked for ${inside.join(', ')}).`);
}

async function resolveCommandSpec(spec: Extract<PythonSpec, { kind: 'command' }>, ctx: Context): Promise<string> {
  const names = ctx.windows && !/\.exe$/i.test(spec.command) ? [`${spec.command}.exe`, spec.command] : [spec.command];
  const found = await findOnPath(names, ctx.env, ctx.windows);
  if (found) return found;
  throw new PythonNotFoundError(`No Python interpreter matching '${spec.raw}': no command named '${spec.command}' on PATH.`);
}

function listFound(found: readonly BaseInterpreter[]): string {
  if (found.length === 0) return 'No Python interpreters were found on PATH, in pyenv or in the usual system folders.';
  return ['Found:', ...found.map((i) => `  ${i.implementation ?? 'python'} ${versionLabel(i.version ?? '(version unknown)', i.freeThreaded)}  ${i.path}  [${i.source}]`)].join('\n');
}

/** `[defaults]` of the py launcher's py.ini (in %LOCALAPPDATA%, or beside py.exe in %WINDIR%). */
async function readPyIniDefaults(ctx: Context): Promise<Map<string, string>> {
  const defaults = new Map<string, string>();
  const local = ctx.env.LOCALAPPDATA || path.join(ctx.home, 'AppData', 'Local');
  const windir = ctx.env.WINDIR || ctx.env.SystemRoot;
  for (const dir of [local, ...(windir ? [windir] : [])]) {
    const head = await readRegularFileHead(path.join(dir, 'py.ini'), 64 * 1024);
    if (!head) continue;
    let inDefaults = false;
    for (const line of head.bytes.toString('utf8').replace(/^\ufeff/, '').split(/\r?\n/)) {
      const section = /^\s*\[(.+)\]\s*$/.exec(line);
      if (section) inDefaults = section[1].trim().toLowerCase() === 'defaults';
      const kv = /^\s*([^=;#]+?)\s*=\s*(.*?)\s*$/.exec(line);
      if (inDefaults && kv && !defaults.has(kv[1].toLowerCase())) defaults.set(kv[1].toLowerCase(), kv[2]);
    }
    if (defaults.size > 0) break;
  }
  return defaults;
}

/**
 * What the py launcher would pick for a bare `py` or `py -3`: `PY_PYTHON` / `PY_PYTHON3`, else
 * `python=` / `python3=` in py.ini. Undefined when nothing is configured (then: newest).
 */
async function pyLauncherDefault(spec: string, ctx: Context): Promise<string | undefined> {
  const major = /^-(\d)$/.exec(spec)?.[1];
  if (spec.toLowerCase() !== 'py' && !major) return undefined;
  const name = major ? `python${major}` : 'python';
  const fromEnv = ctx.env[major ? `PY_PYTHON${major}` : 'PY_PYTHON'];
  if (fromEnv) return fromEnv;
  return (await readPyIniDefaults(ctx)).get(name);
}

/**
 * The interpreter a `--python SPEC` means (see `parsePythonSpec` for the forms): a path is checked
 * and returned as given (made absolute); a version spec picks the newest matching interpreter from
 * `findInterpreters`. On Windows a bare `py` / `-3` follows the py launcher's configured default
 * (PY_PYTHON, py.ini). Executes nothing. Throws `PythonNotFoundError` listing what was found.
 */
export async function resolvePythonSpec(spec: string, opts: ResolvePythonSpecOptions = {}): Promise<string> {
  const ctx = makeContext(opts);
  let parsed: PythonSpec;
  try {
    const launcherDefault = ctx.windows ? await pyLauncherDefault(spec.trim(), ctx) : undefined;
    parsed = parsePythonSpec(launcherDefault ?? spec);
  } catch (err) {
    throw new PythonNotFoundError(`Invalid Python spec '${spec}': ${(err as Error).message}.`);
  }
  if (parsed.kind === 'path') return resolvePathSpec(parsed, ctx, opts.cwd ?? process.cwd());
  if (parsed.kind === 'command') return resolveCommandSpec(parsed, ctx);

  const found = await findInterpreters(opts);
  if (parsed.kind === 'registry') {
    const company = parsed.company.toLowerCase();
    const tag = parsed.tag?.toLowerCase();
    const match = found.find((i) => i.company?.toLowerCase() === company && (tag === undefined || i.tag?.toLowerCase() === tag));
    if (match) return match.path;
  } else {
    for (const interp of found) {
      if (!interpreterMatchesSpec(interp, parsed)) continue;
      if (parsed.bits && (interp.bits ?? (await readExecutableBits(interp.realPath ?? interp.path))) !== parsed.bits) continue;
      return interp.path;
    }
  }
  throw new PythonNotFoundError(`No Python interpreter matching '${spec}' (${describeSpec(parsed)}) was found.\n${listFound(found)}`, found);
}

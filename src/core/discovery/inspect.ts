/**
 * One environment, described from its files: pyvenv.cfg, bin/Scripts, lib/.../site-packages and
 * the base interpreter's install. Nothing is executed; nothing thrown escapes (a broken or hostile
 * environment becomes health problems).
 */
import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import { parsePyvenvCfg, PYVENV_CFG_MAX_BYTES, readPromptValue, type PyvenvCfg } from '../pyvenvCfg';
import { INCOMPLETE_MARKER, isSiblingOf, isStale, journalPathFor, lockPathFor, readLock, type LockInfo } from '../envFacts';
import { isFile, lstatOrUndefined, readdirOrEmpty } from '../fsUtil';
import { readInterpreterVersionOnDisk } from './interpreters';
import { readRegularFileHead } from './safeRead';
import type { DiscoveredEnvironment, EnvHealthProblem, EnvKind } from './types';
import { parseVersion } from './versionFacts';

export interface InspectOptions {
  /** Overrides the kind read from the cfg (pyenv-virtualenv envs are 'pyenv'). */
  kind?: EnvKind;
  /** Overrides the folder name (pyenv-virtualenv's name for an env). */
  name?: string;
  /** Environment variables for PYENV_ROOT / HOME when reading the base install. */
  env?: NodeJS.ProcessEnv;
  /** Layout conventions: 'win32' expects Scripts\python.exe. Default: this OS (with a fallback to the other layout). */
  platform?: NodeJS.Platform;
  /** Shared between the inspections of one scan so each base interpreter is looked at once. */
  baseFactsCache?: BaseFactsCache;
}

/** Base interpreter path -> whether it is a file, and its version on disk. */
export type BaseFactsCache = Map<string, Promise<{ isFile: boolean; version?: string }>>;

function baseFacts(candidate: string, opts: InspectOptions): Promise<{ isFile: boolean; version?: string }> {
  let pending = opts.baseFactsCache?.get(candidate);
  if (!pending) {
    pending = (async () => {
      if (!(await isFile(candidate))) return { isFile: false };
      const disk = await readInterpreterVersionOnDisk(candidate, {
        ...(opts.env ? { env: opts.env } : {}),
        ...(opts.platform ? { platform: opts.platform } : {}),
      });
      return { isFile: true, ...(disk?.version ? { version: disk.version } : {}) };
    })();
    opts.baseFactsCache?.set(candidate, pending);
  }
  return pending;
}

type CfgRead = { cfg: PyvenvCfg } | { error: string; missing: boolean };

async function readCfg(cfgPath: string): Promise<CfgRead> {
  const head = await readRegularFileHead(cfgPath, PYVENV_CFG_MAX_BYTES);
  if (!head) {
    // The uncommon path: find out why (missing, not a file, no permission).
    try {
      const st = await fs.stat(cfgPath);
      if (!st.isFile()) return { error: 'pyvenv.cfg is not a regular file', missing: false };
      return { error: 'pyvenv.cfg cannot be read (permission denied)', missing: false };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return { error: `pyvenv.cfg cannot be read (${code ?? (err as Error).message})`, missing: code === 'ENOENT' || code === 'ENOTDIR' };
    }
  }
  let cfg = parsePyvenvCfg(head.bytes);
  // The decoder drops a UTF-8 BOM silently, but Python would read '\ufeffhome' and miss `home`.
  if (head.bytes[0] === 0xef && head.bytes[1] === 0xbb && head.bytes[2] === 0xbf && !cfg.problems.some((p) => /byte order mark/.test(p))) {
    cfg = { ...cfg, problems: ['file starts with a byte order mark', ...cfg.problems] };
  }
  if (head.size > PYVENV_CFG_MAX_BYTES) {
    return { cfg: { ...cfg, problems: [...cfg.problems, `file is ${head.size} bytes; only the first ${PYVENV_CFG_MAX_BYTES} were read`] } };
  }
  return { cfg };
}

/** `version` (venv) or `version_info` (virtualenv '3.11.2.final.0', uv '3.12.1'), as 'X.Y.Z'. */
export function cfgVersion(cfg: PyvenvCfg): string | undefined {
  for (const key of ['version', 'version_info']) {
    const raw = cfg.values.get(key);
    const m = raw ? /^(\d+\.\d+(?:\.\d+)?)/.exec(raw) : null;
    if (m) return m[1];
  }
  return undefined;
}

export function cfgKind(cfg: PyvenvCfg): EnvKind {
  if (cfg.values.has('uv')) return 'uv';
  if (cfg.values.has('virtualenv')) return 'virtualenv';
  return 'venv';
}

interface Layout {
  binDir: string;
  interpreterPath: string;
  windows: boolean;
  /** Windows: a free-threaded build's `python3.Xt.exe` is among the Scripts. */
  freeThreadedLauncher: boolean;
}

/** bin/python on POSIX, Scripts\python.exe on Windows; the other layout when only it is present. */
async function findLayout(envDir: string, platform: NodeJS.Platform): Promise<Layout> {
  const preferWindows = platform === 'win32';
  const order = preferWindows ? [true, false] : [false, true];
  for (const windows of order) {
    const binDir = path.join(envDir, windows ? 'Scripts' : 'bin');
    const names = await readdirOrEmpty(binDir);
    if (names.length === 0) continue;
    const wanted = windows ? ['python.exe', 'python3.exe'] : ['python', 'python3'];
    const name = wanted.find((n) => names.includes(n)) ?? names.find((n) => /^(python|pypy)[\d.]*t?(\.exe)?$/i.test(n)) ?? wanted[0];
    const freeThreadedLauncher = windows && names.some((n) => /^python\d+\.\d+t\.exe$/i.test(n));
    return { binDir, interpreterPath: path.join(binDir, name), windows, freeThreadedLauncher };
  }
  const binDir = path.join(envDir, preferWindows ? 'Scripts' : 'bin');
  return { binDir, interpreterPath: path.join(binDir, preferWindows ? 'python.exe' : 'python'), windows: preferWindows, freeThreadedLauncher: false };
}

/** The env's site-packages (`Lib\site-packages`, or `lib/pythonX.Y/site-packages` of its version first). */
export async function findSitePackages(envDir: string, windows: boolean, version: string | undefined): Promise<string | undefined> {
  if (windows) {
    const p = path.join(envDir, 'Lib', 'site-packages');
    return (await lstatOrUndefined(p)) ? p : undefined;
  }
  const libDir = path.join(envDir, 'lib');
  const pythons = (await readdirOrEmpty(libDir)).filter((n) => /^(python|pypy)\d+\.\d+t?$/.test(n));
  const minor = version ? parseVersion(version)?.slice(0, 2).join('.') : undefined;
  pythons.sort((a, b) => Number(b.endsWith(`${minor}`)) - Number(a.endsWith(`${minor}`)));
  for (const dir of pythons) {
    const p = path.join(libDir, dir, 'site-packages');
    if (await lstatOrUndefined(p)) return p;
  }
  return undefined;
}

/**
 * The base interpreter in `home`, named as the env's python links to or is called. Only `home`
 * counts: Python finds its standard library from it, so a base elsewhere does not make a working env.
 */
async function findBaseInterpreter(home: string, interpreterPath: string, version: string | undefined, windows: boolean, opts: InspectOptions): Promise<{ path: string; exists: boolean; versionOnDisk?: string }> {
  const names: string[] = [];
  try {
    names.push(path.basename(await fs.readlink(interpreterPath)));
  } catch {
    // a copy, not a link: the base has the same name
  }
  names.push(path.basename(interpreterPath));
  if (windows) names.push('python.exe');
  else {
    const minor = version ? parseVersion(version)?.slice(0, 2).join('.') : undefined;
    names.push('python3', ...(minor ? [`python${minor}`] : []), 'python');
  }
  const candidates = [...new Set(names)].map((n) => path.join(home, n));
  for (const c of candidates) {
    const facts = await baseFacts(c, opts);
    if (facts.isFile) return { path: c, exists: true, ...(facts.version ? { versionOnDisk: facts.version } : {}) };
  }
  return { path: candidates[0], exists: false };
}

/** Whether the environment belongs to a free-threaded build, from its site-packages folder or launchers. */
function isFreeThreadedEnv(layout: Layout, sitePackages: string | undefined): boolean {
  if (layout.windows) return layout.freeThreadedLauncher;
  return sitePackages !== undefined && /^python\d+\.\d+t$/.test(path.basename(path.dirname(sitePackages)));
}

function sameRelease(cfgVersionText: string, diskVersionText: string): boolean {
  const a = parseVersion(cfgVersionText) ?? [];
  const b = parseVersion(diskVersionText) ?? [];
  const n = Math.min(a.length, b.length);
  return a.slice(0, n).every((part, i) => part === b[i]);
}

async function inspectConda(envDir: string, opts: InspectOptions, scope: 'workspace' | 'global', source: string): Promise<DiscoveredEnvironment | undefined> {
  const meta = await readdirOrEmpty(path.join(envDir, 'conda-meta'));
  if (meta.length === 0 && !(await lstatOrUndefined(path.join(envDir, 'conda-meta')))) return undefined;
  const pythonRecord = meta.map((n) => /^python-(\d+\.\d+\.\d+)-.*\.json$/.exec(n)).find((m) => m);
  const version = pythonRecord?.[1];
  const windows = (opts.platform ?? process.platform) === 'win32';
  const binDir = windows ? envDir : path.join(envDir, 'bin');
  const interpreterPath = path.join(binDir, windows ? 'python.exe' : 'python');
  const problems: EnvHealthProblem[] = [];
  const lst = await lstatOrUndefined(interpreterPath);
  if (lst && !(await isFile(interpreterPath))) problems.push({ code: 'python-dangling', message: `${interpreterPath} is a link to a missing file` });
  const sitePackages = await findSitePackages(envDir, windows, version);
  return {
    path: envDir,
    name: opts.name ?? path.basename(envDir),
    kind: 'conda',
    ...(version ? { version } : {}),
    interpreterPath,
    binDir,
    ...(sitePackages ? { sitePackages } : {}),
    scope,
    source,
    health: { ok: problems.length === 0, problems },
  };
}

/**
 * Describes the environment in `envDir` (a folder holding a pyvenv.cfg, or a conda environment
 * when `opts.kind` is 'conda'). Undefined when there is no environment there. Never executes
 * anything and never throws.
 */
export async function inspectEnvironment(
  envDir: string,
  scope: 'workspace' | 'global' = 'workspace',
  source: string = scope,
  opts: InspectOptions = {},
): Promise<DiscoveredEnvironment | undefined> {
  const dir = path.resolve(envDir);
  try {
    if (opts.kind === 'conda') return await inspectConda(dir, opts, scope, source);
    return await inspectVenv(dir, scope, source, opts);
  } catch (err) {
    // Defensive: an fs surprise must not stop a scan of thousands of folders.
    const binDir = path.join(dir, 'bin');
    return {
      path: dir,
      name: opts.name ?? path.basename(dir),
      kind: opts.kind ?? 'venv',
      interpreterPath: path.join(binDir, 'python'),
      binDir,
      scope,
      source,
      health: { ok: false, problems: [{ code: 'cfg-unreadable', message: `environment could not be inspected: ${(err as Error).message}` }] },
    };
  }
}

/** Undefined when the env's python is a file (following links), else what is wrong with it. */
async function pythonProblem(interpreterPath: string): Promise<EnvHealthProblem | undefined> {
  if (await isFile(interpreterPath)) return undefined;
  if (await lstatOrUndefined(interpreterPath)) return { code: 'python-dangling', message: `${interpreterPath} points to a file that does not exist` };
  return { code: 'python-dangling', message: `${interpreterPath} is missing` };
}

/**
 * The operation holding the env's lock, if its process is alive on this host: a marked env is then
 * being changed, not left half-built. Reads a small regular file only (no FIFO, nothing huge).
 */
async function liveOperation(dir: string): Promise<LockInfo | undefined> {
  const lockPath = await lockPathFor(dir);
  const st = await fs.lstat(lockPath).catch(() => undefined);
  if (!st?.isFile() || st.size > 64 * 1024) return undefined;
  const info = await readLock(lockPath);
  return info && !info.token.startsWith('unreadable:') && !isStale(info) ? info : undefined;
}

/**
 * An env an operation moved aside and was killed before it put one back at `dir`: nothing (or a
 * folder without a cfg) is at its path, and the journal beside it names the aside copy. Described
 * from that copy, at its own path, as incomplete, so it is listed with Recover offered.
 */
async function movedAside(dir: string, scope: 'workspace' | 'global', source: string, opts: InspectOptions): Promise<DiscoveredEnvironment | undefined> {
  const name = path.basename(dir);
  const realParent = await fs.realpath(path.dirname(dir)).catch(() => undefined);
  if (!realParent) return undefined;
  const head = await readRegularFileHead(journalPathFor(realParent, name), 64 * 1024);
  if (!head || head.size > head.bytes.length) return undefined;
  let record: { operation?: unknown; aside?: unknown };
  try {
    record = JSON.parse(head.bytes.toString('utf8')) as typeof record;
  } catch {
    return undefined;
  }
  // Only the sibling names our operations make are followed, never a path a journal names.
  if (!isSiblingOf(name, 'old', record.aside)) return undefined;
  const asidePath = path.join(realParent, record.aside);
  const aside = await inspectVenv(asidePath, scope, source, { ...opts, name: opts.name ?? name }, false);
  if (!aside) return undefined;
  const here = (p: string) => (p === asidePath || p.startsWith(asidePath + path.sep) ? dir + p.slice(asidePath.length) : p);
  const operation = typeof record.operation === 'string' ? record.operation : 'operation';
  return {
    ...aside,
    path: dir,
    interpreterPath: here(aside.interpreterPath),
    binDir: here(aside.binDir),
    cfgPath: path.join(dir, 'pyvenv.cfg'),
    health: {
      ok: false,
      problems: [
        {
          code: 'incomplete',
          message: `an interrupted ${operation} moved this environment aside (to ${asidePath}) and did not finish; recovering the operation puts it back`,
        },
      ],
    },
  };
}

async function inspectVenv(dir: string, scope: 'workspace' | 'global', source: string, opts: InspectOptions, followJournal = true): Promise<DiscoveredEnvironment | undefined> {
  const cfgPath = path.join(dir, 'pyvenv.cfg');
  // Independent reads run together: a scan inspects hundreds of environments.
  const [read, layout, incomplete] = await Promise.all([
    readCfg(cfgPath),
    findLayout(dir, opts.platform ?? process.platform),
    fs.lstat(path.join(dir, INCOMPLETE_MARKER)).then(() => true, () => false),
  ]);
  if ('missing' in read && read.missing) return followJournal ? movedAside(dir, scope, source, opts) : undefined;
  const cfg = 'cfg' in read ? read.cfg : undefined;
  const problems: EnvHealthProblem[] = [];
  if (incomplete) {
    const holder = await liveOperation(dir);
    problems.push(
      holder
        ? { code: 'busy', message: `Venv Manager is changing this environment right now (${holder.operation}, process ${holder.pid} since ${holder.started})` }
        : {
            code: 'incomplete',
            message: 'an interrupted Venv Manager operation left this environment half-built; recovering the operation (or any other operation on it) restores the previous one, or delete it if it was being created',
          },
    );
  }
  if ('error' in read) problems.push({ code: 'cfg-unreadable', message: read.error });
  // The half-built cfg carries a line without '=' on purpose; the 'incomplete' / 'busy' problem says it better.
  if (cfg) for (const p of cfg.problems) if (!(incomplete && p.includes("has no '='"))) problems.push({ code: 'cfg-malformed', message: `pyvenv.cfg: ${p}` });

  const version = cfg ? cfgVersion(cfg) : undefined;
  const home = cfg?.values.get('home') || undefined;
  const promptRaw = cfg?.values.get('prompt');
  const prompt = promptRaw !== undefined && promptRaw !== '' ? readPromptValue(promptRaw) : undefined;
  if (cfg && !home) problems.push({ code: 'cfg-malformed', message: "pyvenv.cfg has no 'home' key: Python cannot find its base installation" });
  const homeIsAbsolute = home !== undefined && (path.posix.isAbsolute(home) || path.win32.isAbsolute(home));
  if (home && !homeIsAbsolute) problems.push({ code: 'cfg-malformed', message: `pyvenv.cfg: 'home' is not an absolute path (${home})` });

  const [python, base, sitePackages] = await Promise.all([
    pythonProblem(layout.interpreterPath),
    home && homeIsAbsolute ? findBaseInterpreter(home, layout.interpreterPath, version, layout.windows, opts) : Promise.resolve(undefined),
    findSitePackages(dir, layout.windows, version),
  ]);
  if (python) problems.push(python);
  if (base && !base.exists) {
    problems.push({ code: 'base-missing', message: `the base interpreter ${base.path} does not exist (home = ${home}); recreate the environment with an installed Python` });
  } else if (base && version && base.versionOnDisk && !sameRelease(version, base.versionOnDisk)) {
    problems.push({
      code: 'version-mismatch',
      message: `made with Python ${version}, but ${base.path} is now Python ${base.versionOnDisk} (upgraded in place); Upgrade the environment to match`,
    });
  }
  const baseInterpreter = base?.path;
  return {
    path: dir,
    name: opts.name ?? path.basename(dir),
    kind: opts.kind ?? (cfg ? cfgKind(cfg) : 'venv'),
    ...(version ? { version } : {}),
    ...(isFreeThreadedEnv(layout, sitePackages) ? { freeThreaded: true } : {}),
    ...(home ? { home } : {}),
    ...(baseInterpreter ? { baseInterpreter } : {}),
    ...(prompt !== undefined ? { prompt } : {}),
    ...(cfg ? { cfg } : {}),
    cfgPath,
    interpreterPath: layout.interpreterPath,
    binDir: layout.binDir,
    ...(sitePackages ? { sitePackages } : {}),
    scope,
    source,
    health: { ok: problems.length === 0, problems },
  };
}

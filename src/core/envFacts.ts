/**
 * What an environment's files say about it, read without running anything: its layout (bin or
 * Scripts, interpreter entries), version, settings (prompt decoded once), base interpreter, and
 * the names Venv Manager's own operations leave beside and inside it (journal, hidden siblings,
 * incomplete marker, lock). Below both discovery and lifecycle, so the two read these one way.
 */
import { randomHex } from './hashing';
import { fsp as fs } from './asyncFs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDirectory } from './fsUtil';
import { isSameProcessAlive } from './processes';
import { readPromptValue, type PyvenvCfg } from './pyvenvCfg';
import { isStrictlyInside } from './paths';
import { isExecutableFile } from './pathLookup';
import { parseVersion } from './version';

/** Facts read from an existing env (no interpreter run) that clear and recreate keep. */
export interface EnvSettings {
  readonly prompt?: string;
  readonly systemSitePackages: boolean;
  readonly symlinks: boolean;
  readonly withPip: boolean;
  /** [major, minor, micro] from `version` / `version_info`, or the lib/pythonX.Y folder. */
  readonly version?: [number, number, number?];
}

export function binDirOf(envDir: string): string {
  return path.join(envDir, process.platform === 'win32' ? 'Scripts' : 'bin');
}

export function envPythonOf(envDir: string): string {
  return path.join(binDirOf(envDir), process.platform === 'win32' ? 'python.exe' : 'python');
}

/** Interpreter entries in bin/Scripts: python, python3, python3.12, python3.13t, pythonw.exe ... */
export function isInterpreterEntryName(name: string): boolean {
  return /^pythonw?(\d+(\.\d+)?)?t?(_d)?(\.exe)?$/i.test(name);
}

/** major.minor[.micro] of a version text (parseVersion's rule), or undefined when it has no minor. */
export function parseMajorMinor(text: string | undefined): [number, number, number?] | undefined {
  const parts = text === undefined ? undefined : parseVersion(text);
  if (!parts || parts.length < 2) return undefined;
  return parts.length === 2 ? [parts[0], parts[1]] : [parts[0], parts[1], parts[2]];
}

async function libPythonVersion(envDir: string): Promise<[number, number] | undefined> {
  try {
    for (const name of await fs.readdir(path.join(envDir, 'lib'))) {
      const m = /^python(\d+)\.(\d+)t?$/.exec(name);
      if (m) return [Number(m[1]), Number(m[2])];
    }
  } catch {
    // Windows layout or no lib folder
  }
  return undefined;
}

async function sitePackagesDirs(envDir: string): Promise<string[]> {
  if (process.platform === 'win32') return [path.join(envDir, 'Lib', 'site-packages')];
  const out: string[] = [];
  try {
    for (const name of await fs.readdir(path.join(envDir, 'lib'))) {
      if (name.startsWith('python')) out.push(path.join(envDir, 'lib', name, 'site-packages'));
    }
  } catch {
    // no lib folder
  }
  return out;
}

export async function readEnvSettings(envDir: string, cfg: PyvenvCfg): Promise<EnvSettings> {
  const rawPrompt = cfg.values.get('prompt');
  let symlinks = false;
  try {
    for (const name of await fs.readdir(binDirOf(envDir))) {
      if (isInterpreterEntryName(name) && (await fs.lstat(path.join(binDirOf(envDir), name))).isSymbolicLink()) symlinks = true;
    }
  } catch {
    // no bin folder: a broken env; build the new one with the platform default
    symlinks = process.platform !== 'win32';
  }
  let withPip = false;
  for (const dir of await sitePackagesDirs(envDir)) if (await isDirectory(path.join(dir, 'pip'))) withPip = true;
  const version = parseMajorMinor(cfg.values.get('version')) ?? parseMajorMinor(cfg.values.get('version_info')) ?? (await libPythonVersion(envDir));
  return {
    ...(rawPrompt !== undefined ? { prompt: readPromptValue(rawPrompt) } : {}),
    systemSitePackages: (cfg.values.get('include-system-site-packages') ?? '').toLowerCase() === 'true',
    symlinks,
    withPip,
    ...(version ? { version } : {}),
  };
}

/**
 * The base interpreter an env was made from, without running anything: the absolute link its
 * bin/python* entries point at (the interpreter exactly as it was invoked, when that is a python*
 * name too), else the cfg's `executable` /
 * `base-executable`, else `home` joined with pythonX.Y / python3 / python. undefined if none of
 * them exists any more.
 */
export async function findBaseInterpreter(envDir: string, cfg: PyvenvCfg, version?: readonly (number | undefined)[]): Promise<string | undefined> {
  const candidates: string[] = [];
  const bin = binDirOf(envDir);
  try {
    for (const name of await fs.readdir(bin)) {
      // Only the env's own interpreter names, pointing at an interpreter name: anything else in
      // bin/ (a helper script, a link someone added) is never taken for the interpreter and run.
      if (!isInterpreterEntryName(name)) continue;
      const target = await fs.readlink(path.join(bin, name)).catch(() => undefined);
      if (target && path.isAbsolute(target) && !isStrictlyInside(target, envDir) && isInterpreterEntryName(path.basename(target))) candidates.push(target);
    }
  } catch {
    // no bin folder
  }
  for (const key of ['base-executable', 'executable']) {
    const v = cfg.values.get(key);
    if (v && path.isAbsolute(v)) candidates.push(v);
  }
  const home = cfg.values.get('home');
  if (home) {
    const names = process.platform === 'win32'
      ? ['python.exe']
      : [...(version && version.length >= 2 ? [`python${version[0]}.${version[1]}`] : []), 'python3', 'python'];
    for (const n of names) candidates.push(path.join(home, n));
  }
  for (const c of candidates) if (await isExecutableFile(c)) return c;
  return undefined;
}

// Names our operations use beside and inside an env.

export function journalPathFor(realParent: string, name: string): string {
  return path.join(realParent, `.${name}.venv-manager.journal`);
}

/** The env name a journal file name belongs to (`.<name>.venv-manager.journal`), else undefined. */
export function journalEnvName(entryName: string): string | undefined {
  // Called for every entry of every folder a scan reads: the plain tests first, the pattern after.
  if (entryName.charCodeAt(0) !== 0x2e || !entryName.endsWith('.venv-manager.journal')) return undefined;
  const m = /^\.(.+)\.venv-manager\.journal$/.exec(entryName);
  return m?.[1];
}

/** The marker file inside an env that is still being built; removing it is the commit point. */
export const INCOMPLETE_MARKER = '.venv-manager-incomplete';

/**
 * A pyvenv.cfg line without '=' that an env being built carries from its first cfg write until
 * the commit: Python (site, getpath), pip and uv skip such lines, but a cfg reader reports them,
 * so discovery shows a half-built env as unhealthy (cfg-malformed) even if the process is killed.
 */
export const INCOMPLETE_CFG_LINE = 'venv-manager: incomplete environment, still being built or its build was interrupted';

/** True for the hidden siblings `siblingName` makes (`.<env>.venv-manager-old-1a2b3c4d`). */
export function isLifecycleSibling(entryName: string): boolean {
  if (entryName.charCodeAt(0) !== 0x2e || !entryName.includes('.venv-manager-')) return false;
  return /^\..+\.venv-manager-(old|trash|backup)-[0-9a-f]{8}$/.test(entryName);
}

export function siblingName(name: string, kind: 'old' | 'trash' | 'backup'): string {
  return `.${name}.venv-manager-${kind}-${randomHex(4)}`;
}

/** True when `entry` is exactly a `siblingName(name, kind)` (so a plain basename, never a path). */
export function isSiblingOf(name: string, kind: 'old' | 'trash' | 'backup', entry: unknown): entry is string {
  const prefix = `.${name}.venv-manager-${kind}-`;
  return typeof entry === 'string' && entry.startsWith(prefix) && /^[0-9a-f]{8}$/.test(entry.slice(prefix.length));
}

// The env's lock, as read by anyone (taking it is lifecycle/lock.ts).

/** What a lock file holds: enough to tell who holds it and whether that holder still runs. */
export interface LockInfo {
  readonly pid: number;
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly started: string;
  /** Kernel start time of `pid` where known (guards against pid reuse). */
  readonly pidStart?: string;
  readonly operation: string;
  /** Random; lets a holder check that the file on disk is still its own before removing it. */
  readonly token: string;
}

/**
 * The lock file sits beside the env (`.<name>.venv-manager.lock` in the parent folder), not inside
 * it: recreate renames the env folder aside and builds a new one at the same path, and the lock
 * must outlive both folders. Keyed by the parent's real path + name, every window and the CLI
 * that names the env by any path reach the same file.
 */
export async function lockPathFor(envDir: string): Promise<string> {
  const parent = await fs.realpath(path.dirname(envDir)).catch(() => path.dirname(envDir));
  return path.join(parent, `.${path.basename(envDir)}.venv-manager.lock`);
}

export async function readLock(lockPath: string): Promise<LockInfo | undefined> {
  let text: string;
  let mtimeMs: number;
  try {
    text = await fs.readFile(lockPath, 'utf8');
    mtimeMs = (await fs.stat(lockPath)).mtimeMs;
  } catch {
    return undefined;
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    if (typeof info.pid === 'number' && typeof info.token === 'string') return info;
  } catch {
    // fall through: unreadable content
  }
  return { pid: 0, host: '', started: new Date(mtimeMs).toISOString(), operation: 'unknown', token: `unreadable:${text}` };
}

/** How long a lock with unreadable content counts as being written rather than abandoned. */
const UNREADABLE_LOCK_GRACE_MS = 10_000;

/** A lock whose holder is a dead process on this host, or whose content stayed unreadable. */
export function isStale(info: LockInfo): boolean {
  if (info.token.startsWith('unreadable:')) return Date.now() - Date.parse(info.started) > UNREADABLE_LOCK_GRACE_MS;
  if (info.host !== os.hostname()) return false;
  return !isSameProcessAlive(info.pid, info.pidStart);
}

/** Who holds a lock, for messages. */
export function describeHolder(info: LockInfo): string {
  const where = info.host && info.host !== os.hostname() ? ` on ${info.host}` : '';
  return `process ${info.pid}${where} (${info.operation}, since ${info.started})`;
}

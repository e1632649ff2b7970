/**
 * The folder walk behind workspace discovery: finds every folder holding a `pyvenv.cfg`, using
 * dirent types instead of stat calls. Folders are read synchronously in slices of a few
 * milliseconds with the event loop free in between: a readdir is cheap, and a thread-pool round
 * trip for each of 10,000 folders nearly doubled the walk's CPU time.
 * Does not descend into an environment, skips excluded names, follows directory links once
 * (loops cut by realpath), and records folders it could not read instead of failing.
 */
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import { isLifecycleSibling, journalEnvName } from '../envFacts';
import { isSameOrInside } from '../paths';

/** Never worth walking into: huge, or never holding an environment of their own. */
export const ALWAYS_EXCLUDED = ['node_modules', '.git', 'site-packages', '__pycache__'] as const;

export const DEFAULT_MAX_DEPTH = 8;
/** How long the walk reads folders in one go before it lets other work run. */
const SLICE_MS = 4;

export interface ScanOptions {
  /** Folders below the root to descend; the root is depth 0, `root/.venv` is depth 1. Default 8. */
  maxDepth?: number;
  /** Extra names or globs to skip: `build`, `*.egg-info`, `docs/**`, `**\/fixtures`. */
  exclude?: readonly string[];
  signal?: AbortSignal;
  /** Called for each environment folder as soon as it is found, so callers can inspect while the walk goes on. */
  onFound?: (envDir: string) => void;
}

export interface ScanResult {
  /** Absolute paths of folders holding a pyvenv.cfg, in no particular order. */
  envDirs: string[];
  /** Folders that could not be read, with the error code (EACCES, ELOOP, ...). */
  unreadable: { path: string; code: string }[];
  /** Number of folders read. */
  foldersRead: number;
}

/** Compiles exclude patterns to one test on (entry name, path relative to the scan root). */
export function compileExcludes(patterns: readonly string[]): (name: string, relPath: string) => boolean {
  const names = new Set<string>(ALWAYS_EXCLUDED);
  const nameGlobs: RegExp[] = [];
  const pathGlobs: RegExp[] = [];
  for (const raw of patterns) {
    const pattern = raw.trim().replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '').replace(/\/\*\*$/, '');
    if (pattern === '') continue;
    const unanchored = pattern.replace(/^(\*\*\/)+/, '');
    if (!unanchored.includes('/')) {
      if (/[*?[]/.test(unanchored)) nameGlobs.push(globToRegExp(unanchored));
      else names.add(unanchored);
    } else pathGlobs.push(globToRegExp(pattern));
  }
  return (name, relPath) =>
    names.has(name) || nameGlobs.some((re) => re.test(name)) || pathGlobs.some((re) => re.test(relPath));
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

interface Task {
  dir: string;
  /** Path relative to the scan root, '/'-separated ('' for the root). */
  rel: string;
  depth: number;
}


/**
 * Walks `root` (at most `maxDepth` levels) and returns the folders holding a `pyvenv.cfg`.
 * `startDepth`/`startRel` let a refresh rescan one subtree with the depth budget it has in the
 * whole workspace. Never throws for file-system errors; an aborted signal rejects with its reason.
 */
export async function scanForEnvironments(
  root: string,
  opts: ScanOptions & {
    startDepth?: number;
    startRel?: string;
    /** For a subtree rescan: the workspace root, whose links are treated as in the full scan. */
    workspaceRoot?: string;
    excludeTest?: (name: string, relPath: string) => boolean;
  } = {},
): Promise<ScanResult> {
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  const excluded = opts.excludeTest ?? compileExcludes(opts.exclude ?? []);
  const result: ScanResult = { envDirs: [], unreadable: [], foldersRead: 0 };
  const rootDir = path.resolve(root);
  let rootReal: string;
  try {
    rootReal = await fs.realpath(rootDir);
  } catch (err) {
    result.unreadable.push({ path: rootDir, code: (err as NodeJS.ErrnoException).code ?? 'ERROR' });
    return result;
  }
  // Real paths of link targets already walked (or the root): a link into one of them is a loop or a duplicate.
  const walkedReal: string[] = [rootReal];
  if (opts.workspaceRoot) walkedReal.push(await fs.realpath(opts.workspaceRoot).catch(() => path.resolve(opts.workspaceRoot!)));

  const queue: Task[] = [{ dir: rootDir, rel: opts.startRel ?? '', depth: opts.startDepth ?? 0 }];

  const reported = new Set<string>();
  const report = (dir: string) => {
    if (reported.has(dir)) return;
    reported.add(dir);
    result.envDirs.push(dir);
    opts.onFound?.(dir);
  };

  // Joining a folder and an entry name by hand: both are already normal (no '.', '..' or doubled
  // separators), and path.join's normalisation was a visible share of a walk's time.
  const childPath = (dir: string, name: string) => (dir.endsWith(path.sep) ? dir + name : dir + path.sep + name);

  const visit = (task: Task): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(task.dir, { withFileTypes: true });
    } catch (err) {
      result.unreadable.push({ path: task.dir, code: (err as NodeJS.ErrnoException).code ?? 'ERROR' });
      return;
    }
    result.foldersRead++;
    // One pass over the entries: a pyvenv.cfg ends the visit; journals and folders (or links) are
    // kept for after it.
    let journals: string[] | undefined;
    const folders: Dirent[] = [];
    for (const e of entries) {
      if (e.isDirectory()) {
        folders.push(e);
        continue;
      }
      const name = e.name;
      if (name === 'pyvenv.cfg') {
        report(task.dir);
        return;
      }
      // An operation's journal beside an env: the env may be moved aside right now (killed just
      // after), with nothing or a half-built folder at its path; inspecting it says so.
      const journalOf = journalEnvName(name);
      if (journalOf !== undefined) (journals ??= []).push(journalOf);
      if (e.isSymbolicLink()) folders.push(e);
    }
    if (journals) for (const name of journals) report(childPath(task.dir, name));
    if (task.depth >= maxDepth) return;
    for (const e of folders) {
      const rel = task.rel === '' ? e.name : `${task.rel}/${e.name}`;
      // Rollback copies and trash of an operation in flight are not environments of their own.
      if (excluded(e.name, rel) || isLifecycleSibling(e.name)) continue;
      const child = childPath(task.dir, e.name);
      if (e.isDirectory()) queue.push({ dir: child, rel, depth: task.depth + 1 });
      else followLink(child, rel, task.depth + 1);
    }
  };

  const followLink = (link: string, rel: string, depth: number): void => {
    let target: string;
    try {
      target = realpathSync(link);
      if (!statSync(target).isDirectory()) return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'ERROR';
      // A dangling link is just a dangling link; a loop is worth reporting.
      if (code === 'ELOOP') result.unreadable.push({ path: link, code });
      return;
    }
    // Inside the root it is walked under its own name; inside a walked target it is a loop.
    if (walkedReal.some((w) => isSameOrInside(target, w) || isSameOrInside(w, target))) return;
    walkedReal.push(target);
    queue.push({ dir: link, rel, depth });
  };

  while (queue.length > 0) {
    opts.signal?.throwIfAborted();
    const until = performance.now() + SLICE_MS;
    do visit(queue.pop()!);
    while (queue.length > 0 && performance.now() < until);
    if (queue.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return result;
}

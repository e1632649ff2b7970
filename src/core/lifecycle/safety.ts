import { promises as fs, type Dirent } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Limiter, settleAll } from '../mapLimited';
import { parsePyvenvCfg, type PyvenvCfg } from '../pyvenvCfg';
import { LifecycleError } from './errors';

/** File-system operations in flight during one removeTree. */
const REMOVE_CONCURRENCY = 16;

/** An env folder that passed every refusal: absolute, not a link, holds a pyvenv.cfg. */
export interface CheckedEnv {
  /** Absolute, lexically normalised (symlinks in parent folders are kept, as venv does). */
  readonly envDir: string;
  readonly parent: string;
  readonly name: string;
  readonly cfg: PyvenvCfg;
}

export interface SafetyOptions {
  /** The workspace folder the operation was started from; it and its ancestors are refused. */
  readonly workspaceRoot?: string;
  /** Defaults to os.homedir(); a parameter so tests can name another folder. */
  readonly homeDir?: string;
}

function isSameOrAncestor(candidate: string, of: string): boolean {
  const rel = path.relative(candidate, of);
  // '..' as a whole first segment means outside; a folder merely named '..x' is inside.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

async function realOrSelf(p: string): Promise<string> {
  try {
    return await fs.realpath(p);
  } catch {
    return p;
  }
}

/**
 * The path refusals (no existence needed): a file-system root, anything less than two levels deep,
 * the home folder, the workspace folder, or a folder that contains one of those. Checks both the
 * path as given and its real path, so a symlinked parent cannot smuggle them past the checks.
 * Returns the absolute, lexically normalised path (symlinks in parents kept, as venv does).
 */
export async function checkEnvPath(envDirInput: string, opts: SafetyOptions = {}): Promise<string> {
  if (!envDirInput || envDirInput.includes('\0')) throw new LifecycleError('unsafe-path', 'No environment folder given.');
  const envDir = path.resolve(envDirInput);
  const real = await realOrSelf(envDir);
  const home = path.resolve(opts.homeDir ?? os.homedir());
  const protectedDirs: { dir: string; what: string }[] = [{ dir: home, what: 'the home folder' }, { dir: await realOrSelf(home), what: 'the home folder' }];
  if (opts.workspaceRoot) {
    const ws = path.resolve(opts.workspaceRoot);
    protectedDirs.push({ dir: ws, what: 'the workspace folder' }, { dir: await realOrSelf(ws), what: 'the workspace folder' });
  }
  for (const candidate of new Set([envDir, real])) {
    const { root } = path.parse(candidate);
    if (candidate === root) throw new LifecycleError('unsafe-path', `Refusing to touch ${envDirInput}: it is a file-system root.`);
    for (const { dir, what } of protectedDirs) {
      if (candidate === dir) throw new LifecycleError('unsafe-path', `Refusing to touch ${envDirInput}: it is ${what}.`);
      if (isSameOrAncestor(candidate, dir)) throw new LifecycleError('unsafe-path', `Refusing to touch ${envDirInput}: it contains ${what} (${dir}).`);
    }
    const depth = path.relative(root, candidate).split(path.sep).filter(Boolean).length;
    if (depth < 2) throw new LifecycleError('unsafe-path', `Refusing to touch ${envDirInput}: ${candidate} is less than two levels below the root.`);
  }
  return envDir;
}

/**
 * The refusals shared by clear, delete, recreate and upgrade: checkEnvPath, then the folder must
 * be a real directory (not a symlink) holding a regular pyvenv.cfg.
 */
export async function checkEnvDir(envDirInput: string, opts: SafetyOptions = {}): Promise<CheckedEnv> {
  const envDir = await checkEnvPath(envDirInput, opts);
  let st;
  try {
    st = await fs.lstat(envDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new LifecycleError('not-an-env', `${envDirInput} does not exist.`);
    throw err;
  }
  if (st.isSymbolicLink()) {
    throw new LifecycleError('symlink', `Refusing to touch ${envDirInput}: it is a symbolic link (to ${await fs.readlink(envDir)}). Run the operation on the environment folder itself.`);
  }
  if (!st.isDirectory()) throw new LifecycleError('not-an-env', `${envDirInput} is not a folder, so it is not a virtual environment.`);

  const cfgPath = path.join(envDir, 'pyvenv.cfg');
  let cfgStat;
  try {
    cfgStat = await fs.lstat(cfgPath);
  } catch {
    throw new LifecycleError('not-an-env', `${envDirInput} holds no pyvenv.cfg, so it is not a virtual environment; refusing to touch it.`);
  }
  if (!cfgStat.isFile()) throw new LifecycleError('not-an-env', `${cfgPath} is not a regular file; refusing to touch ${envDirInput}.`);
  const mounted = await mountPointsInside(await realOrSelf(envDir));
  if (mounted.length > 0) {
    throw new LifecycleError('unsafe-path', `Refusing to touch ${envDirInput}: another file system is mounted inside it (${mounted.join(', ')}). Unmount it first.`);
  }
  const cfg = parsePyvenvCfg(await fs.readFile(cfgPath));
  return { envDir, parent: path.dirname(envDir), name: path.basename(envDir), cfg };
}

/**
 * Mount points strictly below `dir` (Linux, from /proc/self/mountinfo; elsewhere none are known
 * and removeTree's device check is the guard). Removing an env must not empty a mounted folder.
 */
export async function mountPointsInside(dir: string): Promise<string[]> {
  let text: string;
  try {
    text = await fs.readFile('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const field = line.split(' ')[4];
    if (!field) continue;
    // mountinfo escapes space, tab, newline and backslash as \ooo octal.
    const mountPoint = field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
    if (mountPoint.startsWith(prefix)) out.push(mountPoint);
  }
  return out;
}

/**
 * Removes a folder tree without ever following a symbolic link: links (and Windows junctions,
 * which lstat reports as links) are unlinked, never descended into, so nothing outside `dir` is
 * touched; nor is a folder on another device (a mount). A folder without write permission is
 * made writable first (its own tree only). `rootDevice` and `limiter` are for the recursion.
 */
export async function removeTree(dir: string, rootDevice?: number, limiter = new Limiter(REMOVE_CONCURRENCY)): Promise<void> {
  const st = await limiter.run(() => fs.lstat(dir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err))));
  if (!st) return;
  if (!st.isDirectory()) {
    await limiter.run(() => unlinkEntry(dir));
    return;
  }
  // Like `rm --one-file-system`: never descend into another file system mounted inside the tree.
  if (rootDevice !== undefined && st.dev !== rootDevice) throw new Error(`refusing to remove ${dir}: another file system is mounted there`);
  // A folder without write (or read) permission cannot be emptied: fix that once, before its
  // entries are removed in parallel.
  if ((st.mode & 0o700) !== 0o700 && process.platform !== 'win32') await limiter.run(() => fs.chmod(dir, st.mode | 0o700).catch(() => undefined));
  const entries: Dirent[] = await limiter.run(() => fs.readdir(dir, { withFileTypes: true }));
  // The entry types come from the folder listing itself (lstat semantics: a link is a link, never
  // its target); a subfolder is checked again with lstat when the recursion reaches it.
  await settleAll(
    entries.map((entry) => {
      const p = path.join(dir, entry.name);
      return entry.isDirectory() ? removeTree(p, st.dev, limiter) : limiter.run(() => unlinkEntry(p));
    }),
  );
  await limiter.run(() => fs.rmdir(dir));
}

async function unlinkEntry(p: string): Promise<void> {
  try {
    await fs.unlink(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'EACCES' && code !== 'EPERM') throw err;
    // The containing folder may lack write permission (read-only package images); fix that once.
    const parent = path.dirname(p);
    const pst = await fs.lstat(parent);
    if ((pst.mode & 0o200) !== 0) throw err;
    await fs.chmod(parent, pst.mode | 0o700);
    await fs.unlink(p);
  }
}

/** Removes an env folder so that it stops looking like an env first (pyvenv.cfg goes before the rest). */
export async function removeEnvTree(dir: string): Promise<void> {
  // Through a link, `dir/pyvenv.cfg` would be a file outside: only a real folder gets this step.
  const st = await fs.lstat(dir).catch(() => undefined);
  if (st?.isDirectory()) await fs.unlink(path.join(dir, 'pyvenv.cfg')).catch(() => undefined);
  await removeTree(dir);
}

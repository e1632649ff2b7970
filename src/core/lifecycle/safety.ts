import { constants as fsConstants, type Dirent } from 'node:fs';
import { fsp as fs } from '../asyncFs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Limiter, settleAll } from '../mapLimited';
import { readRegularFileHead } from '../discovery/safeRead';
import { parsePyvenvCfg, PYVENV_CFG_MAX_BYTES, type PyvenvCfg } from '../pyvenvCfg';
import { LifecycleError } from './errors';
import { isSameOrInside, isStrictlyInside } from '../paths';

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
      if (isSameOrInside(dir, candidate)) throw new LifecycleError('unsafe-path', `Refusing to touch ${envDirInput}: it contains ${what} (${dir}).`);
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
  // Read as discovery reads it: bounded, and never a FIFO or a device.
  const head = await readRegularFileHead(cfgPath, PYVENV_CFG_MAX_BYTES);
  if (!head) throw new LifecycleError('not-an-env', `${cfgPath} cannot be read; refusing to touch ${envDirInput}.`);
  if (head.size > head.bytes.length) {
    throw new LifecycleError('not-an-env', `${cfgPath} is ${head.size} bytes, larger than any pyvenv.cfg (at most ${PYVENV_CFG_MAX_BYTES} are read); refusing to touch ${envDirInput}.`);
  }
  const cfg = parsePyvenvCfg(head.bytes);
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
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const field = line.split(' ')[4];
    if (!field) continue;
    // mountinfo escapes space, tab, newline and backslash as \ooo octal.
    const mountPoint = field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
    if (isStrictlyInside(mountPoint, dir)) out.push(mountPoint);
  }
  return out;
}

/** Subtrees removed in parallel, each holding one folder handle per level it has descended. */
const PARALLEL_SUBTREES = 16;

/** Linux's O_PATH (a handle that names a folder without opening it for reading). */
const O_PATH = 0o10000000;

const PROC_FD = '/proc/self/fd/';

let procFdUsable: Promise<boolean> | undefined;

/**
 * True where a folder handle can be reached as `/proc/self/fd/<fd>` (Linux with /proc mounted):
 * a path through that magic link goes to the very folder the handle was opened on, never by name,
 * which is what unlinkat/openat would give and Node does not offer.
 */
function procFdWorks(): Promise<boolean> {
  procFdUsable ??= (async () => {
    if (process.platform !== 'linux') return false;
    try {
      const h = await fs.open(os.tmpdir(), O_PATH | fsConstants.O_DIRECTORY | fsConstants.O_NOFOLLOW);
      try {
        const [viaHandle, viaProc] = await Promise.all([h.stat(), fs.stat(`${PROC_FD}${h.fd}`)]);
        return viaHandle.ino === viaProc.ino && viaHandle.dev === viaProc.dev;
      } finally {
        await h.close();
      }
    } catch {
      return false;
    }
  })();
  return procFdUsable;
}

/** One folder being emptied: `base` is where its entries are reached. */
interface OpenFolder {
  readonly base: string;
  readonly dev: number;
  readonly mode: number;
  chmod(mode: number): Promise<void>;
  /** Throws when the folder at the path is no longer the one this removal started on. */
  verify(): Promise<void>;
  close(): Promise<void>;
}

function isGone(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Not a folder (any more): a link or file swapped in where a folder was listed. */
function isNotAFolder(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOTDIR' || code === 'ELOOP';
}

/**
 * Opens the folder at `p` without following a link in its last component. With /proc, the handle
 * itself is the way in from then on; without it the folder is reached by path, and its identity
 * (device and inode) is checked again before and after it is listed.
 */
async function openFolder(p: string, viaProc: boolean): Promise<OpenFolder | 'not-a-folder' | 'gone'> {
  if (viaProc) {
    let h;
    try {
      h = await fs.open(p, O_PATH | fsConstants.O_DIRECTORY | fsConstants.O_NOFOLLOW);
    } catch (err) {
      if (isGone(err)) return 'gone';
      if (isNotAFolder(err)) return 'not-a-folder';
      throw err;
    }
    const handle = h;
    const st = await handle.stat().catch(async (err: unknown) => {
      await handle.close();
      throw err;
    });
    const base = `${PROC_FD}${handle.fd}`;
    return {
      base,
      dev: st.dev,
      mode: st.mode,
      // Through the magic link: the folder the handle holds, whatever its name now points to.
      chmod: (mode) => fs.chmod(base, mode),
      verify: async () => undefined,
      close: () => handle.close(),
    };
  }
  let st;
  try {
    st = await fs.lstat(p);
  } catch (err) {
    if (isGone(err)) return 'gone';
    throw err;
  }
  if (!st.isDirectory()) return 'not-a-folder';
  const first = st;
  return {
    base: p,
    dev: st.dev,
    mode: st.mode,
    chmod: async (mode) => {
      await verifySame(p, first);
      await fs.chmod(p, mode);
    },
    verify: () => verifySame(p, first),
    close: async () => undefined,
  };
}

async function verifySame(p: string, first: { dev: number; ino: number }): Promise<void> {
  const now = await fs.lstat(p);
  if (!now.isDirectory() || now.dev !== first.dev || now.ino !== first.ino) {
    throw new Error(`refusing to remove ${p}: it was replaced while being removed`);
  }
}

/**
 * Removes a folder tree without ever following a symbolic link: links (and Windows junctions,
 * which lstat reports as links) are unlinked, never descended into, so nothing outside `dir` is
 * touched; nor is a folder on another device (a mount). On Linux every folder is opened once
 * (without following a link) and everything below it is reached through that handle, so a folder
 * swapped for a link while the removal runs is never walked through; elsewhere each folder's
 * identity is checked again before and after it is listed. A folder without write permission is
 * made writable first (its own tree only).
 */
export async function removeTree(dir: string): Promise<void> {
  const viaProc = await procFdWorks();
  const walk = { viaProc, limiter: new Limiter(REMOVE_CONCURRENCY), subtrees: 0 };
  await removeEntry(path.dirname(dir), path.basename(dir), true, undefined, walk);
}

interface Walk {
  readonly viaProc: boolean;
  readonly limiter: Limiter;
  /** Subtrees running in parallel right now (bounded by PARALLEL_SUBTREES). */
  subtrees: number;
}

/** Removes `name` inside the folder reached at `base`; `listedAsFolder` is what the listing said. */
async function removeEntry(base: string, name: string, listedAsFolder: boolean, rootDevice: number | undefined, walk: Walk): Promise<void> {
  const p = path.join(base, name);
  if (!listedAsFolder) return walk.limiter.run(() => unlinkEntry(base, name));
  const folder = await walk.limiter.run(() => openFolder(p, walk.viaProc));
  if (folder === 'gone') return;
  if (folder === 'not-a-folder') return walk.limiter.run(() => unlinkEntry(base, name));
  try {
    // Like `rm --one-file-system`: never descend into another file system mounted inside the tree.
    if (rootDevice !== undefined && folder.dev !== rootDevice) throw new Error(`refusing to remove ${p}: another file system is mounted there`);
    // A folder without write (or read) permission cannot be emptied: fix that once, before its
    // entries are removed in parallel.
    if ((folder.mode & 0o700) !== 0o700 && process.platform !== 'win32') await walk.limiter.run(() => folder.chmod(folder.mode | 0o700).catch(() => undefined));
    const entries: Dirent[] = await walk.limiter.run(async () => {
      await folder.verify();
      const listed = await fs.readdir(folder.base, { withFileTypes: true });
      await folder.verify();
      return listed;
    });
    // The entry types come from the folder listing itself (lstat semantics: a link is a link,
    // never its target); a subfolder is opened without following links when it is reached.
    const files = entries.filter((e) => !e.isDirectory());
    const folders = entries.filter((e) => e.isDirectory());
    const parallel: Promise<void>[] = files.map((e) => removeEntry(folder.base, e.name, false, folder.dev, walk));
    const inline: Dirent[] = [];
    for (const e of folders) {
      if (walk.subtrees < PARALLEL_SUBTREES) {
        walk.subtrees++;
        parallel.push(removeEntry(folder.base, e.name, true, folder.dev, walk).finally(() => walk.subtrees--));
      } else inline.push(e);
    }
    // Beyond the budget, subtrees are removed one after another by this call: handles stay bounded
    // and nothing waits for a slot held by its own ancestor.
    const inlineDone = (async () => {
      for (const e of inline) await removeEntry(folder.base, e.name, true, folder.dev, walk);
    })();
    await settleAll([...parallel, inlineDone]);
  } finally {
    await folder.close();
  }
  await walk.limiter.run(async () => {
    try {
      await fs.rmdir(p);
    } catch (err) {
      if (isGone(err)) return;
      // A link swapped in after the folder was emptied: the link goes, never what it points to.
      if (isNotAFolder(err)) return unlinkEntry(base, name);
      throw err;
    }
  });
}

async function unlinkEntry(base: string, name: string): Promise<void> {
  const p = path.join(base, name);
  try {
    await fs.unlink(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'EISDIR' || (code === 'EPERM' && (await fs.lstat(p).then((st) => st.isDirectory(), () => false)))) {
      // A folder swapped in where the listing saw a file: remove it as a folder.
      return removeEntry(base, name, true, undefined, { viaProc: await procFdWorks(), limiter: new Limiter(REMOVE_CONCURRENCY), subtrees: 0 });
    }
    if (code !== 'EACCES' && code !== 'EPERM') throw err;
    // The containing folder may lack write permission (read-only package images); fix that once.
    // On Linux `base` is the folder's handle (/proc/self/fd/N): stat and chmod follow that magic
    // link to the folder itself. A plain path is never followed.
    const viaHandle = base.startsWith(PROC_FD);
    const pst = viaHandle ? await fs.stat(base) : await fs.lstat(base);
    if (!pst.isDirectory()) throw err;
    if ((pst.mode & 0o200) !== 0) throw err;
    await fs.chmod(base, pst.mode | 0o700);
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

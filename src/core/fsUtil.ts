/**
 * The small file-system questions asked everywhere, answered one way: "what is there, if
 * anything", without throwing for a missing path. (fs-extra offers only `pathExists` of these;
 * node's own fs/promises does the rest of what it would bring: mkdir -p, rm -rf, cp.)
 */
import type { Stats } from 'node:fs';
import { fsp as fs } from './asyncFs';
import * as path from 'node:path';

/** stat (links followed), or undefined when nothing is there or it cannot be read. */
export async function statOrUndefined(p: string): Promise<Stats | undefined> {
  return fs.stat(p).catch(() => undefined);
}

/** lstat (the entry itself, a link not followed), or undefined. */
export async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  return fs.lstat(p).catch(() => undefined);
}

/** os.path.exists: links followed, so a dangling link does not exist. */
export async function pathExists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
}

/** os.path.lexists: the entry itself, so a dangling link exists. */
export async function lexists(p: string): Promise<boolean> {
  return (await lstatOrUndefined(p)) !== undefined;
}

/** A regular file, links followed. */
export async function isFile(p: string): Promise<boolean> {
  return (await statOrUndefined(p))?.isFile() ?? false;
}

/** A directory, links followed. */
export async function isDirectory(p: string): Promise<boolean> {
  return (await statOrUndefined(p))?.isDirectory() ?? false;
}

/** The names in `dir`, or [] when it is missing or unreadable. */
export async function readdirOrEmpty(dir: string): Promise<string[]> {
  return fs.readdir(dir).catch(() => [] as string[]);
}

/**
 * os.makedirs: parents first, then the directory. Node's own recursive mkdir is not used because it
 * never returns for some impossible paths (e.g. below /proc/<pid>/), and its errors name the wrong path
 * and code (ENOENT for a parent on a read-only file system, where EROFS is the truth).
 */
export async function makeDirs(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && (await statOrUndefined(dir))?.isDirectory()) return;
    const parent = path.dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw err;
    await makeDirs(parent);
  }
  try {
    await fs.mkdir(dir);
  } catch (err) {
    if (!((err as NodeJS.ErrnoException).code === 'EEXIST' && (await statOrUndefined(dir))?.isDirectory())) throw err;
  }
}

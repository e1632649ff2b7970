import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import { Limiter, mapLimited, settleAll } from '../mapLimited';

/** File-system operations in flight during one snapshot. */
const SNAPSHOT_CONCURRENCY = 16;

/**
 * Files an installer might rewrite in place instead of replacing (pip and uv unlink or rename
 * before writing everything else): the legacy `setup.py develop` appends to easy-install.pth.
 * For these the snapshot keeps the original file and the env gets a fresh copy (detachFiles), so
 * a change made through the env's path cannot reach the snapshot.
 */
function mayBeEditedInPlace(name: string): boolean {
  return name.endsWith('.pth') || name === 'pyvenv.cfg';
}

/**
 * Makes `dest` a snapshot of the environment at `src`: same folders (modes and times), symbolic
 * links with the same targets, and every file hard-linked, so it costs one link per file and no
 * copy of the data, and the snapshot holds the very same files (bytes, modes, times). The env is
 * not changed. Returns the env's files that could be edited in place (see mayBeEditedInPlace) and
 * are shared with the snapshot: pass them to detachFiles before anything may write to the env.
 * Where hard links are not possible, files are copied (which can take a while for a big env:
 * `signal` stops it). `dest` must not exist.
 */
export async function snapshotEnvironment(src: string, dest: string, signal?: AbortSignal): Promise<{ files: number; copied: number; shared: string[] }> {
  let files = 0;
  const shared: string[] = [];
  let copied = 0;
  let linksWork = true;
  const dirs: { path: string; mode: number; atime: Date; mtime: Date }[] = [];
  const limiter = new Limiter(SNAPSHOT_CONCURRENCY);
  const walk = async (from: string, to: string): Promise<void> => {
    const st = await limiter.run(() => fs.lstat(from));
    // Writable while it is filled; its own mode (which the umask would have masked) comes last.
    await limiter.run(() => fs.mkdir(to, { mode: 0o700 }));
    dirs.push({ path: to, mode: st.mode & 0o7777, atime: st.atime, mtime: st.mtime });
    const entries = await limiter.run(() => fs.readdir(from, { withFileTypes: true }));
    // One budget for the whole walk; after a failure (or cancel) nothing new starts, and the walk
    // returns only when what had started is done, so nothing writes into `dest` afterwards.
    await settleAll(
      entries.map((entry) => {
        const a = path.join(from, entry.name);
        const b = path.join(to, entry.name);
        if (entry.isDirectory()) return walk(a, b);
        return limiter.run(async () => {
          signal?.throwIfAborted();
          if (entry.isSymbolicLink()) await fs.symlink(await fs.readlink(a), b);
          else if (entry.isFile()) {
            files++;
            if (linksWork && (await tryLink(a, b))) {
              if (mayBeEditedInPlace(entry.name)) shared.push(a);
              return;
            }
            linksWork = false;
            await copyPreserving(a, b);
            copied++;
          }
          // Sockets, FIFOs and devices have no place in an environment and are left out.
        });
      }),
    );
  };
  await walk(src, dest);
  // Once everything is in: filling a folder changes its times.
  await mapLimited(dirs, SNAPSHOT_CONCURRENCY, async (d) => {
    await fs.chmod(d.path, d.mode);
    await fs.utimes(d.path, d.atime, d.mtime);
  });
  return { files, copied, shared };
}

/** Gives each file its own copy (same bytes, mode and times) in place of the shared inode. */
export async function detachFiles(files: readonly string[]): Promise<void> {
  for (const file of files) {
    const fresh = `${file}.venv-manager-tmp`;
    await copyPreserving(file, fresh);
    await fs.rename(fresh, file);
  }
}

/** Hard-links `from` to `to`; false where the file system cannot (then the caller copies). */
async function tryLink(from: string, to: string): Promise<boolean> {
  try {
    await fs.link(from, to);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'EXDEV' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EMLINK') return false;
    throw err;
  }
}

async function copyPreserving(from: string, to: string): Promise<void> {
  const st = await fs.stat(from);
  await fs.copyFile(from, to);
  await fs.chmod(to, st.mode & 0o7777);
  await fs.utimes(to, st.atime, st.mtime);
}

/**
 * The file-system calls core makes, with the shape of node:fs/promises, behind one seam that can run
 * them in one of two ways:
 *
 * - **thread pool** (the default, and always in the extension host): node's own fs/promises, which
 *   runs each call on libuv's thread pool and keeps the event loop free;
 * - **inline**: the synchronous call, made at once on the calling thread and handed back as a
 *   settled promise. A command line run is one short task with nothing else to keep responsive, and
 *   its calls are small (a `create --without-pip` makes about 40): there, the thread pool's start-up
 *   (four threads), its hand-offs and the fs/promises module graph cost more CPU than the calls
 *   themselves. `useInlineFileSystem()` switches a process to it; the command line does so first.
 *
 * Either way a call fails with the same error (code, syscall, path), and inline is one of the
 * orders the thread pool could also have produced, so code written for one is correct for the other.
 * Calls that can take long whatever their size stay on the thread pool in both modes, so that a
 * Ctrl-C is still seen while they run: `rm` (a whole environment), and the handle-based `open` and
 * `opendir`. fs/promises itself is loaded on the first call that needs it.
 *
 * The switch is one flag per process (a global symbol), not per module copy: each command-line
 * bundle carries its own copy of core.
 */
import * as fs from 'node:fs';

type FsPromises = typeof import('node:fs/promises');

const INLINE = Symbol.for('venv-manager.fs.inline');
type Flagged = { [INLINE]?: boolean };

let loaded: FsPromises | undefined;
function threadPool(): FsPromises {
  return (loaded ??= require('node:fs/promises') as FsPromises); // eslint-disable-line @typescript-eslint/no-require-imports
}

/** From now on, this process makes the calls below inline (synchronously), or again on the thread pool (`false`). For one-shot processes. */
export function useInlineFileSystem(inline = true): void {
  (globalThis as Flagged)[INLINE] = inline;
}

/** Whether this process makes its file-system calls inline. */
export function inlineFileSystem(): boolean {
  return (globalThis as Flagged)[INLINE] === true;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;

/** fs/promises' `name`, or, inline, the synchronous `sync` with its result or error as a settled promise. */
function either<K extends keyof FsPromises>(name: K, sync: AnyFn): FsPromises[K] {
  return ((...args: unknown[]) => {
    if (!inlineFileSystem()) return (threadPool()[name] as AnyFn)(...args);
    try {
      return Promise.resolve(sync(...args));
    } catch (err) {
      return Promise.reject(err);
    }
  }) as FsPromises[K];
}

/** Always on the thread pool (see above). */
function pooled<K extends keyof FsPromises>(name: K): FsPromises[K] {
  return ((...args: unknown[]) => (threadPool()[name] as AnyFn)(...args)) as FsPromises[K];
}

/** node:fs/promises for core: `import { fsp as fs } from './asyncFs'`. */
export const fsp = {
  access: either('access', fs.accessSync),
  chmod: either('chmod', fs.chmodSync),
  copyFile: either('copyFile', fs.copyFileSync),
  link: either('link', fs.linkSync),
  lstat: either('lstat', fs.lstatSync),
  mkdir: either('mkdir', fs.mkdirSync),
  mkdtemp: either('mkdtemp', fs.mkdtempSync),
  readFile: either('readFile', fs.readFileSync),
  readdir: either('readdir', fs.readdirSync),
  readlink: either('readlink', fs.readlinkSync),
  // fs/promises' realpath is the native realpath(3); so is realpathSync.native (plain realpathSync is a JS walk).
  realpath: either('realpath', fs.realpathSync.native),
  rename: either('rename', fs.renameSync),
  rmdir: either('rmdir', fs.rmdirSync),
  stat: either('stat', fs.statSync),
  symlink: either('symlink', fs.symlinkSync),
  unlink: either('unlink', fs.unlinkSync),
  utimes: either('utimes', fs.utimesSync),
  writeFile: either('writeFile', fs.writeFileSync),
  open: pooled('open'),
  opendir: pooled('opendir'),
  rm: pooled('rm'),
  constants: fs.constants,
};

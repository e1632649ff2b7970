/**
 * Installs an install image into an environment's site-packages the way pip's wheel installer
 * leaves it: the wheel's files, the console-script launchers, INSTALLER (`pip`), REQUESTED, and a
 * RECORD with the wheel's rows plus hashed rows for everything generated, sorted, CRLF.
 *
 * Bytecode: pip compiles every module it installs and lists the `.pyc` files in RECORD with empty
 * hash and size. The cache compiles each image once per Python (see ensureBytecode), and the
 * `.pyc` files are placed like the sources, so RECORD and `__pycache__` match an ensurepip env.
 * The `.pyc` headers hold the source mtime, which hard links share; copies get the source mtime
 * set back. Without bytecode (free-threaded builds, compile failure) Python compiles on first
 * import, and `pip uninstall` still removes the `.pyc` of every `.py` in RECORD.
 */
import { constants as fsConstants, copyFileSync, linkSync, lstatSync, mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import type { InstallImage } from './cache';
import { posixScript, scriptSpecs, windowsLauncher, windowsLauncherName, type ScriptSpec } from './scripts';
import { formatRecord, recordHash, type RecordRow } from './wheel';

/** How files get from the image into site-packages. */
export type LinkMode = 'hardlink' | 'copy';

export interface InstallTarget {
  sitePackages: string;
  binDir: string;
  /** The env's python as pip would see it (`sys.executable`): the launchers' shebang. */
  envPython: string;
  osName: 'posix' | 'nt';
  platform: string;
  is64bit: boolean;
  version: [number, number, number];
  linkMode: LinkMode;
  signal?: AbortSignal;
}

/** pip >= 20.2 writes REQUESTED for the packages named on its command line (ensurepip names them all). */
export function writesRequested(pipVersion: string): boolean {
  const [major = 0, minor = 0] = pipVersion.split('.').map((n) => parseInt(n, 10));
  return major > 20 || (major === 20 && minor >= 2);
}

/**
 * How long the main thread makes directories and links files in one go before it lets other work
 * run. Both are made with synchronous calls, parents first, in short slices: a thread-pool round
 * trip for each of pip's ~100 directories (made in parallel) cost about twice the CPU of making
 * them one after another (thread wake-ups, futexes, epoll), and the directories are the bulk of a
 * seeded create's time (each a new inode).
 */
const SLICE_MS = 2;

/** One directory of what an image puts into site-packages: its files and subdirectories. */
interface DirNode {
  /** `/`-separated, relative to site-packages; '' is site-packages itself. */
  rel: string;
  files: string[];
  subdirs: DirNode[];
}

/** The tree of `dirs` (parents listed or implied) and `files`, rooted at site-packages. */
function planTree(dirs: Iterable<string>, files: Iterable<string>): DirNode {
  const nodes = new Map<string, DirNode>([['', { rel: '', files: [], subdirs: [] }]]);
  const node = (rel: string): DirNode => {
    let n = nodes.get(rel);
    if (!n) {
      n = { rel, files: [], subdirs: [] };
      nodes.set(rel, n);
      node(parentOf(rel)).subdirs.push(n);
    }
    return n;
  };
  for (const d of dirs) node(d);
  for (const f of files) node(parentOf(f)).files.push(f);
  return nodes.get('')!;
}

const parentOf = (rel: string) => rel.slice(0, Math.max(0, rel.lastIndexOf('/')));

/** mkdirSync that accepts a directory already there (a second install into the same site-packages). */
function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !lstatSync(dir).isDirectory()) throw err;
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Makes `root`'s directories under `site` and places each file from `source` into them: each
 * directory once, before anything inside it, in synchronous slices of SLICE_MS with the event loop
 * free in between. `onDirectory` runs for each directory once it exists. A failure or a cancel
 * stops it between two calls; the error is thrown.
 */
async function placeTree(root: DirNode, site: string, source: string, placer: FilePlacer, onDirectory: (rel: string) => void, signal?: AbortSignal): Promise<void> {
  const toPath = (base: string, rel: string) => (rel === '' ? base : path.join(base, ...rel.split('/')));
  signal?.throwIfAborted();
  // site-packages itself normally exists already; it is made (with its parents) if not.
  await fs.mkdir(site, { recursive: true });
  onDirectory('');
  // Work in order: a directory's files, then its subdirectories (each made, then its own work).
  const work: Array<{ file: string } | { dir: DirNode }> = [];
  const enqueue = (node: DirNode) => {
    for (const file of node.files) work.push({ file });
    for (const dir of node.subdirs) work.push({ dir });
  };
  enqueue(root);
  let next = 0;
  while (next < work.length) {
    signal?.throwIfAborted();
    const until = performance.now() + SLICE_MS;
    do {
      const item = work[next++]!;
      if ('file' in item) placer.place(toPath(source, item.file), toPath(site, item.file));
      else {
        makeDirectory(toPath(site, item.dir.rel));
        onDirectory(item.dir.rel);
        enqueue(item.dir);
      }
    } while (next < work.length && performance.now() < until);
    if (next < work.length) await yieldToEventLoop();
  }
}

/** Places one file: a hard link where the file system allows it, else a copy (reflink if possible). */
class FilePlacer {
  private linking: boolean;
  /** @param keepMtime copies get the source's mtime (bytecode headers are checked against it) */
  constructor(mode: LinkMode, private readonly keepMtime: boolean) {
    this.linking = mode === 'hardlink';
  }

  place(src: string, dest: string): void {
    if (this.linking) {
      try {
        linkSync(src, dest);
        return;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') {
          rmSync(dest, { force: true });
          return this.place(src, dest);
        }
        // Another device, or a file system without hard links: copy from now on.
        if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK' && code !== 'EACCES') throw err;
        this.linking = false;
      }
    }
    // Never write through an existing file: it may be a hard link into the cache. FICLONE shares
    // blocks on btrfs/xfs and copies elsewhere.
    try {
      copyFileSync(src, dest, fsConstants.COPYFILE_EXCL | fsConstants.COPYFILE_FICLONE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      rmSync(dest, { force: true });
      copyFileSync(src, dest, fsConstants.COPYFILE_EXCL | fsConstants.COPYFILE_FICLONE);
    }
    if (this.keepMtime && dest.endsWith('.py')) {
      const st = statSync(src);
      utimesSync(dest, st.atime, st.mtime);
    }
  }
}

/**
 * Writes a new file; one already there (a link, maybe into the cache) is replaced, never written
 * through. Synchronous: a few small files, written in the same slices as the tree.
 */
function writeNewFile(file: string, bytes: Uint8Array | string, mode: number): void {
  try {
    writeFileSync(file, bytes, { mode, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    rmSync(file, { force: true });
    writeFileSync(file, bytes, { mode, flag: 'wx' });
  }
}

/** Path of `file` relative to site-packages, `/`-separated, as pip writes it into RECORD. */
function recordPath(file: string, sitePackages: string): string {
  return path.relative(sitePackages, file).split(path.sep).join('/');
}

interface Generated {
  file: string;
  bytes: Buffer;
  executable: boolean;
}

function launchers(image: InstallImage, template: string, stubs: Map<string, Buffer>, target: InstallTarget): Generated[] {
  const specs: ScriptSpec[] = scriptSpecs(new Map(image.consoleScripts), new Map(image.guiScripts), target.version);
  return specs.map((spec) => {
    if (target.osName === 'posix') {
      return { file: path.join(target.binDir, spec.name), bytes: posixScript(target.envPython, target.platform, template, spec), executable: true };
    }
    const stubName = windowsLauncherName(spec.gui, target.is64bit);
    const stub = stubs.get(stubName);
    if (!stub) throw new Error(`pip's launcher stub ${stubName} is missing from the wheel`);
    return { file: path.join(target.binDir, `${spec.name}.exe`), bytes: windowsLauncher(stub, target.envPython, template, spec), executable: false };
  });
}

/**
 * Installs `image` into `target`. `template` and `stubs` come from the pip image (the installer
 * of record, as ensurepip runs that pip for every package it installs); `bytecode` lists the
 * image's `.pyc` files for the target's Python, if any.
 */
export async function installImage(
  image: InstallImage,
  template: string,
  stubs: Map<string, Buffer>,
  target: InstallTarget,
  requested: boolean,
  bytecode: readonly string[] = [],
): Promise<void> {
  target.signal?.throwIfAborted();
  const site = target.sitePackages;
  const generated = launchers(image, template, stubs, target);
  const infoDir = path.join(site, image.distInfo);
  const inDistInfo: Generated[] = [{ file: path.join(infoDir, 'INSTALLER'), bytes: Buffer.from('pip\n'), executable: false }];
  if (requested) inDistInfo.push({ file: path.join(infoDir, 'REQUESTED'), bytes: Buffer.alloc(0), executable: false });
  generated.push(...inDistInfo);

  const rows: RecordRow[] = image.record.map((r) => [...r] as RecordRow);
  for (const pyc of bytecode) rows.push([pyc, '', '']);
  for (const g of generated) {
    const { hash, size } = recordHash(g.bytes);
    rows.push([recordPath(g.file, site), hash, size]);
  }
  const record = path.join(infoDir, 'RECORD');
  inDistInfo.push({ file: record, bytes: Buffer.from(formatRecord(rows), 'utf8'), executable: false });

  // Written here rather than linked: RECORD is replaced (the cached one may be linked from an env).
  const written = new Set(inDistInfo.map((g) => recordPath(g.file, site)));
  const tree = planTree(
    [...image.dirs, ...bytecode.map(parentOf)],
    [...image.files, ...bytecode].filter((f) => !written.has(f)),
  );
  const writeAll = (files: Generated[]) => {
    for (const g of files) writeNewFile(g.file, g.bytes, g.executable ? 0o755 : 0o644);
  };
  const placer = new FilePlacer(target.linkMode, bytecode.length > 0);
  // The launchers first (bin exists already in an env being built), then the tree; the
  // dist-info's own files as soon as its folder exists. All synchronous, in placeTree's slices.
  mkdirSync(target.binDir, { recursive: true });
  writeAll(generated.filter((g) => !inDistInfo.includes(g)));
  await placeTree(tree, site, image.siteDir, placer, (rel) => {
    if (rel === image.distInfo) writeAll(inDistInfo);
  }, target.signal);
}

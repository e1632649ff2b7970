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
import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { mapLimited, settleAll } from '../mapLimited';
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

const CONCURRENCY = 64;

/** Runs `work` over `items`, CONCURRENCY at a time; on a failure (or cancel) starts nothing new and
 * rejects once the placements already running are done, so none writes into a folder being removed. */
function inBatches<T>(items: readonly T[], work: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void[]> {
  return mapLimited(items, CONCURRENCY, (item) => {
    signal?.throwIfAborted();
    return work(item);
  });
}

/** Places one file: a hard link where the file system allows it, else a copy (reflink if possible). */
class FilePlacer {
  private linking: boolean;
  /** @param keepMtime copies get the source's mtime (bytecode headers are checked against it) */
  constructor(mode: LinkMode, private readonly keepMtime: boolean) {
    this.linking = mode === 'hardlink';
  }

  async place(src: string, dest: string): Promise<void> {
    if (this.linking) {
      try {
        await fs.link(src, dest);
        return;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') {
          await fs.rm(dest, { force: true });
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
      await fs.copyFile(src, dest, fsConstants.COPYFILE_EXCL | fsConstants.COPYFILE_FICLONE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      await fs.rm(dest, { force: true });
      await fs.copyFile(src, dest, fsConstants.COPYFILE_EXCL | fsConstants.COPYFILE_FICLONE);
    }
    if (this.keepMtime && dest.endsWith('.py')) {
      const st = await fs.stat(src);
      await fs.utimes(dest, st.atime, st.mtime);
    }
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
  const site = target.sitePackages;
  const pycDirs = new Set(bytecode.map((f) => f.slice(0, f.lastIndexOf('/'))));
  for (const dir of [...image.dirs, ...pycDirs]) await fs.mkdir(path.join(site, ...dir.split('/')), { recursive: true });
  const placer = new FilePlacer(target.linkMode, bytecode.length > 0);
  const files = [...image.files, ...bytecode];
  await inBatches(files, (f) => placer.place(path.join(image.siteDir, ...f.split('/')), path.join(site, ...f.split('/'))), target.signal);

  const generated = launchers(image, template, stubs, target);
  const infoDir = path.join(site, image.distInfo);
  generated.push({ file: path.join(infoDir, 'INSTALLER'), bytes: Buffer.from('pip\n'), executable: false });
  if (requested) generated.push({ file: path.join(infoDir, 'REQUESTED'), bytes: Buffer.alloc(0), executable: false });

  await fs.mkdir(target.binDir, { recursive: true });
  await settleAll(
    generated.map(async (g) => {
      await fs.rm(g.file, { force: true });
      await fs.writeFile(g.file, g.bytes, { mode: g.executable ? 0o755 : 0o644 });
    }),
  );

  const rows: RecordRow[] = image.record.map((r) => [...r] as RecordRow);
  for (const pyc of bytecode) rows.push([pyc, '', '']);
  for (const g of generated) {
    const { hash, size } = recordHash(g.bytes);
    rows.push([recordPath(g.file, site), hash, size]);
  }
  // RECORD came from the image, possibly as a hard link: replace it, never write into it.
  const record = path.join(infoDir, 'RECORD');
  await fs.rm(record, { force: true });
  await fs.writeFile(record, formatRecord(rows), { encoding: 'utf8', mode: 0o644 });
}

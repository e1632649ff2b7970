/**
 * The seed cache: each bundled wheel is unpacked ONCE into an install image
 * `<cacheDir>/seed/<project>-<version>-<content hash>/` (`site/` = the files that go into
 * site-packages, `image.json` = what installing needs to know). Keyed by content because distros
 * ship rebuilt wheels under the same name (Debian's pip-23.0.1 is not PyPI's).
 *
 * An image is built (unpacked, and byte-compiled for one Python's cache tag) in a private temporary
 * directory and renamed into place, so a reader only ever sees complete images, and a published
 * image is never written again; when two processes build the same image at once the second rename
 * fails, and that process discards its copy and uses the winner's. `image.json` lists every file
 * with its size and carries a hash of that manifest: an image is checked against it before
 * anything is linked from it, and a damaged one (a file truncated or deleted, a torn or
 * wrong-shaped manifest) is set aside and built again.
 */
import { createReadStream, statSync } from 'node:fs';
import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import { loadExeca } from '../execa';
import type { InterpreterInfo } from '../interpreter';
import { isSameProcessAlive } from '../processes';
import { makeDirs } from '../fsUtil';
import { createSha256, randomHex } from '../hashing';
import { removeTree } from '../lifecycle/safety';
import { parseEntryPoints, parseRecord, unpackWheel, type RecordRow } from './wheel';
import { findScriptTemplate } from './scripts';

export interface WheelRef {
  project: string;
  version: string;
  path: string;
}

export interface InstallImage {
  project: string;
  version: string;
  /** Absolute path of the image's `site/` directory. */
  siteDir: string;
  /** `pip-23.2.1.dist-info` */
  distInfo: string;
  /** Files under `site/`, `/`-separated, in wheel order. */
  files: string[];
  /** Directories the files need, `/`-separated, parents before children. */
  dirs: string[];
  /** The wheel's RECORD rows. */
  record: RecordRow[];
  consoleScripts: [string, string][];
  guiScripts: [string, string][];
  /** The launcher template of this wheel's pip (pip images only). */
  scriptTemplate?: string;
  /** Windows launcher stubs shipped inside this wheel (`t64.exe` -> path under site/). */
  launcherStubs: Record<string, string>;
  /** The `__pycache__` tag the image was compiled for, and its .pyc files (under site/). */
  bytecodeTag?: string;
  bytecode?: string[];
}

/** Whose bytecode an image carries: the Python that compiles it, and its cache tag. */
export interface BytecodeFor {
  info: InterpreterInfo;
  log?: (line: string) => void;
}

// 2: launcher templates of pips whose installer sets them in a class body (pip 26) are read.
// From 2 on the format is part of the image folder's name, so versions of Venv Manager that expect
// different formats (an older CLI beside a newer extension) keep separate images instead of each
// replacing the other's while it is being linked from.
// 3: bytecode compiled before publishing (image names end in the cache tag), sizes and a hash in image.json.
const IMAGE_FORMAT = 3;
const IMAGE_FILE = 'image.json';

let unpackCount = 0;
/** How many wheels this process has unpacked (cache misses); a warm cache leaves it unchanged. */
export function getUnpackCount(): number {
  return unpackCount;
}

const hashes = new Map<string, Promise<string>>();
const building = new Map<string, Promise<InstallImage>>();

async function wheelHash(file: string): Promise<string> {
  const st = await fs.stat(file);
  const key = `${file}\0${st.size}\0${st.mtimeMs}`;
  let pending = hashes.get(key);
  if (!pending) {
    pending = new Promise<string>((resolve, reject) => {
      const hash = createSha256();
      createReadStream(file)
        .on('data', (chunk) => hash.update(chunk))
        .on('error', reject)
        .on('end', () => resolve(hash.digest('hex').slice(0, 16)));
    });
    hashes.set(key, pending);
    pending.catch(() => hashes.delete(key));
  }
  return pending;
}

/** What image.json holds: the image, the size of every file under site/, and a hash of both. */
interface ImageManifest {
  format: number;
  image: InstallImage;
  sizes: number[];
  digest: string;
}

function manifestDigest(image: InstallImage, sizes: number[]): string {
  return createSha256().update(JSON.stringify([image, sizes])).digest('hex');
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * The image in `dir` when its manifest is whole and every file it lists is there with its size;
 * otherwise why not (undefined reason: there is no image at all).
 */
async function readImage(dir: string): Promise<{ image: InstallImage } | { damaged?: string }> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, IMAGE_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return (await fs.lstat(dir).then(() => true, () => false)) ? { damaged: `${IMAGE_FILE} is missing` } : {};
    return { damaged: `${IMAGE_FILE} cannot be read (${(err as Error).message})` };
  }
  let data: Partial<ImageManifest>;
  try {
    data = JSON.parse(text) as Partial<ImageManifest>;
  } catch (err) {
    return { damaged: `${IMAGE_FILE} is not JSON (${(err as Error).message})` };
  }
  const image = data?.image;
  const sizes = data?.sizes;
  if (data?.format !== IMAGE_FORMAT || typeof image !== 'object' || image === null || !Array.isArray(sizes)) return { damaged: `${IMAGE_FILE} has another format` };
  if (typeof data.digest !== 'string' || data.digest !== manifestDigest(image, sizes)) return { damaged: `${IMAGE_FILE} does not match its hash` };
  const files = [...(isStringArray(image.files) ? image.files : []), ...(image.bytecode ?? [])];
  if (!isStringArray(image.files) || (image.bytecode !== undefined && !isStringArray(image.bytecode)) || files.length !== sizes.length) return { damaged: `${IMAGE_FILE} is malformed` };
  const site = path.join(dir, 'site');
  // The cheap check before anything is linked: every file there, with its size (stat only).
  for (let i = 0; i < files.length; i++) {
    const file = path.join(site, ...files[i]!.split('/'));
    let st;
    try {
      st = statSync(file);
    } catch {
      return { damaged: `${files[i]} is missing` };
    }
    if (!st.isFile() || st.size !== sizes[i]) return { damaged: `${files[i]} has ${st.size} bytes instead of ${sizes[i]}` };
  }
  return { image: { ...image, siteDir: site } };
}

/**
 * The install image of `wheel` (byte-compiled for `forPython` when given), built first if no
 * process has done so yet, and rebuilt when the cached one is damaged.
 */
export async function ensureImage(wheel: WheelRef, cacheDir: string, signal?: AbortSignal, forPython?: BytecodeFor): Promise<InstallImage> {
  const seedDir = path.join(cacheDir, 'seed');
  const tag = forPython ? bytecodeTag(forPython.info) : undefined;
  const dir = path.join(seedDir, `${wheel.project}-${wheel.version}-${await wheelHash(wheel.path)}-f${IMAGE_FORMAT}${tag ? `-${tag}` : ''}`);
  const found = await readImage(dir);
  if ('image' in found) return found.image;
  let pending = building.get(dir);
  if (!pending) {
    if (found.damaged) forPython?.log?.(`The seed cache image ${dir} is damaged (${found.damaged}); building it again.`);
    const compile = tag && forPython ? { tag, python: forPython.info.executable, log: forPython.log } : undefined;
    pending = buildImage(wheel, seedDir, dir, signal, compile).finally(() => building.delete(dir));
    building.set(dir, pending);
  }
  return pending;
}

const TMP_PREFIX = '.tmp-';
const DAMAGED_PREFIX = '.damaged-';

/** A builder's temporary image is abandoned once its process is gone and it has not changed for this long. */
const ABANDONED_AFTER_MS = 10 * 60_000;

/**
 * Removes what builders killed midway left in the seed folder: temporary images whose process is
 * gone (the pid is in the name; the age guards a cache shared with another machine) and damaged
 * images set aside. Runs only when an image is built.
 */
async function sweepSeedDir(seedDir: string): Promise<void> {
  for (const entry of await fs.readdir(seedDir).catch(() => [] as string[])) {
    const p = path.join(seedDir, entry);
    let abandoned = entry.startsWith(DAMAGED_PREFIX);
    if (entry.startsWith(TMP_PREFIX)) {
      const pid = Number(entry.slice(TMP_PREFIX.length).split('-')[0]);
      const age = Date.now() - ((await fs.lstat(p).catch(() => undefined))?.mtimeMs ?? Date.now());
      abandoned = pid !== process.pid && !isSameProcessAlive(pid) && age > ABANDONED_AFTER_MS;
    }
    if (abandoned) await removeTree(p).catch(() => undefined);
  }
}

async function buildImage(wheel: WheelRef, seedDir: string, dir: string, signal: AbortSignal | undefined, compile: { tag: string; python: string; log?: (line: string) => void } | undefined): Promise<InstallImage> {
  try {
    await makeDirs(seedDir);
  } catch (err) {
    throw cacheError(err, seedDir);
  }
  await sweepSeedDir(seedDir);
  const tmp = path.join(seedDir, `${TMP_PREFIX}${process.pid}-${randomHex(6)}`);
  try {
    const site = path.join(tmp, 'site');
    await makeDirs(site);
    unpackCount += 1;
    const entries = await unpackWheel(wheel.path, site, signal);
    let image: InstallImage = { ...(await describeImage(wheel, site, entries.map((e) => e.name))), siteDir: '' };
    await writeManifest(tmp, image, site);
    if (compile) {
      // Compiled here, before the image is published: nobody links from it while it changes.
      const bytecode = await compileImage(site, compile.tag, compile.python, compile.log, signal);
      if (bytecode) {
        image = { ...image, bytecodeTag: compile.tag, bytecode };
        await writeManifest(tmp, image, site);
      }
    }
    signal?.throwIfAborted();
    try {
      await fs.rename(tmp, dir);
    } catch (err) {
      const winner = await readImage(dir);
      if ('image' in winner) {
        await removeTree(tmp);
        return winner.image;
      }
      // A damaged image (or a leftover of an older format) is set aside in one rename, so no
      // reader ever sees it half-removed, then removed; the new one takes its place.
      const aside = path.join(seedDir, `${DAMAGED_PREFIX}${process.pid}-${randomHex(6)}`);
      await fs.rename(dir, aside).catch(() => undefined);
      await fs.rename(tmp, dir).catch(() => {
        throw err;
      });
      await removeTree(aside).catch(() => undefined);
    }
    return { ...image, siteDir: path.join(dir, 'site') };
  } catch (err) {
    await removeTree(tmp).catch(() => undefined);
    throw cacheError(err, dir);
  }
}

/** Names the seed cache in a file-system error about it (so ENOSPC or EROFS point at the cache). */
function cacheError(err: unknown, where: string): Error {
  const e = err as NodeJS.ErrnoException;
  if (!e?.code || (e.name === 'AbortError')) return err as Error;
  return new Error(`The seed cache ${where} could not be written: ${e.message}`, { cause: err });
}

async function writeManifest(imageDir: string, image: InstallImage, site: string): Promise<void> {
  const files = [...image.files, ...(image.bytecode ?? [])];
  const sizes = await Promise.all(files.map((f) => fs.stat(path.join(site, ...f.split('/'))).then((st) => st.size)));
  const manifest: ImageManifest = { format: IMAGE_FORMAT, image, sizes, digest: manifestDigest(image, sizes) };
  await fs.writeFile(path.join(imageDir, IMAGE_FILE), JSON.stringify(manifest));
}

const readOptional = (file: string) => fs.readFile(file, 'utf8').catch(() => undefined);

async function describeImage(wheel: WheelRef, site: string, files: string[]): Promise<InstallImage> {
  const distInfos = [...new Set(files.map((f) => f.split('/')[0]!).filter((top) => top.endsWith('.dist-info')))];
  if (distInfos.length !== 1) throw new Error(`${path.basename(wheel.path)} has ${distInfos.length} .dist-info directories, expected one`);
  const distInfo = distInfos[0]!;
  // Files under <name>.data/ go to other scheme paths (scripts, headers, data); pip's and
  // setuptools' wheels have none, and anything that does is left to ensurepip.
  const data = files.find((f) => f.split('/')[0]!.endsWith('.data'));
  if (data) throw new Error(`${path.basename(wheel.path)} has a .data directory (${data}); only plain wheels are seeded directly`);

  const wheelMeta = (await readOptional(path.join(site, distInfo, 'WHEEL'))) ?? '';
  const wheelVersion = /^Wheel-Version:\s*(\d+)/m.exec(wheelMeta);
  if (!wheelVersion || wheelVersion[1] !== '1') throw new Error(`${path.basename(wheel.path)} has an unsupported Wheel-Version`);

  const recordText = await readOptional(path.join(site, distInfo, 'RECORD'));
  if (recordText === undefined) throw new Error(`${path.basename(wheel.path)} has no RECORD`);
  const entryPoints = parseEntryPoints((await readOptional(path.join(site, distInfo, 'entry_points.txt'))) ?? '');

  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }

  const installer =
    (await readOptional(path.join(site, 'pip/_internal/operations/install/wheel.py'))) ?? (await readOptional(path.join(site, 'pip/_internal/wheel.py')));
  const scriptTemplate = wheel.project === 'pip' ? findScriptTemplate(installer, await readOptional(path.join(site, 'pip/_vendor/distlib/scripts.py'))) : undefined;
  if (wheel.project === 'pip' && scriptTemplate === undefined) throw new Error(`${path.basename(wheel.path)}: pip's launcher template was not found`);

  const launcherStubs: Record<string, string> = {};
  for (const f of files) {
    const m = /\/distlib\/([tw](?:32|64)(?:-arm)?\.exe)$/.exec(f);
    if (m) launcherStubs[m[1]!] = f;
  }

  return {
    project: wheel.project,
    version: wheel.version,
    siteDir: site,
    distInfo,
    files,
    dirs: [...dirs].sort((a, b) => a.split('/').length - b.split('/').length),
    record: parseRecord(recordText),
    consoleScripts: [...(entryPoints.get('console_scripts') ?? new Map<string, string>())],
    guiScripts: [...(entryPoints.get('gui_scripts') ?? new Map<string, string>())],
    ...(scriptTemplate === undefined ? {} : { scriptTemplate }),
    launcherStubs,
  };
}

/**
 * The `__pycache__` tag of `info`'s bytecode, when we compile for it: CPython only (other
 * implementations import from source and compile on first use). A free-threaded build has the same
 * tag and magic number as the default build of its version and loads the same files (the bytes
 * differ only in marshal's reference flags), so both share one compiled image, and an env seeded
 * for either holds the `.pyc` files ensurepip would have compiled.
 */
export function bytecodeTag(info: InterpreterInfo): string | undefined {
  if (info.implementation !== 'cpython') return undefined;
  return `cpython-${info.version[0]}${info.version[1]}`;
}

// Compiles like pip's installer: compileall.compile_file(force=True) for every .py of the wheel,
// keeping the ones that compile; prints the .pyc paths relative to the image's site dir.
const COMPILE_SCRIPT = String.raw`
import compileall, importlib.util, json, os, sys, warnings
site, tag = sys.argv[1], sys.argv[2]
done = None
if sys.implementation.cache_tag == tag:
    with open(os.path.join(os.path.dirname(site), 'image.json'), encoding='utf-8') as f:
        files = json.load(f)['image']['files']
    done = []
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore')
        for rel in sorted(set(files)):
            if not rel.endswith('.py'):
                continue
            path = os.path.join(site, *rel.split('/'))
            if compileall.compile_file(path, force=True, quiet=2):
                done.append(os.path.relpath(importlib.util.cache_from_source(path), site).replace(os.sep, '/'))
sys.stdout.write('\n@@BYTECODE@@' + json.dumps(done) + '\n')
`;

/**
 * The bytecode files of `image` for `info`'s Python: those it was compiled with when it was built
 * for that Python's tag (see ensureImage's `forPython`), else undefined (Python then compiles on
 * first import).
 */
export async function ensureBytecode(image: InstallImage, info: InterpreterInfo): Promise<string[] | undefined> {
  const tag = bytecodeTag(info);
  return tag && image.bytecodeTag === tag ? image.bytecode : undefined;
}

async function compileImage(siteDir: string, tag: string, python: string, log?: (line: string) => void, signal?: AbortSignal): Promise<string[] | undefined> {
  const execa = await loadExeca();
  const result = await execa(python, ['-I', '-c', COMPILE_SCRIPT, siteDir, tag], { reject: false, all: true, ...(signal ? { cancelSignal: signal } : {}) });
  signal?.throwIfAborted();
  const marker = (result.stdout ?? '').lastIndexOf('@@BYTECODE@@');
  let list: unknown = null;
  try {
    list = result.exitCode === 0 && marker >= 0 ? JSON.parse(result.stdout.slice(marker + '@@BYTECODE@@'.length)) : null;
  } catch {
    list = null;
  }
  if (!isStringArray(list)) {
    log?.(`Not byte-compiling the seeded packages for ${tag}: ${result.exitCode === 0 ? 'the interpreter reports another cache tag' : (result.all ?? '').trim().split('\n').pop()}`);
    return undefined;
  }
  return list;
}

/**
 * The seed cache: each bundled wheel is unpacked ONCE into an install image
 * `<cacheDir>/seed/<project>-<version>-<content hash>/` (`site/` = the files that go into
 * site-packages, `image.json` = what installing needs to know). Keyed by content because distros
 * ship rebuilt wheels under the same name (Debian's pip-23.0.1 is not PyPI's).
 *
 * An image is built in a private temporary directory and renamed into place, so a reader only
 * ever sees complete images; when two processes build the same image at once the second rename
 * fails, and that process discards its copy and uses the winner's.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { loadExeca } from '../execa';
import type { InterpreterInfo } from '../interpreter';
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
}

// 2: launcher templates of pips whose installer sets them in a class body (pip 26) are read.
// From 2 on the format is part of the image folder's name, so versions of Venv Manager that expect
// different formats (an older CLI beside a newer extension) keep separate images instead of each
// replacing the other's while it is being linked from.
const IMAGE_FORMAT = 2;
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
      const hash = createHash('sha256');
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

async function readImage(dir: string): Promise<InstallImage | undefined> {
  try {
    const data = JSON.parse(await fs.readFile(path.join(dir, IMAGE_FILE), 'utf8')) as { format: number; image: InstallImage };
    if (data.format !== IMAGE_FORMAT) return undefined;
    return { ...data.image, siteDir: path.join(dir, 'site') };
  } catch {
    return undefined;
  }
}

/** The install image of `wheel`, unpacking it first if no process has done so yet. */
export async function ensureImage(wheel: WheelRef, cacheDir: string, signal?: AbortSignal): Promise<InstallImage> {
  const seedDir = path.join(cacheDir, 'seed');
  const dir = path.join(seedDir, `${wheel.project}-${wheel.version}-${await wheelHash(wheel.path)}-f${IMAGE_FORMAT}`);
  const existing = await readImage(dir);
  if (existing) return existing;
  let pending = building.get(dir);
  if (!pending) {
    pending = buildImage(wheel, seedDir, dir, signal).finally(() => building.delete(dir));
    building.set(dir, pending);
  }
  return pending;
}

async function buildImage(wheel: WheelRef, seedDir: string, dir: string, signal?: AbortSignal): Promise<InstallImage> {
  await fs.mkdir(seedDir, { recursive: true });
  const tmp = path.join(seedDir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    const site = path.join(tmp, 'site');
    await fs.mkdir(site, { recursive: true });
    unpackCount += 1;
    const entries = await unpackWheel(wheel.path, site, signal);
    const image = await describeImage(wheel, site, entries.map((e) => e.name));
    await fs.writeFile(path.join(tmp, IMAGE_FILE), JSON.stringify({ format: IMAGE_FORMAT, image: { ...image, siteDir: '' } }));
    try {
      await fs.rename(tmp, dir);
    } catch (err) {
      const winner = await readImage(dir);
      if (winner) {
        await fs.rm(tmp, { recursive: true, force: true });
        return winner;
      }
      // A directory without a readable image.json is a damaged leftover: replace it.
      await fs.rm(dir, { recursive: true, force: true });
      await fs.rename(tmp, dir).catch(() => {
        throw err;
      });
    }
    return { ...image, siteDir: path.join(dir, 'site') };
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
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

const compiling = new Map<string, Promise<string[] | undefined>>();

/**
 * The bytecode files of `image` for `info`'s Python, compiled into the image once per tag (next to
 * the sources, as `__pycache__/<name>.<tag>.pyc`: additive, written atomically by py_compile) and
 * listed in `bytecode-<tag>.json`, which is renamed into place last. Undefined when there is none
 * and it cannot be made; seeding then goes on without bytecode.
 */
export async function ensureBytecode(image: InstallImage, info: InterpreterInfo, log?: (line: string) => void, signal?: AbortSignal): Promise<string[] | undefined> {
  const tag = bytecodeTag(info);
  if (!tag) return undefined;
  const imageDir = path.dirname(image.siteDir);
  const listFile = path.join(imageDir, `bytecode-${tag}.json`);
  const existing = await fs.readFile(listFile, 'utf8').then((t) => JSON.parse(t) as string[], () => undefined);
  if (existing) return existing;
  let pending = compiling.get(listFile);
  if (!pending) {
    pending = compileImage(image.siteDir, tag, info.executable, listFile, log, signal).finally(() => compiling.delete(listFile));
    compiling.set(listFile, pending);
  }
  return pending;
}

async function compileImage(siteDir: string, tag: string, python: string, listFile: string, log?: (line: string) => void, signal?: AbortSignal): Promise<string[] | undefined> {
  const execa = await loadExeca();
  const result = await execa(python, ['-I', '-c', COMPILE_SCRIPT, siteDir, tag], { reject: false, all: true, ...(signal ? { cancelSignal: signal } : {}) });
  const marker = (result.stdout ?? '').lastIndexOf('@@BYTECODE@@');
  const list = result.exitCode === 0 && marker >= 0 ? (JSON.parse(result.stdout.slice(marker + '@@BYTECODE@@'.length)) as string[] | null) : null;
  if (!list) {
    log?.(`Not byte-compiling the seeded packages for ${tag}: ${result.exitCode === 0 ? 'the interpreter reports another cache tag' : (result.all ?? '').trim().split('\n').pop()}`);
    return undefined;
  }
  const tmp = `${listFile}.${process.pid}-${randomBytes(4).toString('hex')}`;
  await fs.writeFile(tmp, JSON.stringify(list));
  await fs.rename(tmp, listFile);
  return list;
}

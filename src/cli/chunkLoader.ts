/**
 * Loads a command's bundle (dist/cli-create.js, ...) the way `require` does, but compiled with a
 * V8 code cache kept in the cache folder (code-cache/), so that a command line run does not parse
 * and compile its 100-400 KB bundle again each time. Node 20 has no module.enableCompileCache.
 *
 * The cache of a bundle is written once, after a command that ran to success (so it holds the
 * functions that command compiled), and used while the same bundle file (device, inode, size,
 * modification time) runs under the same Node (version, architecture); the full key is stored in
 * the file and compared, and V8 itself rejects data made by another V8 or with other flags. Any
 * failure to read, use or write the cache only means compiling as `require` would.
 * VENV_MANAGER_CODE_CACHE=0 turns it off; so does --enable-source-maps (vm.Script registers no
 * source map).
 */
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { defaultCacheDir } from '../core/cacheDir';
import { nameHash } from '../core/hashing';

const MAGIC = 'venv-manager code cache 1\n';
/** At most this many cache files per bundle name (several installs or builds side by side). */
const KEEP_PER_BUNDLE = 4;

const pending: Array<() => void> = [];

/** The cache file's key: the bundle file as it is now, and the Node that runs it. */
function cacheKey(file: string, st: fs.Stats): string {
  return JSON.stringify([file, st.dev, st.ino, st.size, st.mtimeMs, process.version, process.arch, process.platform]);
}

/** The V8 data stored for `key` in `cacheFile`, or undefined (missing, another key, unreadable). */
function readCache(cacheFile: string, key: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const header = Buffer.from(`${MAGIC}${key}\n`);
  if (bytes.length <= header.length || !bytes.subarray(0, header.length).equals(header)) return undefined;
  return bytes.subarray(header.length);
}

/** Writes the cache file whole (a private temporary file, then one rename) and drops the oldest ones of the same bundle beyond KEEP_PER_BUNDLE. */
function writeCache(cacheFile: string, key: string, data: Buffer): void {
  const dir = path.dirname(cacheFile);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, Buffer.concat([Buffer.from(`${MAGIC}${key}\n`), data]));
    fs.renameSync(tmp, cacheFile);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  const prefix = cacheFile.slice(dir.length + 1, cacheFile.lastIndexOf('-') + 1);
  const mine = fs
    .readdirSync(dir)
    .filter((n) => n.startsWith(prefix) && n.endsWith('.bin'))
    .map((n) => ({ n, t: fs.statSync(path.join(dir, n), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.t - a.t);
  for (const { n } of mine.slice(KEEP_PER_BUNDLE)) fs.rmSync(path.join(dir, n), { force: true });
}

function enabled(env: NodeJS.ProcessEnv): boolean {
  return env.VENV_MANAGER_CODE_CACHE !== '0' && !(process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled;
}

/** `require(file)` for a command bundle, compiled with its code cache when there is a valid one. */
export function requireChunk(file: string, env: NodeJS.ProcessEnv = process.env): unknown {
  const req = Module.createRequire(file);
  if (!enabled(env) || req.cache[file]) return req(file);
  let source: string;
  let st: fs.Stats;
  try {
    source = fs.readFileSync(file, 'utf8');
    st = fs.statSync(file);
  } catch {
    return req(file); // the error as require words it
  }
  const key = cacheKey(file, st);
  const cacheFile = path.join(defaultCacheDir(env), 'code-cache', `${path.basename(file)}-${nameHash(key)}.bin`);
  const cachedData = readCache(cacheFile, key);
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n})`;
  const script = new vm.Script(wrapped, {
    filename: file,
    cachedData,
    importModuleDynamically: (vm as unknown as { constants?: { USE_MAIN_CONTEXT_DEFAULT_LOADER?: symbol } }).constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER as never,
  });
  if (cachedData === undefined || script.cachedDataRejected) {
    pending.push(() => writeCache(cacheFile, key, script.createCachedData()));
  }
  const mod = new Module(file, module);
  mod.filename = file;
  req.cache[file] = mod;
  try {
    (script.runInThisContext() as (...args: unknown[]) => void).call(mod.exports, mod.exports, req, mod, file, path.dirname(file));
  } catch (err) {
    delete req.cache[file];
    throw err;
  }
  mod.loaded = true;
  return mod.exports;
}

/**
 * Writes the code cache of each bundle loaded without a valid one. Called once a command has run
 * to success, so the cache holds what that command compiled. Never throws: a cache that cannot be
 * written is simply not there next time.
 */
export function saveCodeCaches(): void {
  for (const save of pending.splice(0)) {
    try {
      save();
    } catch {
      // read-only or full cache folder: compile next time
    }
  }
}

/**
 * Facts about a base interpreter, gathered by ONE introspection call of that interpreter and cached
 * on disk, so that creating a second environment from the same interpreter spawns no Python at all.
 */
import { fsp as fs } from './asyncFs';
import * as path from 'node:path';
import { defaultCacheDir } from './cacheDir';
import { CoreError, type CoreErrorOptions, type ErrorCode } from './errors';
import { nameHash, randomHex } from './hashing';
import { killProcessGroup, loadExeca } from './execa';
import { findOnPath, withPathExt } from './pathLookup';

/**
 * A failure of creating an environment, worded like venv's own (the CLI prints it as `Error: <message>`):
 * a CoreError (src/core/errors.ts), code 'create-failed' unless said otherwise.
 */
export class VenvError extends CoreError {
  constructor(message: string, options?: CoreErrorOptions & { code?: ErrorCode }) {
    super(options?.code ?? 'create-failed', message, options);
    this.name = 'VenvError';
  }
}

export interface WheelFile {
  project: string;
  version: string;
  path: string;
}

export interface InterpreterInfo {
  /** sys.executable as invoked (absolute, symlinks kept). */
  executable: string;
  /** sys._base_executable; for a venv python on 3.11+ the real base, as getpath computes it. */
  baseExecutable: string;
  /** os.path.realpath(sys.executable). */
  realExecutable: string;
  version: [number, number, number];
  /** '3.12.1' (a pre-release tag is dropped, as venv's `version` key does). */
  versionString: string;
  /** sys.implementation.name: 'cpython', 'pypy'. */
  implementation: string;
  is64bit: boolean;
  abiflags: string;
  platform: string;
  osName: 'posix' | 'nt';
  prefix: string;
  basePrefix: string;
  /** The standard library directory (where `venv/` and `ensurepip/` live). */
  stdlib: string;
  /** 3.11+: sysconfig.get_paths('venv') with every base variable set to the literal '{ENV}'. */
  venvPaths?: Record<string, string>;
  gilDisabled: boolean;
  /**
   * sys.getfilesystemencoding() as `python -m venv` run with the caller's environment would see it
   * (3.14 makes its `𝜋thon` name only when it is 'utf-8'). Missing in facts cached by older
   * versions of this extension: taken as 'utf-8'.
   */
  filesystemEncoding?: string;
  hasEnsurepip: boolean;
  /** The wheels this interpreter's ensurepip would install (its `_bundled` dir or the distro's WHEEL_PKG_DIR). */
  bundledWheels: WheelFile[];
}

/** Stand-in for the environment directory inside `venvPaths`. */
export const ENV_PLACEHOLDER = '{ENV}';

export interface InterpreterInfoOptions {
  /** Where the facts are cached; default ~/.cache/venv-manager. */
  cacheDir?: string;
  /** Environment used to look a bare command up on PATH and to run the interpreter. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Directory a relative interpreter path refers to; default process.cwd(). */
  cwd?: string;
  /** How long the interpreter may take to answer; default 60 s. Then its whole process group is killed. */
  timeoutMs?: number;
}

const INTROSPECTION_TIMEOUT_MS = 60_000;

export { defaultCacheDir };

// Must parse under Python 2 too, so that an old interpreter gets a clear answer instead of a
// SyntaxError; runs under -I -S, so neither site nor PYTHON* variables can change the answer.
const INTROSPECTION_SCRIPT = String.raw`
import os, sys
def facts():
    if sys.version_info < (3, 3):
        return {'error': 'Python %d.%d cannot create virtual environments; venv needs Python 3.3 or newer' % sys.version_info[:2]}
    import re, sysconfig
    if sys.version_info >= (3, 7):
        base = getattr(sys, '_base_executable', sys.executable)
    elif sys.platform == 'darwin' and '__PYVENV_LAUNCHER__' in os.environ:
        base = os.environ['__PYVENV_LAUNCHER__']
    else:
        base = sys.executable
    stdlib = os.path.dirname(os.__file__)
    venv_paths = None
    if sys.version_info >= (3, 11) and 'venv' in sysconfig.get_scheme_names():
        env = '{ENV}'
        venv_paths = sysconfig.get_paths('venv', vars={'base': env, 'platbase': env, 'installed_base': env, 'installed_platbase': env})
    wheels = []
    try:
        import ensurepip
        projects = getattr(ensurepip, '_PROJECTS', [])
        names = list(getattr(ensurepip, '_PACKAGE_NAMES', None) or [p[0] for p in projects] or ['pip'])
        pinned = dict((p[0], p[1]) for p in projects)
        if not pinned and hasattr(ensurepip, '_PIP_VERSION'):
            pinned = {'pip': ensurepip._PIP_VERSION}
        def scan(d):
            found = {}
            if d and os.path.isdir(d):
                for fn in sorted(os.listdir(d)):
                    parts = fn.split('-')
                    if fn.endswith('.whl') and len(parts) >= 3 and parts[0] in names:
                        found.setdefault(parts[0], []).append((parts[1], os.path.join(d, fn)))
            return found
        def vkey(item):
            return [int(x) for x in re.findall(r'\d+', item[0])]
        system = scan(sysconfig.get_config_var('WHEEL_PKG_DIR'))
        use_system = system and all(n in system for n in names)
        found = system if use_system else scan(os.path.join(os.path.dirname(ensurepip.__file__), '_bundled'))
        for name in names:
            cands = found.get(name, [])
            exact = [c for c in cands if c[0] == pinned.get(name)]
            pick = exact[0] if exact and not use_system else (max(cands, key=vkey) if cands else None)
            if pick:
                wheels.append({'project': name, 'version': pick[0], 'path': pick[1]})
    except Exception:
        pass
    prefix = sys.prefix
    # site.venv() (skipped under -S) is what moves sys.prefix into an environment.
    exe_dir = os.path.dirname(os.path.abspath(sys.executable))
    if any(os.path.isfile(os.path.join(d, 'pyvenv.cfg')) for d in (exe_dir, os.path.dirname(exe_dir))):
        prefix = os.path.dirname(exe_dir)
    v = sys.version_info
    fs_encoding = sys.getfilesystemencoding()
    # -I hides PYTHONUTF8 from this process, not from the python -m venv we stand in for.
    if v >= (3, 7) and os.environ.get('PYTHONUTF8') == '1':
        fs_encoding = 'utf-8'
    return {
        'executable': sys.executable,
        'baseExecutable': base or '',
        'realExecutable': os.path.realpath(sys.executable),
        'version': [v[0], v[1], v[2]],
        'versionString': '%d.%d.%d' % (v[0], v[1], v[2]),
        'implementation': sys.implementation.name,
        'is64bit': sys.maxsize > 2 ** 32,
        'abiflags': getattr(sys, 'abiflags', ''),
        'platform': sys.platform,
        'osName': os.name,
        'prefix': prefix,
        'basePrefix': getattr(sys, 'base_prefix', sys.prefix),
        'stdlib': stdlib,
        'venvPaths': venv_paths,
        'gilDisabled': bool(sysconfig.get_config_var('Py_GIL_DISABLED')),
        'filesystemEncoding': fs_encoding,
        'hasEnsurepip': os.path.exists(os.path.join(stdlib, 'ensurepip', '__main__.py')),
        'bundledWheels': wheels,
    }
import json
sys.stdout.write('\n${'@@VENV_MANAGER_FACTS@@'}' + json.dumps(facts()) + '\n')
`;

const FACTS_MARKER = '@@VENV_MANAGER_FACTS@@';
const CACHE_FORMAT = 2;

let introspections = 0;
/** How many times an interpreter was actually run for its facts in this process (cache misses). */
export function getIntrospectionCount(): number {
  return introspections;
}

/** Cache file -> what it holds, so repeated creates in one process skip even the file read. */
const memoryCache = new Map<string, { key: string; info: InterpreterInfo }>();

/** Facts about `python` (a path, or a command looked up on PATH), from the cache when still valid. */
export async function getInterpreterInfo(python: string, opts: InterpreterInfoOptions = {}): Promise<InterpreterInfo> {
  const env = opts.env ?? process.env;
  const invoked = await locateInterpreter(python, env, opts.cwd ?? process.cwd());
  const stamp = await fileStamp(invoked);
  const cacheFile = path.join(opts.cacheDir ?? defaultCacheDir(env), 'interpreters', `${nameHash(stamp.key)}.json`);

  const remembered = memoryCache.get(cacheFile);
  if (remembered?.key === stamp.key) return remembered.info;
  const cached = await readCache(cacheFile, stamp.key);
  if (cached) {
    memoryCache.set(cacheFile, { key: stamp.key, info: cached });
    return cached;
  }

  const info = await introspect(invoked, env, opts.signal, opts.timeoutMs ?? INTROSPECTION_TIMEOUT_MS);
  // A script (a pyenv shim, a wrapper) picks its interpreter at run time, so its answer cannot be
  // tied to the script file's own size and mtime.
  if (!(stamp.size < 64 * 1024 && (await startsWithShebang(stamp.real)))) {
    memoryCache.set(cacheFile, { key: stamp.key, info });
    await writeCache(cacheFile, stamp.key, info);
  }
  return info;
}

async function locateInterpreter(python: string, env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  if (python.trim() === '') throw new VenvError('No Python interpreter was given.', { code: 'no-interpreter' });
  if (python.includes('/') || (process.platform === 'win32' && python.includes('\\'))) return path.resolve(cwd, python);
  const found = await findOnPath(withPathExt(python, env), env);
  if (found) return found;
  throw new VenvError(`No Python interpreter named '${python}' was found on PATH.`, { code: 'no-interpreter' });
}

interface FileStamp {
  key: string;
  /** The resolved interpreter file and its size. */
  real: string;
  size: number;
}

/** Identity of the interpreter as the cache sees it: path as invoked + size/mtime of the resolved file + the pyvenv.cfg that getpath would read. */
async function fileStamp(invoked: string): Promise<FileStamp> {
  let real: string;
  try {
    real = await fs.realpath(invoked);
  } catch (err) {
    throw new VenvError(`The Python interpreter '${invoked}' does not exist.`, { code: 'no-interpreter', cause: err });
  }
  const dir = path.dirname(invoked);
  const [st, ...cfgStamps] = await Promise.all([
    fs.stat(real),
    ...[path.join(dir, 'pyvenv.cfg'), path.join(path.dirname(dir), 'pyvenv.cfg')].map((cfg) =>
      fs.stat(cfg).then((s) => `${s.size}:${s.mtimeMs}`, () => '-'),
    ),
  ]);
  if (!st.isFile()) throw new VenvError(`The Python interpreter '${invoked}' is not a file.`, { code: 'bad-interpreter' });
  // ctime too: a binary written over in place with its old mtime put back keeps size, mtime and
  // inode, but not ctime. And the shared library it loads: a launcher of the same size can run
  // another version's libpython.
  const key = [CACHE_FORMAT, invoked, real, st.size, st.mtimeMs, st.ctimeMs, st.ino, ...cfgStamps, ...(await sharedLibraryStamps(real))];
  return { key: JSON.stringify(key), real, size: st.size };
}

/**
 * Size, mtime, ctime and inode of the libpython files beside an install (`<prefix>/lib/libpython*`;
 * `pythonXY.dll` next to python.exe on Windows): what a shared build's launcher loads.
 */
async function sharedLibraryStamps(realExe: string): Promise<string[]> {
  const windows = process.platform === 'win32';
  const dir = windows ? path.dirname(realExe) : path.join(path.dirname(path.dirname(realExe)), 'lib');
  const names = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => (windows ? /^python\d+t?\.dll$/i.test(n) : /^libpython\d/.test(n))).sort();
  return Promise.all(names.map((n) => fs.stat(path.join(dir, n)).then((l) => `${n}:${l.size}:${l.mtimeMs}:${l.ctimeMs}:${l.ino}`, () => `${n}:-`)));
}

async function startsWithShebang(file: string): Promise<boolean> {
  // An execute-only binary cannot be read; it is not a script either.
  const handle = await fs.open(file, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const buf = Buffer.alloc(2);
    await handle.read(buf, 0, 2, 0);
    return buf.toString('latin1') === '#!';
  } finally {
    await handle.close();
  }
}

async function readCache(file: string, key: string): Promise<InterpreterInfo | undefined> {
  try {
    const data = JSON.parse(await fs.readFile(file, 'utf8')) as { key?: unknown; info?: unknown };
    if (data.key === key && isInterpreterInfo(data.info)) return data.info;
  } catch {
    // missing or unreadable cache: ask the interpreter
  }
  return undefined;
}

async function writeCache(file: string, key: string, info: InterpreterInfo): Promise<void> {
  // Unique per writer: builders running at once in one process may write the same entry in the same millisecond.
  const tmp = `${file}.${process.pid}-${randomHex(6)}.tmp`;
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(tmp, JSON.stringify({ key, info }));
    await fs.rename(tmp, file);
  } catch {
    // The cache only saves time; failing to write it must not fail a create (nor leave a temp file).
    await fs.rm(tmp, { force: true }).catch(() => undefined);
  }
}

async function introspect(invoked: string, env: NodeJS.ProcessEnv, signal: AbortSignal | undefined, timeoutMs: number): Promise<InterpreterInfo> {
  introspections++;
  const execa = await loadExeca();
  // Its own process group, so a timeout or a cancel kills everything it started: a child that
  // inherited stdout (a wrapper script's `sleep`) would otherwise keep the pipe, and this call, open.
  const ownGroup = process.platform !== 'win32';
  const subprocess = execa(invoked, ['-I', '-S', '-c', INTROSPECTION_SCRIPT], {
    env: { ...env, PYTHONIOENCODING: 'utf-8' },
    extendEnv: false,
    reject: false,
    detached: ownGroup,
    stdin: 'ignore',
    maxBuffer: 4 * 1024 * 1024,
  });
  let timedOut = false;
  const killAll = () => {
    if (ownGroup) killProcessGroup(subprocess.pid, () => subprocess.kill('SIGKILL'));
    else subprocess.kill('SIGKILL');
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killAll();
  }, timeoutMs);
  signal?.addEventListener('abort', killAll, { once: true });
  if (signal?.aborted) killAll();
  let result;
  try {
    result = await subprocess;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', killAll);
  }
  if (signal?.aborted) throw new VenvError('Cancelled.', { code: 'cancelled', cause: signal.reason });
  const code = (result as { code?: string }).code;
  if (code === 'EACCES') throw new VenvError(`The Python interpreter '${invoked}' is not executable.`, { code: 'bad-interpreter' });
  if (code === 'ENOENT') throw new VenvError(`The Python interpreter '${invoked}' does not exist.`, { code: 'no-interpreter' });
  if (code === 'ENOEXEC') throw new VenvError(`'${invoked}' is not a program this system can run.`, { code: 'bad-interpreter' });
  const stdout = typeof result.stdout === 'string' ? result.stdout : '';
  const stderr = typeof result.stderr === 'string' ? result.stderr.trim() : '';
  const at = stdout.lastIndexOf(FACTS_MARKER);
  if (/Unknown option: -I/.test(stderr)) {
    throw new VenvError(`'${invoked}' is older than Python 3.4; virtual environments need Python 3.`, { code: 'bad-interpreter' });
  }
  if (result.exitCode !== 0 || at < 0) {
    const seconds = Math.round(timeoutMs / 1000);
    const why = timedOut
      ? `did not answer within ${seconds} second${seconds === 1 ? '' : 's'} (it and every process it started were stopped)`
      : result.exitCode !== 0
        ? `failed${result.signal ? ` (killed by ${result.signal})` : ` with exit code ${result.exitCode}`}`
        : 'did not answer like a Python interpreter';
    const detail = stderr ? `: ${stderr.split('\n').slice(-3).join(' ')}` : '';
    throw new VenvError(`The Python interpreter '${invoked}' ${why} when asked for its version and paths${detail}`, { code: 'bad-interpreter' });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout.slice(at + FACTS_MARKER.length).split('\n')[0]);
  } catch {
    throw new VenvError(`The Python interpreter '${invoked}' did not answer like a Python interpreter.`, { code: 'bad-interpreter' });
  }
  const error = (parsed as { error?: unknown }).error;
  if (typeof error === 'string') throw new VenvError(`${invoked}: ${error}.`, { code: 'bad-interpreter' });
  if (!isInterpreterInfo(parsed)) throw new VenvError(`The Python interpreter '${invoked}' did not answer like a Python interpreter.`, { code: 'bad-interpreter' });
  if (parsed.venvPaths === null) delete parsed.venvPaths;
  return parsed;
}

function isInterpreterInfo(value: unknown): value is InterpreterInfo {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.executable === 'string' &&
    typeof v.baseExecutable === 'string' &&
    typeof v.realExecutable === 'string' &&
    Array.isArray(v.version) &&
    v.version.length === 3 &&
    v.version.every((n) => typeof n === 'number') &&
    typeof v.versionString === 'string' &&
    (v.osName === 'posix' || v.osName === 'nt') &&
    typeof v.stdlib === 'string' &&
    typeof v.is64bit === 'boolean' &&
    Array.isArray(v.bundledWheels)
  );
}

/** Compares `info.version` with `[major, minor(, micro)]`. */
export function versionAtLeast(info: Pick<InterpreterInfo, 'version'>, ...want: number[]): boolean {
  for (let i = 0; i < want.length; i++) {
    const have = info.version[i] ?? 0;
    if (have !== want[i]) return have > want[i];
  }
  return true;
}

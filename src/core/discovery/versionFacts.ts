/**
 * Python versions read from the file system, never by running an interpreter: discovery must stay
 * safe in an untrusted workspace and fast with dozens of installs.
 */
import * as path from 'node:path';
import { readdirOrEmpty } from '../fsUtil';
import { readRegularFileHead } from './safeRead';
import { parseVersion, type VersionParts } from '../version';

export { parseVersion, type VersionParts };

/** Newest first; a version with more known parts sorts before its own prefix ('3.12.1' before '3.12'). */
export function compareVersionsDesc(a: string | undefined, b: string | undefined): number {
  const pa = a === undefined ? undefined : parseVersion(a);
  const pb = b === undefined ? undefined : parseVersion(b);
  if (!pa || !pb) return pa ? -1 : pb ? 1 : 0;
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? -1;
    const y = pb[i] ?? -1;
    if (x !== y) return y - x;
  }
  return 0;
}

/**
 * A Python version as every list shows it: `3.14.7`, `3.14.7 free-threaded` (the build matters as
 * much as the number: its packages need their own wheels). Undefined when the version is unknown.
 */
export function versionLabel(version: string | undefined, freeThreaded?: boolean): string | undefined {
  if (version === undefined) return undefined;
  return freeThreaded ? `${version} free-threaded` : version;
}

export interface ExecutableNameFacts {
  implementation: string;
  version?: string;
  freeThreaded: boolean;
}

/** Names of interpreters we list: python, python3, python3.12, python3.13t, pypy3, pypy3.10 (+ .exe). */
const INTERPRETER_NAME = /^(python|pypy|graalpy)(\d+(?:\.\d+)?)?(t)?(\.exe)?$/i;

export function parseExecutableName(fileName: string): ExecutableNameFacts | undefined {
  const m = INTERPRETER_NAME.exec(fileName);
  if (!m) return undefined;
  const family = m[1].toLowerCase();
  const version = m[2];
  return {
    implementation: family === 'python' ? 'cpython' : family,
    ...(version ? { version } : {}),
    freeThreaded: m[3] !== undefined,
  };
}

export interface PyenvVersionName {
  implementation: string;
  version?: string;
  freeThreaded: boolean;
}

/**
 * pyenv version folder names: `3.12.1`, `3.13.0t`, `3.14-dev`, `pypy3.10-7.3.12`, `graalpy-23.1.0`,
 * `miniconda3-latest`. Only the language version is taken; for PyPy that is the part before `-`.
 */
export function parsePyenvVersionName(name: string): PyenvVersionName | undefined {
  let m = /^(\d+\.\d+(?:\.\d+)?)(t)?(?:$|[-a-z])/.exec(name);
  if (m) return { implementation: 'cpython', version: m[1], freeThreaded: m[2] !== undefined };
  m = /^pypy(\d+\.\d+)?/.exec(name);
  if (m) return { implementation: 'pypy', ...(m[1] ? { version: m[1] } : {}), freeThreaded: false };
  m = /^(graalpy|jython|ironpython|stackless|pyston|micropython|cinder|nogil|activepython)/i.exec(name);
  if (m) return { implementation: m[1].toLowerCase(), freeThreaded: false };
  return undefined;
}

/** `#define PY_VERSION "3.11.2"` from a patchlevel.h; pre-release tags dropped like venv's cfg does. */
export async function readPatchlevelVersion(patchlevelPath: string): Promise<string | undefined> {
  const head = await readRegularFileHead(patchlevelPath, 16 * 1024);
  if (!head) return undefined;
  const text = head.bytes.toString('latin1');
  const m = /#\s*define\s+PY_VERSION\s+"(\d+\.\d+\.\d+)/.exec(text);
  return m?.[1];
}

/**
 * The version of the Python installed at `prefix` (the folder above `bin`), from its files:
 * POSIX `lib/pythonX.Y[t]/` and `include/pythonX.Y[t]/patchlevel.h`; Windows `pythonXY.dll` and
 * `include/patchlevel.h`. `hint` is what the executable's name already says ('3.11'), used to pick
 * among several `lib/python*` folders (Debian's /usr/lib has python3 and python3.11).
 */
export async function readInstallVersion(prefix: string, opts: { windows?: boolean; hint?: string } = {}): Promise<string | undefined> {
  if (opts.windows) {
    const dll = (await readdirOrEmpty(prefix)).map((n) => /^python(\d)(\d+)t?\.dll$/i.exec(n)).find((m) => m);
    const minor = dll ? `${dll[1]}.${dll[2]}` : opts.hint;
    const full = await readPatchlevelVersion(path.join(prefix, 'include', 'patchlevel.h'));
    if (full && (!minor || full.startsWith(`${minor}.`))) return full;
    return minor;
  }
  const libNames = (await readdirOrEmpty(path.join(prefix, 'lib'))).filter((n) => /^python\d+\.\d+t?$/.test(n));
  let minor: string | undefined;
  if (opts.hint && /^\d+\.\d+$/.test(opts.hint)) minor = opts.hint;
  else {
    const candidates = libNames
      .map((n) => n.slice('python'.length).replace(/t$/, ''))
      .filter((v) => !opts.hint || v.startsWith(`${opts.hint}.`));
    if (new Set(candidates).size === 1) minor = candidates[0];
  }
  if (!minor) return opts.hint;
  for (const dirName of [`python${minor}`, `python${minor}t`]) {
    const full = await readPatchlevelVersion(path.join(prefix, 'include', dirName, 'patchlevel.h'));
    if (full && full.startsWith(`${minor}.`)) return full;
  }
  return minor;
}

/**
 * Pointer width of an executable read from its header (ELF class, PE machine, Mach-O magic).
 * Reading bytes runs nothing. Undefined for scripts and anything unrecognised.
 */
export async function readExecutableBits(file: string): Promise<32 | 64 | undefined> {
  const head = await readRegularFileHead(file, 4096);
  if (!head) return undefined;
  const buf = head.bytes;
  if (buf.length >= 5 && buf.readUInt32BE(0) === 0x7f454c46) return buf[4] === 2 ? 64 : buf[4] === 1 ? 32 : undefined;
  if (buf.length >= 4) {
    const magic = buf.readUInt32LE(0);
    if (magic === 0xfeedfacf) return 64;
    if (magic === 0xfeedface) return 32;
  }
  if (buf.length >= 0x40 && buf[0] === 0x4d && buf[1] === 0x5a) {
    const peOffset = buf.readUInt32LE(0x3c);
    if (peOffset + 6 <= buf.length && buf.readUInt32LE(peOffset) === 0x00004550) {
      const machine = buf.readUInt16LE(peOffset + 4);
      if (machine === 0x8664 || machine === 0xaa64) return 64;
      if (machine === 0x14c || machine === 0x1c4) return 32;
    }
  }
  return undefined;
}

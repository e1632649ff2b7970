// Finds the real CPython interpreters on this machine (pyenv versions and the system's), never hard-coded.
import { execFileSync } from 'node:child_process';
import { readdirSync, realpathSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface FoundPython {
  /** e.g. ~/.pyenv/versions/3.12.1/bin/python3.12 */
  path: string;
  version: [number, number, number];
  /** A free-threaded build (Py_GIL_DISABLED): `lib/python3.14t`, `python3.14t`. */
  freeThreaded: boolean;
  label: string;
}

function candidates(): string[] {
  const out: string[] = [];
  const pyenvRoot = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
  const versionsDir = path.join(pyenvRoot, 'versions');
  let versions: string[] = [];
  try {
    versions = readdirSync(versionsDir);
  } catch {
    // no pyenv here
  }
  for (const v of versions) {
    const bin = path.join(versionsDir, v, 'bin');
    try {
      // A free-threaded install names its binary python3.14t and hard-links python3.14 to it: the
      // t name sorts first so it is the one tested, as it is the one people run.
      const names = readdirSync(bin).filter((name) => /^python3\.\d+t?$/.test(name));
      for (const name of names.sort((a, b) => b.length - a.length)) out.push(path.join(bin, name));
    } catch {
      // not an interpreter install
    }
  }
  try {
    for (const name of readdirSync('/usr/bin')) if (/^python3\.\d+$/.test(name)) out.push(path.join('/usr/bin', name));
  } catch {
    // no system interpreters
  }
  return out;
}

let cached: FoundPython[] | undefined;

/** Every CPython 3 on the machine, oldest first, one per real binary (hard links count as one). */
export function findPythons(): FoundPython[] {
  if (cached) return cached;
  const seen = new Set<string>();
  const found: FoundPython[] = [];
  for (const p of candidates()) {
    let identity: string;
    try {
      const st = statSync(realpathSync(p));
      if (!st.isFile()) continue;
      identity = `${st.dev}:${st.ino}`;
    } catch {
      continue;
    }
    if (seen.has(identity)) continue;
    seen.add(identity);
    try {
      const probe = 'import sys, platform, sysconfig; print(platform.python_implementation(), bool(sysconfig.get_config_var("Py_GIL_DISABLED")), *sys.version_info[:3])';
      const out = execFileSync(p, ['-I', '-S', '-c', probe], { encoding: 'utf8' }).trim();
      const [impl, gilDisabled, ...nums] = out.split(' ');
      if (impl !== 'CPython') continue;
      const version = nums.map(Number) as [number, number, number];
      const freeThreaded = gilDisabled === 'True';
      found.push({ path: p, version, freeThreaded, label: `${version.join('.')}${freeThreaded ? ' free-threaded' : ''} (${p})` });
    } catch {
      // broken interpreter: not a test subject
    }
  }
  found.sort((a, b) => a.version[0] - b.version[0] || a.version[1] - b.version[1] || a.version[2] - b.version[2] || Number(a.freeThreaded) - Number(b.freeThreaded));
  cached = found;
  return found;
}

export function atLeast(p: FoundPython, major: number, minor: number): boolean {
  return p.version[0] > major || (p.version[0] === major && p.version[1] >= minor);
}

// Finds the real CPython interpreters on this machine (pyenv versions and the system's), never hard-coded.
import { execFileSync } from 'node:child_process';
import { readdirSync, realpathSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface FoundPython {
  /** e.g. ~/.pyenv/versions/3.12.1/bin/python3.12 */
  path: string;
  version: [number, number, number];
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
      for (const name of readdirSync(bin)) if (/^python3\.\d+$/.test(name)) out.push(path.join(bin, name));
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

/** Every CPython 3 on the machine, oldest first, one per real binary. */
export function findPythons(): FoundPython[] {
  if (cached) return cached;
  const seen = new Set<string>();
  const found: FoundPython[] = [];
  for (const p of candidates()) {
    let real: string;
    try {
      real = realpathSync(p);
      if (!statSync(real).isFile()) continue;
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    try {
      const out = execFileSync(p, ['-I', '-S', '-c', 'import sys, platform; print(platform.python_implementation(), *sys.version_info[:3])'], { encoding: 'utf8' }).trim();
      const [impl, ...nums] = out.split(' ');
      if (impl !== 'CPython') continue;
      const version = nums.map(Number) as [number, number, number];
      found.push({ path: p, version, label: `${version.join('.')} (${p})` });
    } catch {
      // broken interpreter: not a test subject
    }
  }
  found.sort((a, b) => a.version[0] - b.version[0] || a.version[1] - b.version[1] || a.version[2] - b.version[2]);
  cached = found;
  return found;
}

export function atLeast(p: FoundPython, major: number, minor: number): boolean {
  return p.version[0] > major || (p.version[0] === major && p.version[1] >= minor);
}

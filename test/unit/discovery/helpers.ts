// Shared fixtures for the discovery tests: temp trees, hand-made environments, trap interpreters.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function tempDir(label: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `vm-discovery-${label}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function write(file: string, content: string | Uint8Array, mode?: number): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content, mode === undefined ? undefined : { mode });
  return file;
}

/**
 * An executable that, if anything ever runs it, leaves `marker` behind. Discovery must never run
 * what it finds; the tests assert the marker does not exist.
 */
export function trapExecutable(file: string, marker: string): string {
  return write(file, `#!/bin/sh\necho ran "$0" >> '${marker}'\n`, 0o755);
}

/** A fake Python install prefix: bin/<names>, lib/pythonX.Y/, include/pythonX.Y/patchlevel.h. */
export function fakeInstall(prefix: string, version: string, marker: string, names = ['python3']): string {
  const [major, minor] = version.split('.');
  const real = trapExecutable(path.join(prefix, 'bin', `python${major}.${minor}`), marker);
  for (const name of names) if (name !== path.basename(real)) symlinkSync(path.basename(real), path.join(prefix, 'bin', name));
  mkdirSync(path.join(prefix, 'lib', `python${major}.${minor}`, 'site-packages'), { recursive: true });
  write(path.join(prefix, 'include', `python${major}.${minor}`, 'patchlevel.h'), `/* test */\n#define PY_VERSION              "${version}"\n`);
  return real;
}

/** A venv-shaped folder: pyvenv.cfg as given, bin/python a link to `python` (or a trap script). */
export function fakeEnv(envDir: string, cfg: string | Uint8Array, python?: { linkTo?: string; trapMarker?: string }): string {
  write(path.join(envDir, 'pyvenv.cfg'), cfg);
  mkdirSync(path.join(envDir, 'bin'), { recursive: true });
  mkdirSync(path.join(envDir, 'lib', 'python3.12', 'site-packages'), { recursive: true });
  if (python?.linkTo) symlinkSync(python.linkTo, path.join(envDir, 'bin', 'python'));
  else if (python?.trapMarker) trapExecutable(path.join(envDir, 'bin', 'python'), python.trapMarker);
  return envDir;
}

/** The real CPython 3 interpreters of this machine (pyenv's and the system's), discovered, never hard-coded. */
export function realPythons(): { path: string; version: string }[] {
  const found: { path: string; version: string }[] = [];
  const pyenvRoot = process.env.PYENV_ROOT || path.join(os.homedir(), '.pyenv');
  const versionsDir = path.join(pyenvRoot, 'versions');
  const candidates: string[] = [];
  if (existsSync(versionsDir)) {
    for (const v of readdirSync(versionsDir)) if (/^3\.\d+\.\d+$/.test(v)) candidates.push(path.join(versionsDir, v, 'bin', 'python3'));
  }
  for (const dir of ['/usr/bin', '/usr/local/bin']) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) if (/^python3\.\d+$/.test(name)) candidates.push(path.join(dir, name));
  }
  for (const p of candidates) {
    if (!existsSync(p)) continue;
    try {
      const version = execFileSync(p, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8', timeout: 20_000 }).trim();
      found.push({ path: p, version });
    } catch {
      // not runnable: not a candidate for these tests
    }
  }
  return found;
}

/** Minimal process environment for discovery with a fake HOME (no real pyenv/PATH leaking in). */
export function fakeProcessEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { HOME: home, PATH: path.join(home, 'no-such-bin'), PYENV_ROOT: path.join(home, '.pyenv'), ...extra };
}

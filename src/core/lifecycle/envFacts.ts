import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readPromptValue, type PyvenvCfg } from '../pyvenvCfg';

/** Facts read from an existing env (no interpreter run) that clear and recreate keep. */
export interface EnvSettings {
  readonly prompt?: string;
  readonly systemSitePackages: boolean;
  readonly symlinks: boolean;
  readonly withPip: boolean;
  /** [major, minor, micro] from `version` / `version_info`, or the lib/pythonX.Y folder. */
  readonly version?: [number, number, number?];
}

export function binDirOf(envDir: string): string {
  return path.join(envDir, process.platform === 'win32' ? 'Scripts' : 'bin');
}

export function envPythonOf(envDir: string): string {
  return path.join(binDirOf(envDir), process.platform === 'win32' ? 'python.exe' : 'python');
}

/** Interpreter entries in bin/Scripts: python, python3, python3.12, python3.13t, pythonw.exe ... */
export function isInterpreterEntryName(name: string): boolean {
  return /^pythonw?(\d+(\.\d+)?)?t?(_d)?(\.exe)?$/i.test(name);
}

export function parseVersion(text: string | undefined): [number, number, number?] | undefined {
  const m = text ? /^\s*(\d+)\.(\d+)(?:\.(\d+))?/.exec(text) : null;
  if (!m) return undefined;
  return m[3] === undefined ? [Number(m[1]), Number(m[2])] : [Number(m[1]), Number(m[2]), Number(m[3])];
}

async function libPythonVersion(envDir: string): Promise<[number, number] | undefined> {
  try {
    for (const name of await fs.readdir(path.join(envDir, 'lib'))) {
      const m = /^python(\d+)\.(\d+)t?$/.exec(name);
      if (m) return [Number(m[1]), Number(m[2])];
    }
  } catch {
    // Windows layout or no lib folder
  }
  return undefined;
}

async function sitePackagesDirs(envDir: string): Promise<string[]> {
  if (process.platform === 'win32') return [path.join(envDir, 'Lib', 'site-packages')];
  const out: string[] = [];
  try {
    for (const name of await fs.readdir(path.join(envDir, 'lib'))) {
      if (name.startsWith('python')) out.push(path.join(envDir, 'lib', name, 'site-packages'));
    }
  } catch {
    // no lib folder
  }
  return out;
}

async function isDir(p: string): Promise<boolean> {
  return fs.stat(p).then((s) => s.isDirectory(), () => false);
}

export async function readEnvSettings(envDir: string, cfg: PyvenvCfg): Promise<EnvSettings> {
  const rawPrompt = cfg.values.get('prompt');
  let symlinks = false;
  try {
    for (const name of await fs.readdir(binDirOf(envDir))) {
      if (isInterpreterEntryName(name) && (await fs.lstat(path.join(binDirOf(envDir), name))).isSymbolicLink()) symlinks = true;
    }
  } catch {
    // no bin folder: a broken env; build the new one with the platform default
    symlinks = process.platform !== 'win32';
  }
  let withPip = false;
  for (const dir of await sitePackagesDirs(envDir)) if (await isDir(path.join(dir, 'pip'))) withPip = true;
  const version = parseVersion(cfg.values.get('version')) ?? parseVersion(cfg.values.get('version_info')) ?? (await libPythonVersion(envDir));
  return {
    ...(rawPrompt !== undefined ? { prompt: readPromptValue(rawPrompt) } : {}),
    systemSitePackages: (cfg.values.get('include-system-site-packages') ?? '').toLowerCase() === 'true',
    symlinks,
    withPip,
    ...(version ? { version } : {}),
  };
}

async function isExecutableFile(p: string): Promise<boolean> {
  try {
    const st = await fs.stat(p);
    if (!st.isFile()) return false;
    await fs.access(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The base interpreter an env was made from, without running anything: the absolute link its
 * bin/ points at (the interpreter exactly as it was invoked), else the cfg's `executable` /
 * `base-executable`, else `home` joined with pythonX.Y / python3 / python. undefined if none of
 * them exists any more.
 */
export async function findBaseInterpreter(envDir: string, cfg: PyvenvCfg, version?: readonly (number | undefined)[]): Promise<string | undefined> {
  const candidates: string[] = [];
  const bin = binDirOf(envDir);
  try {
    for (const name of await fs.readdir(bin)) {
      const p = path.join(bin, name);
      if (!isInterpreterEntryName(name) && !(await fs.lstat(p)).isSymbolicLink()) continue;
      const target = await fs.readlink(p).catch(() => undefined);
      if (target && path.isAbsolute(target) && !target.startsWith(envDir + path.sep)) candidates.push(target);
    }
  } catch {
    // no bin folder
  }
  for (const key of ['base-executable', 'executable']) {
    const v = cfg.values.get(key);
    if (v && path.isAbsolute(v)) candidates.push(v);
  }
  const home = cfg.values.get('home');
  if (home) {
    const names = process.platform === 'win32'
      ? ['python.exe']
      : [...(version && version.length >= 2 ? [`python${version[0]}.${version[1]}`] : []), 'python3', 'python'];
    for (const n of names) candidates.push(path.join(home, n));
  }
  for (const c of candidates) if (await isExecutableFile(c)) return c;
  return undefined;
}

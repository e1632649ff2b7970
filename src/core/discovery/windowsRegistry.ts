/**
 * PEP 514: Python installs register under `Software\Python\<Company>\<Tag>` in HKCU, HKLM and
 * HKLM's 32-bit view (`Software\Wow6432Node\Python`). The reader is an interface so the walk is
 * unit-tested on any OS with an in-memory registry.
 */
import * as path from 'node:path';

export type RegistryHive = 'HKCU' | 'HKLM';

export interface RegistryReader {
  /** Names of the direct subkeys of `key` (e.g. `Software\Python`); [] when the key is absent. */
  subkeys(hive: RegistryHive, key: string): Promise<string[]>;
  /** A string value; `name` '' is the key's default value. Undefined when absent. */
  value(hive: RegistryHive, key: string, name: string): Promise<string | undefined>;
}

export interface RegisteredPython {
  executable: string;
  installPath?: string;
  company: string;
  tag: string;
  version?: string;
  bits?: 32 | 64;
  hive: RegistryHive;
}

const ROOTS: ReadonlyArray<{ hive: RegistryHive; key: string; defaultBits?: 32 }> = [
  { hive: 'HKCU', key: 'Software\\Python' },
  { hive: 'HKLM', key: 'Software\\Python' },
  { hive: 'HKLM', key: 'Software\\Wow6432Node\\Python', defaultBits: 32 },
];

/** Every registered install. Stale entries are returned too; the caller checks the file exists. */
export async function readRegisteredPythons(reader: RegistryReader): Promise<RegisteredPython[]> {
  const found: RegisteredPython[] = [];
  for (const root of ROOTS) {
    for (const company of await reader.subkeys(root.hive, root.key)) {
      // PEP 514 reserves PyLauncher for the py launcher's own settings, not an install.
      if (company.toLowerCase() === 'pylauncher') continue;
      const companyKey = `${root.key}\\${company}`;
      for (const tag of await reader.subkeys(root.hive, companyKey)) {
        const tagKey = `${companyKey}\\${tag}`;
        const installKey = `${tagKey}\\InstallPath`;
        const installPath = await reader.value(root.hive, installKey, '');
        let executable = await reader.value(root.hive, installKey, 'ExecutablePath');
        // PEP 514: without ExecutablePath only PythonCore promises python.exe in InstallPath.
        if (!executable && installPath && company === 'PythonCore') executable = joinInstallPath(installPath, 'python.exe');
        if (!executable) continue;
        const version = (await reader.value(root.hive, tagKey, 'Version')) ?? (await reader.value(root.hive, tagKey, 'SysVersion')) ?? (company === 'PythonCore' ? /^\d+\.\d+/.exec(tag)?.[0] : undefined);
        const arch = await reader.value(root.hive, tagKey, 'SysArchitecture');
        const bits = arch === '64bit' ? 64 : arch === '32bit' ? 32 : tag.endsWith('-32') ? 32 : root.defaultBits;
        found.push({
          executable,
          ...(installPath ? { installPath } : {}),
          company,
          tag,
          ...(version ? { version } : {}),
          ...(bits ? { bits } : {}),
          hive: root.hive,
        });
      }
    }
  }
  return found;
}

function joinInstallPath(installPath: string, file: string): string {
  // Registry paths are Windows paths; join them as such even when the walk runs elsewhere (tests).
  return installPath.includes('\\') ? path.win32.join(installPath, file) : path.posix.join(installPath, file);
}

/** Key path -> value name -> data, as printed by `reg query KEY /s`. */
export type RegistrySnapshot = Map<string, Map<string, string>>;

const HIVE_PREFIX: Record<string, RegistryHive> = { HKEY_CURRENT_USER: 'HKCU', HKEY_LOCAL_MACHINE: 'HKLM', HKCU: 'HKCU', HKLM: 'HKLM' };

/** Parses `reg query <key> /s` output: key lines at column 0, `    name    REG_TYPE    data` under them. */
export function parseRegQueryOutput(text: string): RegistrySnapshot {
  const snapshot: RegistrySnapshot = new Map();
  let current: Map<string, string> | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (!/^\s/.test(line)) {
      const [hiveName, ...rest] = line.trim().split('\\');
      const hive = HIVE_PREFIX[hiveName.toUpperCase()];
      if (!hive) {
        current = undefined;
        continue;
      }
      current = new Map();
      snapshot.set(`${hive}\\${rest.join('\\')}`.toLowerCase(), current);
      continue;
    }
    const m = /^\s+(.*?)\s{4}(REG_[A-Z_]+)(?:\s{4}(.*))?$/.exec(line);
    if (m && current) current.set(m[1] === '(Default)' ? '' : m[1].toLowerCase(), m[3] ?? '');
  }
  return snapshot;
}

/** A RegistryReader over snapshots (one per root), keeping the original spelling of subkey names. */
export class SnapshotRegistryReader implements RegistryReader {
  private readonly keys = new Map<string, string>(); // lower-cased full key -> original full key
  constructor(private readonly snapshot: RegistrySnapshot, originalKeys: Iterable<string> = []) {
    for (const k of originalKeys) this.keys.set(k.toLowerCase(), k);
    for (const k of snapshot.keys()) if (!this.keys.has(k)) this.keys.set(k, k);
  }

  async subkeys(hive: RegistryHive, key: string): Promise<string[]> {
    const prefix = `${hive}\\${key}\\`.toLowerCase();
    const names = new Set<string>();
    for (const [lower, original] of this.keys) {
      if (!lower.startsWith(prefix)) continue;
      names.add(original.slice(prefix.length).split('\\')[0]);
    }
    return [...names];
  }

  async value(hive: RegistryHive, key: string, name: string): Promise<string | undefined> {
    return this.snapshot.get(`${hive}\\${key}`.toLowerCase())?.get(name.toLowerCase());
  }
}

/** Key names as printed (case kept), for SnapshotRegistryReader's subkey names. */
function keyLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '' && !/^\s/.test(l))
    .map((l) => {
      const [hiveName, ...rest] = l.trim().split('\\');
      return `${HIVE_PREFIX[hiveName.toUpperCase()] ?? hiveName}\\${rest.join('\\')}`;
    });
}

/**
 * The real reader on Windows: one `reg.exe query /s` per PEP 514 root (reg.exe is the OS's tool,
 * not something discovery found). On other systems there is no registry: an empty reader.
 */
export async function loadWindowsRegistry(env: NodeJS.ProcessEnv = process.env): Promise<RegistryReader> {
  if (process.platform !== 'win32') return new SnapshotRegistryReader(new Map());
  const regExe = path.win32.join(env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows', 'System32', 'reg.exe');
  const outputs = await Promise.all(
    ROOTS.map(
      (root) =>
        new Promise<string>((resolve) => {
          // Loaded on use: child_process costs every start-up of the command line, and this runs on Windows only.
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          (require('node:child_process') as typeof import('node:child_process')).execFile(regExe, ['query', `${root.hive}\\${root.key}`, '/s'], { windowsHide: true, timeout: 10_000, maxBuffer: 8 * 1024 * 1024 }, (err, stdout) =>
            resolve(err ? '' : stdout),
          );
        }),
    ),
  );
  const text = outputs.join('\n');
  return new SnapshotRegistryReader(parseRegQueryOutput(text), keyLines(text));
}

/**
 * What an env's interpreter is, as far as markers and wheel tags need it, known without running
 * it: the Python version from pyvenv.cfg, the implementation and free-threading from the env's lib
 * folder, the OS and machine from Node (the env runs on this machine), glibc/musl from Node's
 * process report.
 */
import { fsp as fs } from '../asyncFs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parsePyvenvCfg } from '../pyvenvCfg';
import type { MarkerEnvironment } from './pep508';

export interface TargetFacts {
  readonly version: readonly [number, number, number];
  /** 'cpython' or 'pypy'. */
  readonly implementation: string;
  readonly freeThreaded: boolean;
  readonly platform: NodeJS.Platform;
  /** platform.machine(): x86_64, aarch64, arm64, AMD64 ... */
  readonly machine: string;
  /** [major, minor] of glibc on Linux, when Node runs on glibc. */
  readonly glibc?: readonly [number, number];
}

function parseFullVersion(text: string | undefined): [number, number, number] | undefined {
  const m = text ? /^\s*(\d+)\.(\d+)(?:\.(\d+))?/.exec(text) : null;
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

function glibcVersion(): [number, number] | undefined {
  if (process.platform !== 'linux') return undefined;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  const m = /^(\d+)\.(\d+)/.exec(header?.glibcVersionRuntime ?? '');
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

let cachedGlibc: [number, number] | undefined | null = null;

/** What this machine says about itself (an env runs where it is). */
function hostFacts(): Pick<TargetFacts, 'platform' | 'machine' | 'glibc'> {
  if (cachedGlibc === null) cachedGlibc = glibcVersion();
  return {
    platform: process.platform,
    machine: process.platform === 'win32' ? (os.arch() === 'arm64' ? 'ARM64' : os.arch() === 'ia32' ? 'x86' : 'AMD64') : os.machine(),
    ...(cachedGlibc ? { glibc: cachedGlibc } : {}),
  };
}

/** The facts of an env about to be built from a base interpreter whose facts are known. */
export function targetFactsFromInterpreter(info: { version: readonly [number, number, number]; implementation: string; gilDisabled: boolean }): TargetFacts {
  return { version: info.version, implementation: info.implementation === 'pypy' ? 'pypy' : 'cpython', freeThreaded: info.gilDisabled, ...hostFacts() };
}

/** The facts of the env at `envDir`; undefined version means its pyvenv.cfg names none. */
export async function targetFactsOf(envDir: string): Promise<TargetFacts | undefined> {
  const cfg = await fs.readFile(path.join(envDir, 'pyvenv.cfg')).then(parsePyvenvCfg, () => undefined);
  let version = parseFullVersion(cfg?.values.get('version')) ?? parseFullVersion(cfg?.values.get('version_info'));
  let implementation = 'cpython';
  let freeThreaded = false;
  const libNames = await fs.readdir(path.join(envDir, 'lib')).catch(() => [] as string[]);
  for (const name of libNames) {
    const m = /^(python|pypy)(\d+)\.(\d+)(t?)$/.exec(name);
    if (!m) continue;
    implementation = m[1] === 'pypy' ? 'pypy' : 'cpython';
    freeThreaded = m[4] === 't';
    version ??= [Number(m[2]), Number(m[3]), 0];
  }
  if ((cfg?.values.get('implementation') ?? '').toLowerCase() === 'pypy') implementation = 'pypy';
  if (!version) return undefined;
  return { version, implementation, freeThreaded, ...hostFacts() };
}

/** The PEP 508 marker environment of the target (extras and groups are added by the caller). */
export function markerEnvironment(t: TargetFacts): Record<string, string> {
  const full = t.version.join('.');
  const sysPlatform = t.platform === 'win32' ? 'win32' : t.platform === 'darwin' ? 'darwin' : t.platform === 'linux' ? 'linux' : t.platform;
  return {
    python_version: `${t.version[0]}.${t.version[1]}`,
    python_full_version: full,
    implementation_name: t.implementation,
    implementation_version: full,
    platform_python_implementation: t.implementation === 'pypy' ? 'PyPy' : 'CPython',
    os_name: t.platform === 'win32' ? 'nt' : 'posix',
    sys_platform: sysPlatform,
    platform_system: t.platform === 'win32' ? 'Windows' : t.platform === 'darwin' ? 'Darwin' : t.platform === 'linux' ? 'Linux' : os.type(),
    platform_machine: t.machine,
    platform_release: os.release(),
    platform_version: os.version(),
  };
}

export function withSets(env: Record<string, string>, sets: { extras?: Iterable<string>; groups?: Iterable<string> }): MarkerEnvironment {
  const extras = new Set(sets.extras ?? []);
  return { ...env, extra: extras, extras, dependency_groups: new Set(sets.groups ?? []) };
}

function platformTags(t: TargetFacts): string[] {
  const arch = t.machine;
  if (t.platform === 'win32') return [arch === 'ARM64' ? 'win_arm64' : arch === 'x86' ? 'win32' : 'win_amd64'];
  if (t.platform === 'darwin') {
    // macOS 11+ is Darwin 20+; wheels name the oldest macOS they run on.
    const darwin = Number(os.release().split('.')[0]);
    const major = darwin >= 20 ? darwin - 9 : 10;
    const arches = arch === 'arm64' ? ['arm64', 'universal2'] : ['x86_64', 'intel', 'fat64', 'fat32', 'universal2', 'universal'];
    const out: string[] = [];
    for (let v = major; v >= 11; v--) for (const a of arches) out.push(`macosx_${v}_0_${a}`);
    for (let minor = darwin >= 20 ? 16 : Math.max(0, darwin - 4); minor >= 0; minor--) for (const a of arches) out.push(`macosx_10_${minor}_${a}`);
    return out;
  }
  const machine = arch === 'arm64' ? 'aarch64' : arch;
  const out: string[] = [];
  if (t.glibc && t.glibc[0] === 2) {
    for (let minor = t.glibc[1]; minor >= 5; minor--) {
      out.push(`manylinux_2_${minor}_${machine}`);
      if (minor === 17) out.push(`manylinux2014_${machine}`);
      if (minor === 12) out.push(`manylinux2010_${machine}`);
      if (minor === 5) out.push(`manylinux1_${machine}`);
    }
  }
  out.push(`linux_${machine}`);
  return out;
}

/**
 * The wheel tags the target accepts, most specific first (the order pip and uv prefer): the
 * interpreter's own ABI, abi3 of this and older CPython 3 versions, no ABI; then pure-Python tags.
 */
export function supportedTags(t: TargetFacts): string[] {
  const [major, minor] = t.version;
  const plats = platformTags(t);
  const tags: string[] = [];
  const add = (py: string, abi: string, plat: string) => tags.push(`${py}-${abi}-${plat}`);
  if (t.implementation === 'cpython') {
    const cp = `cp${major}${minor}`;
    for (const p of plats) add(cp, `${cp}${t.freeThreaded ? 't' : ''}`, p);
    if (!t.freeThreaded) for (let m = minor; m >= 2; m--) for (const p of plats) add(`cp${major}${m}`, 'abi3', p);
    for (const p of plats) add(cp, 'none', p);
  }
  for (let m = minor; m >= 0; m--) for (const p of plats) add(`py${major}${m}`, 'none', p);
  for (const p of plats) add(`py${major}`, 'none', p);
  if (t.implementation === 'cpython') add(`cp${major}${minor}`, 'none', 'any');
  for (let m = minor; m >= 0; m--) {
    add(`py${major}${m}`, 'none', 'any');
    if (m === minor) add(`py${major}`, 'none', 'any');
  }
  return [...new Set(tags)];
}

/** The tags a wheel file name declares (compressed tag sets expanded), or undefined if it is no wheel name. */
export function wheelTags(fileName: string): { project: string; version: string; tags: string[] } | undefined {
  const m = /^([^-]+)-([^-]+)(?:-\d[^-]*)?-([^-]+)-([^-]+)-([^-]+)\.whl$/i.exec(fileName);
  if (!m) return undefined;
  const tags: string[] = [];
  for (const py of m[3].split('.')) for (const abi of m[4].split('.')) for (const plat of m[5].split('.')) tags.push(`${py}-${abi}-${plat}`);
  return { project: m[1], version: m[2], tags };
}

/**
 * Where things go inside an environment, per base interpreter version and platform, as the venv of
 * THAT version lays them out. Pure: no file-system access; the builder does the work.
 */
import * as path from 'node:path';
import { ENV_PLACEHOLDER, versionAtLeast, type InterpreterInfo } from './interpreter';
import { targetPlatform, type TargetPlatform } from './platform';

export interface EnvLayout {
  /** Path parts relative to the env dir. */
  readonly binParts: readonly string[];
  readonly includeParts: readonly string[];
  /** site-packages (`purelib`). */
  readonly libParts: readonly string[];
  /**
   * 3.15+: the `platlib` folder venv creates instead of the lib64 link (gh-133951); the same as
   * `libParts` where `sys.platlibdir` is `lib`. Undefined for versions that do not create it.
   */
  readonly platlibParts?: readonly string[];
  /** `context.bin_name`: the bin dir relative to the env dir, in the target's path flavour. */
  readonly binName: string;
  /** Create `lib64 -> lib` (64-bit POSIX, not macOS, before 3.15). */
  readonly lib64: boolean;
  /** `context.python_exe`: name of the environment's main interpreter file. */
  readonly pythonExe: string;
}

/** Splits a `{ENV}/a/b` (or `{ENV}\a\b`) scheme path into its parts below the env dir. */
function schemeParts(info: InterpreterInfo, key: string): string[] | undefined {
  const value = info.venvPaths?.[key];
  if (!value || !value.startsWith(ENV_PLACEHOLDER)) return undefined;
  return value.slice(ENV_PLACEHOLDER.length).split(/[\\/]+/).filter(Boolean);
}

export function envLayout(info: InterpreterInfo): EnvLayout {
  const platform = targetPlatform(info.osName);
  const nt = info.osName === 'nt';
  const [major, minor] = info.version;
  // 3.11+ asks sysconfig's venv scheme (bpo-45413); older versions hard-code these.
  const fromScheme = versionAtLeast(info, 3, 11);
  const t = info.gilDisabled ? 't' : '';
  const binParts = (fromScheme && schemeParts(info, 'scripts')) || [nt ? 'Scripts' : 'bin'];
  // 3.11-3.13 took the include folder from the scheme (`include/python3.13[t|d]` on POSIX); 3.14
  // went back to a plain `include` (gh-127724).
  const includeParts = (fromScheme && !versionAtLeast(info, 3, 14) && schemeParts(info, 'include')) || [nt ? 'Include' : 'include'];
  const defaultLib = nt ? ['Lib', 'site-packages'] : ['lib', `python${major}.${minor}${t}`, 'site-packages'];
  const libParts = (fromScheme && schemeParts(info, 'purelib')) || defaultLib;
  const platlib = makesPlatlibDir(info);
  return {
    binParts,
    includeParts,
    libParts,
    ...(platlib ? { platlibParts: schemeParts(info, 'platlib') ?? libParts } : {}),
    binName: binParts.join(platform.path.sep),
    lib64: !platlib && info.is64bit && !nt && info.platform !== 'darwin',
    pythonExe: pythonExeName(info, platform),
  };
}

/** 3.15 (gh-133951) creates the scheme's platlib folder and no longer links lib64 -> lib. */
function makesPlatlibDir(info: InterpreterInfo): boolean {
  return versionAtLeast(info, 3, 15);
}

/**
 * For a change that shipped in patch releases of several lines at once (e.g. 3.13.13 and 3.14.4):
 * true when `info` has it. `firsts` lists the first release of each line that has it, oldest line
 * first; lines before the first listed one never got it, lines after the last one always have it.
 */
export function hasPatchLevelChange(info: Pick<InterpreterInfo, 'version'>, firsts: ReadonlyArray<readonly [number, number, number]>): boolean {
  const [major, minor] = info.version;
  const line = firsts.find(([x, y]) => x === major && y === minor);
  if (line) return versionAtLeast(info, ...line);
  const last = firsts[firsts.length - 1];
  return last !== undefined && versionAtLeast(info, last[0], last[1] + 1);
}

/** `context.python_dir`: the directory of the base executable (venv's `home`), in the target's path flavour. */
export function baseExecutableDir(info: InterpreterInfo): string {
  const p = targetPlatform(info.osName).path;
  const exe = info.baseExecutable || info.executable;
  return p.dirname(p.isAbsolute(exe) ? exe : p.resolve(exe));
}

function pythonExeName(info: InterpreterInfo, platform: TargetPlatform): string {
  const exename = platform.path.basename(info.baseExecutable);
  if (info.osName === 'nt' && versionAtLeast(info, 3, 13)) {
    // 3.13 always names it python.exe / python_d.exe: a launcher copy or a link back to the base.
    return isDebugExe(exename, platform) ? 'python_d.exe' : 'python.exe';
  }
  return exename;
}

function isDebugExe(exename: string, platform: TargetPlatform): boolean {
  return platform.normcase(platform.path.parse(exename).name).endsWith('_d');
}

/** The fourth name 3.14 adds when the file-system encoding is UTF-8 (gh-119535): U+1D70B + `thon`. */
export const PI_THON = '\u{1D70B}thon';

/** POSIX: the extra names next to the main interpreter (links to it or copies of it), in venv's order. */
export function posixInterpreterAliases(info: InterpreterInfo): string[] {
  if (!versionAtLeast(info, 3, 9)) return ['python', 'python3'];
  const names = ['python', 'python3', `python3.${info.version[1]}`];
  // venv compares sys.getfilesystemencoding() with 'utf-8', the normalised name Python reports.
  if (info.version[0] === 3 && info.version[1] === 14 && (info.filesystemEncoding ?? 'utf-8') === 'utf-8') names.push(PI_THON);
  return names;
}

/** One file of a Windows environment's interpreter set: its name in Scripts and where it comes from. */
export interface WindowsInterpreterFile {
  readonly name: string;
  /** The base installation's file (linked when symlinks are wanted). */
  readonly linkSource: string;
  /** The launcher copied instead (undefined: nothing is copied for this name). */
  readonly copySource?: string;
}

export interface WindowsInterpreterPlan {
  readonly files: readonly WindowsInterpreterFile[];
  /**
   * 'all-or-nothing' (3.13): one failed link removes the links made so far and copies every launcher.
   * 'per-file' (3.7-3.12): each file that cannot be linked is replaced by its launcher copy.
   */
  readonly fallback: 'all-or-nothing' | 'per-file';
}

/**
 * Which files go into Scripts\ on Windows. `baseDirEntries` lists the base interpreter's
 * directory, `launcherDirEntries` the base's `Lib\venv\scripts\nt`.
 */
export function windowsInterpreterPlan(
  info: InterpreterInfo,
  opts: { symlinks: boolean; baseDirEntries: readonly string[]; launcherDirEntries: readonly string[] },
): WindowsInterpreterPlan {
  const platform = targetPlatform('nt');
  const p = platform.path;
  // Names are parsed the Windows way; sources are joined with the host's path module because they
  // are read from this machine's file system (the same module on Windows; a stand-in dir in tests).
  const pythonDir = baseExecutableDir(info);
  const launcherDir = path.join(info.stdlib, 'venv', 'scripts', 'nt');
  const baseHas = (name: string) => opts.baseDirEntries.some((e) => platform.normcase(e) === platform.normcase(name));
  const launcherHas = (name: string) => opts.launcherDirEntries.some((e) => platform.normcase(e) === platform.normcase(name));

  if (versionAtLeast(info, 3, 13)) {
    const d = isDebugExe(p.basename(info.baseExecutable), platform) ? '_d' : '';
    const t = info.gilDisabled ? `3.${info.version[1]}t` : '';
    const tl = info.gilDisabled ? 't' : '';
    const names = new Map<string, WindowsInterpreterFile>();
    const add = (name: string, base: string, launcher: string) => {
      if (!names.has(name)) names.set(name, { name, linkSource: path.join(pythonDir, base), copySource: path.join(launcherDir, launcher) });
    };
    for (const [stem, launcher] of [['python', `venvlauncher${tl}${d}.exe`], ['pythonw', `venvwlauncher${tl}${d}.exe`]] as const) {
      const base = `${stem}${t}${d}.exe`;
      add(`${stem}.exe`, base, launcher);
      add(`${stem}${d}.exe`, base, launcher);
      if (t) {
        add(`${stem}${t}.exe`, base, launcher);
        add(`${stem}${t}${d}.exe`, base, launcher);
      }
    }
    const files = [...names.values()];
    if (opts.symlinks) {
      // Linking needs the DLLs next to the executables.
      for (const entry of opts.baseDirEntries) {
        const n = platform.normcase(entry);
        if ((n.startsWith('python') || n.startsWith('vcruntime')) && n.endsWith('.dll')) files.push({ name: entry, linkSource: path.join(pythonDir, entry) });
      }
    }
    return { files, fallback: 'all-or-nothing' };
  }

  if (!versionAtLeast(info, 3, 7, 2)) {
    // Before the redirector launchers, the interpreter and its DLLs were copied from the base.
    const files = opts.baseDirEntries
      .filter((e) => ['.exe', '.dll', '.pyd'].includes(platform.normcase(p.extname(e))) && (platform.normcase(p.extname(e)) !== '.exe' || /^pythonw?(_d)?\.exe$/.test(platform.normcase(e))))
      .map((name) => ({ name, linkSource: path.join(pythonDir, name), copySource: path.join(pythonDir, name) }));
    return { files, fallback: 'per-file' };
  }

  // 3.7-3.12: every python/pythonw (+_d) the base has, each replaced by the launcher of the same
  // name shipped in scripts\nt (older layouts: venvlauncher.exe next to the base).
  const launcherFor = (name: string): string | undefined => {
    if (launcherHas(name)) return path.join(launcherDir, name);
    const parsed = p.parse(name);
    let stem = parsed.name;
    let ext = parsed.ext;
    if (stem.endsWith('_d')) {
      ext = `_d${ext}`;
      stem = stem.slice(0, -2);
    }
    if (stem === 'python') stem = 'venvlauncher';
    else if (stem === 'pythonw') stem = 'venvwlauncher';
    const alt = `${stem}${ext}`;
    return baseHas(alt) ? path.join(pythonDir, alt) : undefined;
  };
  const candidates = opts.symlinks
    ? opts.baseDirEntries.filter((e) => ['.exe', '.dll'].includes(platform.normcase(p.extname(e))))
    : [...new Set(['python.exe', 'python_d.exe', 'pythonw.exe', 'pythonw_d.exe', envLayout(info).pythonExe])].filter(baseHas);
  return {
    files: candidates.map((name) => ({ name, linkSource: path.join(pythonDir, name), copySource: launcherFor(name) })),
    fallback: 'per-file',
  };
}

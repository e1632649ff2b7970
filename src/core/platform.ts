/**
 * What differs between the two platforms venv knows (POSIX and Windows) for the environment being
 * built. The target follows the BASE interpreter's `os.name`, not the host's, so the Windows layout
 * can be built and tested on Linux from a fake InterpreterInfo.
 */
import * as path from 'node:path';

export type OsName = 'posix' | 'nt';

export interface TargetPlatform {
  readonly osName: OsName;
  /** Path flavour of the target, for names and for values written into files. */
  readonly path: path.PlatformPath;
  /** `os.pathsep` of the target: an env dir containing it is refused (3.11+). */
  readonly pathsep: string;
  /** Line ending of text written in text mode (pyvenv.cfg, .gitignore). */
  readonly eol: '\n' | '\r\n';
  /** `python -m venv` links the interpreter by default on POSIX and copies on Windows. */
  readonly symlinksByDefault: boolean;
  /** File-name comparison the target uses (case-insensitive on Windows). */
  normcase(name: string): string;
}

const POSIX: TargetPlatform = {
  osName: 'posix',
  path: path.posix,
  pathsep: ':',
  eol: '\n',
  symlinksByDefault: true,
  normcase: (name) => name,
};

const NT: TargetPlatform = {
  osName: 'nt',
  path: path.win32,
  pathsep: ';',
  eol: '\r\n',
  symlinksByDefault: false,
  normcase: (name) => name.replace(/\//g, '\\').toLowerCase(),
};

export function targetPlatform(osName: OsName): TargetPlatform {
  return osName === 'nt' ? NT : POSIX;
}

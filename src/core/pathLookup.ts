/**
 * Finding a program: one rule for what counts as executable and one for which PATH folders count,
 * used by discovery (`--python NAME`, interpreters on PATH), interpreter introspection (a bare
 * name) and the installer (uv).
 */
import { constants } from 'node:fs';
import { fsp as fs } from './asyncFs';
import * as path from 'node:path';

/**
 * A program this process may run: a regular file (links followed) that access(2) says we may execute
 * — it knows the owner and group bits, which mode bits alone would not tell apart, and a file system
 * mounted noexec. Under Windows rules (`windows`; discovery's tests use them on any system) any
 * regular file: Windows decides by the extension, which the caller chose.
 */
export async function isExecutableFile(p: string, windows = process.platform === 'win32'): Promise<boolean> {
  try {
    if (!(await fs.stat(p)).isFile()) return false;
    if (!windows) await fs.access(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The PATH folders a program is looked up in, in order: absolute entries only. A relative entry
 * ('.', 'bin', or an empty one, which POSIX reads as '.') depends on the current folder, possibly
 * an untrusted workspace, so it is skipped.
 */
export function pathEntries(env: NodeJS.ProcessEnv, windows = process.platform === 'win32'): string[] {
  const raw = env.PATH ?? env.Path ?? '';
  const rules = windows ? path.win32 : path.posix;
  return raw.split(windows ? ';' : ':').filter((d) => d !== '' && rules.isAbsolute(d));
}

/** The first executable `names[i]` in the first PATH folder that has one (folders first, then names), or undefined. */
export async function findOnPath(names: readonly string[], env: NodeJS.ProcessEnv, windows = process.platform === 'win32'): Promise<string | undefined> {
  for (const dir of pathEntries(env, windows)) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (await isExecutableFile(candidate, windows)) return candidate;
    }
  }
  return undefined;
}

/** `name` with each PATHEXT extension (Windows; `name` alone elsewhere). */
export function withPathExt(name: string, env: NodeJS.ProcessEnv, windows = process.platform === 'win32', fallback = '.EXE'): string[] {
  return windows ? (env.PATHEXT ?? fallback).split(';').filter(Boolean).map((ext) => name + ext) : [name];
}

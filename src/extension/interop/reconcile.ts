/**
 * The decisions of sharing the active environment with the Python tools, without 'vscode', so unit
 * tests check them under plain Node (test/unit/extension/reconcile.test.ts).
 */
import * as path from 'node:path';

/** How far the active environment is shared (setting `venvManager.python.shareActiveEnvironment`). */
export type ShareMode = 'bothWays' | 'toPython' | 'off';

/** Same file system path, spelled differently or not (case-insensitively on Windows). */
export function samePath(a: string | undefined, b: string | undefined, platform: NodeJS.Platform = process.platform): boolean {
  if (a === undefined || b === undefined) return false;
  const norm = (p: string) => {
    const resolved = platform === 'win32' ? path.win32.resolve(p) : path.posix.resolve(p);
    return platform === 'win32' ? resolved.toLowerCase() : resolved;
  };
  return norm(a) === norm(b);
}

/**
 * The environment folder an interpreter path reported by another tool belongs to: `<env>/bin/python3`
 * and `<env>\Scripts\python.exe` give `<env>`; a folder is taken as it is. Undefined for a bare
 * command name (`python`), which the Python extension reports before it has chosen.
 */
export function environmentFolderOf(interpreter: string, platform: NodeJS.Platform = process.platform): string | undefined {
  const p = platform === 'win32' ? path.win32 : path.posix;
  if (!p.isAbsolute(interpreter)) return undefined;
  const base = p.basename(interpreter);
  const parent = p.basename(p.dirname(interpreter));
  const looksLikePython = /^(python|pypy)[0-9.]*t?d?(\.exe)?$/i.test(base) || /^𝜋thon$/u.test(base);
  if (looksLikePython && /^(bin|Scripts)$/i.test(parent)) return p.dirname(p.dirname(interpreter));
  if (looksLikePython) return p.dirname(interpreter);
  return interpreter;
}

export interface StartupFacts {
  mode: ShareMode;
  /** Our active environment's interpreter, if the folder has one. */
  ours?: string;
  /** The user chose ours in Venv Manager (rather than the automatic `.venv`). */
  oursChosen: boolean;
  /** The Python extension's interpreter for the folder; undefined while it has none. */
  theirs?: string;
  /** `theirs` as we saw it last time both ran (previous window), if ever. */
  lastSeen?: string;
  /** `theirs` is an environment Venv Manager lists. */
  theirsListed: boolean;
}

export type Decision = 'none' | 'push' | 'follow';

/**
 * What to do for a folder once both sides are up. The most recent deliberate choice wins: when theirs
 * changed since we last saw it, the user changed it there while we were not watching, so we follow;
 * otherwise ours is pushed. The first time (nothing seen yet) an explicit choice of ours wins, and an
 * automatic one gives way to a listed env of theirs but not to a non-venv (their own auto-selection
 * may just not have seen the folder's `.venv`).
 */
export function decideAtStartup(f: StartupFacts): Decision {
  if (f.mode === 'off') return 'none';
  if (f.theirs === undefined) return f.ours === undefined ? 'none' : 'push';
  if (f.ours !== undefined && samePath(f.ours, f.theirs)) return 'none';
  const follow: Decision = f.mode === 'bothWays' ? 'follow' : 'none';
  const push: Decision = f.ours === undefined ? 'none' : 'push';
  if (f.lastSeen !== undefined) return samePath(f.lastSeen, f.theirs) ? (f.ours === undefined ? follow : push) : follow;
  if (f.ours === undefined) return follow;
  if (f.oursChosen) return push;
  return f.theirsListed ? follow : push;
}

/**
 * Interpreter paths we just sent to a tool, so that the change event it fires in return is not taken
 * for the user's choice (no ping-pong). An expectation lasts until its echo arrives or `ttlMs` passes.
 */
export class EchoGuard {
  private readonly expected = new Map<string, { path: string; until: number }[]>();

  constructor(private readonly ttlMs = 30_000, private readonly now: () => number = Date.now) {}

  expect(key: string, interpreter: string): void {
    const list = this.live(key);
    list.push({ path: interpreter, until: this.now() + this.ttlMs });
    this.expected.set(key, list);
  }

  /** True (and forgotten) when `interpreter` is a path we sent under `key`. */
  consume(key: string, interpreter: string | undefined): boolean {
    const list = this.live(key);
    const index = list.findIndex((e) => samePath(e.path, interpreter));
    if (index < 0) return false;
    list.splice(index, 1);
    return true;
  }

  /** Something we sent under `key` has not come back yet. */
  pending(key: string): boolean {
    return this.live(key).length > 0;
  }

  private live(key: string): { path: string; until: number }[] {
    const now = this.now();
    const list = (this.expected.get(key) ?? []).filter((e) => e.until > now);
    if (list.length) this.expected.set(key, list);
    else this.expected.delete(key);
    return list;
  }
}

/** The env folder `source <env>/bin/activate` (or `. ...`, `Activate.ps1`, `activate.bat`) typed into a terminal activates; `null` for `deactivate`. */
export function activationInCommand(commandLine: string): string | null | undefined {
  const line = commandLine.trim();
  if (/^deactivate\s*$/.test(line)) return null;
  const m = /^(?:source|\.|&)\s+(["']?)(.+?)[/\\](?:bin|Scripts)[/\\](?:activate(?:\.fish|\.csh|\.nu|\.bat|\.ps1)?|Activate\.ps1)\1\s*$/i.exec(line);
  return m ? m[2] : undefined;
}

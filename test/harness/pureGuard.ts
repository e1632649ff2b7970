/**
 * The unit tier is pure: it never runs a real Python interpreter (or uv, which runs one) and never
 * uses the built bundles in dist/ (the dist tier may: VENV_MANAGER_PURE_GUARD_ALLOW=dist). Loaded with
 * `node --require` into the unit tier's test processes and, through NODE_OPTIONS, into every Node
 * process they start (the CLI's children too). A call that would start a real interpreter throws,
 * naming it and the tier where such a test belongs (test/python, tier `python`).
 *
 * "Real" means what the operating system would load is a native binary (ELF, Mach-O or PE) whose own
 * name is an interpreter's (python, python3.12, python3.14t, pypy3, uv): a test's trap script named
 * `python3` (`#!/bin/sh`) is not one, a venv's `bin/python` link to a pyenv build is. Shell command
 * lines (`sh -c '... python3 ...'`, `exec`) are checked word by word.
 *
 * VENV_MANAGER_PURE_GUARD=throw (default when loaded) or log:<file> (append one line per real
 * interpreter started, and let it run: how test/unit was sorted).
 */
import { appendFileSync, closeSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import Module = require('node:module');
import * as path from 'node:path';
// A plain require: the module object itself, so the functions replaced below are the ones every caller gets.
import childProcess = require('node:child_process');
import fs = require('node:fs');

const INTERPRETER = /^(python|pythonw|pypy)(\d+(\.\d+)*)?t?(\.exe)?$|^uv(\.exe)?$/i;
const SHELLS = /^(sh|bash|dash|zsh|fish|tcsh|csh|ksh|pwsh|cmd)(\.exe)?$/i;

function onPath(name: string, env: NodeJS.ProcessEnv | undefined): string | undefined {
  if (name.includes('/') || name.includes('\\')) return name;
  for (const dir of ((env ?? process.env).PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

function isNativeBinary(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    if (n < 2) return false;
    if (head[0] === 0x7f && head.toString('latin1', 1, 4) === 'ELF') return true;
    if (head.toString('latin1', 0, 2) === 'MZ') return true;
    const magic = head.readUInt32BE(0);
    return [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(magic);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The real interpreter `command` would start, if it is one. */
export function realInterpreter(command: string, cwd?: string, env?: NodeJS.ProcessEnv): string | undefined {
  const found = onPath(command, env);
  if (!found) return undefined;
  try {
    const real = realpathSync(path.resolve(cwd ?? process.cwd(), found));
    return INTERPRETER.test(path.basename(real)) && isNativeBinary(real) ? real : undefined;
  } catch {
    return undefined;
  }
}

/** Every real interpreter a spawn of `file args` would start directly or through a shell's command line. */
function interpretersIn(file: string, args: readonly string[], shell: boolean, cwd?: string, env?: NodeJS.ProcessEnv): string[] {
  const words = shell || SHELLS.test(path.basename(file)) ? [file, ...args].flatMap((a) => a.split(/[\s;&|()'"`]+/)) : [file];
  const out: string[] = [];
  for (const w of words) {
    if (!w || !INTERPRETER.test(path.basename(w))) continue;
    const real = realInterpreter(w, cwd, env);
    if (real) out.push(real);
  }
  return out;
}

type Opts = { cwd?: string | URL; env?: NodeJS.ProcessEnv; shell?: boolean | string } | undefined;

function check(file: string, args: unknown, options: unknown, shell = false): void {
  const list = Array.isArray(args) ? args.map(String) : [];
  const opts = (Array.isArray(args) ? options : args) as Opts;
  const cwd = opts?.cwd === undefined ? undefined : String(opts.cwd instanceof URL ? opts.cwd.pathname : opts.cwd);
  const found = interpretersIn(String(file), list, shell || !!opts?.shell, cwd, opts?.env);
  if (found.length === 0) return;
  const mode = process.env.VENV_MANAGER_PURE_GUARD ?? 'throw';
  if (mode.startsWith('log:')) {
    appendFileSync(mode.slice(4), `${process.env.VENV_MANAGER_PURE_GUARD_FILE ?? '?'}\t${found.join(' ')}\n`);
    return;
  }
  throw new Error(
    `The unit tier is pure, but this test started a real interpreter (${found.join(', ')}). ` +
      'A test that needs a real Python (or uv) belongs in test/python (tier `python`).',
  );
}

/** The repository's dist/: next to the package.json above this file (wherever it was bundled to). */
const DIST = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'dist');
})();
const allowDist = (process.env.VENV_MANAGER_PURE_GUARD_ALLOW ?? '').split(',').includes('dist');

/** Refuses a use of the built bundles (a file under dist/) outside the dist and python tiers. */
function checkDist(what: unknown): void {
  if (allowDist || process.env.VENV_MANAGER_PURE_GUARD?.startsWith('log:')) return;
  const text = what instanceof URL ? what.pathname : typeof what === 'string' ? what : undefined;
  // A path into dist/, or a command line or script text naming one (`node -e "require('…/dist/core.js')"`).
  if (text === undefined || !(path.resolve(text) === DIST || text.includes(`${DIST}${path.sep}`))) return;
  throw new Error(`The unit tier is pure, but this test used the built ${text}. A test of the built bundles belongs in test/dist (tier \`dist\`), or test/python when it also needs a real Python.`);
}

// Children inherit the name of the test file that started them (for the log).
if (!process.execArgv.includes('--test')) process.env.VENV_MANAGER_PURE_GUARD_FILE ??= process.argv[1];

type AnyFn = (...a: unknown[]) => unknown;
const cp = childProcess as unknown as Record<string, AnyFn>;
for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync'] as const) {
  const original = cp[name];
  cp[name] = function (this: unknown, file: unknown, ...rest: unknown[]) {
    check(String(file), rest[0], rest[1]);
    for (const a of [file, ...(Array.isArray(rest[0]) ? rest[0] : [])]) checkDist(a);
    return original.call(this, file, ...rest);
  };
}
for (const name of ['exec', 'execSync'] as const) {
  const original = cp[name];
  cp[name] = function (this: unknown, command: unknown, ...rest: unknown[]) {
    check(String(command), [], rest[0], true);
    checkDist(command);
    return original.call(this, command, ...rest);
  };
}

const files = fs as unknown as Record<string, AnyFn>;
for (const name of ['readFileSync', 'readFile', 'openSync', 'open', 'createReadStream'] as const) {
  const original = files[name];
  files[name] = function (this: unknown, file: unknown, ...rest: unknown[]) {
    checkDist(file);
    return original.call(this, file, ...rest);
  };
}
const promises = fs.promises as unknown as Record<string, AnyFn>;
for (const name of ['readFile', 'open'] as const) {
  const original = promises[name];
  promises[name] = function (this: unknown, file: unknown, ...rest: unknown[]) {
    checkDist(file);
    return original.call(this, file, ...rest);
  };
}
const loader = Module as unknown as { _load: AnyFn };
const load = loader._load;
loader._load = function (this: unknown, request: unknown, ...rest: unknown[]) {
  checkDist(request);
  return load.call(this, request, ...rest);
};

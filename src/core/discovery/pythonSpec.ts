/**
 * `--python SPEC` as virtualenv reads it, plus the py launcher's forms:
 * a path (`/opt/py/bin/python3`, `./python`, `~/x/python`), `3`, `3.12`, `3.12.1`, `python3.11`,
 * `cpython3.12`, `pypy3`, `pypy3.10`, `3.11-64`, `3.13t`, `py312` (no dot: major digit + minor),
 * `-3.12` / `-3.12-32` / `-V:PythonCore/3.12` (py launcher). Anything else is a command looked up on PATH.
 */
import type { BaseInterpreter } from './types';
import { parseVersion } from './versionFacts';

export type PythonSpec =
  | { kind: 'path'; raw: string; path: string }
  | { kind: 'command'; raw: string; command: string }
  | {
      kind: 'version';
      raw: string;
      /** undefined: any implementation (`python`, `py`, or none given). */
      implementation?: string;
      version?: number[];
      bits?: 32 | 64;
      freeThreaded: boolean;
    }
  | { kind: 'registry'; raw: string; company: string; tag?: string };

const VERSION_SPEC = /^([a-z]+)?(\d+(?:\.\d+){0,2})?(t)?(?:-(32|64))?$/i;

export function parsePythonSpec(raw: string): PythonSpec {
  const spec = raw.trim();
  if (spec === '') throw new Error('empty Python spec');
  const launcher = /^-V:([^/]+)(?:\/(.+))?$/i.exec(spec);
  if (launcher) return { kind: 'registry', raw, company: launcher[1], ...(launcher[2] ? { tag: launcher[2] } : {}) };
  const body = /^-\d/.test(spec) ? spec.slice(1) : spec;
  if (isPathLike(body)) return { kind: 'path', raw, path: body };
  const m = VERSION_SPEC.exec(body);
  if (m && (m[1] !== undefined || m[2] !== undefined)) {
    const family = m[1]?.toLowerCase();
    let versionText = m[2];
    // virtualenv reads `py312` / `312` as 3.12: first digit is the major, the rest the minor.
    if (versionText && !versionText.includes('.') && versionText.length > 1) versionText = `${versionText[0]}.${versionText.slice(1)}`;
    const version = versionText ? parseVersion(versionText) : undefined;
    const implementation = family === undefined || family === 'python' || family === 'py' ? undefined : family;
    if (family === undefined || implementation === undefined || KNOWN_IMPLEMENTATIONS.has(implementation)) {
      return {
        kind: 'version',
        raw,
        ...(implementation ? { implementation } : {}),
        ...(version ? { version } : {}),
        ...(m[4] ? { bits: Number(m[4]) as 32 | 64 } : {}),
        freeThreaded: m[3] !== undefined,
      };
    }
  }
  return { kind: 'command', raw, command: body };
}

const KNOWN_IMPLEMENTATIONS = new Set(['cpython', 'pypy', 'graalpy', 'jython', 'ironpython', 'pyston']);

function isPathLike(s: string): boolean {
  return s.includes('/') || s.includes('\\') || s.startsWith('.') || s.startsWith('~') || /^[a-z]:/i.test(s);
}

/** Whether an interpreter's file-system facts satisfy a version spec. Bits are checked by the caller. */
export function interpreterMatchesSpec(interp: BaseInterpreter, spec: Extract<PythonSpec, { kind: 'version' }>): boolean {
  if (spec.implementation && (interp.implementation ?? 'cpython') !== spec.implementation) return false;
  if (Boolean(interp.freeThreaded) !== spec.freeThreaded) return false;
  if (spec.version) {
    const have = interp.version ? parseVersion(interp.version) : undefined;
    if (!have || have.length < spec.version.length) return false;
    if (spec.version.some((part, i) => have[i] !== part)) return false;
  }
  return true;
}

export function describeSpec(spec: PythonSpec): string {
  switch (spec.kind) {
    case 'path':
      return `the interpreter at ${spec.path}`;
    case 'command':
      return `a command named '${spec.command}' on PATH`;
    case 'registry':
      return `the registered Python ${spec.company}${spec.tag ? `/${spec.tag}` : ''}`;
    case 'version': {
      const parts = [spec.implementation ?? 'Python', spec.version?.join('.') ?? 'any version'];
      if (spec.freeThreaded) parts.push('(free-threaded)');
      if (spec.bits) parts.push(`${spec.bits}-bit`);
      return parts.join(' ');
    }
  }
}

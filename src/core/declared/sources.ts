/**
 * Declared-dependency sources: a requirements file, a pyproject.toml with a chosen set of extras
 * and groups, a pylock.toml, or a uv.lock (with extras and groups of its project). Found in a folder, remembered per env (a small JSON file inside the
 * env, so it goes with the env and a recreate or sync writes it in the same all-or-nothing step),
 * and loaded into the set of requirements the env should hold.
 */
import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import { LifecycleError } from '../lifecycle/errors';
import { walkProjectFiles } from '../lifecycle/requirements';
import type { Requirement } from './pep508';
import { readPyproject, selectFromPyproject } from './pyproject';
import { isPylockFileName, planLock, readPylock, type LockPlan } from './pylock';
import { readRequirementsFile } from './requirementsFile';
import { isUvLockFileName, planUvLock, readUvLock } from './uvlock';
import type { TargetFacts } from './target';

export type DeclaredSource =
  | { readonly kind: 'requirements'; readonly file: string }
  | { readonly kind: 'pyproject'; readonly file: string; readonly extras: readonly string[]; readonly groups: readonly string[]; readonly project: boolean }
  | { readonly kind: 'pylock'; readonly file: string; readonly extras: readonly string[]; readonly groups?: readonly string[] }
  /** groups undefined: uv's default (`dev`, when the project has it). */
  | { readonly kind: 'uvlock'; readonly file: string; readonly extras: readonly string[]; readonly groups?: readonly string[]; readonly project: boolean };

export type DeclaredSourceKind = DeclaredSource['kind'];

/** A lock (pylock.toml or uv.lock): installed exactly as written, matched to the env's interpreter. */
export function isLockSource(source: DeclaredSource): source is Extract<DeclaredSource, { kind: 'pylock' | 'uvlock' }> {
  return source.kind === 'pylock' || source.kind === 'uvlock';
}

/** The kind of source a file is, by its name. */
export function sourceKindOf(file: string): DeclaredSourceKind {
  const name = path.basename(file);
  if (name === 'pyproject.toml') return 'pyproject';
  if (isPylockFileName(name)) return 'pylock';
  if (isUvLockFileName(name)) return 'uvlock';
  return 'requirements';
}

/** `pyproject.toml [dev, test]`, `pylock.toml`, `requirements.txt`: how a source is named to the user. */
export function describeSource(source: DeclaredSource): string {
  const name = path.basename(source.file);
  if (source.kind === 'requirements') return name;
  const parts = [...source.extras.map((e) => `extra ${e}`), ...(source.groups ?? []).map((g) => `group ${g}`)];
  if ((source.kind === 'pyproject' || source.kind === 'uvlock') && !source.project) parts.push('without the project');
  return parts.length ? `${name} (${parts.join(', ')})` : name;
}

/**
 * Declared-dependency files of a folder: the top level first (pyproject.toml, pylock.toml,
 * pylock.<name>.toml, uv.lock, requirements.txt, other requirements files), then those below, nearest
 * first; never inside an env, node_modules, VCS folders or another repository.
 */
export async function findDeclaredSources(root: string, opts: { maxDepth?: number; signal?: AbortSignal } = {}): Promise<string[]> {
  const found = await walkProjectFiles(root, opts, (name) => name === 'pyproject.toml' || isPylockFileName(name) || isUvLockFileName(name));
  const rank = (f: { file: string; depth: number; requirements: boolean }): number => {
    if (f.depth > 0) return 10;
    const name = path.basename(f.file);
    if (name === 'pyproject.toml') return 0;
    if (name === 'pylock.toml') return 1;
    if (isPylockFileName(name)) return 2;
    if (isUvLockFileName(name)) return 3;
    if (name.toLowerCase() === 'requirements.txt') return 4;
    return /\.txt$/i.test(name) ? 5 : 6;
  };
  found.sort((a, b) => rank(a) - rank(b) || a.depth - b.depth || a.file.localeCompare(b.file));
  return found.map((f) => f.file);
}

/** What an env was last made from, remembered inside it. */
export interface RememberedSource {
  readonly source: DeclaredSource;
  /** Sync removes what the source does not declare. */
  readonly exact: boolean;
}

/** Inside the env: removed with it, restored with it by a failed operation. */
export const SOURCE_MEMORY_FILE = '.venv-manager-source.json';

export async function readRememberedSource(envDir: string): Promise<RememberedSource | undefined> {
  let raw: { format?: number; source?: DeclaredSource & { relativeFile?: string }; exact?: boolean };
  try {
    raw = JSON.parse(await fs.readFile(path.join(envDir, SOURCE_MEMORY_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  const s = raw.source;
  if (raw.format !== 1 || !s || typeof s.file !== 'string' || !['requirements', 'pyproject', 'pylock', 'uvlock'].includes(s.kind)) return undefined;
  // The project moves with its env: the path relative to the env wins when it exists.
  let file = s.file;
  if (typeof s.relativeFile === 'string') {
    const rel = path.resolve(envDir, s.relativeFile);
    if (await fs.stat(rel).then((st) => st.isFile(), () => false)) file = rel;
  }
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const rawGroups = (s as { groups?: unknown }).groups;
  const groups = Array.isArray(rawGroups) ? { groups: list(rawGroups) } : {};
  const source: DeclaredSource = s.kind === 'requirements'
    ? { kind: 'requirements', file }
    : s.kind === 'pyproject'
      ? { kind: 'pyproject', file, extras: list(s.extras), groups: list(rawGroups), project: s.project !== false }
      : s.kind === 'uvlock'
        ? { kind: 'uvlock', file, extras: list(s.extras), ...groups, project: s.project !== false }
        : { kind: 'pylock', file, extras: list(s.extras), ...groups };
  return { source, exact: raw.exact !== false };
}

/** Writes the memory into `envDir` (temp file + rename). */
export async function writeRememberedSource(envDir: string, remembered: RememberedSource): Promise<void> {
  const target = path.join(envDir, SOURCE_MEMORY_FILE);
  const body = { format: 1, source: { ...remembered.source, relativeFile: path.relative(envDir, remembered.source.file) }, exact: remembered.exact };
  const tmp = `${target}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify(body, null, 2)}\n`);
  await fs.rename(tmp, target);
}

/** A source with its file made absolute and checked to exist. */
export async function resolveSource(source: DeclaredSource, cwd = process.cwd()): Promise<DeclaredSource> {
  const file = path.resolve(cwd, source.file);
  const ok = await fs.stat(file).then((st) => st.isFile(), () => false);
  if (!ok) throw new LifecycleError('no-requirements', `${source.file} does not exist or is not a file.`);
  return { ...source, file };
}

/** What a source declares, loaded for one env. */
export type DeclaredSet =
  | {
      readonly kind: 'requirements' | 'pyproject';
      readonly roots: readonly Requirement[];
      /** The project itself, installed (editable) by the sync: its name, any version. */
      readonly project?: { readonly key: string; readonly extras: readonly string[]; readonly dir: string };
      /** Lines that install something unnamed (requirements files only). */
      readonly unnamed: readonly string[];
    }
  /** A pylock.toml or a uv.lock, planned for the env. */
  | { readonly kind: 'lock'; readonly plan: LockPlan };

/** Reads and checks the source for an env with facts `target` (errors name file and position). */
export async function loadDeclared(source: DeclaredSource, target: TargetFacts, env: NodeJS.ProcessEnv = process.env): Promise<DeclaredSet> {
  switch (source.kind) {
    case 'requirements': {
      const contents = await readRequirementsFile(source.file, env);
      return { kind: 'requirements', roots: contents.requirements, unnamed: contents.unnamed };
    }
    case 'pyproject': {
      const py = await readPyproject(source.file);
      const sel = selectFromPyproject(py, source);
      return {
        kind: 'pyproject',
        roots: sel.requirements,
        unnamed: [],
        ...(sel.installsProject && py.name ? { project: { key: py.name, extras: sel.extras, dir: py.projectDir } } : {}),
      };
    }
    case 'pylock': {
      const lock = await readPylock(source.file);
      return { kind: 'lock', plan: planLock(lock, target, { extras: source.extras, ...(source.groups ? { groups: source.groups } : {}) }) };
    }
    case 'uvlock': {
      const lock = await readUvLock(source.file);
      return { kind: 'lock', plan: planUvLock(lock, target, { extras: source.extras, project: source.project, ...(source.groups ? { groups: source.groups } : {}) }) };
    }
  }
}

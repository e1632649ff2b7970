/**
 * What a pyproject.toml declares: `[project] dependencies`, `[project.optional-dependencies]`
 * extras, PEP 735 `[dependency-groups]` (with `{include-group = "..."}`), and whether the project
 * itself can be installed (it names a build backend).
 */
import * as path from 'node:path';
import { normalizeName, parseRequirement, Pep508Error, type Requirement } from './pep508';
import { isTable, readTomlFile, sourceError, type TomlDocument } from './toml';

export interface Pyproject {
  readonly file: string;
  readonly projectDir: string;
  /** [project] name, normalised, when given. */
  readonly name?: string;
  readonly dependencies: readonly Requirement[];
  /** True when `dependencies` is listed in `[project] dynamic` (the build backend computes them). */
  readonly dynamicDependencies: boolean;
  /** Extra name (normalised) -> its requirements. */
  readonly extras: ReadonlyMap<string, readonly Requirement[]>;
  /** Group name (normalised) -> its requirements, include-groups resolved. */
  readonly groups: ReadonlyMap<string, readonly Requirement[]>;
  /** A `[build-system] build-backend` is named, so the project itself can be installed. */
  readonly hasBuildBackend: boolean;
}

function requirementList(doc: TomlDocument, value: unknown, where: string): Requirement[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw sourceError(doc, `${where} must be an array of requirement strings.`);
  return value.map((item) => {
    if (typeof item !== 'string') throw sourceError(doc, `${where} holds ${JSON.stringify(item)}, which is not a requirement string.`);
    return parseIn(doc, item, where);
  });
}

function parseIn(doc: TomlDocument, text: string, where: string): Requirement {
  try {
    return parseRequirement(text);
  } catch (err) {
    if (err instanceof Pep508Error) throw sourceError(doc, `${where}: '${text}' is not a valid requirement: ${err.message}.`, text);
    throw err;
  }
}

/** Resolves every group's include-group entries; a cycle or an unknown group is an error naming the file. */
function resolveGroups(doc: TomlDocument, table: Record<string, unknown>): Map<string, Requirement[]> {
  const raw = new Map<string, { written: string; entries: unknown[] }>();
  for (const [name, entries] of Object.entries(table)) {
    const key = normalizeName(name);
    if (raw.has(key)) throw sourceError(doc, `[dependency-groups] names the group '${key}' twice (as '${raw.get(key)!.written}' and '${name}').`, name, '[dependency-groups]');
    if (!Array.isArray(entries)) throw sourceError(doc, `[dependency-groups] ${name} must be an array.`, name, '[dependency-groups]');
    raw.set(key, { written: name, entries });
  }
  const resolved = new Map<string, Requirement[]>();
  const resolve = (key: string, stack: string[]): Requirement[] => {
    const done = resolved.get(key);
    if (done) return done;
    if (stack.includes(key)) {
      const cycle = [...stack.slice(stack.indexOf(key)), key].join(' -> ');
      throw sourceError(doc, `[dependency-groups] include-group makes a cycle: ${cycle}.`, `include-group`, '[dependency-groups]');
    }
    const group = raw.get(key)!;
    const out: Requirement[] = [];
    for (const entry of group.entries) {
      if (typeof entry === 'string') out.push(parseIn(doc, entry, `[dependency-groups] ${group.written}`));
      else if (isTable(entry) && typeof entry['include-group'] === 'string' && Object.keys(entry).length === 1) {
        const included = normalizeName(entry['include-group']);
        if (!raw.has(included)) throw sourceError(doc, `[dependency-groups] ${group.written} includes the group '${entry['include-group']}', which does not exist.`, entry['include-group'], '[dependency-groups]');
        out.push(...resolve(included, [...stack, key]));
      } else {
        throw sourceError(doc, `[dependency-groups] ${group.written} holds ${JSON.stringify(entry)}: entries are requirement strings or {include-group = "NAME"}.`, group.written, '[dependency-groups]');
      }
    }
    resolved.set(key, out);
    return out;
  };
  for (const key of raw.keys()) resolve(key, []);
  return resolved;
}

export async function readPyproject(file: string): Promise<Pyproject> {
  const doc = await readTomlFile(path.resolve(file));
  return pyprojectFrom(doc);
}

export function pyprojectFrom(doc: TomlDocument): Pyproject {
  const project = doc.data.project;
  if (project !== undefined && !isTable(project)) throw sourceError(doc, '[project] must be a table.');
  const dynamic = Array.isArray(project?.dynamic) ? project.dynamic : [];
  const extrasTable = project?.['optional-dependencies'];
  if (extrasTable !== undefined && !isTable(extrasTable)) throw sourceError(doc, '[project.optional-dependencies] must be a table.', 'optional-dependencies');
  const extras = new Map<string, Requirement[]>();
  for (const [name, list] of Object.entries(extrasTable ?? {})) extras.set(normalizeName(name), requirementList(doc, list, `[project.optional-dependencies] ${name}`));
  const groupsTable = doc.data['dependency-groups'];
  if (groupsTable !== undefined && !isTable(groupsTable)) throw sourceError(doc, '[dependency-groups] must be a table.', 'dependency-groups');
  const buildSystem = doc.data['build-system'];
  return {
    file: doc.file,
    projectDir: path.dirname(doc.file),
    ...(typeof project?.name === 'string' ? { name: normalizeName(project.name) } : {}),
    dependencies: requirementList(doc, project?.dependencies, '[project] dependencies'),
    dynamicDependencies: dynamic.includes('dependencies'),
    extras,
    groups: resolveGroups(doc, groupsTable ?? {}),
    hasBuildBackend: isTable(buildSystem) && typeof buildSystem['build-backend'] === 'string',
  };
}

export interface PyprojectSelection {
  readonly extras?: readonly string[];
  readonly groups?: readonly string[];
  /** Install the project itself (editable) when it has a build backend; default true. */
  readonly project?: boolean;
}

export interface DeclaredFromPyproject {
  /** Requirements of the selection, as the drift check sees them (the project's own included). */
  readonly requirements: readonly Requirement[];
  /** The project installs itself (editable): its name is declared, its dependencies come with it. */
  readonly installsProject: boolean;
  /** Extras of the project, normalised (checked). */
  readonly extras: readonly string[];
}

/** The requirements a selection of extras and groups declares; an unknown extra or group is an error naming the file. */
export function selectFromPyproject(py: Pyproject, sel: PyprojectSelection): DeclaredFromPyproject {
  const doc = { file: py.file, text: '' };
  const extras = (sel.extras ?? []).map(normalizeName);
  for (const e of extras) {
    if (!py.extras.has(e)) throw sourceError(doc, `there is no extra '${e}' in [project.optional-dependencies]${py.extras.size ? ` (there are: ${[...py.extras.keys()].join(', ')})` : ''}.`);
  }
  const groups = (sel.groups ?? []).map(normalizeName);
  for (const g of groups) {
    if (!py.groups.has(g)) throw sourceError(doc, `there is no group '${g}' in [dependency-groups]${py.groups.size ? ` (there are: ${[...py.groups.keys()].join(', ')})` : ''}.`);
  }
  const installsProject = (sel.project ?? true) && py.hasBuildBackend;
  if (installsProject && !py.name) throw sourceError(doc, 'the project is to be installed but [project] has no name.');
  const requirements: Requirement[] = [];
  requirements.push(...py.dependencies);
  for (const e of extras) requirements.push(...py.extras.get(e)!);
  for (const g of groups) requirements.push(...py.groups.get(g)!);
  return { requirements, installsProject, extras };
}

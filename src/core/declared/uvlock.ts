/**
 * uv's lock file (`uv.lock`, `version = 1`): read, checked, and turned into the same plan a
 * pylock.toml gives, so it installs, syncs and drifts the same way. Unlike a PEP 751 lock it is a
 * graph: what goes into an env is what the workspace's root project(s) reach through dependency
 * edges whose markers hold for the env, with the chosen extras and dependency groups. Per package
 * the wheel with the most specific tag the env accepts is chosen; a local project (editable or
 * directory source) is installed from its folder; a virtual project is not installed at all.
 * Packages that only an sdist, a git checkout or a plain URL could give are refused.
 */
import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import { evaluateMarker, normalizeName, parseMarker, Pep508Error, versionSatisfies, type MarkerNode } from './pep508';
import { choosePackageSource, type LockFile, type LockPackage, type LockPlan, type PlannedPackage } from './pylock';
import { readPyproject } from './pyproject';
import { markerEnvironment, supportedTags, withSets, type TargetFacts } from './target';
import { isTable, readTomlFile, sourceError, type TomlDocument } from './toml';

const SOURCE_KINDS = ['registry', 'path', 'directory', 'editable', 'virtual', 'git', 'url'] as const;
type UvSourceKind = (typeof SOURCE_KINDS)[number];

/** One dependency edge: to the package named `key` (and `version`, when the lock has several). */
interface UvDependency {
  readonly key: string;
  readonly version?: string;
  readonly marker?: MarkerNode;
  readonly extras: readonly string[];
}

export interface UvPackage {
  readonly name: string;
  readonly key: string;
  readonly version?: string;
  readonly source: { readonly kind: UvSourceKind; readonly location: string };
  /** Absolute folder of an editable, directory or virtual source. */
  readonly dir?: string;
  /** An editable or directory project that names a build backend (so pip can install it). */
  readonly buildBackend: boolean;
  readonly wheels: readonly LockFile[];
  readonly hasSdist: boolean;
  readonly dependencies: readonly UvDependency[];
  /** Extra name (normalised) -> its edges. */
  readonly extras: ReadonlyMap<string, readonly UvDependency[]>;
  /** Dependency group name (normalised) -> its edges (`[package.dev-dependencies]`). */
  readonly groups: ReadonlyMap<string, readonly UvDependency[]>;
  /** The forks of the resolution this version belongs to (when the lock holds several versions of it). */
  readonly resolutionMarkers: readonly MarkerNode[];
  /** 0-based index in [[package]]. */
  readonly index: number;
}

export interface UvLock {
  readonly file: string;
  readonly text: string;
  readonly requiresPython?: string;
  readonly packages: readonly UvPackage[];
  /** The workspace's root projects: `[manifest] members`, else the project whose folder is the lock's. */
  readonly roots: readonly UvPackage[];
}

export function isUvLockFileName(name: string): boolean {
  return name === 'uv.lock';
}

export async function readUvLock(file: string): Promise<UvLock> {
  const doc = await readTomlFile(path.resolve(file));
  const lock = uvLockFrom(doc);
  // Whether a local project can be built is its pyproject.toml's to say.
  const packages = await Promise.all(lock.packages.map(async (p) => {
    if (!p.dir || (p.source.kind !== 'editable' && p.source.kind !== 'directory')) return p;
    const pyproject = path.join(p.dir, 'pyproject.toml');
    const exists = await fs.stat(pyproject).then((st) => st.isFile(), () => false);
    return { ...p, buildBackend: exists && (await readPyproject(pyproject)).hasBuildBackend };
  }));
  const roots = lock.roots.map((r) => packages[r.index]);
  return { ...lock, packages, roots };
}

function needleOf(name: string): string {
  return `name = "${name}"`;
}

function markerIn(doc: TomlDocument, text: string, where: string, needle: string): MarkerNode {
  try {
    return parseMarker(text);
  } catch (err) {
    if (err instanceof Pep508Error) throw sourceError(doc, `${where}: '${text}' is not a valid marker: ${err.message}.`, text, needle);
    throw err;
  }
}

function edges(doc: TomlDocument, value: unknown, where: string, needle: string): UvDependency[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw sourceError(doc, `${where} must be an array of tables.`, needle);
  return value.map((d): UvDependency => {
    if (!isTable(d) || typeof d.name !== 'string') throw sourceError(doc, `${where}: each dependency must be a table with a name.`, needle);
    if (d.marker !== undefined && typeof d.marker !== 'string') throw sourceError(doc, `${where}: the marker of ${d.name} must be a string.`, needle);
    const marker = d.marker === undefined ? undefined : markerIn(doc, d.marker, where, needle);
    const extras = Array.isArray(d.extra) ? d.extra.filter((e): e is string => typeof e === 'string').map(normalizeName) : [];
    return { key: normalizeName(d.name), ...(typeof d.version === 'string' ? { version: d.version } : {}), ...(marker ? { marker } : {}), extras };
  });
}

function edgeTable(doc: TomlDocument, value: unknown, where: string, needle: string): Map<string, UvDependency[]> {
  const out = new Map<string, UvDependency[]>();
  if (value === undefined) return out;
  if (!isTable(value)) throw sourceError(doc, `${where} must be a table.`, needle);
  for (const [name, list] of Object.entries(value)) out.set(normalizeName(name), edges(doc, list, `${where} ${name}`, needle));
  return out;
}

function isUrl(location: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location);
}

export function uvLockFrom(doc: TomlDocument): UvLock {
  const d = doc.data;
  const lockDir = path.dirname(doc.file);
  if (d.version === undefined) throw sourceError(doc, 'version is missing: this is not a uv.lock file.');
  if (d.version !== 1 && d.version !== 1n) throw sourceError(doc, `uv.lock version ${typeof d.version === 'number' || typeof d.version === 'bigint' ? d.version.toString() : JSON.stringify(d.version)} is not supported (this version of Venv Manager reads version 1).`, 'version');
  const requiresPython = d['requires-python'];
  if (requiresPython !== undefined && typeof requiresPython !== 'string') throw sourceError(doc, 'requires-python must be a string.', 'requires-python');
  const raw = d.package ?? [];
  if (!Array.isArray(raw)) throw sourceError(doc, 'package must be an array of tables ([[package]]).', 'package');
  const packages = raw.map((p: unknown, index: number): UvPackage => {
    if (!isTable(p) || typeof p.name !== 'string') throw sourceError(doc, `[[package]] #${index + 1} has no name.`, '[[package]]');
    const name = p.name;
    const needle = needleOf(name);
    if (p.version !== undefined && typeof p.version !== 'string') throw sourceError(doc, `${name}: version must be a string.`, needle);
    const version = p.version;
    const src = p.source;
    const kind = isTable(src) ? SOURCE_KINDS.find((k) => typeof src[k] === 'string') : undefined;
    if (!isTable(src) || !kind) throw sourceError(doc, `${name}: source must be a table with one of ${SOURCE_KINDS.join(', ')}.`, needle);
    const location = src[kind] as string;
    const local = kind === 'editable' || kind === 'directory' || kind === 'virtual';
    const dir = local ? path.resolve(lockDir, location) : undefined;
    // A wheel's `path` is relative to its local registry (a --find-links folder), else to the lock.
    const registryDir = kind === 'registry' && !isUrl(location) ? path.resolve(lockDir, location) : lockDir;
    const wheelsRaw = p.wheels ?? [];
    if (!Array.isArray(wheelsRaw)) throw sourceError(doc, `${name}: wheels must be an array of tables.`, needle);
    const wheels = wheelsRaw.map((w): LockFile => {
      if (!isTable(w)) throw sourceError(doc, `${name}: each wheel must be a table.`, needle);
      const hash = w.hash;
      if (hash !== undefined && typeof hash !== 'string') throw sourceError(doc, `${name}: a wheel's hash must be a string.`, needle);
      const sha = typeof hash === 'string' && hash.startsWith('sha256:') ? hash.slice('sha256:'.length).toLowerCase() : undefined;
      if (sha !== undefined && !/^[0-9a-f]{64}$/.test(sha)) throw sourceError(doc, `${name}: the sha256 '${hash as string}' is not 64 hex digits.`, needle);
      if (w.size !== undefined && typeof w.size !== 'number' && typeof w.size !== 'bigint') throw sourceError(doc, `${name}: the size of a wheel must be an integer.`, needle);
      const common = { ...(w.size !== undefined ? { size: Number(w.size) } : {}), ...(sha ? { sha256: sha } : {}) };
      if (typeof w.url === 'string') return { fileName: path.basename(decodeURIComponent(new URL(w.url).pathname)), url: w.url, ...common };
      if (typeof w.path === 'string') return { fileName: path.basename(w.path), path: path.resolve(registryDir, w.path), ...common };
      // A package pinned to a wheel on disk: `filename` names it, the source says where it is.
      if (typeof w.filename === 'string' && kind === 'path') return { fileName: w.filename, path: path.resolve(lockDir, location), ...common };
      if (typeof w.filename === 'string' && kind === 'url') return { fileName: w.filename, url: location, ...common };
      throw sourceError(doc, `${name}: a wheel has neither url, path nor filename.`, needle);
    });
    return {
      name,
      key: normalizeName(name),
      ...(version !== undefined ? { version } : {}),
      source: { kind, location },
      ...(dir ? { dir } : {}),
      buildBackend: false,
      wheels,
      hasSdist: p.sdist !== undefined,
      dependencies: edges(doc, p.dependencies, `${name} dependencies`, needle),
      extras: edgeTable(doc, p['optional-dependencies'], `${name} optional-dependencies`, needle),
      groups: edgeTable(doc, p['dev-dependencies'], `${name} dev-dependencies`, needle),
      resolutionMarkers: (Array.isArray(p['resolution-markers']) ? p['resolution-markers'] : []).filter((m): m is string => typeof m === 'string').map((m) => markerIn(doc, m, `${name} resolution-markers`, needle)),
      index,
    };
  });
  const manifest = d.manifest;
  const members = isTable(manifest) && Array.isArray(manifest.members) ? manifest.members.filter((m): m is string => typeof m === 'string').map(normalizeName) : [];
  const roots = members.length
    ? packages.filter((p) => members.includes(p.key) && p.dir !== undefined)
    : packages.filter((p) => (p.source.kind === 'editable' || p.source.kind === 'virtual') && p.dir === lockDir);
  return { file: doc.file, text: doc.text, ...(requiresPython !== undefined ? { requiresPython } : {}), packages, roots };
}

/** The extras and dependency groups the root projects offer, and the roots pip can install. */
export function uvLockChoices(lock: UvLock): { extras: string[]; groups: string[]; projects: string[] } {
  const uniq = (xs: string[]) => [...new Set(xs)];
  return {
    extras: uniq(lock.roots.flatMap((r) => [...r.extras.keys()])),
    groups: uniq(lock.roots.flatMap((r) => [...r.groups.keys()])),
    projects: lock.roots.filter((r) => r.source.kind === 'editable' && r.buildBackend).map((r) => r.name),
  };
}

export interface UvLockSelection {
  readonly extras?: readonly string[];
  /** Default: `dev` when a root has it (what `uv sync` installs by default). */
  readonly groups?: readonly string[];
  /** Install the root project(s) themselves (editable, when they name a build backend); default true. */
  readonly project?: boolean;
}

/** uv's encoding of an extra or group in the markers of conflicting extras (`extra == 'extra-4-demo-fast'`). */
function conflictName(kind: 'extra' | 'group', pkg: string, name: string): string {
  return `${kind}-${pkg.length}-${pkg}-${name}`;
}

/**
 * What to install into an env with facts `target`: every package the roots reach (with the chosen
 * extras and groups) through edges whose markers hold. Errors name the lock and the package.
 */
export function planUvLock(lock: UvLock, target: TargetFacts, sel: UvLockSelection = {}): LockPlan {
  const doc = { file: lock.file, text: lock.text };
  if (lock.roots.length === 0) throw sourceError(doc, 'the lock names no root project (a package whose source is editable or virtual ".").');
  const choices = uvLockChoices(lock);
  const extras = (sel.extras ?? []).map(normalizeName);
  for (const e of extras) if (!choices.extras.includes(e)) throw sourceError(doc, `the project has no extra '${e}'${choices.extras.length ? ` (it has: ${choices.extras.join(', ')})` : ''}.`);
  const groups = (sel.groups ?? choices.groups.filter((g) => g === 'dev')).map(normalizeName);
  for (const g of groups) if (!choices.groups.includes(g)) throw sourceError(doc, `the project has no dependency group '${g}'${choices.groups.length ? ` (it has: ${choices.groups.join(', ')})` : ''}.`);
  const python = target.version.join('.');
  if (lock.requiresPython && !versionSatisfies(python, lock.requiresPython)) {
    throw sourceError(doc, `the lock requires Python ${lock.requiresPython}; this environment has Python ${python}.`, 'requires-python');
  }
  const markerExtras = lock.roots.flatMap((r) => [...extras.map((e) => conflictName('extra', r.key, e)), ...groups.map((g) => conflictName('group', r.key, g))]);
  const env = withSets(markerEnvironment(target), { extras: markerExtras });

  // Walk the graph: a package once for its base edges, then once per extra asked of it.
  const reached = new Map<UvPackage, Set<string>>();
  const queue: { pkg: UvPackage; extras: readonly string[] }[] = lock.roots.map((r) => ({ pkg: r, extras }));
  const follow = (from: UvPackage, list: readonly UvDependency[]) => {
    for (const dep of list) {
      if (dep.marker && !evaluateMarker(dep.marker, env)) continue;
      const candidates = lock.packages.filter((p) => p.key === dep.key && (dep.version === undefined || p.version === dep.version));
      if (candidates.length === 0) throw sourceError(doc, `${from.name} depends on ${dep.key}${dep.version ? ` ${dep.version}` : ''}, which the lock does not list.`, needleOf(from.name));
      // Several versions (a forked resolution): the one whose fork this env is in.
      const fits = candidates.find((p) => p.resolutionMarkers.length === 0 || p.resolutionMarkers.some((m) => evaluateMarker(m, env))) ?? candidates[0];
      queue.push({ pkg: fits, extras: dep.extras });
    }
  };
  for (const root of lock.roots) for (const g of groups) follow(root, root.groups.get(g) ?? []);
  while (queue.length) {
    const { pkg, extras: asked } = queue.shift()!;
    const done = reached.get(pkg);
    if (!done) {
      reached.set(pkg, new Set());
      follow(pkg, pkg.dependencies);
    }
    const seen = reached.get(pkg)!;
    for (const e of asked) {
      if (seen.has(e)) continue;
      seen.add(e);
      follow(pkg, pkg.extras.get(e) ?? []);
    }
  }

  const rank = new Map(supportedTags(target).map((t, i) => [t, i]));
  const planned: PlannedPackage[] = [];
  const skipped: LockPackage[] = [];
  for (const p of lock.packages) {
    const asLock = lockPackageOf(p);
    if (!reached.has(p) || p.source.kind === 'virtual') {
      skipped.push(asLock);
      continue;
    }
    const isRoot = lock.roots.includes(p);
    // A root project is installed (editable) only when asked and pip can build it.
    if (isRoot && (sel.project === false || !p.buildBackend)) {
      skipped.push(asLock);
      continue;
    }
    if ((p.source.kind === 'editable' || p.source.kind === 'directory') && !p.buildBackend) {
      throw sourceError(doc, `${p.name} is a local project (${p.source.location}) without a build backend in its pyproject.toml, so it cannot be installed.`, needleOf(p.name));
    }
    planned.push(choosePackageSource({ ...doc, needle: needleOf(p.name) }, asLock, rank, target));
  }
  return { packages: planned, skipped };
}

/** The package as the pylock planner sees it: wheels, a local folder, and what cannot be installed. */
function lockPackageOf(p: UvPackage): LockPackage {
  const unsupported = [
    ...(p.hasSdist ? ['an sdist'] : []),
    ...(p.source.kind === 'git' ? [`a git source (${p.source.location})`] : []),
    ...(p.source.kind === 'url' && p.wheels.length === 0 ? [`a URL (${p.source.location})`] : []),
  ];
  return {
    name: p.name,
    key: p.key,
    ...(p.version !== undefined ? { version: p.version } : {}),
    wheels: p.wheels,
    ...(p.dir && (p.source.kind === 'editable' || p.source.kind === 'directory') ? { directory: { path: p.dir, editable: p.source.kind === 'editable' } } : {}),
    unsupported,
    index: p.index,
  };
}

/**
 * PEP 751 lock files (`pylock.toml`, `pylock.<name>.toml`): read, checked, and turned into the
 * exact list of things to install into one env, without resolving anything. Markers and
 * `requires-python` are evaluated against the env's interpreter facts; per package the wheel
 * with the most specific tag the env accepts is chosen, else its sdist (built by pip), or its
 * archive or local directory. VCS entries are refused.
 */
import * as path from 'node:path';
import { valid as pep440Valid } from '@renovatebot/pep440';
import { evaluateMarker, normalizeName, parseMarker, Pep508Error, versionSatisfies, type MarkerNode } from './pep508';
import { markerEnvironment, supportedTags, wheelTags, withSets, type TargetFacts } from './target';
import { isTable, readTomlFile, sourceError, type TomlDocument } from './toml';

/** A file a lock names (a wheel, an sdist, an archive), checked by size and sha256 before use. */
export interface LockFile {
  /** The file's name. */
  readonly fileName: string;
  readonly url?: string;
  /** Absolute (the lock's `path` is relative to the lock file). */
  readonly path?: string;
  readonly size?: number;
  readonly sha256?: string;
}

export interface LockPackage {
  readonly name: string;
  readonly key: string;
  readonly version?: string;
  readonly marker?: MarkerNode;
  readonly requiresPython?: string;
  readonly wheels: readonly LockFile[];
  readonly sdist?: LockFile;
  readonly archive?: LockFile;
  readonly directory?: LockDirectory;
  /** Sources the lock gives that cannot be installed here (a VCS checkout). */
  readonly unsupported: readonly string[];
  /** 0-based index in [[packages]], for error positions. */
  readonly index: number;
}

/** A local project folder (absolute), installed by pip with --no-deps. */
export interface LockDirectory {
  readonly path: string;
  readonly editable: boolean;
}

export interface Pylock {
  readonly file: string;
  readonly text: string;
  readonly lockVersion: string;
  readonly requiresPython?: string;
  readonly environments?: readonly MarkerNode[];
  readonly extras: readonly string[];
  readonly dependencyGroups: readonly string[];
  readonly defaultGroups: readonly string[];
  readonly packages: readonly LockPackage[];
}

/** `pylock.toml` or `pylock.<name>.toml` (PEP 751's names). */
export function isPylockFileName(name: string): boolean {
  return /^pylock\.([^.]+\.)?toml$/.test(name);
}

function str(doc: TomlDocument, v: unknown, where: string, needle?: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw sourceError(doc, `${where} must be a string.`, needle);
  return v;
}

function strList(doc: TomlDocument, v: unknown, where: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw sourceError(doc, `${where} must be an array of strings.`, where);
  return v as string[];
}

function marker(doc: TomlDocument, text: string, where: string): MarkerNode {
  try {
    return parseMarker(text);
  } catch (err) {
    if (err instanceof Pep508Error) throw sourceError(doc, `${where}: '${text}' is not a valid marker: ${err.message}.`, text);
    throw err;
  }
}

/** One `[packages.wheels]`, `[packages.sdist]` or `[packages.archive]` table: a file by url or path (relative to the lock). */
function lockFile(doc: TomlDocument, lockDir: string, w: unknown, name: string, what: 'wheel' | 'sdist' | 'archive'): LockFile {
  const needle = `"${name}"`;
  if (!isTable(w)) throw sourceError(doc, `${name}: each ${what} must be a table.`, needle);
  const url = str(doc, w.url, `${name} ${what} url`, needle);
  const rel = str(doc, w.path, `${name} ${what} path`, needle);
  const fileName = str(doc, w.name, `${name} ${what} name`, needle) ?? path.basename(rel ?? (url ? decodeURIComponent(new URL(url, 'file:///').pathname) : ''));
  if (!url && !rel) throw sourceError(doc, `${name}: the ${what} ${fileName || ''}${fileName ? ' ' : ''}has neither url nor path.`, needle);
  const hashes = w.hashes;
  if (hashes !== undefined && !isTable(hashes)) throw sourceError(doc, `${name}: hashes of ${fileName} must be a table.`, needle);
  const sha256 = hashes?.sha256;
  if (sha256 !== undefined && (typeof sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256))) throw sourceError(doc, `${name}: the sha256 of ${fileName} is not 64 hex digits.`, needle);
  if (w.size !== undefined && (typeof w.size !== 'number' && typeof w.size !== 'bigint')) throw sourceError(doc, `${name}: the size of ${fileName} must be an integer.`, needle);
  // An sdist or archive without a hash could be anything: PEP 751 requires one, and so do we.
  if (what !== 'wheel' && sha256 === undefined) throw sourceError(doc, `${name}: the ${what} ${fileName} has no sha256 hash, so it cannot be checked.`, needle);
  return {
    fileName,
    ...(url ? { url } : {}),
    ...(rel ? { path: path.resolve(lockDir, rel) } : {}),
    ...(w.size !== undefined ? { size: Number(w.size) } : {}),
    ...(typeof sha256 === 'string' ? { sha256: sha256.toLowerCase() } : {}),
  };
}

export async function readPylock(file: string): Promise<Pylock> {
  return pylockFrom(await readTomlFile(path.resolve(file)));
}

export function pylockFrom(doc: TomlDocument): Pylock {
  const d = doc.data;
  const lockVersion = str(doc, d['lock-version'], 'lock-version', 'lock-version');
  if (lockVersion === undefined) {
    // uv's own lock format is read as its own source kind; how to give it as one is each front end's to say.
    const hint = d.version !== undefined && Array.isArray(d.package) ? " It looks like uv's lock format (uv.lock), which is read as a source of its own." : '';
    throw sourceError(doc, `lock-version is missing: this is not a PEP 751 lock file.${hint}`);
  }
  if (!/^1(\.\d+)*$/.test(lockVersion)) throw sourceError(doc, `lock-version '${lockVersion}' is not supported (this version of Venv Manager reads lock-version 1.x).`, 'lock-version');
  const requiresPython = str(doc, d['requires-python'], 'requires-python', 'requires-python');
  const environments = d.environments === undefined ? undefined : strList(doc, d.environments, 'environments').map((m) => marker(doc, m, 'environments'));
  if (!Array.isArray(d.packages)) throw sourceError(doc, d.packages === undefined ? '[[packages]] is missing.' : 'packages must be an array of tables.', 'packages');
  const lockDir = path.dirname(doc.file);
  const packages = d.packages.map((p: unknown, index: number): LockPackage => {
    const where = `[[packages]] #${index + 1}`;
    if (!isTable(p)) throw sourceError(doc, `${where} must be a table.`);
    const name = str(doc, p.name, `${where} name`);
    if (!name) throw sourceError(doc, `${where} has no name.`, '[[packages]]');
    const needle = `"${name}"`;
    const version = str(doc, p.version, `${where} (${name}) version`, needle);
    if (version !== undefined && !pep440Valid(version)) throw sourceError(doc, `${name}: version '${version}' is not a PEP 440 version.`, version);
    const markerText = str(doc, p.marker, `${name} marker`, needle);
    const requiresPy = str(doc, p['requires-python'], `${name} requires-python`, needle);
    const wheelsRaw = p.wheels;
    if (wheelsRaw !== undefined && !Array.isArray(wheelsRaw)) throw sourceError(doc, `${name}: wheels must be an array of tables.`, needle);
    const wheels = (wheelsRaw ?? []).map((w: unknown): LockFile => {
      const file = lockFile(doc, lockDir, w, name, 'wheel');
      if (!file.fileName.endsWith('.whl')) throw sourceError(doc, `${name}: '${file.fileName}' is not a wheel file name.`, needle);
      return file;
    });
    const sdist = p.sdist === undefined ? undefined : lockFile(doc, lockDir, p.sdist, name, 'sdist');
    const archive = p.archive === undefined ? undefined : lockFile(doc, lockDir, p.archive, name, 'archive');
    let directory: LockDirectory | undefined;
    if (p.directory !== undefined) {
      const dir = p.directory;
      if (!isTable(dir) || typeof dir.path !== 'string') throw sourceError(doc, `${name}: directory must be a table with a path.`, needle);
      const sub = typeof dir.subdirectory === 'string' ? dir.subdirectory : '';
      directory = { path: path.resolve(lockDir, dir.path, sub), editable: dir.editable === true };
    }
    return {
      name,
      key: normalizeName(name),
      ...(version !== undefined ? { version } : {}),
      ...(markerText !== undefined ? { marker: marker(doc, markerText, `${name} marker`) } : {}),
      ...(requiresPy !== undefined ? { requiresPython: requiresPy } : {}),
      wheels,
      ...(sdist ? { sdist } : {}),
      ...(archive ? { archive } : {}),
      ...(directory ? { directory } : {}),
      unsupported: p.vcs !== undefined ? ['a VCS checkout'] : [],
      index,
    };
  });
  return {
    file: doc.file,
    text: doc.text,
    lockVersion,
    ...(requiresPython !== undefined ? { requiresPython } : {}),
    ...(environments ? { environments } : {}),
    extras: strList(doc, d.extras, 'extras').map(normalizeName),
    dependencyGroups: strList(doc, d['dependency-groups'], 'dependency-groups').map(normalizeName),
    defaultGroups: strList(doc, d['default-groups'], 'default-groups').map(normalizeName),
    packages,
  };
}

export interface LockSelection {
  readonly extras?: readonly string[];
  /** Default: the lock's default-groups. */
  readonly groups?: readonly string[];
}

/** What one package installs: a file (a wheel; an sdist or archive pip builds), or a local folder. */
export type PlannedPackage =
  | { readonly pkg: LockPackage; readonly kind: 'wheel' | 'sdist' | 'archive'; readonly file: LockFile }
  | { readonly pkg: LockPackage; readonly kind: 'directory'; readonly directory: LockDirectory };

export interface LockPlan {
  /** One entry per package that applies to the env. */
  readonly packages: readonly PlannedPackage[];
  /** Packages whose marker excludes them for this env. */
  readonly skipped: readonly LockPackage[];
}

/**
 * What to install into an env with facts `target`, one entry per package. Refuses (naming file and
 * package) a lock whose requires-python or environments exclude the env, and a package that
 * applies but has neither a wheel the env accepts nor an sdist, archive or directory.
 */
export function planLock(lock: Pylock, target: TargetFacts, sel: LockSelection = {}): LockPlan {
  const doc = { file: lock.file, text: lock.text };
  const extras = (sel.extras ?? []).map(normalizeName);
  for (const e of extras) if (!lock.extras.includes(e)) throw sourceError(doc, `the lock has no extra '${e}'${lock.extras.length ? ` (it has: ${lock.extras.join(', ')})` : ''}.`);
  const groups = (sel.groups ?? lock.defaultGroups).map(normalizeName);
  for (const g of groups) if (!lock.dependencyGroups.includes(g)) throw sourceError(doc, `the lock has no dependency group '${g}'${lock.dependencyGroups.length ? ` (it has: ${lock.dependencyGroups.join(', ')})` : ''}.`);
  const python = target.version.join('.');
  if (lock.requiresPython && !versionSatisfies(python, lock.requiresPython)) {
    throw sourceError(doc, `the lock requires Python ${lock.requiresPython}; this environment has Python ${python}.`, 'requires-python');
  }
  const env = withSets(markerEnvironment(target), { extras, groups });
  if (lock.environments && !lock.environments.some((m) => evaluateMarker(m, env))) {
    throw sourceError(doc, `none of the lock's environments matches this environment (Python ${python} on ${env.sys_platform as string} ${env.platform_machine as string}).`, 'environments');
  }
  const tags = supportedTags(target);
  const rank = new Map(tags.map((t, i) => [t, i]));
  const packages: PlannedPackage[] = [];
  const skipped: LockPackage[] = [];
  for (const pkg of lock.packages) {
    if (pkg.marker && !evaluateMarker(pkg.marker, env)) {
      skipped.push(pkg);
      continue;
    }
    const needle = `"${pkg.name}"`;
    if (pkg.requiresPython && !versionSatisfies(python, pkg.requiresPython)) {
      throw sourceError(doc, `${pkg.name} ${pkg.version ?? ''} requires Python ${pkg.requiresPython}; this environment has Python ${python}.`, needle, undefined, 'no-wheel');
    }
    packages.push(choosePackageSource(doc, pkg, rank, target));
  }
  return { packages, skipped };
}

/** The wheel the env accepts with the most specific tag (lowest rank), if any. */
export function bestWheel(wheels: readonly LockFile[], rank: ReadonlyMap<string, number>): LockFile | undefined {
  let best: { wheel: LockFile; score: number } | undefined;
  for (const wheel of wheels) {
    const parsed = wheelTags(wheel.fileName);
    if (!parsed) continue;
    for (const tag of parsed.tags) {
      const score = rank.get(tag);
      if (score !== undefined && (!best || score < best.score)) best = { wheel, score };
    }
  }
  return best?.wheel;
}

/**
 * What installs `pkg`: its best wheel, else its sdist, archive or directory. A package with none
 * of these (or only a VCS source) is refused naming the lock and the package.
 */
export function choosePackageSource(doc: { file: string; text: string; needle?: string }, pkg: LockPackage, rank: ReadonlyMap<string, number>, target: TargetFacts): PlannedPackage {
  const wheel = bestWheel(pkg.wheels, rank);
  if (wheel) return { pkg, kind: 'wheel', file: wheel };
  if (pkg.sdist) return { pkg, kind: 'sdist', file: pkg.sdist };
  if (pkg.archive) return { pkg, kind: 'archive', file: pkg.archive };
  if (pkg.directory) return { pkg, kind: 'directory', directory: pkg.directory };
  const env = markerEnvironment(target);
  const offered = pkg.wheels.length
    ? `its wheels (${pkg.wheels.map((w) => w.fileName).join(', ')}) do not fit Python ${target.version.join('.')} on ${env.sys_platform} ${env.platform_machine}`
    : `the lock gives no wheel for it${pkg.unsupported.length ? `, only ${pkg.unsupported.join(' and ')}, which Venv Manager does not install` : ''}`;
  throw sourceError(doc, `no usable wheel for ${pkg.name}${pkg.version ? ` ${pkg.version}` : ''}: ${offered}.`, doc.needle ?? `"${pkg.name}"`, undefined, 'no-wheel');
}

/**
 * The distributions installed in an environment, read from its site-packages the way
 * importlib.metadata finds them (`*.dist-info`, `*.egg-info`, `*.egg-link`), without running Python.
 * Reading is tolerant: a damaged distribution is listed with its problems, never dropped, and
 * nothing thrown by one entry stops the others.
 */
import { readdir, readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findSitePackages } from '../discovery/inspect';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { readListedFileStart, readListedFileStartSync, readRegularFileHead } from '../discovery/safeRead';
import { mapLimited } from '../mapLimited';

/** How the distribution records itself in site-packages. */
export type DistributionFormat = 'dist-info' | 'egg-info' | 'egg-link';

export type DistributionProblemCode =
  /** No METADATA (dist-info) / PKG-INFO (egg-info): importlib.metadata and pip cannot read it. */
  | 'no-metadata'
  /** METADATA without a Name or Version header. */
  | 'bad-metadata'
  /** No RECORD: pip cannot uninstall or upgrade it cleanly. */
  | 'no-record'
  /** direct_url.json that is not the JSON PEP 610 describes. */
  | 'bad-direct-url'
  /** Another record of the same project in the same site-packages (an interrupted install). */
  | 'duplicate';

export interface DistributionProblem {
  code: DistributionProblemCode;
  message: string;
}

/** PEP 610 `direct_url.json`: where a distribution was installed from when not from an index. */
export interface DirectUrl {
  url: string;
  editable: boolean;
  /** The local folder or archive of a `file:` URL. */
  localPath?: string;
  /** 'git', 'hg', ... for a VCS install. */
  vcs?: string;
  commitId?: string;
}

export interface InstalledDistribution {
  /** The project name as its metadata spells it (`Foo_Bar`), or as the folder name does when unreadable. */
  name: string;
  /** PEP 503 normalised name (`foo-bar`): compare names with this. */
  normalizedName: string;
  /** `Version` from the metadata ('' when unreadable). */
  version: string;
  /** The installer was asked for it by name (the `REQUESTED` marker, PEP 376), not pulled in as a dependency. */
  requested: boolean;
  /** Installed in development mode (PEP 660 `direct_url.json` with `editable: true`, or an `.egg-link`). */
  editable: boolean;
  /** The project folder an editable install runs from. */
  sourceFolder?: string;
  directUrl?: DirectUrl;
  summary?: string;
  /** `Requires-Dist` lines, unparsed (PEP 508). */
  requires: string[];
  format: DistributionFormat;
  /** The `.dist-info` / `.egg-info` folder (or file) or the `.egg-link` file. */
  metadataPath: string;
  problems: DistributionProblem[];
}

export interface ReadDistributionsOptions {
  signal?: AbortSignal;
  /** Reuse what was read of dist-info folders that have not changed since (see DistributionCache). */
  cache?: DistributionCache;
}

interface CachedDistInfo {
  readonly ino: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly dist: InstalledDistribution;
}

/**
 * What was read of each `*.dist-info` folder of the site-packages folders read with it, so a
 * re-read (the tree and the drift check after `pip install` in a terminal) reads again only the
 * folders that changed. A folder is reused while its inode, mtime and ctime are the ones it had
 * when read: installers add, remove or rename files inside it (a new REQUESTED, a RECORD) or put a
 * new folder in its place, which changes those; a file edited in place inside it would not (no
 * installer does that). Folders gone from site-packages are forgotten at the next read; at most
 * `maxSites` site-packages folders are kept, the least recently read dropped first. Egg-info,
 * egg-link and symlinked entries are always read afresh.
 */
export class DistributionCache {
  private readonly sites = new Map<string, Map<string, CachedDistInfo>>();

  constructor(private readonly maxSites = 64) {}

  /** Folders reused / read by the last readDistributionsIn with this cache (for logs and tests). */
  lastRead = { reused: 0, read: 0 };

  /** @internal */
  entriesOf(sitePackages: string): ReadonlyMap<string, CachedDistInfo> {
    return this.sites.get(sitePackages) ?? new Map();
  }

  /** @internal What one read of `sitePackages` found: replaces what was kept of it. */
  keep(sitePackages: string, entries: Map<string, CachedDistInfo>): void {
    this.sites.delete(sitePackages);
    this.sites.set(sitePackages, entries);
    while (this.sites.size > this.maxSites) this.sites.delete(this.sites.keys().next().value!);
  }

  forget(sitePackages?: string): void {
    if (sitePackages === undefined) this.sites.clear();
    else this.sites.delete(sitePackages);
  }
}

/** A caller's own copy of a kept distribution (markDuplicates adds to `problems`). */
function copyOf(d: InstalledDistribution): InstalledDistribution {
  return { ...d, problems: [...d.problems] };
}

function statIfAny(file: string): Stats | undefined {
  try {
    return statSync(file, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** Where distributions are read: an env folder, or an env already inspected (its site-packages known). */
export type DistributionsTarget = string | { path: string; sitePackages?: string };

/** PEP 503: runs of `-`, `_`, `.` become one `-`, lower case. */
export function normalizeProjectName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** A first read of METADATA: enough for the header block of nearly every distribution. */
const METADATA_CHUNK_BYTES = 8 * 1024;
/** Headers longer than this (an old-style Description header of a huge README) are cut here. */
const METADATA_MAX_BYTES = 16 * 1024 * 1024;
const DIRECT_URL_CHUNK_BYTES = 4 * 1024;
const DIRECT_URL_MAX_BYTES = 256 * 1024;

/** The site-packages folder of an env (this OS's layout first, then the other), or undefined. */
export async function sitePackagesOf(target: DistributionsTarget): Promise<string | undefined> {
  if (typeof target !== 'string' && target.sitePackages) return target.sitePackages;
  const dir = typeof target === 'string' ? target : target.path;
  const windows = process.platform === 'win32';
  return (await findSitePackages(dir, windows, undefined)) ?? (await findSitePackages(dir, !windows, undefined));
}

/**
 * Every distribution in the env's site-packages, sorted by normalised name. An env without a
 * site-packages folder has none. Only the env's own site-packages is read (like `pip list --local`).
 */
export async function readInstalledDistributions(target: DistributionsTarget, opts: ReadDistributionsOptions = {}): Promise<InstalledDistribution[]> {
  const site = await sitePackagesOf(target);
  if (!site) return [];
  return readDistributionsIn(site, opts);
}

/** Synchronous reading runs in slices of about this long, then lets the event loop run. */
const SLICE_MS = 4;
/** One dist-info folder taking longer than this to read synchronously: a slow file system, read the rest asynchronously. */
const SLOW_ENTRY_MS = 20;

/**
 * Every distribution recorded in one site-packages folder, sorted by normalised name.
 *
 * Plain `*.dist-info` folders (nearly all entries) are read with synchronous calls in slices of a
 * few milliseconds, yielding to the event loop between slices: each one is a listing and one or
 * two tiny files, and a thread-pool round trip per call costs more than the call itself, several
 * times more when the CPU is busy. Should one folder take long (a slow or network file system), the
 * rest are read asynchronously, as are egg-info, egg-link and symlinked entries.
 */
export async function readDistributionsIn(sitePackages: string, opts: ReadDistributionsOptions = {}): Promise<InstalledDistribution[]> {
  opts.signal?.throwIfAborted();
  const entries = await fs.readdir(sitePackages, { withFileTypes: true }).catch(() => [] as Dirent[]);
  const found: (InstalledDistribution | undefined)[] = [];
  const pending: Promise<void>[] = [];
  let sync = true;
  let sliceStart = performance.now();
  const cached = opts.cache?.entriesOf(sitePackages);
  const kept = opts.cache ? new Map<string, CachedDistInfo>() : undefined;
  let reused = 0;
  for (const entry of entries) {
    const parsed = parseEntryName(entry.name);
    if (!parsed) continue;
    if (!sync || parsed.format !== 'dist-info' || !entry.isDirectory()) {
      pending.push(readEntry(sitePackages, entry, parsed).then((d) => { found.push(d); }));
      continue;
    }
    const started = performance.now();
    const dir = path.join(sitePackages, entry.name);
    if (cached && kept) {
      // Stat before reading: a change made while it is read shows at the next read.
      const st = statIfAny(dir);
      const hit = st && cached.get(entry.name);
      if (st && hit && hit.ino === st.ino && hit.mtimeMs === st.mtimeMs && hit.ctimeMs === st.ctimeMs) {
        found.push(copyOf(hit.dist));
        kept.set(entry.name, hit);
        reused++;
      } else {
        const dist = readDistInfoSync(dir, parsed);
        found.push(dist);
        if (st) kept.set(entry.name, { ino: st.ino, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, dist: copyOf(dist) });
      }
    } else found.push(readDistInfoSync(dir, parsed));
    const now = performance.now();
    if (now - started > SLOW_ENTRY_MS) sync = false;
    if (now - sliceStart > SLICE_MS) {
      await yieldToEventLoop();
      opts.signal?.throwIfAborted();
      sliceStart = performance.now();
    }
  }
  await Promise.all(pending);
  opts.signal?.throwIfAborted();
  const out = found.filter((d): d is InstalledDistribution => d !== undefined);
  if (opts.cache && kept) {
    opts.cache.keep(sitePackages, kept);
    opts.cache.lastRead = { reused, read: out.length - reused };
  }
  markDuplicates(out);
  return out.sort((a, b) => compareNames(a, b) || a.metadataPath.localeCompare(b.metadataPath));
}

/**
 * The distributions of one project (any spelling of its name) in one site-packages folder: only the
 * matching entries are read, so asking many envs stays cheap. Usually none or one.
 */
export async function findDistributionIn(sitePackages: string, name: string): Promise<InstalledDistribution[]> {
  const wanted = normalizeProjectName(name);
  const entries = await fs.readdir(sitePackages, { withFileTypes: true }).catch(() => [] as Dirent[]);
  const matching = entries.filter((e) => {
    const parsed = parseEntryName(e.name);
    if (!parsed) return false;
    // The folder's name/version split is a guess ('a-3d-1.0'); the metadata decides below.
    const stem = normalizeProjectName(e.name.replace(/\.(dist-info|egg-info|egg-link)$/i, ''));
    return normalizeProjectName(parsed.name) === wanted || stem === wanted || stem.startsWith(`${wanted}-`);
  });
  const found = await Promise.all(matching.map((e) => readEntry(sitePackages, e)));
  // An egg-link's folder name can differ from its metadata's name; the metadata decides.
  const out = found.filter((d): d is InstalledDistribution => d !== undefined && d.normalizedName === wanted);
  markDuplicates(out);
  return out;
}

/** One environment that holds a distribution. */
export interface PackageLocation {
  /** The environment folder. */
  env: string;
  distribution: InstalledDistribution;
}

/**
 * Every environment of `envs` that holds the project `name` (any spelling), in one pass over their
 * site-packages folders, in the order of `envs`. An env holding two records of it appears twice.
 */
export async function findPackageInEnvironments(envs: readonly { path: string; sitePackages?: string }[], name: string, opts: ReadDistributionsOptions = {}): Promise<PackageLocation[]> {
  const perEnv = await mapLimited(envs, 32, async (env) => {
    opts.signal?.throwIfAborted();
    const site = await sitePackagesOf(env);
    return site ? (await findDistributionIn(site, name)).map((distribution) => ({ env: env.path, distribution })) : [];
  });
  return perEnv.flat();
}

/** The line `pip freeze` writes for a distribution: `name==version`, or `-e FOLDER` for an editable install. */
export function requirementLine(d: InstalledDistribution): string {
  return d.editable && d.sourceFolder ? `-e ${d.sourceFolder}` : `${d.name}==${d.version}`;
}

/** A requirements file pinning every distribution with a known version, in the order given. */
export function requirementsText(dists: readonly InstalledDistribution[]): string {
  return dists.filter((d) => d.version !== '').map((d) => `${requirementLine(d)}\n`).join('');
}

function compareNames(a: InstalledDistribution, b: InstalledDistribution): number {
  return a.normalizedName < b.normalizedName ? -1 : a.normalizedName > b.normalizedName ? 1 : 0;
}

function markDuplicates(dists: InstalledDistribution[]): void {
  const byName = new Map<string, InstalledDistribution[]>();
  for (const d of dists) {
    const list = byName.get(d.normalizedName);
    if (list) list.push(d);
    else byName.set(d.normalizedName, [d]);
  }
  for (const list of byName.values()) {
    if (list.length < 2) continue;
    for (const d of list) {
      const others = list.filter((o) => o !== d).map((o) => path.basename(o.metadataPath));
      d.problems.push({ code: 'duplicate', message: `${d.name} is recorded more than once in site-packages (also ${others.join(', ')}); reinstall it` });
    }
  }
}

/**
 * `{name}-{version}.dist-info`, `{name}-{version}[-pyX.Y].egg-info`, `{name}.egg-link`: the name
 * (and version) the folder says, or undefined for anything else in site-packages.
 */
export function parseEntryName(entry: string): { name: string; version?: string; format: DistributionFormat } | undefined {
  const m = /^(.+)\.(dist-info|egg-info|egg-link)$/i.exec(entry);
  if (!m) return undefined;
  const format = m[2]!.toLowerCase() as DistributionFormat;
  const stem = m[1]!;
  if (format === 'egg-link') return { name: stem, format };
  // The name part never holds a '-' (it is escaped to '_'); the version starts with a digit.
  const dash = /-(?=\d)/.exec(stem);
  if (!dash) return { name: stem, format };
  const name = stem.slice(0, dash.index);
  let version = stem.slice(dash.index + 1);
  if (format === 'egg-info') version = version.replace(/-py\d+(\.\d+)*(-.*)?$/, '');
  return { name, version, format };
}

async function readEntry(site: string, entry: Dirent, parsed = parseEntryName(entry.name)): Promise<InstalledDistribution | undefined> {
  if (!parsed) return undefined;
  const full = path.join(site, entry.name);
  try {
    if (parsed.format === 'egg-link') return await readEggLink(full, parsed.name);
    const isDir = entry.isDirectory() || (entry.isSymbolicLink() && (await fs.stat(full).then((s) => s.isDirectory(), () => false)));
    if (parsed.format === 'dist-info') return isDir ? await readDistInfo(full, parsed) : undefined;
    return await readEggInfo(full, parsed, isDir);
  } catch {
    // Unexpected (a folder vanishing mid-read): list it as unreadable rather than lose the others.
    return fromFolderName(full, parsed, [{ code: 'no-metadata', message: `${entry.name} could not be read` }]);
  }
}

/** A folder's entries ([] when unreadable); fs callbacks, which cost less than the promise API when hundreds run at once. */
function listDir(dir: string): Promise<Dirent[]> {
  return new Promise((resolve) => readdir(dir, { withFileTypes: true }, (err, entries) => resolve(err ? [] : entries)));
}

function fromFolderName(metadataPath: string, parsed: { name: string; version?: string; format: DistributionFormat }, problems: DistributionProblem[]): InstalledDistribution {
  return {
    name: parsed.name,
    normalizedName: normalizeProjectName(parsed.name),
    version: parsed.version ?? '',
    requested: false,
    editable: false,
    requires: [],
    format: parsed.format,
    metadataPath,
    problems,
  };
}

type ParsedEntry = { name: string; version?: string; format: DistributionFormat };

async function readDistInfo(dir: string, parsed: ParsedEntry): Promise<InstalledDistribution> {
  const files = byName(await listDir(dir));
  const metadata = files.get('METADATA');
  const directUrl = files.get('direct_url.json');
  const [meta, direct] = await Promise.all([
    metadata ? readListedFileStart(path.join(dir, 'METADATA'), METADATA_CHUNK_BYTES, METADATA_MAX_BYTES, metadataGoesOn, metadata.isFile()) : undefined,
    directUrl ? readListedFileStart(path.join(dir, 'direct_url.json'), DIRECT_URL_CHUNK_BYTES, DIRECT_URL_MAX_BYTES, undefined, directUrl.isFile()) : undefined,
  ]);
  return distInfoFrom(dir, parsed, files, meta, direct);
}

/** readDistInfo with synchronous calls (see readDistributionsIn). */
function readDistInfoSync(dir: string, parsed: ParsedEntry): InstalledDistribution {
  let listing: Dirent[];
  try {
    listing = readdirSync(dir, { withFileTypes: true });
  } catch {
    listing = [];
  }
  const files = byName(listing);
  const metadata = files.get('METADATA');
  const directUrl = files.get('direct_url.json');
  const meta = metadata ? readListedFileStartSync(path.join(dir, 'METADATA'), METADATA_CHUNK_BYTES, METADATA_MAX_BYTES, metadataGoesOn, metadata.isFile()) : undefined;
  const direct = directUrl ? readListedFileStartSync(path.join(dir, 'direct_url.json'), DIRECT_URL_CHUNK_BYTES, DIRECT_URL_MAX_BYTES, undefined, directUrl.isFile()) : undefined;
  return distInfoFrom(dir, parsed, files, meta, direct);
}

function byName(listing: Dirent[]): Map<string, Dirent> {
  const files = new Map<string, Dirent>();
  for (const e of listing) files.set(e.name, e);
  return files;
}

/** A dist-info folder's distribution from its listing and the bytes of its METADATA (its start) and direct_url.json. */
function distInfoFrom(dir: string, parsed: ParsedEntry, files: ReadonlyMap<string, Dirent>, metadataBytes: Buffer | undefined, directUrlBytes: Buffer | undefined): InstalledDistribution {
  const problems: DistributionProblem[] = [];
  const base = path.basename(dir);
  const meta = metadataBytes ? metadataFromBytes(metadataBytes) : undefined;
  if (!meta) problems.push({ code: 'no-metadata', message: `${base} has no readable METADATA file; reinstall it` });
  else if (!meta.name || !meta.version) problems.push({ code: 'bad-metadata', message: `${base}/METADATA has no ${meta.name ? 'Version' : 'Name'}; reinstall it` });
  if (!files.has('RECORD')) problems.push({ code: 'no-record', message: `${base} has no RECORD file: pip cannot uninstall or upgrade it cleanly; reinstall it with --force-reinstall` });
  const dist = withMetadata(fromFolderName(dir, parsed, problems), meta);
  dist.requested = files.has('REQUESTED');
  if (files.has('direct_url.json')) {
    const direct = directUrlBytes ? directUrlFromBytes(directUrlBytes) : undefined;
    if (direct) {
      dist.directUrl = direct;
      dist.editable = direct.editable;
      if (direct.editable && direct.localPath) dist.sourceFolder = direct.localPath;
    } else problems.push({ code: 'bad-direct-url', message: `${base}/direct_url.json is not valid PEP 610 JSON` });
  }
  return dist;
}

async function readEggInfo(full: string, parsed: { name: string; version?: string; format: DistributionFormat }, isDir: boolean): Promise<InstalledDistribution> {
  // A distutils install writes the egg-info as a single PKG-INFO file.
  const meta = await readMetadataHeaders(isDir ? path.join(full, 'PKG-INFO') : full);
  const problems: DistributionProblem[] = [];
  if (!meta) problems.push({ code: 'no-metadata', message: `${path.basename(full)} has no readable PKG-INFO; reinstall it` });
  else if (!meta.name || !meta.version) problems.push({ code: 'bad-metadata', message: `${path.basename(full)} has no ${meta.name ? 'Version' : 'Name'}; reinstall it` });
  return withMetadata(fromFolderName(full, parsed, problems), meta);
}

/** A legacy `setup.py develop` install: the link's first line is the project folder, which holds `<name>.egg-info`. */
async function readEggLink(file: string, linkName: string): Promise<InstalledDistribution> {
  const head = await readRegularFileHead(file, 16 * 1024);
  const source = head?.bytes.toString('utf8').split(/\r?\n/)[0]?.trim();
  const parsed = { name: linkName, format: 'egg-link' as const };
  if (!source) return fromFolderName(file, parsed, [{ code: 'no-metadata', message: `${path.basename(file)} does not name a project folder; reinstall it` }]);
  const sourceFolder = path.resolve(path.dirname(file), source);
  const wanted = normalizeProjectName(linkName);
  const eggInfo = (await fs.readdir(sourceFolder).catch(() => [] as string[]))
    .find((n) => n.toLowerCase().endsWith('.egg-info') && normalizeProjectName(parseEntryName(n)?.name ?? '') === wanted);
  const meta = eggInfo ? await readMetadataHeaders(path.join(sourceFolder, eggInfo, 'PKG-INFO')) : undefined;
  const problems: DistributionProblem[] = meta ? [] : [{ code: 'no-metadata', message: `${path.basename(file)} points at ${sourceFolder}, which has no readable ${linkName}.egg-info; reinstall it` }];
  const dist = withMetadata(fromFolderName(file, parsed, problems), meta);
  dist.editable = true;
  dist.sourceFolder = sourceFolder;
  return dist;
}

function withMetadata(dist: InstalledDistribution, meta: MetadataHeaders | undefined): InstalledDistribution {
  if (!meta) return dist;
  if (meta.name) {
    dist.name = meta.name;
    dist.normalizedName = normalizeProjectName(meta.name);
  }
  if (meta.version) dist.version = meta.version;
  if (meta.summary) dist.summary = meta.summary;
  dist.requires = meta.requires;
  return dist;
}

interface MetadataHeaders {
  name?: string;
  version?: string;
  summary?: string;
  requires: string[];
}

/** Where the header block of core metadata ends (its first empty line), or -1 while it goes on. */
function headerEnd(bytes: Buffer): number {
  const lf = bytes.indexOf('\n\n');
  const crlf = bytes.indexOf('\r\n\r\n');
  return lf < 0 ? crlf : crlf < 0 ? lf : Math.min(lf, crlf);
}

/** More of a METADATA file is needed while its header block has not ended. */
function metadataGoesOn(bytes: Buffer): boolean {
  return headerEnd(bytes) < 0;
}

/** The headers of core metadata from the bytes read of it: only the header block is decoded. */
function metadataFromBytes(bytes: Buffer): MetadataHeaders {
  const end = headerEnd(bytes);
  return parseMetadataHeaders(bytes.toString('utf8', 0, end < 0 ? bytes.length : end));
}

/** The header block of a core-metadata file (PKG-INFO of an egg-info), or undefined when unreadable. */
async function readMetadataHeaders(file: string): Promise<MetadataHeaders | undefined> {
  const bytes = await readListedFileStart(file, METADATA_CHUNK_BYTES, METADATA_MAX_BYTES, metadataGoesOn, false);
  return bytes ? metadataFromBytes(bytes) : undefined;
}

/** Name, Version, Summary and Requires-Dist from core metadata text (METADATA / PKG-INFO). */
export function parseMetadataHeaders(text: string): MetadataHeaders {
  const out: MetadataHeaders = { requires: [] };
  let key: string | undefined;
  let value = '';
  const flush = () => {
    if (key === undefined) return;
    const v = value.trim();
    switch (key) {
      case 'name': out.name ??= v; break;
      case 'version': out.version ??= v; break;
      case 'summary': out.summary ??= v; break;
      case 'requires-dist': if (v) out.requires.push(v); break;
    }
    key = undefined;
  };
  // Only the header block is split: a long description body can be most of the file.
  const end = /\r?\n\r?\n/.exec(text);
  for (const line of (end ? text.slice(0, end.index) : text).split(/\r?\n/)) {
    if (line === '') break;
    if (/^[ \t]/.test(line)) {
      if (key !== undefined) value += ` ${line.trim()}`;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    key = line.slice(0, colon).trim().toLowerCase();
    value = line.slice(colon + 1);
  }
  flush();
  return out;
}

function directUrlFromBytes(bytes: Buffer): DirectUrl | undefined {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object') return undefined;
  const o = json as { url?: unknown; dir_info?: { editable?: unknown }; vcs_info?: { vcs?: unknown; commit_id?: unknown } };
  if (typeof o.url !== 'string') return undefined;
  const out: DirectUrl = { url: o.url, editable: o.dir_info?.editable === true };
  if (/^file:/i.test(o.url)) {
    try {
      out.localPath = fileURLToPath(o.url);
    } catch {
      // a file: URL of another host or platform: keep the URL only
    }
  }
  if (typeof o.vcs_info?.vcs === 'string') out.vcs = o.vcs_info.vcs;
  if (typeof o.vcs_info?.commit_id === 'string') out.commitId = o.vcs_info.commit_id;
  return out;
}

import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import { isLifecycleSibling } from '../envFacts';
import { findGlobalEnvironments, findWorkspaceEnvironments, globalPlaces, inspectAll, type GlobalSearchOptions } from './environments';
import { compileExcludes, DEFAULT_MAX_DEPTH, scanForEnvironments } from './scanner';
import type { DiscoveredEnvironment } from './types';
import { isSameOrInside } from '../paths';

export interface EnvironmentIndexOptions {
  /** Workspace folders to scan. */
  roots: readonly string[];
  /** Folder depth below each root (default 8) and extra exclude globs, as for `findWorkspaceEnvironments`. */
  maxDepth?: number;
  exclude?: readonly string[];
  /** Also list environments from the global places (WORKON_HOME, pyenv, poetry, ...). Default: no. */
  global?: boolean | GlobalSearchOptions;
  /** Environment variables for pyenv/HOME lookups. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Called once for every scan actually run (tests count them; logs can show them). */
  onScan?: (scan: IndexScan) => void;
}

export interface IndexScan {
  /** True for a full scan of every root (and the global places). */
  full: boolean;
  /** The changed paths a partial scan handled, after coalescing. */
  changedPaths: string[];
}

export interface EnvironmentIndexChange {
  added: DiscoveredEnvironment[];
  removed: DiscoveredEnvironment[];
  /** Re-inspected environments that are still there (their health or cfg may differ). */
  changed: DiscoveredEnvironment[];
}

interface PendingWork {
  full: boolean;
  paths: Set<string>;
}


function byPath(a: DiscoveredEnvironment, b: DiscoveredEnvironment): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/**
 * The environments of a set of workspace folders (and optionally the global places), kept up to
 * date incrementally. Built for a file watcher:
 *
 * ```ts
 * const index = new EnvironmentIndex({ roots: [folder], exclude: ['build'] });
 * await index.refresh();                         // first call: full scan
 * index.onDidChange(({ added, removed, changed }) => tree.refresh());
 * watcher.onDidChange((uri) => void index.refresh([uri.fsPath]));   // one path per event is fine
 * index.environments;                            // last result, sorted by path
 * ```
 *
 * - `refresh()` with no paths rescans everything. `refresh(paths)` touches only what the paths
 *   affect: a path inside a known environment re-inspects that environment; a `pyvenv.cfg`
 *   created or deleted adds or removes one; any other path rescans just that subtree (with the
 *   depth budget it has in the workspace); paths in the global places re-run the global search.
 * - Coalescing: while a scan runs, further requests are merged (their paths united, a full request
 *   wins) into ONE follow-up scan; every caller's promise resolves when the scan covering its
 *   request has finished. A request before the first full scan is a full scan.
 * - Never executes anything it finds. `dispose()` drops listeners; a scan in flight completes.
 */
export class EnvironmentIndex {
  private readonly byPath = new Map<string, DiscoveredEnvironment>();
  private readonly roots: string[];
  private readonly excluded: (name: string, relPath: string) => boolean;
  private readonly maxDepth: number;
  private readonly listeners = new Set<(change: EnvironmentIndexChange) => void>();
  private scannedOnce = false;
  private inFlight: Promise<void> | undefined;
  private followUp: Promise<readonly DiscoveredEnvironment[]> | undefined;
  private pending: PendingWork | undefined;

  constructor(private readonly options: EnvironmentIndexOptions) {
    this.roots = options.roots.map((r) => path.resolve(r));
    this.excluded = compileExcludes(options.exclude ?? []);
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  /** The environments as of the last finished scan, sorted by path. */
  get environments(): readonly DiscoveredEnvironment[] {
    return [...this.byPath.values()].sort(byPath);
  }

  onDidChange(listener: (change: EnvironmentIndexChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  dispose(): void {
    this.listeners.clear();
  }

  refresh(changedPaths?: readonly string[]): Promise<readonly DiscoveredEnvironment[]> {
    const work = (this.pending ??= { full: false, paths: new Set() });
    if (changedPaths === undefined) work.full = true;
    else for (const p of changedPaths) work.paths.add(path.resolve(p));
    if (this.followUp) return this.followUp;
    if (this.inFlight) {
      const next = () => this.startPending();
      this.followUp = this.inFlight.then(next, next);
      return this.followUp;
    }
    return this.startPending();
  }

  private startPending(): Promise<readonly DiscoveredEnvironment[]> {
    this.followUp = undefined;
    const work = this.pending ?? { full: false, paths: new Set<string>() };
    this.pending = undefined;
    const full = work.full || !this.scannedOnce;
    const run = (full ? this.fullScan() : this.partialScan([...work.paths])).finally(() => {
      if (this.inFlight === run) this.inFlight = undefined;
    });
    this.inFlight = run;
    this.options.onScan?.({ full, changedPaths: full ? [] : [...work.paths] });
    return run.then(() => this.environments);
  }

  private globalOptions(): GlobalSearchOptions | undefined {
    const g = this.options.global;
    if (!g) return undefined;
    const base: GlobalSearchOptions = this.options.env ? { env: this.options.env } : {};
    return g === true ? base : { ...base, ...g };
  }

  private async fullScan(): Promise<void> {
    const globalOpts = this.globalOptions();
    const [workspace, global] = await Promise.all([
      Promise.all(
        this.roots.map((root) =>
          findWorkspaceEnvironments(root, { maxDepth: this.maxDepth, exclude: this.options.exclude ?? [], ...(this.options.env ? { env: this.options.env } : {}) }),
        ),
      ),
      globalOpts ? findGlobalEnvironments(globalOpts) : Promise.resolve([]),
    ]);
    const next = new Map<string, DiscoveredEnvironment>();
    for (const e of [...workspace.flat(), ...global]) if (!next.has(e.path)) next.set(e.path, e);
    const change: EnvironmentIndexChange = { added: [], removed: [], changed: [] };
    for (const [p, e] of next) (this.byPath.has(p) ? change.changed : change.added).push(e);
    for (const [p, e] of this.byPath) if (!next.has(p)) change.removed.push(e);
    this.byPath.clear();
    for (const [p, e] of next) this.byPath.set(p, e);
    this.scannedOnce = true;
    this.emit(change);
  }

  private rootOf(p: string): { root: string; rel: string; depth: number } | undefined {
    for (const root of this.roots) {
      if (!isSameOrInside(p, root)) continue;
      const rel = path.relative(root, p).split(path.sep).join('/');
      const segments = rel === '' ? [] : rel.split('/');
      for (let i = 0; i < segments.length; i++) {
        if (this.excluded(segments[i], segments.slice(0, i + 1).join('/'))) return undefined;
        // The copies and leftovers lifecycle operations keep beside an env are never environments
        // of their own (the full scan skips them too).
        if (isLifecycleSibling(segments[i])) return undefined;
      }
      return { root, rel, depth: segments.length };
    }
    return undefined;
  }

  private knownEnvContaining(p: string): DiscoveredEnvironment | undefined {
    for (const e of this.byPath.values()) if (isSameOrInside(p, e.path)) return e;
    return undefined;
  }

  private async partialScan(paths: string[]): Promise<void> {
    const reinspect = new Set<string>();
    const subtrees: string[] = [];
    let globalRescan = false;
    const globalOpts = this.globalOptions();
    const globalFolders = globalOpts ? globalPlaces(globalOpts).map((g) => path.resolve(g.folder)) : [];

    for (const p of paths) {
      const env = this.knownEnvContaining(p);
      if (env) reinspect.add(env.path);
      else if (path.basename(p) === 'pyvenv.cfg') {
        const where = this.rootOf(path.dirname(p));
        if (where && where.depth <= this.maxDepth) reinspect.add(path.dirname(p));
        else if (globalFolders.some((g) => isSameOrInside(p, g))) globalRescan = true;
      } else if (this.rootOf(p)) subtrees.push(p);
      else if (globalFolders.some((g) => isSameOrInside(p, g))) globalRescan = true;
    }

    const change: EnvironmentIndexChange = { added: [], removed: [], changed: [] };
    const remove = (envPath: string) => {
      const e = this.byPath.get(envPath);
      if (!e) return;
      this.byPath.delete(envPath);
      change.removed.push(e);
    };
    const put = (e: DiscoveredEnvironment) => {
      const before = this.byPath.get(e.path);
      // An environment is not descended into: envs found earlier inside it no longer count.
      for (const known of this.byPath.keys()) if (known !== e.path && isSameOrInside(known, e.path)) remove(known);
      this.byPath.set(e.path, e);
      if (before) change.changed.push(e);
      else {
        const wasRemoved = change.removed.findIndex((r) => r.path === e.path);
        if (wasRemoved >= 0) {
          change.removed.splice(wasRemoved, 1);
          change.changed.push(e);
        } else change.added.push(e);
      }
    };

    const inspectOpts = this.options.env ? { env: this.options.env } : {};
    for (const dir of reinspect) {
      const known = this.byPath.get(dir);
      const [found] = await inspectAll([{ dir, source: known?.source ?? 'workspace', ...(known ? { kind: known.kind, name: known.name } : {}) }], known?.scope ?? 'workspace', inspectOpts);
      if (found) put(found);
      else if (known) {
        remove(dir);
        // No longer an environment: an ordinary folder now, whose contents were never walked.
        if (this.rootOf(dir)) subtrees.push(dir);
      }
    }

    // Outermost subtrees only; each is rescanned with the depth budget it has under its root.
    const outer = subtrees.filter((s, i) => !subtrees.some((o, j) => j !== i && isSameOrInside(s, o) && (s !== o || j < i)));
    for (const dir of outer) {
      const where = this.rootOf(dir)!;
      for (const known of this.byPath.values()) if (known.scope === 'workspace' && isSameOrInside(known.path, dir)) remove(known.path);
      const isDir = await fs.stat(dir).then((s) => s.isDirectory(), () => false);
      if (!isDir || where.depth > this.maxDepth) continue;
      const scan = await scanForEnvironments(dir, { maxDepth: this.maxDepth, startDepth: where.depth, startRel: where.rel, workspaceRoot: where.root, excludeTest: this.excluded });
      for (const e of await inspectAll(scan.envDirs.map((d) => ({ dir: d, source: 'workspace' })), 'workspace', inspectOpts)) put(e);
    }

    if (globalRescan && globalOpts) {
      const global = await findGlobalEnvironments(globalOpts);
      const seen = new Set(global.map((e) => e.path));
      for (const known of this.byPath.values()) if (known.scope === 'global' && !seen.has(known.path)) remove(known.path);
      for (const e of global) if (!this.byPath.has(e.path) || this.byPath.get(e.path)!.scope === 'global') put(e);
    }
    this.emit(change);
  }

  private emit(change: EnvironmentIndexChange): void {
    if (change.added.length + change.removed.length + change.changed.length === 0) return;
    for (const listener of this.listeners) listener(change);
  }
}

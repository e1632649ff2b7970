import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { environmentStatus, SOURCE_MEMORY_FILE, type DiscoveredEnvironment, type DistributionCache, type EnvStatus } from '../../core';
import { isLifecycleManaged } from '../tree/items';
import type { EnvironmentStore, StoreLog } from './environmentStore';
import { errorText } from './environmentStore';

interface Tracked {
  status: EnvStatus | undefined;
  /** Why the drift cannot be computed (the source is unreadable, say). */
  problem?: string;
  watchers: vscode.Disposable[];
  /** The source file and site-packages the watchers are on, to re-arm them when either moves. */
  key: string;
  timer?: NodeJS.Timeout;
}

/**
 * The drift of each environment that remembers a source, computed in-process (files only, see
 * environmentStatus) and kept current: recomputed when the source file changes, when something is
 * installed or removed in the env's site-packages (a `pip install` in a terminal), and when the
 * env's remembered source changes. Workspace envs are all tracked (a first sync makes the memory
 * file); an env listed from a global location only when it already remembers a source, so a folder
 * of many envs costs one stat each and no watchers.
 */
export class DriftMonitor implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly tracked = new Map<string, Tracked>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: EnvironmentStore, private readonly log: StoreLog, private readonly distributions?: DistributionCache) {
    this.subscription = store.onDidChange(() => void this.sync());
  }

  /** The drift of an env, when it remembers a source and it could be read. */
  status(envPath: string): EnvStatus | undefined {
    return this.tracked.get(envPath)?.status;
  }

  problem(envPath: string): string | undefined {
    return this.tracked.get(envPath)?.problem;
  }

  /** Recomputes one env now (after a sync, say). */
  async refresh(envPath: string): Promise<void> {
    const env = this.store.find(envPath);
    if (env) await this.compute(env);
  }

  private async sync(): Promise<void> {
    const managed = (e: DiscoveredEnvironment) => isLifecycleManaged(e) && e.health.ok;
    const remembers = (e: DiscoveredEnvironment) => fs.promises.stat(path.join(e.path, SOURCE_MEMORY_FILE)).then((st) => st.isFile(), () => false);
    const global = (this.store.globalEnvironments() ?? []).filter(managed);
    const withSource = await Promise.all(global.map(remembers));
    const byPath = new Map([...global.filter((_e, i) => withSource[i]), ...this.store.workspaceEnvironments().filter(managed)].map((e) => [e.path, e]));
    const envs = [...byPath.values()];
    const seen = new Set(envs.map((e) => e.path));
    for (const [envPath, t] of this.tracked) {
      if (!seen.has(envPath)) {
        this.untrack(t);
        this.tracked.delete(envPath);
      }
    }
    await Promise.all(envs.map((e) => this.compute(e)));
  }

  private async compute(env: DiscoveredEnvironment): Promise<void> {
    let t = this.tracked.get(env.path);
    if (!t) {
      t = { status: undefined, watchers: [], key: '' };
      this.tracked.set(env.path, t);
      // The memory file appears with the first sync; watch for it even before.
      t.watchers.push(this.watch(env.path, SOURCE_MEMORY_FILE, env));
    }
    const before = JSON.stringify([t.status?.summary, t.status?.drift, t.problem]);
    try {
      t.status = await environmentStatus(env.path, undefined, this.distributions ? { cache: this.distributions } : {});
      t.problem = undefined;
    } catch (err) {
      t.status = undefined;
      // No remembered source is the normal case, not a problem.
      t.problem = (err as { code?: string }).code === 'no-requirements' && /no remembered source/.test(errorText(err)) ? undefined : errorText(err);
      if (t.problem) this.log.warn(`Drift of ${env.path}: ${t.problem}`);
    }
    const key = t.status ? `${t.status.source.file}\n${env.sitePackages ?? ''}` : '';
    if (key !== t.key) {
      // Re-arm the source and site-packages watchers (the memory watcher stays).
      for (const w of t.watchers.splice(1)) w.dispose();
      t.key = key;
      if (t.status) {
        t.watchers.push(this.watch(path.dirname(t.status.source.file), path.basename(t.status.source.file), env));
        if (env.sitePackages) t.watchers.push(this.watch(env.sitePackages, '*', env));
      }
    }
    if (JSON.stringify([t.status?.summary, t.status?.drift, t.problem]) !== before) this.changed.fire();
  }

  /**
   * Node's own watcher on one folder (as EnvironmentWatcher does for bin folders: VS Code's
   * recursive watcher can miss events in folders made moments before); an event for `name` (or any
   * entry, for '*') recomputes the env, at most every 300 ms.
   */
  private watch(dir: string, name: string, env: DiscoveredEnvironment): vscode.Disposable {
    const later = () => {
      const t = this.tracked.get(env.path);
      if (!t) return;
      clearTimeout(t.timer);
      t.timer = setTimeout(() => void this.compute(this.store.find(env.path) ?? env), 300);
    };
    let watcher: fs.FSWatcher | undefined;
    try {
      watcher = fs.watch(dir, { persistent: false }, (_event, entry) => {
        if (name === '*' || !entry || entry.toString() === name) later();
      });
      watcher.on('error', () => watcher?.close());
    } catch {
      // The folder is gone: the store's next change re-arms the watchers.
    }
    return new vscode.Disposable(() => watcher?.close());
  }

  private untrack(t: Tracked): void {
    clearTimeout(t.timer);
    for (const w of t.watchers) w.dispose();
  }

  dispose(): void {
    this.subscription.dispose();
    for (const t of this.tracked.values()) this.untrack(t);
    this.tracked.clear();
    this.changed.dispose();
  }
}

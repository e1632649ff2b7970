import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { readInstalledDistributions, type DiscoveredEnvironment, type DistributionCache, type InstalledDistribution, type OutdatedReport } from '../../core';

/** Quiet time after the last change in a site-packages folder before it is read again (pip writes many entries). */
export const SITE_PACKAGES_DEBOUNCE_MS = 300;

/** The outdated packages of one env as last checked, kept across sessions (the check asks an index). */
export interface StoredOutdated {
  checkedAt: string;
  tool: 'pip' | 'uv';
  /** normalizedName -> the installed version at check time and the latest one. */
  packages: Record<string, { version: string; latest: string }>;
}

const OUTDATED_KEY_PREFIX = 'venvManager.outdated:';

/**
 * The installed distributions of each environment whose packages were shown, read from its
 * site-packages (nothing executed) and kept until that folder changes: a watch on the folder
 * itself (not recursive; installs and uninstalls add and remove its `*.dist-info` entries) re-reads
 * just that env and tells the tree which env changed.
 */
export class PackageStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the env path whose packages (or outdated facts) changed. */
  readonly onDidChange = this.changed.event;
  private readonly cache = new Map<string, Promise<InstalledDistribution[]>>();
  private readonly watchers = new Map<string, fs.FSWatcher>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subscription: vscode.Disposable;

  /**
   * `environmentsChanged`: the environment list changed (an env recreated, upgraded or removed): what
   * was read and watched may belong to a folder that is gone, so it is all read again when next shown.
   */
  constructor(private readonly state: vscode.Memento, private readonly log: vscode.LogOutputChannel, environmentsChanged: vscode.Event<void>, private readonly distributionCache?: DistributionCache) {
    this.subscription = environmentsChanged(() => this.forgetAll());
  }

  distributions(env: DiscoveredEnvironment): Promise<InstalledDistribution[]> {
    let read = this.cache.get(env.path);
    if (!read) {
      const started = performance.now();
      read = readInstalledDistributions(env, this.distributionCache ? { cache: this.distributionCache } : {}).then((dists) => {
        const reuse = this.distributionCache ? ` (${this.distributionCache.lastRead.reused} unchanged dist-info folders reused)` : '';
        this.log.trace(`Packages of ${env.path}: ${dists.length} read in ${(performance.now() - started).toFixed(1)} ms${reuse}`);
        return dists;
      });
      read.catch(() => this.cache.delete(env.path));
      this.cache.set(env.path, read);
      this.watch(env);
    }
    return read;
  }

  /**
   * Forget what was read (after our own install or uninstall, or a change in the folder) and tell
   * the tree. The watch goes too: the next read watches the folder that is there then (a recreate
   * puts a new one in place).
   */
  invalidate(envPath: string): void {
    this.cache.delete(envPath);
    this.watchers.get(envPath)?.close();
    this.watchers.delete(envPath);
    this.changed.fire(envPath);
  }

  outdated(envPath: string): StoredOutdated | undefined {
    return this.state.get<StoredOutdated>(OUTDATED_KEY_PREFIX + envPath);
  }

  async setOutdated(envPath: string, report: OutdatedReport): Promise<void> {
    const packages: StoredOutdated['packages'] = {};
    for (const p of report.packages) packages[p.normalizedName] = { version: p.version, latest: p.latest };
    await this.state.update(OUTDATED_KEY_PREFIX + envPath, { checkedAt: report.checkedAt, tool: report.tool, packages } satisfies StoredOutdated);
    this.changed.fire(envPath);
  }

  private watch(env: DiscoveredEnvironment): void {
    const dir = env.sitePackages;
    if (!dir || this.watchers.has(env.path)) return;
    try {
      const watcher = fs.watch(dir, { persistent: false }, () => this.schedule(env.path));
      watcher.on('error', () => {
        watcher.close();
        this.watchers.delete(env.path);
      });
      this.watchers.set(env.path, watcher);
    } catch (err) {
      this.log.warn(`Cannot watch ${dir} for package changes: ${(err as Error).message}`);
    }
  }

  private schedule(envPath: string): void {
    clearTimeout(this.timers.get(envPath));
    this.timers.set(envPath, setTimeout(() => {
      this.timers.delete(envPath);
      this.invalidate(envPath);
    }, SITE_PACKAGES_DEBOUNCE_MS));
  }

  private forgetAll(): void {
    for (const w of this.watchers.values()) w.close();
    for (const t of this.timers.values()) clearTimeout(t);
    this.watchers.clear();
    this.timers.clear();
    this.cache.clear();
  }

  dispose(): void {
    this.forgetAll();
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** The latest version to show beside an installed one: only when the check saw this very version. */
export function latestFor(outdated: StoredOutdated | undefined, dist: InstalledDistribution): string | undefined {
  const entry = outdated?.packages[dist.normalizedName];
  return entry && entry.version === dist.version ? entry.latest : undefined;
}

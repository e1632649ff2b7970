import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CREATED_COLLECT_LIMIT, planCreatedPaths } from './createdPaths';
import { isSameOrInside } from '../../core/paths';
import type { EnvironmentStore } from './environmentStore';

/** Quiet time after the last file event before the index is told: a venv writes many files. */
export const WATCH_DEBOUNCE_MS = 150;
/** Longest a burst of events can hold the index back: a process that keeps writing files cannot. */
export const WATCH_MAX_WAIT_MS = 1000;

/**
 * Keeps the store live. Watched: pyvenv.cfg and env interpreters created/changed/deleted anywhere
 * in the workspace, and every deletion (an env removed with `rm -rf` may report only its top
 * folder). Paths are collected and handed to the discovery index together after the debounce; the
 * index re-inspects just the environments and subtrees they touch.
 *
 * VS Code's recursive watcher can miss every event inside a folder that was created and filled
 * moments before it noticed the folder (a fresh venv's `bin/`, or a new env's pyvenv.cfg). So
 * creations outside known environments are collected too, reduced to the outermost new folders and
 * rescanned as subtrees (one workspace rescan for a burst of many); and the `bin`/`Scripts` folder
 * of each known workspace environment is watched directly: a handful of non-recursive watches.
 */
export class EnvironmentWatcher implements vscode.Disposable {
  private readonly watchers: vscode.Disposable[] = [];
  private readonly pending = new Set<string>();
  /** Created paths outside known environments, reduced at flush time. */
  private readonly created = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** When the oldest event not yet handed to the index came in. */
  private firstPendingAt: number | undefined;
  private readonly folderSubscription: vscode.Disposable;
  private readonly storeSubscription: vscode.Disposable;
  private readonly binWatchers = new Map<string, fs.FSWatcher>();

  constructor(private readonly store: EnvironmentStore, private readonly log: vscode.LogOutputChannel) {
    this.watchFolders();
    this.folderSubscription = vscode.workspace.onDidChangeWorkspaceFolders(() => this.watchFolders());
    this.storeSubscription = store.onDidChange(() => this.watchBinFolders());
    this.watchBinFolders();
  }

  private watchBinFolders(): void {
    const wanted = new Set(this.store.workspaceEnvironments().map((e) => e.binDir));
    for (const [dir, watcher] of this.binWatchers) {
      if (!wanted.has(dir)) {
        watcher.close();
        this.binWatchers.delete(dir);
      }
    }
    for (const dir of wanted) {
      if (this.binWatchers.has(dir)) continue;
      try {
        const watcher = fs.watch(dir, { persistent: false }, (_event, name) => this.queue(name ? path.join(dir, name.toString()) : dir));
        watcher.on('error', () => {
          watcher.close();
          this.binWatchers.delete(dir);
        });
        this.binWatchers.set(dir, watcher);
      } catch {
        // No bin folder (a broken env): the recursive watcher reports it coming back.
      }
    }
  }

  private watchFolders(): void {
    for (const w of this.watchers.splice(0)) w.dispose();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const envFiles = vscode.workspace.createFileSystemWatcher(
        new vscode.RelativePattern(folder, '**/{pyvenv.cfg,bin/python,Scripts/python.exe}'),
      );
      const queue = (uri: vscode.Uri) => this.queue(uri.fsPath);
      const anything = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '**'), false, true, false);
      const touchesKnownEnv = (p: string) => this.store.workspaceEnvironments().some((e) => isSameOrInside(e.path, p) || isSameOrInside(p, e.path));
      this.watchers.push(
        envFiles,
        anything,
        envFiles.onDidCreate(queue),
        envFiles.onDidChange(queue),
        envFiles.onDidDelete(queue),
        anything.onDidCreate((uri) => {
          // Inside a known env the env watches cover it; elsewhere it may be a folder that holds a
          // new env whose own events were missed.
          if (!this.store.workspaceEnvironments().some((e) => isSameOrInside(uri.fsPath, e.path))) {
            // Past the limit the set stops growing; the flush then rescans instead.
            if (this.created.size < CREATED_COLLECT_LIMIT) this.created.add(uri.fsPath);
            this.schedule();
          }
        }),
        anything.onDidDelete((uri) => {
          // Only deletions that can matter: a known environment or a folder that may hold one.
          if (touchesKnownEnv(uri.fsPath)) this.queue(uri.fsPath);
        }),
      );
    }
  }

  private queue(p: string): void {
    this.pending.add(p);
    this.schedule();
  }

  private schedule(): void {
    const now = Date.now();
    this.firstPendingAt ??= now;
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.min(WATCH_DEBOUNCE_MS, Math.max(0, this.firstPendingAt + WATCH_MAX_WAIT_MS - now));
    this.timer = setTimeout(() => void this.flush(), delay);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    this.firstPendingAt = undefined;
    const paths = [...this.pending];
    this.pending.clear();
    // Taken before the await: events that come in meanwhile belong to the next flush.
    const createdNow = new Set(this.created);
    this.created.clear();
    const created = await planCreatedPaths(createdNow);
    if (created === 'rescan') {
      this.log.debug('File events: many new folders at once; rescanning the workspace');
      await Promise.all([this.store.refreshWorkspace(), paths.length ? this.store.update(paths) : undefined]);
      return;
    }
    paths.push(...created);
    this.log.debug(`File events: ${paths.length} path(s) to the discovery index`);
    await this.store.update(paths);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers) w.dispose();
    for (const w of this.binWatchers.values()) w.close();
    this.binWatchers.clear();
    this.folderSubscription.dispose();
    this.storeSubscription.dispose();
  }
}

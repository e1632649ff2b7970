import * as vscode from 'vscode';
import { isSameOrInside, type EnvironmentStore } from './environmentStore';

/** Quiet time after the last file event before the index is told: a venv writes many files. */
export const WATCH_DEBOUNCE_MS = 150;

/**
 * Keeps the store live. Watched: pyvenv.cfg and env interpreters created/changed/deleted anywhere
 * in the workspace, and every deletion (an env removed with `rm -rf` may report only its top
 * folder). Paths are collected and handed to the discovery index together after the debounce; the
 * index re-inspects just the environments and subtrees they touch.
 */
export class EnvironmentWatcher implements vscode.Disposable {
  private readonly watchers: vscode.Disposable[] = [];
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly folderSubscription: vscode.Disposable;

  constructor(private readonly store: EnvironmentStore, private readonly log: vscode.LogOutputChannel) {
    this.watchFolders();
    this.folderSubscription = vscode.workspace.onDidChangeWorkspaceFolders(() => this.watchFolders());
  }

  private watchFolders(): void {
    for (const w of this.watchers.splice(0)) w.dispose();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const envFiles = vscode.workspace.createFileSystemWatcher(
        new vscode.RelativePattern(folder, '**/{pyvenv.cfg,bin/python,Scripts/python.exe}'),
      );
      const queue = (uri: vscode.Uri) => this.queue(uri.fsPath);
      const deletions = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '**'), true, true, false);
      this.watchers.push(
        envFiles,
        deletions,
        envFiles.onDidCreate(queue),
        envFiles.onDidChange(queue),
        envFiles.onDidDelete(queue),
        deletions.onDidDelete((uri) => {
          // Only deletions that can matter: a known environment or a folder that may hold one.
          const p = uri.fsPath;
          if (this.store.workspaceEnvironments().some((e) => isSameOrInside(e.path, p) || isSameOrInside(p, e.path))) this.queue(p);
        }),
      );
    }
  }

  private queue(p: string): void {
    this.pending.add(p);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), WATCH_DEBOUNCE_MS);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const paths = [...this.pending];
    this.pending.clear();
    this.log.debug(`File events: ${paths.length} path(s) to the discovery index`);
    await this.store.update(paths);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers) w.dispose();
    this.folderSubscription.dispose();
  }
}

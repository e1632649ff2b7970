import * as path from 'node:path';
import * as vscode from 'vscode';
import { EnvironmentIndex, findGlobalEnvironments, type DiscoveredEnvironment } from '../../core';
import { isSameOrInside } from '../../core/paths';
import { affectsSetting, readSettings } from '../config';
import { Settings } from '../constants';

export interface StoreLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error): void;
}

/**
 * What the extension knows about environments: one discovery EnvironmentIndex per workspace folder
 * (its own depth and excludes), fed with changed paths by the file watcher so one change never
 * rescans the workspace, plus the global places. Discovery executes nothing it finds.
 */
export class EnvironmentStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  private indexes = new Map<string, { folder: vscode.WorkspaceFolder; index: EnvironmentIndex }>();
  private global: DiscoveredEnvironment[] | undefined;
  private globalScan: Promise<void> | undefined;
  private firstScan: Promise<void> | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly log: StoreLog) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.rebuildIndexes()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsSetting(e, Settings.searchMaxDepth) || affectsSetting(e, Settings.searchExclude)) void this.rebuildIndexes();
        if (affectsSetting(e, Settings.globalEnvFolders) && this.global !== undefined) void this.refreshGlobal();
      }),
    );
  }

  /** Resolves once the first workspace scan has finished (started on first call). */
  ready(): Promise<void> {
    this.firstScan ??= this.rebuildIndexes();
    return this.firstScan;
  }

  folderEnvironments(folder: vscode.WorkspaceFolder): readonly DiscoveredEnvironment[] {
    return this.indexes.get(folder.uri.toString())?.index.environments ?? [];
  }

  workspaceEnvironments(): DiscoveredEnvironment[] {
    return [...this.indexes.values()].flatMap(({ index }) => index.environments);
  }

  globalEnvironments(): readonly DiscoveredEnvironment[] | undefined {
    return this.global;
  }

  all(): DiscoveredEnvironment[] {
    return [...this.workspaceEnvironments(), ...(this.global ?? [])];
  }

  find(envPath: string): DiscoveredEnvironment | undefined {
    const wanted = path.resolve(envPath);
    return this.all().find((e) => e.path === wanted);
  }

  /** Full rescan of every workspace folder; concurrent requests are coalesced by the indexes. */
  async refreshWorkspace(): Promise<void> {
    await this.ready();
    await Promise.all([...this.indexes.values()].map(({ index }) => this.guard(index.refresh(), 'Workspace scan')));
  }

  /**
   * Hands changed paths (file events, or an env a command just built or removed) to the index of
   * the folder holding them; paths in a global environment re-read the global list.
   */
  async update(paths: Iterable<string>): Promise<void> {
    await this.ready();
    const byFolder = new Map<string, string[]>();
    let globalTouched = false;
    for (const p of paths) {
      const resolved = path.resolve(p);
      const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(resolved));
      const entry = folder && this.indexes.get(folder.uri.toString());
      if (entry) byFolder.set(folder.uri.toString(), [...(byFolder.get(folder.uri.toString()) ?? []), resolved]);
      else if (this.global?.some((e) => isSameOrInside(resolved, e.path))) globalTouched = true;
    }
    await Promise.all([
      ...[...byFolder].map(([key, changed]) => this.guard(this.indexes.get(key)!.index.refresh(changed), 'Environment update')),
      globalTouched ? this.refreshGlobal() : undefined,
    ]);
  }

  refreshGlobal(): Promise<void> {
    this.globalScan ??= (async () => {
      try {
        const started = Date.now();
        const found = await findGlobalEnvironments({ extraFolders: readSettings().globalEnvFolders });
        const inWorkspace = new Set(this.workspaceEnvironments().map((e) => e.path));
        this.global = found.filter((e) => !inWorkspace.has(e.path));
        this.log.info(`Global environments: ${this.global.length} found in ${Date.now() - started} ms`);
      } catch (err) {
        this.log.error(`Global environment discovery failed: ${errorText(err)}`);
        this.global ??= [];
      } finally {
        this.globalScan = undefined;
        this.changed.fire();
      }
    })();
    return this.globalScan;
  }

  dispose(): void {
    for (const { index } of this.indexes.values()) index.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }

  private async rebuildIndexes(): Promise<void> {
    for (const { index } of this.indexes.values()) index.dispose();
    const next = new Map<string, { folder: vscode.WorkspaceFolder; index: EnvironmentIndex }>();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const settings = readSettings(folder);
      const index = new EnvironmentIndex({ roots: [folder.uri.fsPath], maxDepth: settings.searchMaxDepth, exclude: settings.searchExclude });
      index.onDidChange(() => this.changed.fire());
      next.set(folder.uri.toString(), { folder, index });
    }
    this.indexes = next;
    const started = Date.now();
    await Promise.all([...next.values()].map(({ folder, index }) => this.guard(index.refresh(), `Scanning ${folder.uri.fsPath}`)));
    const count = this.workspaceEnvironments().length;
    this.log.info(`Workspace environments: ${count} in ${next.size} folder(s), scanned in ${Date.now() - started} ms`);
    this.changed.fire();
  }

  private async guard(work: Promise<unknown>, what: string): Promise<void> {
    try {
      await work;
    } catch (err) {
      this.log.error(`${what} failed: ${errorText(err)}`);
    }
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

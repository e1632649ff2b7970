import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { DiscoveredEnvironment } from '../../core';
import type { ActiveEnvironments } from '../environments/activeEnvironments';
import type { DriftMonitor } from '../environments/driftMonitor';
import type { EnvironmentStore } from '../environments/environmentStore';
import {
  CfgEntryItem,
  driftChildren,
  EnvironmentItem,
  externalInterpreterText,
  FolderItem,
  GlobalGroupItem,
  MessageItem,
  PathEntryItem,
  type EnvironmentTreeNode,
} from './items';

/**
 * Workspace folders (only when there are several) -> environments -> parsed pyvenv.cfg, and a
 * "Global" group. With no environment in the workspace the root is empty, so the view shows its
 * welcome content (Create Environment) until the user asks to see the global ones.
 */
export class EnvironmentsTreeProvider implements vscode.TreeDataProvider<EnvironmentTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<EnvironmentTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private showGlobalWhenEmpty = false;

  constructor(
    private readonly store: EnvironmentStore,
    private readonly active: ActiveEnvironments,
    private readonly media: vscode.Uri,
    private readonly drift: DriftMonitor,
  ) {
    this.subscriptions.push(
      drift.onDidChange(() => this.changed.fire(undefined)),
      store.onDidChange(() => this.changed.fire(undefined)),
      active.onDidChange(() => this.changed.fire(undefined)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.changed.fire(undefined)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire(undefined)),
    );
  }

  showGlobalEnvironments(): void {
    this.showGlobalWhenEmpty = true;
    this.changed.fire(undefined);
  }

  getTreeItem(element: EnvironmentTreeNode): vscode.TreeItem {
    return element;
  }

  async getChildren(element?: EnvironmentTreeNode): Promise<EnvironmentTreeNode[]> {
    if (!element) return this.roots();
    if (element instanceof FolderItem) {
      const envs = this.store.folderEnvironments(element.folder);
      if (envs.length === 0) return [new MessageItem(`empty:${element.folder.uri.toString()}`, vscode.l10n.t('No environments in this folder'), 'info')];
      return envs.map((e) => this.environmentItem(e, element.folder));
    }
    if (element instanceof GlobalGroupItem) {
      if (this.store.globalEnvironments() === undefined) await this.store.refreshGlobal();
      const envs = this.store.globalEnvironments() ?? [];
      if (envs.length === 0) return [new MessageItem('empty:global', vscode.l10n.t('No global environments found'), 'info')];
      return envs.map((e) => this.environmentItem(e, undefined));
    }
    if (element instanceof EnvironmentItem) return [...driftChildren(element.env, element.state.drift), ...environmentChildren(element.env)];
    return [];
  }

  private async roots(): Promise<EnvironmentTreeNode[]> {
    await this.store.ready();
    const folders = vscode.workspace.workspaceFolders ?? [];
    const workspaceCount = this.store.workspaceEnvironments().length;
    if (workspaceCount === 0 && !this.showGlobalWhenEmpty) return [];
    const top: EnvironmentTreeNode[] =
      folders.length === 1
        ? this.store.folderEnvironments(folders[0]).map((e) => this.environmentItem(e, folders[0]))
        : folders.map((f) => new FolderItem(f, this.active.external(f)));
    const external = folders.length === 1 ? this.active.external(folders[0]) : undefined;
    // A Python tool chose an interpreter that is not a venv: said plainly above the environments.
    const notice = external ? [new MessageItem('external', externalInterpreterText(external), 'info')] : [];
    return [...notice, ...top, new GlobalGroupItem()];
  }

  private environmentItem(env: DiscoveredEnvironment, folder: vscode.WorkspaceFolder | undefined): EnvironmentItem {
    const drift = this.drift.status(env.path);
    return new EnvironmentItem(env, {
      active: this.active.isActiveAnywhere(env.path),
      folder,
      media: this.media,
      ...(drift ? { drift } : {}),
    });
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

/** One child per pyvenv.cfg line (unknown keys too), then the interpreter and site-packages paths. */
export function environmentChildren(env: DiscoveredEnvironment): EnvironmentTreeNode[] {
  const children: EnvironmentTreeNode[] = [];
  for (const entry of env.cfg?.entries ?? []) children.push(new CfgEntryItem(env, entry));
  if (!env.cfg) children.push(new MessageItem(`nocfg:${env.path}`, vscode.l10n.t('No readable pyvenv.cfg'), 'warning'));
  children.push(new PathEntryItem(env, vscode.l10n.t('interpreter'), env.interpreterPath, fs.existsSync(env.interpreterPath)));
  if (env.sitePackages) children.push(new PathEntryItem(env, vscode.l10n.t('site-packages'), env.sitePackages, fs.existsSync(env.sitePackages)));
  for (const [i, problem] of env.health.problems.entries()) {
    children.push(new MessageItem(`problem:${env.path}:${i}`, problem.message, 'warning'));
  }
  return children;
}

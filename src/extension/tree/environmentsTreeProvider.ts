import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { DiscoveredEnvironment } from '../../core';
import type { ActiveEnvironments } from '../environments/activeEnvironments';
import type { DriftMonitor } from '../environments/driftMonitor';
import type { EnvironmentStore } from '../environments/environmentStore';
import { latestFor, type PackageStore } from '../packages/packageStore';
import {
  CfgEntryItem,
  driftChildren,
  EnvironmentItem,
  externalInterpreterText,
  FolderItem,
  GlobalGroupItem,
  MessageItem,
  PackageItem,
  PackagesItem,
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
  /** One "Packages" node per env, kept so a change in its site-packages refreshes just that node. */
  private readonly packagesItems = new Map<string, PackagesItem>();

  constructor(
    private readonly store: EnvironmentStore,
    private readonly active: ActiveEnvironments,
    private readonly media: vscode.Uri,
    private readonly drift: DriftMonitor,
    private readonly packages: PackageStore,
  ) {
    this.subscriptions.push(
      drift.onDidChange(() => this.changed.fire(undefined)),
      packages.onDidChange((envPath) => {
        const item = this.packagesItems.get(envPath);
        if (item) void this.packagesItem(item.env).then((fresh) => this.changed.fire(fresh));
      }),
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
    if (element instanceof EnvironmentItem) {
      const children = [...driftChildren(element.env, element.state.drift), ...environmentChildren(element.env)];
      if (element.env.sitePackages) children.push(await this.packagesItem(element.env));
      return children;
    }
    if (element instanceof PackagesItem) return this.packageChildren(element.env);
    return [];
  }

  /** The env's "Packages (N)" node, the same object each time (the tree refreshes it by identity), brought up to date. */
  private async packagesItem(env: DiscoveredEnvironment): Promise<PackagesItem> {
    let item = this.packagesItems.get(env.path);
    if (!item || item.env !== env) {
      item = new PackagesItem(env);
      this.packagesItems.set(env.path, item);
    }
    const dists = await this.packages.distributions(env).catch(() => []);
    const outdated = this.packages.outdated(env.path);
    return item.update(dists, outdated, dists.filter((d) => latestFor(outdated, d) !== undefined).length);
  }

  private async packageChildren(env: DiscoveredEnvironment): Promise<EnvironmentTreeNode[]> {
    const dists = await this.packages.distributions(env).catch(() => []);
    if (dists.length === 0) return [new MessageItem(`nopackages:${env.path}`, vscode.l10n.t('No packages installed'), 'info')];
    const outdated = this.packages.outdated(env.path);
    return dists.map((d) => new PackageItem(env, d, latestFor(outdated, d)));
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

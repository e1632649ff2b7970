import * as path from 'node:path';
import * as vscode from 'vscode';
import { capabilities, describeSource, versionLabel, type DiscoveredEnvironment, type EnvStatus, type InstalledDistribution, type PyvenvCfgEntry } from '../../core';
import type { StoredOutdated } from '../packages/packageStore';
import { Commands, ItemTokens } from '../constants';
import type { ExternalInterpreter } from '../environments/activeEnvironments';

export type EnvironmentTreeNode = FolderItem | EnvironmentItem | CfgEntryItem | PathEntryItem | GlobalGroupItem | MessageItem | PackagesItem | PackageItem;

export class FolderItem extends vscode.TreeItem {
  constructor(readonly folder: vscode.WorkspaceFolder, external?: ExternalInterpreter) {
    super(folder.name, vscode.TreeItemCollapsibleState.Expanded);
    this.id = `folder:${folder.uri.toString()}`;
    this.iconPath = vscode.ThemeIcon.Folder;
    this.resourceUri = folder.uri;
    this.contextValue = ItemTokens.folder;
    this.tooltip = external ? `${folder.uri.fsPath}\n${externalInterpreterText(external)}` : folder.uri.fsPath;
    if (external) this.description = externalInterpreterText(external);
  }
}

/** The folder uses an interpreter another tool chose that is not a virtual environment. */
export function externalInterpreterText(external: ExternalInterpreter): string {
  return vscode.l10n.t('{0} uses {1}: not a virtual environment, terminals are not activated', external.tool, external.path);
}

export class GlobalGroupItem extends vscode.TreeItem {
  constructor() {
    super(vscode.l10n.t('Global'), vscode.TreeItemCollapsibleState.Collapsed);
    this.id = 'global';
    this.iconPath = new vscode.ThemeIcon('globe');
    this.contextValue = ItemTokens.globalGroup;
    this.tooltip = vscode.l10n.t('Environments outside the workspace: WORKON_HOME, pyenv, pipenv, poetry, hatch, conda, uv and the folders in the "Global Env Folders" setting');
  }
}

export class MessageItem extends vscode.TreeItem {
  constructor(id: string, message: string, icon?: string) {
    super(message, vscode.TreeItemCollapsibleState.None);
    this.id = id;
    if (icon) this.iconPath = new vscode.ThemeIcon(icon);
  }
}

export interface EnvironmentItemState {
  active: boolean;
  /** Workspace folder the env belongs to (label is then relative to it). */
  folder?: vscode.WorkspaceFolder;
  media: vscode.Uri;
  /** How the env stands against its remembered source (see DriftMonitor). */
  drift?: EnvStatus;
}

/** Whether clear, upgrade, recreate and delete may act on it (core's capabilities: a pyvenv.cfg env no other tool owns). */
export function isLifecycleManaged(env: DiscoveredEnvironment): boolean {
  return capabilities(env).clear.allowed;
}

/** An environment an interrupted operation (VS Code or the CLI killed) left marked incomplete: Recover applies. */
export function isInterrupted(env: DiscoveredEnvironment): boolean {
  return capabilities(env).recover.allowed;
}

export class EnvironmentItem extends vscode.TreeItem {
  constructor(readonly env: DiscoveredEnvironment, readonly state: EnvironmentItemState) {
    super(environmentLabel(env, state.folder), vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `env:${env.path}`;
    const broken = !env.health.ok;
    const facts = [versionLabel(env.version, env.freeThreaded) ?? vscode.l10n.t('unknown version'), env.kind];
    if (state.active) facts.push(vscode.l10n.t('active'));
    if (broken) facts.push(vscode.l10n.t('broken'));
    const drifted = state.drift !== undefined && !state.drift.inSync;
    if (drifted) facts.push(vscode.l10n.t('out of sync'));
    this.description = facts.join(' · ');
    const icon = broken ? 'env-broken' : state.active ? 'env-active' : 'env-ok';
    this.iconPath = {
      light: vscode.Uri.joinPath(state.media, `${icon}-light.svg`),
      dark: vscode.Uri.joinPath(state.media, `${icon}-dark.svg`),
    };
    this.tooltip = environmentTooltip(env, state.active, state.drift);
    this.contextValue = environmentContextValue(env, state.active) + (drifted ? ItemTokens.drifted : '');
    this.resourceUri = vscode.Uri.file(env.path);
  }
}

export function environmentLabel(env: DiscoveredEnvironment, folder?: vscode.WorkspaceFolder): string {
  if (!folder) return env.name;
  const rel = path.relative(folder.uri.fsPath, env.path);
  return rel === '' ? env.name : rel.split(path.sep).join('/');
}

export function environmentContextValue(env: DiscoveredEnvironment, active: boolean): string {
  const tokens: string[] = [ItemTokens.environment, `kind-${env.kind};`];
  if (active) tokens.push(ItemTokens.active);
  if (!env.health.ok) tokens.push(ItemTokens.broken);
  tokens.push(ItemTokens.activatable);
  if (env.cfgPath) tokens.push(ItemTokens.hasCfg);
  const can = capabilities(env);
  if (can.clear.allowed) tokens.push(ItemTokens.clearable);
  if (can.upgrade.allowed) tokens.push(ItemTokens.upgradable);
  if (can.recreate.allowed) tokens.push(ItemTokens.recreatable);
  if (can.delete.allowed) tokens.push(ItemTokens.deletable);
  if (can.install.allowed) tokens.push(ItemTokens.installable);
  if (can.recover.allowed) tokens.push(ItemTokens.interrupted);
  return tokens.join('');
}

/** "out of sync with pyproject.toml: 2 missing, 1 other version" and what each is, for the env's children. */
export function driftChildren(env: DiscoveredEnvironment, drift: EnvStatus | undefined): MessageItem[] {
  if (!drift) return [];
  const items = [new MessageItem(`drift:${env.path}`, drift.inSync ? vscode.l10n.t('in sync with {0}', describeSource(drift.source)) : drift.summary, drift.inSync ? 'pass' : 'warning')];
  const lines = [
    ...drift.drift.missing.map((m) => vscode.l10n.t('missing: {0}', m.wanted)),
    ...drift.drift.otherVersion.map((o) => vscode.l10n.t('{0} {1} installed, declared {2}', o.name, o.installed, o.wanted)),
    ...(drift.exact ? drift.drift.notDeclared.map((n) => vscode.l10n.t('not declared: {0} {1}', n.name, n.version)) : []),
  ];
  for (const [i, line] of lines.entries()) items.push(new MessageItem(`drift:${env.path}:${i}`, line, 'circle-small'));
  return items;
}

function environmentTooltip(env: DiscoveredEnvironment, active: boolean, drift: EnvStatus | undefined): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${escapeMarkdown(env.name)}**${active ? ` — ${vscode.l10n.t('active')}` : ''}\n\n`);
  md.appendMarkdown(`${vscode.l10n.t('Path')}: \`${env.path}\`\n\n`);
  md.appendMarkdown(`${vscode.l10n.t('Python')}: ${versionLabel(env.version, env.freeThreaded) ?? vscode.l10n.t('unknown')} · ${vscode.l10n.t('kind')}: ${env.kind} · ${vscode.l10n.t('found in')}: ${env.source}\n\n`);
  if (env.baseInterpreter) md.appendMarkdown(`${vscode.l10n.t('Base interpreter')}: \`${env.baseInterpreter}\`\n\n`);
  if (drift) md.appendMarkdown(`${drift.inSync ? '$(pass)' : '$(warning)'} ${escapeMarkdown(drift.inSync ? vscode.l10n.t('in sync with {0}', describeSource(drift.source)) : drift.summary)}${drift.inSync ? '' : ` — ${vscode.l10n.t('Sync Environment installs and removes what differs.')}`}\n\n`);
  if (!env.health.ok) {
    md.appendMarkdown(`$(warning) **${vscode.l10n.t('Broken')}**\n\n`);
    for (const p of env.health.problems) md.appendMarkdown(`- ${escapeMarkdown(p.message)}\n`);
    const codes = new Set(env.health.problems.map((p) => p.code));
    if (codes.has('incomplete')) md.appendMarkdown(`\n${vscode.l10n.t('Fix: Recover Interrupted Operation puts back the environment as it was before the operation was interrupted.')}\n`);
    else if (codes.has('version-mismatch')) md.appendMarkdown(`\n${vscode.l10n.t('Fix: Upgrade Environment re-points it at the upgraded Python and keeps its packages.')}\n`);
    else if (codes.has('base-missing') || codes.has('python-dangling')) md.appendMarkdown(`\n${vscode.l10n.t('Fix: Recreate Environment from Requirements with an interpreter that exists, or Upgrade it if its Python moved.')}\n`);
  }
  md.supportThemeIcons = true;
  return md;
}

export class CfgEntryItem extends vscode.TreeItem {
  constructor(readonly env: DiscoveredEnvironment, readonly entry: PyvenvCfgEntry) {
    super(entry.key, vscode.TreeItemCollapsibleState.None);
    this.id = `cfg:${env.path}:${entry.line}`;
    this.description = entry.value;
    this.tooltip = `${entry.key} = ${entry.value}\n${vscode.l10n.t('line {0} of {1}', entry.line, env.cfgPath ?? 'pyvenv.cfg')}`;
    this.iconPath = new vscode.ThemeIcon('symbol-key');
    this.contextValue = ItemTokens.cfgEntry;
    this.command = {
      command: Commands.openCfgEntry,
      title: vscode.l10n.t('Show in pyvenv.cfg'),
      arguments: [this],
    };
  }
}

/** The interpreter and site-packages paths shown under an environment beside its cfg keys. */
export class PathEntryItem extends vscode.TreeItem {
  constructor(readonly env: DiscoveredEnvironment, label: string, readonly target: string, exists: boolean) {
    super(label, vscode.TreeItemCollapsibleState.None);
    this.id = `path:${env.path}:${label}`;
    this.description = target;
    this.tooltip = exists ? target : vscode.l10n.t('{0} (missing)', target);
    this.iconPath = new vscode.ThemeIcon(exists ? 'file-symlink-file' : 'warning');
    this.contextValue = ItemTokens.pathEntry;
    this.resourceUri = vscode.Uri.file(target);
  }
}

/** Whether packages may be installed, upgraded and uninstalled: an env of ours whose pip can run. */
export function packagesChangeable(env: DiscoveredEnvironment): boolean {
  return isLifecycleManaged(env) && env.health.ok;
}

/** "Packages (N)" under an environment; its children are the installed distributions. */
export class PackagesItem extends vscode.TreeItem {
  constructor(readonly env: DiscoveredEnvironment) {
    super(vscode.l10n.t('Packages'), vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `packages:${env.path}`;
    this.iconPath = new vscode.ThemeIcon('package');
    this.contextValue = ItemTokens.packages + (packagesChangeable(env) ? ItemTokens.packagesChangeable : '');
  }

  /** Label, description and tooltip from what was read; `now` dates the last update check. */
  update(dists: readonly InstalledDistribution[], outdated: StoredOutdated | undefined, outdatedCount: number, now = Date.now()): this {
    this.label = vscode.l10n.t('Packages ({0})', dists.length);
    const damaged = dists.filter((d) => d.problems.length > 0).length;
    const facts: string[] = [];
    if (outdated) facts.push(outdatedCount === 0 ? vscode.l10n.t('no updates') : vscode.l10n.t('{0} outdated', outdatedCount), vscode.l10n.t('checked {0}', age(outdated.checkedAt, now)));
    if (damaged > 0) facts.push(vscode.l10n.t('{0} damaged', damaged));
    this.description = facts.join(' · ');
    this.tooltip = outdated
      ? vscode.l10n.t('{0} distributions in {1}; updates checked with {2} at {3}', dists.length, this.env.sitePackages ?? this.env.path, outdated.tool, new Date(outdated.checkedAt).toLocaleString())
      : vscode.l10n.t('{0} distributions in {1}; run Check for Updates to see which are outdated', dists.length, this.env.sitePackages ?? this.env.path);
    return this;
  }
}

/** How long ago an ISO time was, shortly: "just now", "5 min ago", "3 h ago", "2 days ago". */
export function age(iso: string, now: number): string {
  const minutes = Math.floor((now - Date.parse(iso)) / 60_000);
  if (!Number.isFinite(minutes) || minutes < 1) return vscode.l10n.t('just now');
  if (minutes < 60) return vscode.l10n.t('{0} min ago', minutes);
  if (minutes < 48 * 60) return vscode.l10n.t('{0} h ago', Math.floor(minutes / 60));
  return vscode.l10n.t('{0} days ago', Math.floor(minutes / (24 * 60)));
}

/** One installed distribution: `name  version`, `current -> latest` when outdated, editable and damaged marked. */
export class PackageItem extends vscode.TreeItem {
  constructor(readonly env: DiscoveredEnvironment, readonly dist: InstalledDistribution, readonly latest: string | undefined) {
    super(dist.name, vscode.TreeItemCollapsibleState.None);
    this.id = `package:${env.path}:${dist.metadataPath}`;
    const facts = [latest ? `${dist.version} -> ${latest}` : dist.version || '?'];
    if (dist.editable) facts.push(vscode.l10n.t('editable'));
    if (!dist.requested) facts.push(vscode.l10n.t('dependency'));
    if (dist.problems.length > 0) facts.push(vscode.l10n.t('damaged'));
    this.description = facts.join(' · ');
    this.iconPath = new vscode.ThemeIcon(dist.problems.length > 0 ? 'warning' : latest ? 'arrow-circle-up' : dist.editable ? 'edit' : dist.requested ? 'package' : 'circle-small');
    this.resourceUri = vscode.Uri.file(dist.editable && dist.sourceFolder ? dist.sourceFolder : dist.metadataPath);
    let tokens = ItemTokens.package;
    if (packagesChangeable(env)) tokens += ItemTokens.packagesChangeable;
    if (latest) tokens += ItemTokens.outdated;
    this.contextValue = tokens;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${escapeMarkdown(dist.name)}** ${escapeMarkdown(dist.version)}${latest ? ` → ${escapeMarkdown(latest)}` : ''}

`);
    if (dist.summary) md.appendMarkdown(`${escapeMarkdown(dist.summary)}

`);
    md.appendMarkdown(`${dist.requested ? vscode.l10n.t('Installed by request') : vscode.l10n.t('Installed as a dependency')}

`);
    if (dist.editable) md.appendMarkdown(`${vscode.l10n.t('Editable install from')} \`${dist.sourceFolder ?? '?'}\`

`);
    if (dist.requires.length > 0) md.appendMarkdown(`${vscode.l10n.t('Requires')}: ${dist.requires.map(escapeMarkdown).join(', ')}

`);
    md.appendMarkdown(`\`${dist.metadataPath}\`
`);
    for (const p of dist.problems) md.appendMarkdown(`
$(warning) ${escapeMarkdown(p.message)}
`);
    md.supportThemeIcons = true;
    this.tooltip = md;
  }
}

function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

import * as vscode from 'vscode';
import { versionLabel } from '../core';
import { Commands } from './constants';
import type { ActiveEnvironments } from './environments/activeEnvironments';

/** Shows the active environment of the folder of the current editor (or the only folder). */
export class ActiveEnvironmentStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('venvManager.activeEnvironment', vscode.StatusBarAlignment.Left, 100);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly active: ActiveEnvironments) {
    this.item.name = vscode.l10n.t('Active Python Environment');
    this.subscriptions.push(
      active.onDidChange(() => this.update()),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.update()),
    );
    this.update();
  }

  currentFolder(): vscode.WorkspaceFolder | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const fromEditor = uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
    return fromEditor ?? vscode.workspace.workspaceFolders?.[0];
  }

  update(): void {
    const folder = this.currentFolder();
    if (!folder) {
      this.item.hide();
      return;
    }
    const env = this.active.get(folder);
    const version = env && versionLabel(env.version, env.freeThreaded);
    this.item.text = env ? `$(layers) ${env.name}${version ? ` (${version})` : ''}` : `$(layers) ${vscode.l10n.t('No environment')}`;
    this.item.tooltip = env
      ? vscode.l10n.t('Active Python environment of {0}: {1}. Click to choose another.', folder.name, env.path)
      : vscode.l10n.t('No active Python environment in {0}. Click to choose one.', folder.name);
    this.item.command = { command: Commands.setActive, title: vscode.l10n.t('Set Active Environment'), arguments: [{ folder: folder.uri.fsPath }] };
    this.item.show();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}

import * as path from 'node:path';
import * as vscode from 'vscode';
import { versionLabel } from '../core';
import { readSettings } from './config';
import { Commands } from './constants';
import type { PythonInterop } from './interop/pythonInterop';
import { folderReport, reportMarkdown } from './interop/toolReport';

/**
 * Shows the active environment of the folder of the current editor (or the only folder); its tooltip
 * says which Python each tool (the Python extension, Python Environments, open terminals) uses there.
 */
export class ActiveEnvironmentStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('venvManager.activeEnvironment', vscode.StatusBarAlignment.Left, 100);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly interop: PythonInterop) {
    this.item.name = vscode.l10n.t('Active Python Environment');
    this.subscriptions.push(
      interop.active.onDidChange(() => this.update()),
      interop.sync.onDidChange(() => this.update()),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.update()),
      vscode.window.onDidOpenTerminal(() => this.update()),
      vscode.window.onDidCloseTerminal(() => this.update()),
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
    const report = folderReport(this.interop, folder, readSettings(folder).terminalActivation);
    const env = report.ours;
    const warn = report.agree ? '' : '$(warning) ';
    const version = env && versionLabel(env.version, env.freeThreaded);
    if (env) this.item.text = `${warn}$(layers) ${env.name}${version ? ` (${version})` : ''}`;
    else if (report.external) this.item.text = `${warn}$(layers) ${vscode.l10n.t('{0} (not a venv)', path.basename(report.external.path))}`;
    else this.item.text = `${warn}$(layers) ${vscode.l10n.t('No environment')}`;
    const tooltip = reportMarkdown(report);
    tooltip.appendMarkdown(`\n${vscode.l10n.t('Click to choose the active environment.')}`);
    this.item.tooltip = tooltip;
    this.item.command = { command: Commands.setActive, title: vscode.l10n.t('Set Active Environment'), arguments: [{ folder: folder.uri.fsPath }] };
    this.item.show();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}

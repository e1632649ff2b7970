import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DiscoveredEnvironment } from '../../core';
import type { ActiveEnvironments, ExternalInterpreter } from '../environments/activeEnvironments';
import type { InterpreterSync, ToolChoice } from './interpreterSync';
import { otherTerminalActivator } from './pythonTools';
import { samePath } from './reconcile';
import type { TerminalEnvironment, TerminalEnvironments } from './terminalEnvironments';

/** Which Python each tool uses for one workspace folder. */
export interface FolderReport {
  folder: vscode.WorkspaceFolder;
  /** Venv Manager's active environment. */
  ours?: DiscoveredEnvironment;
  /** The non-venv interpreter a Python tool chose instead, when that is the case. */
  external?: ExternalInterpreter;
  tools: ToolChoice[];
  /** Open terminals of this folder. */
  terminals: TerminalEnvironment[];
  /** Who activates new terminals of the folder: 'Venv Manager', a Python tool's label, or undefined for nobody. */
  terminalActivator?: string;
  /** Every connected tool uses the same interpreter as Venv Manager. */
  agree: boolean;
}

export interface InteropParts {
  sync: InterpreterSync;
  terminals: TerminalEnvironments;
  active: ActiveEnvironments;
}

export function folderReport(parts: InteropParts, folder: vscode.WorkspaceFolder, activateSetting: boolean): FolderReport {
  const ours = parts.active.get(folder);
  const external = parts.active.external(folder);
  const tools = parts.sync.choices(folder);
  const reference = ours?.interpreterPath ?? external?.path;
  const agree = tools.every((t) => t.state === 'missing' || (t.interpreter !== undefined && samePath(t.interpreter, reference)));
  const folders = vscode.workspace.workspaceFolders ?? [];
  const terminals = parts.terminals.all().filter((t) => terminalFolder(t.terminal, folders)?.uri.toString() === folder.uri.toString());
  const other = otherTerminalActivator(folder)?.label;
  const terminalActivator = other ?? (activateSetting && ours ? vscode.l10n.t('Venv Manager') : undefined);
  return { folder, ours, external, tools, terminals, terminalActivator, agree };
}

/** The workspace folder a terminal was opened in (its cwd), else the first folder. */
function terminalFolder(terminal: vscode.Terminal, folders: readonly vscode.WorkspaceFolder[]): vscode.WorkspaceFolder | undefined {
  const options = terminal.creationOptions as vscode.TerminalOptions;
  const cwd = options?.cwd;
  const cwdPath = typeof cwd === 'string' ? cwd : cwd?.fsPath;
  if (cwdPath) {
    const inside = folders.filter((f) => cwdPath === f.uri.fsPath || cwdPath.startsWith(f.uri.fsPath + path.sep));
    if (inside.length) return inside.sort((a, b) => b.uri.fsPath.length - a.uri.fsPath.length)[0];
  }
  return folders[0];
}

/** One line per tool, for the status bar tooltip and the report. */
export function toolLine(choice: ToolChoice): string {
  if (choice.state === 'missing') return vscode.l10n.t('not installed');
  if (choice.state === 'connecting') return vscode.l10n.t('starting');
  return choice.interpreter ?? vscode.l10n.t('no interpreter chosen yet');
}

export function terminalLine(t: TerminalEnvironment): string {
  if (t.source === 'unknown') return vscode.l10n.t('VIRTUAL_ENV unknown');
  return t.virtualEnv ? `VIRTUAL_ENV=${t.virtualEnv}` : vscode.l10n.t('no VIRTUAL_ENV');
}

/** The report as Markdown (status bar tooltip). */
export function reportMarkdown(r: FolderReport): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
  md.appendMarkdown(`**${vscode.l10n.t('Python used in {0}', r.folder.name.replace(/[\\`*_[\]]/g, '\\$&'))}** — ${r.agree ? vscode.l10n.t('all tools agree') : `$(warning) ${vscode.l10n.t('the tools disagree')}`}\n\n`);
  const ours = r.ours ? `${code(r.ours.interpreterPath)} (${r.ours.version ?? '?'})` : r.external ? vscode.l10n.t('none: the {0} uses {1}, not a virtual environment', r.external.tool, code(r.external.path)) : vscode.l10n.t('none');
  md.appendMarkdown(`- Venv Manager: ${ours}\n`);
  for (const t of r.tools) md.appendMarkdown(`- ${t.label}: ${t.state === 'connected' && t.interpreter ? code(t.interpreter) : toolLine(t)}\n`);
  for (const t of r.terminals) md.appendMarkdown(`- ${vscode.l10n.t('Terminal')} "${t.terminal.name.replace(/[\\`*_[\]]/g, '\\$&')}": ${t.virtualEnv ? code(t.virtualEnv) : terminalLine(t)}\n`);
  md.appendMarkdown(`- ${vscode.l10n.t('New terminals activated by')}: ${r.terminalActivator ?? vscode.l10n.t('nobody')}\n`);
  return md;
}

import * as vscode from 'vscode';
import { readPromptValue, type DiscoveredEnvironment } from '../../core';
import { affectsSetting, readSettings } from '../config';
import { Settings } from '../constants';
import type { ActiveEnvironments } from '../environments/activeEnvironments';
import { isSameOrInside } from '../environments/environmentStore';
import { activationVariables } from './activationVariables';

/**
 * Activates each folder's active environment in new terminals through the environment variable
 * collection scoped to that folder. Nothing is typed into terminals and no shell file is edited.
 * VS Code marks already-open terminals stale when the collection changes. With the setting off, or
 * for an environment inside an untrusted workspace, the folder's collection stays empty.
 */
export class TerminalActivation implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private startup: ShellStartupDirs = {};

  constructor(
    private readonly collection: vscode.GlobalEnvironmentVariableCollection,
    private readonly active: ActiveEnvironments,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // Persisted so terminals restored on window reload are activated before we are.
    collection.persistent = true;
    this.subscriptions.push(
      active.onDidChange(() => this.apply()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.apply()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.apply()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsSetting(e, Settings.terminalActivation)) this.apply();
      }),
    );
  }

  /** Once our zsh / fish start-up files are on disk, those shells get `deactivate` too. */
  useShellStartup(dirs: ShellStartupDirs): void {
    this.startup = dirs;
    this.apply();
  }

  /** Rewrites every folder's scoped collection from the current state. */
  apply(): void {
    this.collection.clear();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const scoped = this.collection.getScoped({ workspaceFolder: folder });
      scoped.clear();
      const env = this.active.get(folder);
      if (!env || !readSettings(folder).terminalActivation) {
        scoped.description = undefined;
        continue;
      }
      if (!vscode.workspace.isTrusted && isSameOrInside(env.path, folder.uri.fsPath)) {
        scoped.description = undefined;
        this.log.info(`Terminal activation of ${env.path} waits for workspace trust`);
        continue;
      }
      writeActivation(scoped, env, this.startup);
      this.log.info(`Terminals of ${folder.name} activate ${env.path}`);
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

export interface ShellStartupDirs {
  zsh?: string;
  fish?: string;
}

function writeActivation(scoped: vscode.EnvironmentVariableCollection, env: DiscoveredEnvironment, startup: ShellStartupDirs): void {
  const rawPrompt = env.prompt ?? env.cfg?.values.get('prompt');
  const prompt = rawPrompt === undefined ? undefined : readPromptValue(rawPrompt);
  const vars = activationVariables({
    envPath: env.path,
    binDir: env.binDir,
    prompt,
    zshStartupDir: startup.zsh,
    userZdotdir: process.env.ZDOTDIR,
    fishDataDir: startup.fish,
    userXdgDataDirs: process.env.XDG_DATA_DIRS,
  });
  for (const [name, value] of Object.entries(vars.replace)) scoped.replace(name, value);
  // PATH again after the rc files ran (shell integration): pyenv or conda init there would otherwise
  // put their shims in front of the env.
  for (const [name, value] of Object.entries(vars.prepend)) scoped.prepend(name, value, { applyAtProcessCreation: true, applyAtShellIntegration: true });
  scoped.description = new vscode.MarkdownString(
    vscode.l10n.t('Activates the Python environment `{0}` ({1}); `deactivate` undoes it in bash, zsh and fish', env.name, env.path),
  );
}

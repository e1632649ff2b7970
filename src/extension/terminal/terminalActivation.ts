import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DiscoveredEnvironment } from '../../core';
import { affectsSetting, readSettings } from '../config';
import { Settings } from '../constants';
import type { ActiveEnvironments } from '../environments/activeEnvironments';
import { isSameOrInside } from '../../core/paths';
import { otherTerminalActivator } from '../interop/pythonTools';
import { activationTargetOf, activationVariables } from './activationVariables';
import { installFishStartup } from './fishStartup';
import { installShStartup } from './shStartup';
import { installZshStartup } from './zshStartup';

/**
 * Activates each folder's active environment in new terminals through the environment variable
 * collection scoped to that folder. Nothing is typed into terminals and no shell file is edited.
 * VS Code marks already-open terminals stale when the collection changes. With the setting off, or
 * for an environment inside an untrusted workspace, the folder's collection stays empty. When the
 * Python extension or Python Environments will activate the folder's terminals themselves (they type
 * `source .../activate`, with the same shared environment), Venv Manager steps back so that each
 * terminal is activated exactly once; `venvManager.terminal.activator` = `venvManager` offers to turn
 * theirs off instead (interop/terminalOwner.ts).
 */
export class TerminalActivation implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private startup: ShellStartupDirs = {};
  private readonly logged = new Map<string, string>();

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
        if (affectsSetting(e, Settings.terminalActivation) || e.affectsConfiguration('python.terminal.activateEnvironment') || e.affectsConfiguration('python-envs.terminal.autoActivationType')) this.apply();
      }),
      vscode.extensions.onDidChange(() => this.apply()),
    );
  }

  /**
   * Writes our zsh, fish and POSIX sh start-up files under `storageDir`; once they are on disk those
   * shells get `deactivate` too (bash has it from the start). A file that cannot be written only costs
   * its shell `deactivate`, and says so in the log.
   */
  async installShellStartup(storageDir: string): Promise<void> {
    if (process.platform === 'win32') return;
    const attempt = (shell: string, install: Promise<string>) =>
      install.catch((err) => {
        this.log.warn(`${shell} terminals get no deactivate: ${String(err)}`);
        return undefined;
      });
    const [zsh, fish, sh] = await Promise.all([
      attempt('zsh', installZshStartup(path.join(storageDir, 'zsh'))),
      attempt('fish', installFishStartup(path.join(storageDir, 'fish'))),
      attempt('sh', installShStartup(path.join(storageDir, 'sh'))),
    ]);
    this.startup = { zsh: zsh ?? undefined, fish: fish ?? undefined, sh: sh ?? undefined };
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
        this.note(folder, `Terminals of ${folder.name} are not activated (${env ? 'turned off' : 'no active environment'})`);
        continue;
      }
      const other = otherTerminalActivator(folder);
      if (other) {
        scoped.description = undefined;
        this.note(folder, `Terminals of ${folder.name} are activated by the ${other.label}; Venv Manager leaves them to it so that each is activated once`);
        continue;
      }
      if (!vscode.workspace.isTrusted && isSameOrInside(env.path, folder.uri.fsPath)) {
        scoped.description = undefined;
        this.note(folder, `Terminal activation of ${env.path} waits for workspace trust`);
        continue;
      }
      writeActivation(scoped, env, this.startup);
      this.note(folder, `Terminals of ${folder.name} activate ${env.path}`);
    }
  }

  /** Logs what a folder's terminals get when it changes, not at every apply(). */
  private note(folder: vscode.WorkspaceFolder, message: string): void {
    const key = folder.uri.toString();
    if (this.logged.get(key) === message) return;
    this.logged.set(key, message);
    this.log.info(message);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

interface ShellStartupDirs {
  zsh?: string;
  fish?: string;
  /** Our ENV file. */
  sh?: string;
}

function writeActivation(scoped: vscode.EnvironmentVariableCollection, env: DiscoveredEnvironment, startup: ShellStartupDirs): void {
  const vars = activationVariables({
    ...activationTargetOf(env),
    zshStartupDir: startup.zsh,
    userZdotdir: process.env.ZDOTDIR,
    fishDataDir: startup.fish,
    userXdgDataDirs: process.env.XDG_DATA_DIRS,
    shEnvFile: startup.sh,
    userEnv: process.env.ENV,
  });
  for (const [name, value] of Object.entries(vars.replace)) scoped.replace(name, value);
  // PATH again after the rc files ran (shell integration): pyenv or conda init there would otherwise
  // put their shims in front of the env.
  for (const [name, value] of Object.entries(vars.prepend)) scoped.prepend(name, value, { applyAtProcessCreation: true, applyAtShellIntegration: true });
  scoped.description = new vscode.MarkdownString(
    vscode.l10n.t('Activates the Python environment `{0}` ({1}); `deactivate` undoes it in bash, zsh, fish and sh', env.name, env.path),
  );
}

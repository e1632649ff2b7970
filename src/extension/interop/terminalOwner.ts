import * as vscode from 'vscode';
import { affectsSetting, readSettings } from '../config';
import { Settings } from '../constants';
import type { PrompterHolder } from '../ui/prompter';
import { otherTerminalActivator } from './pythonTools';

const ASKED_STATE_PREFIX = 'venvManager.askedTerminalActivator:';

/**
 * Asks, then turns the Python tool's own terminal activation off in the folder's settings, so that
 * Venv Manager activates the folder's terminals (through variables, nothing typed). Nothing of theirs
 * is written without the user's yes.
 */
export async function offerVenvManagerActivation(prompter: PrompterHolder, folder: vscode.WorkspaceFolder): Promise<boolean> {
  const other = otherTerminalActivator(folder);
  if (!other) return true;
  const use = vscode.l10n.t('Use Venv Manager');
  const answer = await prompter.current.ask(
    'terminalActivator.switch',
    vscode.l10n.t('Terminals of {0} are activated by the {1}, which types an activate command into each new terminal. Let Venv Manager activate them instead?', folder.name, other.label),
    {
      detail: vscode.l10n.t('Venv Manager sets the variables before the shell starts: nothing is typed and `deactivate` still works. This writes "{0}.{1}": {2} to the settings of {3}.', other.section, other.key, JSON.stringify(other.off), folder.name),
      actions: [use],
    },
  );
  if (answer !== use) return false;
  const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1 || vscode.workspace.workspaceFile !== undefined;
  await vscode.workspace
    .getConfiguration(other.section, folder)
    .update(other.key, other.off, multiRoot ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Workspace);
  return true;
}

/**
 * With `venvManager.terminal.activator` set to `venvManager`, offers once per folder to take terminal
 * activation over from the Python tool that would do it.
 */
export class TerminalOwner implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;

  constructor(private readonly prompter: PrompterHolder, private readonly state: vscode.Memento) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (affectsSetting(e, Settings.terminalActivator)) void this.check(true);
    });
  }

  async check(again = false): Promise<void> {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (readSettings(folder).terminalActivator !== 'venvManager' || !otherTerminalActivator(folder)) continue;
      const key = ASKED_STATE_PREFIX + folder.uri.toString();
      if (!again && this.state.get<boolean>(key)) continue;
      await this.state.update(key, true);
      await offerVenvManagerActivation(this.prompter, folder);
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

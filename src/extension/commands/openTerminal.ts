import * as os from 'node:os';
import * as vscode from 'vscode';
import { versionLabel } from '../../core';
import { readSettings } from '../config';
import { isSameOrInside } from '../../core/paths';
import { activationTargetOf, activationVariables } from '../terminal/activationVariables';
import { folderFor, resolveEnvironment, type CommandContext, type EnvironmentArgument } from './commandContext';

const ID = 'openTerminal';

/**
 * Opens a terminal with the environment activated. Inside a folder with terminal activation on,
 * the folder's variable collection does the activating (it is applied after a terminal's own
 * variables), so the environment must be the folder's active one: the user is asked to make it so.
 * Elsewhere the terminal gets the activation variables itself. Returns the terminal for tests.
 */
export async function openTerminalCommand(ctx: CommandContext, arg?: EnvironmentArgument): Promise<vscode.Terminal | undefined> {
  const env = await resolveEnvironment(ctx, arg, { title: vscode.l10n.t('Open Terminal in Environment'), id: ID });
  if (!env) return undefined;
  const folder = folderFor(env);
  if (!vscode.workspace.isTrusted && folder && isSameOrInside(env.path, folder.uri.fsPath)) {
    void ctx.prompter.current.notify(`${ID}.untrusted`, 'warning', vscode.l10n.t('Activating {0} in a terminal is disabled in Restricted Mode: its programs come from the untrusted workspace.', env.path));
    return undefined;
  }
  const version = versionLabel(env.version, env.freeThreaded);
  const name = `${env.name}${version ? ` (${version})` : ''}`;
  const options: vscode.TerminalOptions = { name, iconPath: new vscode.ThemeIcon('layers') };
  if (folder && readSettings(folder).terminalActivation) {
    if (ctx.active.get(folder)?.path !== env.path) {
      const makeActive = vscode.l10n.t('Make Active and Open');
      const answer = await ctx.prompter.current.ask(
        `${ID}.makeActive`,
        vscode.l10n.t('Terminals of {0} activate its active environment. Make {1} the active environment?', folder.name, env.path),
        { actions: [makeActive] },
      );
      if (answer !== makeActive) return undefined;
      await ctx.active.set(folder, env.path);
    }
    options.cwd = folder.uri;
  } else {
    const vars = activationVariables(activationTargetOf(env));
    const pathVar = process.platform === 'win32' ? 'Path' : 'PATH';
    options.cwd = folder?.uri ?? vscode.Uri.file(os.homedir());
    options.env = { ...vars.replace, PYTHONHOME: null, [pathVar]: vars.prepend.PATH + (process.env[pathVar] ?? '') };
  }
  const terminal = vscode.window.createTerminal(options);
  terminal.show();
  ctx.log.info(`Opened a terminal in ${env.path}`);
  return terminal;
}

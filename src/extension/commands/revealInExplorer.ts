import * as vscode from 'vscode';
import { resolveEnvironment, type CommandContext, type EnvironmentArgument } from './commandContext';

/** Reveal in the Explorer (workspace envs) or the OS file manager (envs outside the workspace). */
export async function revealInExplorerCommand(ctx: CommandContext, arg?: EnvironmentArgument): Promise<void> {
  const env = await resolveEnvironment(ctx, arg, { title: vscode.l10n.t('Reveal Environment'), id: 'reveal' });
  if (!env) return;
  const uri = vscode.Uri.file(env.path);
  if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
  else await vscode.commands.executeCommand('revealFileInOS', uri);
}

import * as vscode from 'vscode';
import { resolveEnvironment, type CommandContext, type EnvironmentArgument } from './commandContext';

export async function copyPathCommand(ctx: CommandContext, arg?: EnvironmentArgument): Promise<string | undefined> {
  const env = await resolveEnvironment(ctx, arg, { title: vscode.l10n.t('Copy Environment Path'), id: 'copyPath' });
  if (!env) return undefined;
  await vscode.env.clipboard.writeText(env.path);
  return env.path;
}

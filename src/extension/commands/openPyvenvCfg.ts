import * as vscode from 'vscode';
import { resolveEnvironment, type CommandContext, type EnvironmentArgument } from './commandContext';

export async function openPyvenvCfgCommand(ctx: CommandContext, arg?: EnvironmentArgument): Promise<vscode.TextEditor | undefined> {
  const env = await resolveEnvironment(ctx, arg, { title: vscode.l10n.t('Open pyvenv.cfg'), id: 'openCfg', filter: (e) => e.cfgPath !== undefined });
  if (!env?.cfgPath) return undefined;
  return vscode.window.showTextDocument(vscode.Uri.file(env.cfgPath), { preview: true });
}

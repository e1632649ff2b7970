import * as vscode from 'vscode';
import { clearEnvironment } from '../../core';
import { isLifecycleManaged } from '../tree/items';
import { requireTrust, resolveEnvironment, runLifecycleOperation, type CommandContext, type EnvironmentArgument } from './commandContext';

const ID = 'clear';

/** Empties the environment and builds it afresh with the same interpreter (venv's --clear). */
export async function clearEnvironmentCommand(ctx: CommandContext, arg?: EnvironmentArgument): Promise<boolean> {
  const title = vscode.l10n.t('Clear Environment');
  if (!(await requireTrust(ctx, ID, title))) return false;
  const env = await resolveEnvironment(ctx, arg, { title, id: ID, filter: isLifecycleManaged });
  if (!env) return false;
  const clear = vscode.l10n.t('Clear');
  const answer = await ctx.prompter.current.ask(`${ID}.confirm`, vscode.l10n.t('Clear the environment at {0}?', env.path), {
    detail: vscode.l10n.t('Every installed package is removed and the environment is built afresh from its base interpreter.'),
    actions: [clear],
  });
  if (answer !== clear) return false;
  ctx.log.info(`Clear ${env.path}`);
  const texts = { progress: vscode.l10n.t('Clearing {0}', env.name), failure: vscode.l10n.t('Clearing {0}', env.path) };
  if (!(await runLifecycleOperation(ctx, ID, env, texts, (options) => clearEnvironment(env.path, options)))) return false;
  ctx.log.info(`Cleared ${env.path}`);
  void ctx.prompter.current.notify(`${ID}.done`, 'info', vscode.l10n.t('Cleared {0}.', env.path));
  return true;
}


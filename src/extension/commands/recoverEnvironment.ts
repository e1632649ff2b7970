import * as vscode from 'vscode';
import { recoverEnvironment, type RecoveryResult } from '../../core';
import { isInterrupted } from '../tree/items';
import { requireTrust, resolveEnvironment, runLifecycleOperation, type CommandContext, type EnvironmentArgument } from './commandContext';

const ID = 'recover';

/**
 * Finishes what an interrupted recreate, install, clear or upgrade left: the previous environment is put back
 * (or, past the operation's commit point, the new one is kept) and the leftovers beside it removed.
 * Nothing is rebuilt and no Python runs, so it asks no question.
 */
export async function recoverEnvironmentCommand(ctx: CommandContext, arg?: EnvironmentArgument): Promise<boolean> {
  const title = vscode.l10n.t('Recover Interrupted Operation');
  if (!(await requireTrust(ctx, ID, title))) return false;
  const env = await resolveEnvironment(ctx, arg, {
    title,
    id: ID,
    filter: isInterrupted,
    none: vscode.l10n.t('No environment was left incomplete by an interrupted operation.'),
  });
  if (!env) return false;
  ctx.log.info(`Recover ${env.path}`);
  const texts = { progress: vscode.l10n.t('Recovering {0}', env.name), failure: vscode.l10n.t('Recovering {0}', env.path) };
  let result: RecoveryResult = 'none';
  if (!(await runLifecycleOperation(ctx, ID, env, texts, async (options) => { result = await recoverEnvironment(env.path, options); }))) return false;
  const message = {
    'rolled-back': vscode.l10n.t('Put {0} back as it was before the interrupted operation.', env.path),
    completed: vscode.l10n.t('The interrupted operation on {0} had finished; removed what it left beside it.', env.path),
    unchanged: vscode.l10n.t('The interrupted operation had not changed {0} yet; it stays as it was, and what the operation left beside it was removed.', env.path),
    none: vscode.l10n.t('{0} had no interrupted operation to recover.', env.path),
  }[result];
  ctx.log.info(`Recovered ${env.path}: ${result}`);
  void ctx.prompter.current.notify(`${ID}.done`, 'info', message);
  return true;
}

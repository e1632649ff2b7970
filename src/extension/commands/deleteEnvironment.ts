import * as vscode from 'vscode';
import { deleteEnvironment } from '../../core';
import { isLifecycleManaged } from '../tree/items';
import { resolveEnvironment, runLifecycleOperation, type CommandContext, type EnvironmentArgument } from './commandContext';

const ID = 'delete';

/**
 * Deletes an environment folder after a modal naming it. Folders that use it as their active
 * environment drop it first, so their terminals stop activating it before it is gone.
 */
export async function deleteEnvironmentCommand(ctx: CommandContext, arg?: EnvironmentArgument): Promise<boolean> {
  const title = vscode.l10n.t('Delete Environment');
  const env = await resolveEnvironment(ctx, arg, { title, id: ID, filter: isLifecycleManaged });
  if (!env) return false;
  const del = vscode.l10n.t('Delete');
  const answer = await ctx.prompter.current.ask(`${ID}.confirm`, vscode.l10n.t('Delete the environment at {0}?', env.path), {
    detail: vscode.l10n.t('The folder and everything in it are removed. This cannot be undone.'),
    actions: [del],
  });
  if (answer !== del) return false;
  for (const folder of ctx.active.foldersUsing(env.path)) {
    if (ctx.active.isChosen(folder)) await ctx.active.set(folder, undefined);
  }
  ctx.log.info(`Delete ${env.path}`);
  const texts = { progress: vscode.l10n.t('Deleting {0}', env.name), failure: vscode.l10n.t('Deleting {0}', env.path) };
  if (!(await runLifecycleOperation(ctx, ID, env, texts, (options) => deleteEnvironment(env.path, options)))) return false;
  ctx.log.info(`Deleted ${env.path}`);
  return true;
}

import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeSource, environmentStatus, syncEnvironment, type DiscoveredEnvironment } from '../../core';
import { readSettings } from '../config';
import { showFailure, viewOf } from '../ui/errorMessages';
import { isLifecycleManaged } from '../tree/items';
import { folderFor, requireTrust, resolveEnvironment, runLifecycleOperation, type CommandContext, type EnvironmentArgument } from './commandContext';
import { pickDeclaredSource, rememberedSourceOf, type SourceArgs } from './pickSource';

const ID = 'sync';

export interface SyncArgs extends SourceArgs {
  env?: string;
  /** Remove what the source does not declare (default true). */
  exact?: boolean;
}

function syncable(env: DiscoveredEnvironment): boolean {
  return isLifecycleManaged(env) && env.health.ok;
}

/**
 * Makes an environment hold exactly what its remembered source declares (or a source the user
 * picks when it remembers none): missing packages installed, others removed. Core does it all or
 * nothing; the user confirms first when packages would be removed.
 */
export async function syncEnvironmentCommand(ctx: CommandContext, arg?: EnvironmentArgument | SyncArgs): Promise<boolean> {
  const title = vscode.l10n.t('Sync Environment');
  if (!(await requireTrust(ctx, ID, title))) return false;
  const env = await resolveEnvironment(ctx, arg as EnvironmentArgument, { title, id: ID, filter: syncable });
  if (!env) return false;
  const syncArgs: SyncArgs = arg !== undefined && typeof arg === 'object' && !(arg instanceof vscode.TreeItem) && !(arg instanceof vscode.Uri) ? (arg as SyncArgs) : {};
  const remembered = await rememberedSourceOf(env.path);
  const root = folderFor(env)?.uri.fsPath ?? path.dirname(env.path);
  const source = syncArgs.requirements === undefined && remembered
    ? remembered.source
    : await pickDeclaredSource(ctx, ID, root, { title, placeHolder: vscode.l10n.t('What {0} should hold', env.name) }, syncArgs, remembered);
  if (!source) return false;
  const exact = syncArgs.exact ?? remembered?.exact ?? true;
  let status;
  try {
    status = await environmentStatus(env.path, { source, exact });
  } catch (err) {
    const view = viewOf(err);
    await showFailure(ctx.prompter, ctx.log, `${ID}.badSource`, vscode.l10n.t('Cannot sync {0}: {1}', env.name, view.detail), view);
    return false;
  }
  const removing = exact ? status.drift.notDeclared.map((d) => `${d.name} ${d.version}`) : [];
  if (removing.length > 0) {
    const go = vscode.l10n.t('Sync');
    const answer = await ctx.prompter.current.ask(`${ID}.confirm`, vscode.l10n.t('Sync {0} with {1}?', env.name, describeSource(source)), {
      detail: vscode.l10n.t('{0}. Not declared, so removed: {1}. If anything fails or you cancel, the environment is put back exactly as it was.', status.summary, removing.join(', ')),
      actions: [go],
    });
    if (answer !== go) return false;
  }
  ctx.log.info(`Sync ${env.path} with ${describeSource(source)} (${source.file}): ${status.summary}`);
  const texts = { progress: vscode.l10n.t('Syncing {0}', env.name), failure: vscode.l10n.t('Syncing {0}', env.path) };
  const installer = readSettings(folderFor(env)).installer;
  let changed = false;
  const ok = await runLifecycleOperation(ctx, ID, env, texts, async (options) => {
    changed = (await syncEnvironment(env.path, { ...options, source, exact, installer })).changed;
  });
  if (!ok) return false;
  ctx.log.info(`Synced ${env.path}${changed ? '' : ' (already in sync)'}`);
  void ctx.prompter.current.notify(`${ID}.done`, 'info', changed ? vscode.l10n.t('{0} is in sync with {1}.', env.name, describeSource(source)) : vscode.l10n.t('{0} was already in sync with {1}.', env.name, describeSource(source)));
  return true;
}

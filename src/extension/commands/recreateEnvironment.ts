import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeSource, recreateEnvironment } from '../../core';
import { readSettings } from '../config';
import { isLifecycleManaged } from '../tree/items';
import { folderFor, requireTrust, resolveEnvironment, runLifecycleOperation, type CommandContext, type EnvironmentArgument } from './commandContext';
import { pickInterpreter } from './pickInterpreter';
import { pickDeclaredSource, rememberedSourceOf, type SourceArgs } from './pickSource';

const ID = 'recreate';

export interface RecreateArgs extends SourceArgs {
  env?: string;
  requirements?: string;
  /** Base interpreter for the new env; asked for when the env's own base is gone. */
  python?: string;
}

/**
 * Rebuilds an environment from a requirements file. Core sets the old one aside, builds the new one
 * at the same path (paths baked into scripts stay right) and restores the old one on any failure or
 * cancel.
 */
export async function recreateEnvironmentCommand(ctx: CommandContext, arg?: EnvironmentArgument | RecreateArgs): Promise<boolean> {
  const title = vscode.l10n.t('Recreate from Requirements');
  if (!(await requireTrust(ctx, ID, title))) return false;
  const env = await resolveEnvironment(ctx, arg as EnvironmentArgument, { title, id: ID, filter: isLifecycleManaged });
  if (!env) return false;
  const folder = folderFor(env);
  const root = folder?.uri.fsPath ?? path.dirname(env.path);
  const recreateArgs = arg !== undefined && typeof arg === 'object' && !(arg instanceof vscode.TreeItem) && !(arg instanceof vscode.Uri) ? (arg as RecreateArgs) : {};
  const source = await pickDeclaredSource(ctx, ID, root, { title, placeHolder: vscode.l10n.t('What to install into the new {0}', env.name) }, recreateArgs, await rememberedSourceOf(env.path));
  if (!source) return false;
  const requirements = source.file;
  let python = (arg as RecreateArgs | undefined)?.python;
  if (typeof python !== 'string') {
    python = undefined;
    if (env.health.problems.some((p) => p.code === 'base-missing')) {
      python = await pickInterpreter(ctx, `${ID}.interpreter`, vscode.l10n.t('The base interpreter of {0} is gone: pick one for the new environment', env.name), readSettings(folder).preferredInterpreter);
      if (!python) return false;
    }
  }
  const go = vscode.l10n.t('Recreate');
  const answer = await ctx.prompter.current.ask(`${ID}.confirm`, vscode.l10n.t('Recreate the environment at {0} from {1}?', env.path, describeSource(source)), {
    detail: vscode.l10n.t('The current environment is set aside and a new one is built in its place with the packages of {0}. If anything fails or you cancel, the old one is put back exactly as it was.', requirements),
    actions: [go],
  });
  if (answer !== go) return false;
  ctx.log.info(`Recreate ${env.path} from ${requirements}`);
  const texts = { progress: vscode.l10n.t('Recreating {0}', env.name), failure: vscode.l10n.t('Recreating {0}', env.path) };
  const installer = readSettings(folder).installer;
  if (!(await runLifecycleOperation(ctx, ID, env, texts, (options) => recreateEnvironment(env.path, { ...options, source, installer, ...(python ? { python } : {}) })))) return false;
  ctx.log.info(`Recreated ${env.path}`);
  void ctx.prompter.current.notify(`${ID}.done`, 'info', vscode.l10n.t('Recreated {0} from {1}.', env.path, describeSource(source)));
  return true;
}

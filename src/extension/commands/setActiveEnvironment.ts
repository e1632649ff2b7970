import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DiscoveredEnvironment } from '../../core';
import { EnvironmentItem } from '../tree/items';
import { environmentPickItem, folderFor, type CommandContext, type EnvironmentArgument, type EnvironmentPickItem } from './commandContext';

const ID = 'setActive';

export interface SetActiveArgs {
  /** The workspace folder whose active environment changes; the env's own folder (or a pick) when absent. */
  folder?: string;
  /** Environment path; null clears the choice (back to the automatic `.venv`). */
  env?: string | null;
}

/** Makes an environment the active one of a workspace folder: new terminals there activate it. */
export async function setActiveEnvironmentCommand(ctx: CommandContext, arg?: EnvironmentArgument | SetActiveArgs): Promise<boolean> {
  const title = vscode.l10n.t('Set Active Environment');
  await ctx.store.ready();
  let env: DiscoveredEnvironment | undefined;
  let folder: vscode.WorkspaceFolder | undefined;
  const args = arg as SetActiveArgs | undefined;
  if (arg instanceof EnvironmentItem) env = arg.env;
  else if (typeof arg === 'string' || arg instanceof vscode.Uri) env = ctx.store.find(typeof arg === 'string' ? arg : arg.fsPath);
  if (args && typeof args === 'object' && !(arg instanceof EnvironmentItem) && !(arg instanceof vscode.Uri)) {
    if (typeof args.folder === 'string') folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(path.resolve(args.folder)));
    if (args.env === null) {
      if (!folder) return false;
      await ctx.active.set(folder, undefined);
      return true;
    }
    if (typeof args.env === 'string') {
      env = ctx.store.find(args.env);
      if (!env) {
        await ctx.store.update([args.env]);
        env = ctx.store.find(args.env);
      }
      if (!env) {
        void ctx.prompter.current.notify(`${ID}.notFound`, 'error', vscode.l10n.t('No environment found at {0}.', args.env));
        return false;
      }
    }
  }
  folder ??= env ? folderFor(env) : undefined;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (!folder) {
    if (folders.length === 0) {
      void ctx.prompter.current.notify(`${ID}.noFolder`, 'error', vscode.l10n.t('Open a folder first: the active environment belongs to a workspace folder.'));
      return false;
    }
    folder = folders.length === 1 ? folders[0] : (await ctx.prompter.current.pick(`${ID}.folder`, folders.map((f) => ({ label: f.name, description: f.uri.fsPath, folder: f })), { title }))?.folder;
    if (!folder) return false;
  }
  if (!env) {
    const target = folder;
    if (ctx.store.globalEnvironments() === undefined) await ctx.store.refreshGlobal();
    const items: (EnvironmentPickItem | (vscode.QuickPickItem & { env?: undefined }))[] = [
      ...ctx.store.folderEnvironments(target).map((e) => environmentPickItem(ctx, e)),
      ...(ctx.store.globalEnvironments() ?? []).map((e) => environmentPickItem(ctx, e)),
      { label: vscode.l10n.t('Automatic'), description: vscode.l10n.t('the folder\'s .venv when there is one') },
    ];
    const picked = await ctx.prompter.current.pick(`${ID}.environment`, items, { title, placeHolder: vscode.l10n.t('Active environment of {0}', target.name) });
    if (!picked) return false;
    await ctx.active.set(target, picked.env?.path);
    ctx.log.info(`Active environment of ${target.name}: ${picked.env?.path ?? 'automatic'}`);
    return true;
  }
  await ctx.active.set(folder, env.path);
  ctx.log.info(`Active environment of ${folder.name}: ${env.path}`);
  return true;
}

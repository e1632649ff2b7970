import * as path from 'node:path';
import * as vscode from 'vscode';
import { findRequirementsFiles, recreateEnvironment } from '../../core';
import { readSettings } from '../config';
import {
  folderFor,
  reportFailure,
  requireTrust,
  resolveEnvironment,
  withCancellableProgress,
  type CommandContext,
  type EnvironmentArgument,
} from './commandContext';
import { pickInterpreter } from './pickInterpreter';

const ID = 'recreate';

export interface RecreateArgs {
  env?: string;
  requirements?: string;
  /** Base interpreter for the new env; asked for when the env's own base is gone. */
  python?: string;
}

/**
 * Rebuilds an environment from a requirements file. Core builds the new one beside the old and
 * swaps them only when the install succeeded, so a failure or a cancel leaves the old one as it was.
 */
export async function recreateEnvironmentCommand(ctx: CommandContext, arg?: EnvironmentArgument | RecreateArgs): Promise<boolean> {
  const title = vscode.l10n.t('Recreate from Requirements');
  if (!(await requireTrust(ctx, ID, title))) return false;
  const env = await resolveEnvironment(ctx, arg as EnvironmentArgument, { title, id: ID, filter: (e) => e.cfgPath !== undefined && e.kind !== 'conda' });
  if (!env) return false;
  const folder = folderFor(env);
  let requirements = (arg as RecreateArgs | undefined)?.requirements;
  if (typeof requirements !== 'string') {
    const root = folder?.uri.fsPath ?? path.dirname(env.path);
    const files = await findRequirementsFiles(root).catch(() => [] as string[]);
    const browse = { label: vscode.l10n.t('Browse...'), description: vscode.l10n.t('a requirements file elsewhere'), file: undefined as string | undefined, alwaysShow: true };
    const picked = await ctx.prompter.current.pick(
      `${ID}.requirements`,
      [...files.map((f) => ({ label: path.relative(root, f).split(path.sep).join('/'), description: f, file: f as string | undefined })), browse],
      { title, placeHolder: vscode.l10n.t('Requirements file to install into the new {0}', env.name) },
    );
    if (!picked) return false;
    requirements = picked.file ?? (await browseRequirements(root));
    if (!requirements) return false;
  } else {
    requirements = path.resolve(folder?.uri.fsPath ?? process.cwd(), requirements);
  }
  let python = (arg as RecreateArgs | undefined)?.python;
  if (typeof python !== 'string') {
    python = undefined;
    if (env.health.problems.some((p) => p.code === 'base-missing')) {
      python = await pickInterpreter(ctx, `${ID}.interpreter`, vscode.l10n.t('The base interpreter of {0} is gone: pick one for the new environment', env.name), readSettings(folder).preferredInterpreter);
      if (!python) return false;
    }
  }
  const go = vscode.l10n.t('Recreate');
  const answer = await ctx.prompter.current.ask(`${ID}.confirm`, vscode.l10n.t('Recreate the environment at {0} from {1}?', env.path, path.basename(requirements)), {
    detail: vscode.l10n.t('A new environment is built beside it with the packages of {0}; the old one is replaced only if that succeeds.', requirements),
    actions: [go],
  });
  if (answer !== go) return false;
  let signal: AbortSignal | undefined;
  try {
    await withCancellableProgress(vscode.l10n.t('Recreating {0}', env.name), (s, report) => {
      signal = s;
      ctx.log.info(`Recreate ${env.path} from ${requirements}`);
      return recreateEnvironment(env.path, {
        requirements: requirements!,
        ...(python ? { python } : {}),
        installer: readSettings(folder).installer,
        signal: s,
        onProgress: report,
        log: (l) => ctx.log.trace(l),
        env: process.env,
      });
    });
  } catch (err) {
    await reportFailure(ctx, ID, vscode.l10n.t('Recreating {0}', env.path), err, signal);
    return false;
  } finally {
    await ctx.store.update([env.path]);
  }
  ctx.log.info(`Recreated ${env.path}`);
  void ctx.prompter.current.notify(`${ID}.done`, 'info', vscode.l10n.t('Recreated {0} from {1}.', env.path, path.basename(requirements)));
  return true;
}

async function browseRequirements(root: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    defaultUri: vscode.Uri.file(root),
    canSelectMany: false,
    filters: { [vscode.l10n.t('Requirements')]: ['txt', 'in'] },
  });
  return picked?.[0]?.fsPath;
}

import * as vscode from 'vscode';
import { LifecycleError, upgradeEnvironment } from '../../core';
import { Commands } from '../constants';
import { isLifecycleManaged } from '../tree/items';
import { requireTrust, resolveEnvironment, runLifecycleOperation, type CommandContext, type EnvironmentArgument } from './commandContext';

const ID = 'upgrade';

export interface UpgradeArgs {
  env?: string;
  /** Also upgrade pip (and setuptools below 3.12). Asked when not given. */
  upgradeDeps?: boolean;
}

/**
 * Re-points an environment at its base interpreter after that Python was upgraded in place (venv's
 * --upgrade), keeping installed packages; optionally upgrades the core packages. Moving to another
 * minor version cannot keep compiled packages, so then Recreate is offered instead.
 */
export async function upgradeEnvironmentCommand(ctx: CommandContext, arg?: EnvironmentArgument | UpgradeArgs): Promise<boolean> {
  const title = vscode.l10n.t('Upgrade Environment');
  if (!(await requireTrust(ctx, ID, title))) return false;
  const env = await resolveEnvironment(ctx, arg as EnvironmentArgument, { title, id: ID, filter: isLifecycleManaged });
  if (!env) return false;
  let upgradeDeps = (arg as UpgradeArgs | undefined)?.upgradeDeps;
  if (typeof upgradeDeps !== 'boolean') {
    const relink = { label: vscode.l10n.t('Upgrade the environment'), description: vscode.l10n.t('re-point it at its base Python, keep packages'), deps: false };
    const withDeps = { label: vscode.l10n.t('Upgrade the environment and its core packages'), description: vscode.l10n.t('also pip (and setuptools below 3.12); needs the package index'), deps: true };
    const picked = await ctx.prompter.current.pick(`${ID}.mode`, [relink, withDeps], { title, placeHolder: env.path });
    if (!picked) return false;
    upgradeDeps = picked.deps;
  }
  ctx.log.info(`Upgrade ${env.path}${upgradeDeps ? ' with core packages' : ''}`);
  const texts = { progress: vscode.l10n.t('Upgrading {0}', env.name), failure: vscode.l10n.t('Upgrading {0}', env.path) };
  const offerRecreate = async (err: unknown): Promise<boolean> => {
    if (!(err instanceof LifecycleError && err.code === 'needs-recreate')) return false;
    const recreate = vscode.l10n.t('Recreate from Requirements...');
    const answer = await ctx.prompter.current.notify(`${ID}.needsRecreate`, 'warning', err.message, [recreate]);
    if (answer === recreate) await vscode.commands.executeCommand(Commands.recreate, { env: env.path });
    return true;
  };
  if (!(await runLifecycleOperation(ctx, ID, env, texts, (options) => upgradeEnvironment(env.path, { ...options, upgradeDeps }), offerRecreate))) return false;
  void ctx.prompter.current.notify(`${ID}.done`, 'info', vscode.l10n.t('Upgraded {0}.', env.path));
  return true;
}

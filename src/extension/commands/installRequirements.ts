import * as path from 'node:path';
import * as vscode from 'vscode';
import { capabilities, describeSource, installIntoEnvironment, type DiscoveredEnvironment } from '../../core';
import { readSettings } from '../config';
import { folderFor, requireTrust, resolveEnvironment, runLifecycleOperation, type CommandContext, type EnvironmentArgument } from './commandContext';
import { pickDeclaredSource, rememberedSourceOf, type SourceArgs } from './pickSource';

const ID = 'install';

export interface InstallArgs extends SourceArgs {
  env?: string;
  requirements?: string;
}

/** A broken env's pip cannot run (its fix is Upgrade or Recreate); read-only kinds are not ours to change. */
function installable(env: DiscoveredEnvironment): boolean {
  return capabilities(env).install.allowed;
}

/**
 * Installs a requirements file into an existing environment, keeping what is installed. Core takes
 * a snapshot first and puts it back if the install fails or is cancelled, so nothing is asked: the
 * environment ends up with the requirements installed or exactly as it was.
 */
export async function installRequirementsCommand(ctx: CommandContext, arg?: EnvironmentArgument | InstallArgs | vscode.Uri): Promise<boolean> {
  const title = vscode.l10n.t('Install Requirements into Environment');
  if (!(await requireTrust(ctx, ID, title))) return false;
  // From the Explorer or an editor on a requirements file: that file, into its folder's active
  // environment (or one the user picks when the folder has none).
  let given: unknown = (arg as InstallArgs | undefined)?.requirements;
  let envArg = arg as EnvironmentArgument;
  if (arg instanceof vscode.Uri) {
    given = arg.fsPath;
    const folder = vscode.workspace.getWorkspaceFolder(arg);
    const active = folder ? ctx.active.get(folder) : undefined;
    envArg = active && installable(active) ? { env: active.path } : undefined;
  }
  const env = await resolveEnvironment(ctx, envArg, { title, id: ID, filter: installable });
  if (!env) return false;
  const root = folderFor(env)?.uri.fsPath ?? path.dirname(env.path);
  const sourceArgs: SourceArgs = arg instanceof vscode.Uri ? {} : { ...(arg as InstallArgs | undefined) };
  if (typeof given === 'string') sourceArgs.requirements = given;
  const source = await pickDeclaredSource(ctx, ID, root, { title, placeHolder: vscode.l10n.t('What to install into {0}', env.name) }, sourceArgs, await rememberedSourceOf(env.path));
  if (!source) return false;
  const name = describeSource(source);
  ctx.log.info(`Install ${name} (${source.file}) into ${env.path}`);
  const texts = { progress: vscode.l10n.t('Installing {0} into {1}', name, env.name), failure: vscode.l10n.t('Installing {0} into {1}', name, env.path) };
  const installer = readSettings(folderFor(env)).installer;
  if (!(await runLifecycleOperation(ctx, ID, env, texts, (options) => installIntoEnvironment(env.path, { ...options, source, installer })))) return false;
  ctx.log.info(`Installed ${source.file} into ${env.path}`);
  void ctx.prompter.current.notify(`${ID}.done`, 'info', vscode.l10n.t('Installed {0} into {1}.', name, env.path));
  return true;
}

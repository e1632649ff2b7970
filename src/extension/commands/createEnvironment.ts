import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { createEnvironment, describeSource, inspectEnvironment, installIntoEnvironment, replaceWithNewEnvironment, type EnvBuilderOptions } from '../../core';
import { isStrictlyInside } from '../../core/paths';
import { readSettings } from '../config';
import { errorText } from '../environments/environmentStore';
import {
  reportFailure,
  requireTrust,
  withCancellableProgress,
  type CommandContext,
} from './commandContext';
import { pickInterpreter } from './pickInterpreter';
import { pickDeclaredSource, type SourceArgs } from './pickSource';

/**
 * Answers a caller may give in advance (tests, other extensions, the welcome view); any question
 * not answered here is asked. `requirements: null` means "install none".
 */
export interface CreateEnvironmentArgs extends SourceArgs {
  folder?: string;
  python?: string;
  name?: string;
  /** What to do when the folder exists: true replaces it (only ever an environment), false asks for another name. */
  replace?: boolean;
  requirements?: string | null;
  setActive?: boolean;
}

const ID = 'create';

/** Returns the new environment's path, or undefined when the user stopped or it failed. */
export async function createEnvironmentCommand(ctx: CommandContext, rawArgs?: unknown): Promise<string | undefined> {
  const args: CreateEnvironmentArgs = isArgs(rawArgs) ? rawArgs : {};
  const title = vscode.l10n.t('Create Environment');
  if (!(await requireTrust(ctx, ID, title))) return undefined;
  const prompter = ctx.prompter.current;

  const folder = await pickFolder(ctx, args.folder, title);
  if (!folder) return undefined;
  const settings = readSettings(folder);

  const python = args.python ?? (await pickInterpreter(ctx, `${ID}.interpreter`, title, settings.preferredInterpreter));
  if (!python) return undefined;

  const target = await chooseTarget(ctx, folder, args, settings.defaultEnvFolderName, title);
  if (!target) return undefined;

  const picked = await pickDeclaredSource(ctx, ID, folder.uri.fsPath, { title, placeHolder: vscode.l10n.t('Install into the new environment?'), none: vscode.l10n.t('Do not install requirements') }, args);
  if (picked === undefined) return undefined;
  const source = picked ?? undefined;
  const requirements = source ? describeSource(source) : undefined;

  const envDir = target.envDir;
  const name = path.relative(folder.uri.fsPath, envDir) || path.basename(envDir);
  ctx.log.info(`Create ${envDir} from ${python}${target.replace ? ' (replacing the existing environment)' : ''}${requirements ? `, then install ${requirements}` : ''}`);
  let failedSignal: AbortSignal | undefined;
  let installing = false;
  try {
    await withCancellableProgress(vscode.l10n.t('Creating {0}', name), async (signal, report) => {
      failedSignal = signal;
      const started = Date.now();
      const builder: EnvBuilderOptions = { python, withPip: true, symlinks: process.platform !== 'win32', scmIgnoreFiles: ['git'] };
      const log = (line: string) => ctx.log.trace(line);
      if (target.replace) {
        // Through lifecycle: refusals, lock, and the old env put back if the build fails or is cancelled.
        await replaceWithNewEnvironment(envDir, builder, { signal, onProgress: report, log, env: process.env, workspaceRoot: folder.uri.fsPath });
        const replaced = await inspectEnvironment(envDir);
        if (!replaced) throw new Error(`${envDir} has no pyvenv.cfg after it was replaced`);
        ctx.log.info(`Replaced ${envDir} (Python ${replaced.version ?? '?'}) in ${Date.now() - started} ms`);
      } else {
        const created = await createEnvironment(envDir, { ...builder, signal, onProgress: report, log });
        ctx.log.info(`Created ${envDir} (Python ${created.info.versionString}) in ${Date.now() - started} ms`);
      }
      if (requirements) {
        installing = true;
        report(vscode.l10n.t('installing {0}', requirements));
        // Through lifecycle, so the choice is remembered in the env for Sync and Recreate.
        await installIntoEnvironment(envDir, { source: source!, installer: settings.installer, env: process.env, signal, onProgress: report, log, workspaceRoot: folder.uri.fsPath });
        ctx.log.info(`Installed ${requirements} into ${envDir}`);
      }
    });
  } catch (err) {
    await ctx.store.update([envDir]);
    if (!installing) {
      await reportFailure(ctx, ID, vscode.l10n.t('Creating {0}', name), err, failedSignal);
      return undefined;
    }
    // The environment exists; only the install failed or was cancelled. Say so, and how to retry.
    ctx.log.error(`Installing ${requirements} into ${envDir} ${failedSignal?.aborted ? 'cancelled' : `failed: ${errorText(err)}`}`);
    const output = (err as { output?: unknown })?.output;
    if (typeof output === 'string' && output.trim() !== '') ctx.log.error(output);
    const showLog = vscode.l10n.t('Show Log');
    const message = failedSignal?.aborted
      ? vscode.l10n.t('Created {0}; installing {1} was cancelled. "Recreate from Requirements" installs it later.', name, requirements!)
      : vscode.l10n.t('Created {0}, but installing {1} failed: {2}. "Recreate from Requirements" retries it.', name, requirements!, errorText(err));
    if ((await prompter.notify(`${ID}.installFailed`, failedSignal?.aborted ? 'warning' : 'error', message, [showLog])) === showLog) ctx.log.show();
    return undefined;
  }
  await ctx.store.update([envDir]);

  const alreadyActive = ctx.active.get(folder)?.path === envDir;
  let makeActive = args.setActive;
  if (makeActive === undefined && !alreadyActive) {
    const yes = vscode.l10n.t('Set as Active');
    makeActive = (await prompter.notify(`${ID}.setActive`, 'info', vscode.l10n.t('Created {0}. Make it the active environment of {1}?', name, folder.name), [yes])) === yes;
  } else if (makeActive === undefined) {
    void prompter.notify(`${ID}.done`, 'info', vscode.l10n.t('Created {0}; it is the active environment of {1}.', name, folder.name));
  }
  if (makeActive) await ctx.active.set(folder, envDir);
  return envDir;
}

function isArgs(value: unknown): value is CreateEnvironmentArgs {
  return typeof value === 'object' && value !== null && !(value instanceof vscode.Uri) && !('env' in value) && !('contextValue' in value);
}

async function pickFolder(ctx: CommandContext, wanted: string | undefined, title: string): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (wanted !== undefined) {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(path.resolve(wanted)));
    if (!folder) void ctx.prompter.current.notify(`${ID}.folder.unknown`, 'error', vscode.l10n.t('{0} is not in a workspace folder.', wanted));
    return folder;
  }
  if (folders.length === 0) {
    void ctx.prompter.current.notify(`${ID}.folder.none`, 'error', vscode.l10n.t('Open a folder first: environments are created inside a workspace folder.'));
    return undefined;
  }
  if (folders.length === 1) return folders[0];
  const picked = await ctx.prompter.current.pick(
    `${ID}.folder`,
    folders.map((f) => ({ label: f.name, description: f.uri.fsPath, folder: f })),
    { title, placeHolder: vscode.l10n.t('Workspace folder for the new environment') },
  );
  return picked?.folder;
}

/**
 * The folder name: the setting's default first. An existing environment may be replaced (after a
 * modal naming its path) or another name chosen; no `.venv-1` copies are ever made. A folder that
 * exists but is not an environment is never replaced.
 */
async function chooseTarget(
  ctx: CommandContext,
  folder: vscode.WorkspaceFolder,
  args: CreateEnvironmentArgs,
  defaultName: string,
  title: string,
): Promise<{ envDir: string; replace: boolean } | undefined> {
  const prompter = ctx.prompter.current;
  let name = args.name;
  let suggestion = defaultName;
  for (;;) {
    name ??= await prompter.input(`${ID}.name`, {
      title,
      prompt: vscode.l10n.t('Folder for the environment, relative to {0}', folder.name),
      value: suggestion,
      validate: (value) => validateName(folder, value),
    });
    if (name === undefined) return undefined;
    const problem = validateName(folder, name);
    if (problem) {
      void prompter.notify(`${ID}.name.invalid`, 'error', problem);
      return undefined;
    }
    const envDir = path.resolve(folder.uri.fsPath, name.trim());
    if (!fs.existsSync(envDir) || isEmptyDir(envDir)) return { envDir, replace: false };
    const isEnv = fs.existsSync(path.join(envDir, 'pyvenv.cfg'));
    const replaceLabel = vscode.l10n.t('Replace');
    const otherLabel = vscode.l10n.t('Choose Another Name');
    let answer: string | undefined;
    if (args.replace !== undefined) answer = args.replace && isEnv ? replaceLabel : args.replace ? undefined : otherLabel;
    else if (isEnv) {
      answer = await prompter.ask(`${ID}.exists`, vscode.l10n.t('An environment already exists at {0}.', envDir), {
        detail: vscode.l10n.t('Replace deletes everything in it and builds a new environment there.'),
        actions: [replaceLabel, otherLabel],
      });
    } else {
      answer = await prompter.ask(`${ID}.existsNotEnv`, vscode.l10n.t('{0} exists and is not a virtual environment.', envDir), {
        detail: vscode.l10n.t('It is left alone; choose another name.'),
        actions: [otherLabel],
      });
    }
    if (answer === replaceLabel) return { envDir, replace: true };
    if (answer !== otherLabel) {
      if (args.replace && !isEnv) void prompter.notify(`${ID}.existsNotEnv`, 'error', vscode.l10n.t('{0} exists and is not a virtual environment; it was not replaced.', envDir));
      return undefined;
    }
    if (args.name !== undefined && args.replace === false) return undefined;
    suggestion = name;
    name = undefined;
  }
}

function validateName(folder: vscode.WorkspaceFolder, value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return vscode.l10n.t('Enter a folder name');
  if (path.isAbsolute(trimmed)) return vscode.l10n.t('Use a path relative to the workspace folder');
  const resolved = path.resolve(folder.uri.fsPath, trimmed);
  if (!isStrictlyInside(resolved, folder.uri.fsPath)) return vscode.l10n.t('The environment must be inside {0}', folder.name);
  if (trimmed.includes(path.delimiter)) return vscode.l10n.t('A folder name cannot contain "{0}"', path.delimiter);
  return undefined;
}

function isEmptyDir(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory() && fs.readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

import * as path from 'node:path';
import * as vscode from 'vscode';
import { findRequirementsFiles, type DiscoveredEnvironment } from '../../core';
import { folderFor, type CommandContext } from './commandContext';

/**
 * The requirements file for an operation on `env`: `given` (relative to the env's workspace folder)
 * when a caller passed one, else a quick pick of the folder's requirements files (top-level
 * first, see findRequirementsFiles) with "Browse..." last. Undefined when the user backs out.
 */
export async function pickRequirementsFile(
  ctx: CommandContext,
  id: string,
  env: DiscoveredEnvironment,
  texts: { title: string; placeHolder: string },
  given: unknown,
): Promise<string | undefined> {
  const root = folderFor(env)?.uri.fsPath ?? path.dirname(env.path);
  if (typeof given === 'string') return path.resolve(root, given);
  const files = await findRequirementsFiles(root).catch(() => [] as string[]);
  const browse = { label: vscode.l10n.t('Browse...'), description: vscode.l10n.t('a requirements file elsewhere'), file: undefined as string | undefined, alwaysShow: true };
  const picked = await ctx.prompter.current.pick(
    `${id}.requirements`,
    [...files.map((f) => ({ label: path.relative(root, f).split(path.sep).join('/'), description: f, file: f as string | undefined })), browse],
    texts,
  );
  if (!picked) return undefined;
  return picked.file ?? (await browseRequirements(root));
}

async function browseRequirements(root: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    defaultUri: vscode.Uri.file(root),
    canSelectMany: false,
    filters: { [vscode.l10n.t('Requirements')]: ['txt', 'in'] },
  });
  return picked?.[0]?.fsPath;
}

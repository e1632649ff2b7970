import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { findInterpreters, resolvePythonSpec, versionLabel, type BaseInterpreter } from '../../core';
import { errorText } from '../environments/environmentStore';
import type { CommandContext } from './commandContext';

interface InterpreterPickItem extends vscode.QuickPickItem {
  python?: string;
  enterPath?: boolean;
}

/** Quick pick of base interpreters (Python 3): the preferred one first, then newest first, then "Enter path...". */
export async function pickInterpreter(ctx: CommandContext, id: string, title: string, preferredSpec: string): Promise<string | undefined> {
  const [found, preferred] = await Promise.all([
    findInterpreters().catch((err) => {
      ctx.log.error(`Finding interpreters failed: ${errorText(err)}`);
      return [] as BaseInterpreter[];
    }),
    preferredSpec ? resolvePythonSpec(preferredSpec).catch(() => undefined) : Promise.resolve(undefined),
  ]);
  // Python 2 has no venv: listing it would only lead to an error after the user picked it.
  const usable = found.filter((i) => !/^[12]\./.test(i.version ?? ''));
  const items: InterpreterPickItem[] = usable.map((i) => ({
    label: `${i.implementation === 'pypy' ? 'PyPy' : 'Python'} ${versionLabel(i.version ?? vscode.l10n.t('(version unknown)'), i.freeThreaded)}`,
    description: i.path === preferred ? `${i.path} · ${vscode.l10n.t('preferred')}` : i.path,
    detail: i.source,
    python: i.path,
  }));
  if (preferred) {
    const index = items.findIndex((i) => i.python === preferred);
    const [item] = index >= 0 ? items.splice(index, 1) : [{ label: vscode.l10n.t('Preferred interpreter'), description: preferred, python: preferred }];
    items.unshift(item);
  }
  items.push({ label: vscode.l10n.t('Enter path...'), description: vscode.l10n.t('an interpreter not listed'), enterPath: true, alwaysShow: true });
  const picked = await ctx.prompter.current.pick(id, items, { title, placeHolder: vscode.l10n.t('Base interpreter (newest first)') });
  if (!picked) return undefined;
  if (!picked.enterPath) return picked.python;
  return ctx.prompter.current.input(`${id}Path`, {
    title,
    prompt: vscode.l10n.t('Path of a Python interpreter'),
    validate: (value) => (value.trim() !== '' && fs.existsSync(value.trim()) ? undefined : vscode.l10n.t('No file at this path')),
  }).then((v) => v?.trim());
}

import * as path from 'node:path';
import * as vscode from 'vscode';
import { findDeclaredSources, readPylock, readPyproject, readRememberedSource, readUvLock, sourceKindOf, uvLockChoices, type DeclaredSource, type RememberedSource } from '../../core';
import { showFailure, viewOf } from '../ui/errorMessages';
import type { CommandContext } from './commandContext';

/** What a caller may give in advance: the file (relative to the workspace folder) and, for pyproject/pylock, the selection. */
export interface SourceArgs {
  requirements?: string | null;
  extras?: string[];
  groups?: string[];
  /** pyproject: install the project itself (editable); default true. */
  project?: boolean;
}

interface SourceItem extends vscode.QuickPickItem {
  file: string | undefined;
}

interface SelectionItem extends vscode.QuickPickItem {
  part: 'project' | 'extra' | 'group';
  name: string;
}

function describeKind(file: string): string {
  switch (sourceKindOf(file)) {
    case 'pyproject': return vscode.l10n.t('pyproject.toml: dependencies, extras and dependency groups');
    case 'pylock': return vscode.l10n.t('lock file: installed exactly as written');
    case 'uvlock': return vscode.l10n.t('uv lock file: the project, its extras and groups, installed exactly as locked');
    default: return vscode.l10n.t('requirements file');
  }
}

/** The source remembered in an env, if any (never throws). */
export async function rememberedSourceOf(envPath: string | undefined): Promise<RememberedSource | undefined> {
  return envPath ? readRememberedSource(envPath).catch(() => undefined) : undefined;
}

/**
 * A declared source for an operation: `args.requirements` when a caller gave it, else a quick pick
 * of the folder's sources (top level first, the env's remembered one first of all) with "Browse..."
 * last; then, for a pyproject.toml or a lock with extras or groups, a multi-select of them (the
 * remembered choice checked). `none` adds a "do not install" entry (then `null` is returned for it).
 * Undefined when the user backs out, or the file cannot be read (said in a notification).
 */
export async function pickDeclaredSource(
  ctx: CommandContext,
  id: string,
  root: string,
  texts: { title: string; placeHolder: string; none?: string },
  args: SourceArgs,
  remembered?: RememberedSource,
): Promise<DeclaredSource | null | undefined> {
  let file: string | undefined;
  if (args.requirements === null) return null;
  if (typeof args.requirements === 'string') {
    file = path.resolve(root, args.requirements);
  } else {
    const found = await findDeclaredSources(root).catch(() => [] as string[]);
    const last = remembered?.source.file;
    const files = last ? [last, ...found.filter((f) => f !== last)] : found;
    const items: SourceItem[] = files.map((f) => ({
      label: path.relative(root, f).split(path.sep).join('/') || path.basename(f),
      description: f === last ? vscode.l10n.t('{0} (last used)', describeKind(f)) : describeKind(f),
      file: f,
    }));
    const browse: SourceItem = { label: vscode.l10n.t('Browse...'), description: vscode.l10n.t('a requirements file, pyproject.toml, pylock.toml or uv.lock elsewhere'), file: undefined, alwaysShow: true };
    const none: SourceItem | undefined = texts.none ? { label: texts.none, file: undefined } : undefined;
    if (none && files.length === 0) return null;
    const picked = await ctx.prompter.current.pick(`${id}.requirements`, [...items, ...(none ? [none] : [browse])], texts);
    if (!picked) return undefined;
    if (picked === none) return null;
    file = picked.file ?? (await browseSource(root));
    if (!file) return undefined;
  }
  const kind = sourceKindOf(file);
  if (kind === 'requirements') return { kind, file };
  const previous = remembered && remembered.source.file === file && remembered.source.kind === kind ? remembered.source : undefined;
  const given = args.extras !== undefined || args.groups !== undefined || args.project !== undefined;
  // The multi-select of the project itself (when it can be installed), extras and groups, the remembered choice checked.
  const choose = async (offer: { project?: string; extras: readonly string[]; groups: readonly string[] }, checked: { project: boolean; extras: readonly string[]; groups: readonly string[] }, placeHolder: string) => {
    const choices: SelectionItem[] = [];
    if (offer.project !== undefined) choices.push({ label: vscode.l10n.t('the project itself ({0}), editable', offer.project), part: 'project', name: '', picked: checked.project });
    for (const e of offer.extras) choices.push({ label: e, description: vscode.l10n.t('extra'), part: 'extra', name: e, picked: checked.extras.includes(e) });
    for (const g of offer.groups) choices.push({ label: g, description: vscode.l10n.t('dependency group'), part: 'group', name: g, picked: checked.groups.includes(g) });
    if (choices.length === 0) return { extras: [], groups: [], project: true };
    const picked = await ctx.prompter.current.pickMany(`${id}.selection`, choices, { title: texts.title, placeHolder });
    if (!picked) return undefined;
    return {
      extras: picked.filter((c) => c.part === 'extra').map((c) => c.name),
      groups: picked.filter((c) => c.part === 'group').map((c) => c.name),
      // Without a build backend there is no project to install: the default (true) says nothing.
      project: offer.project === undefined || picked.some((c) => c.part === 'project'),
    };
  };
  try {
    if (kind === 'pyproject') {
      const py = await readPyproject(file);
      const prev = previous?.kind === 'pyproject' ? previous : undefined;
      if (given) return { kind, file, extras: args.extras ?? [], groups: args.groups ?? [], project: args.project ?? true };
      const sel = await choose(
        { ...(py.hasBuildBackend ? { project: py.name ?? path.basename(py.projectDir) } : {}), extras: [...py.extras.keys()], groups: [...py.groups.keys()] },
        { project: prev?.project ?? true, extras: prev?.extras ?? [], groups: prev?.groups ?? [] },
        vscode.l10n.t('What to install from {0} (its [project] dependencies always)', path.basename(file)),
      );
      return sel && { kind, file, ...sel };
    }
    if (kind === 'uvlock') {
      const offer = uvLockChoices(await readUvLock(file));
      const prev = previous?.kind === 'uvlock' ? previous : undefined;
      if (given) return { kind, file, extras: args.extras ?? [], ...(args.groups ? { groups: args.groups } : {}), project: args.project ?? true };
      const sel = await choose(
        { ...(offer.projects.length ? { project: offer.projects.join(', ') } : {}), extras: offer.extras, groups: offer.groups },
        // uv installs the dev group unless told otherwise.
        { project: prev?.project ?? true, extras: prev?.extras ?? [], groups: prev?.groups ?? offer.groups.filter((g) => g === 'dev') },
        vscode.l10n.t('What to install from {0} (its project\'s dependencies always)', path.basename(file)),
      );
      return sel && { kind, file, ...sel };
    }
    const lock = await readPylock(file);
    const prev = previous?.kind === 'pylock' ? previous : undefined;
    if (args.extras !== undefined || args.groups !== undefined) return { kind, file, extras: args.extras ?? [], ...(args.groups ? { groups: args.groups } : {}) };
    if (lock.extras.length === 0 && lock.dependencyGroups.length === 0) return { kind, file, extras: [] };
    const sel = await choose(
      { extras: lock.extras, groups: lock.dependencyGroups },
      { project: true, extras: prev?.extras ?? [], groups: prev?.groups ?? lock.defaultGroups },
      vscode.l10n.t('Extras and groups of {0} to install', path.basename(file)),
    );
    return sel && { kind, file, extras: sel.extras, groups: sel.groups };
  } catch (err) {
    // The message names the file and where (line and column for TOML errors).
    const view = viewOf(err);
    ctx.log.error(`Reading ${file}: ${view.detail}`);
    await showFailure(ctx.prompter, ctx.log, `${id}.badSource`, vscode.l10n.t('Cannot use {0}: {1}', path.basename(file), view.detail), view);
    return undefined;
  }
}

async function browseSource(root: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    defaultUri: vscode.Uri.file(root),
    canSelectMany: false,
    filters: { [vscode.l10n.t('Requirements, pyproject.toml, pylock.toml, uv.lock')]: ['txt', 'in', 'toml', 'lock'] },
  });
  return picked?.[0]?.fsPath;
}

import * as vscode from 'vscode';
import type { DiscoveredEnvironment } from '../../core';
import { readSettings } from '../config';
import { folderReport, terminalLine, toolLine, type FolderReport } from '../interop/toolReport';
import { offerVenvManagerActivation } from '../interop/terminalOwner';
import { samePath } from '../interop/reconcile';
import type { CommandContext } from './commandContext';

const ID = 'showPythonPerTool';

type ReportItem = vscode.QuickPickItem & { action?: () => Promise<void> };

/**
 * "Show Python Used by Each Tool": per workspace folder, Venv Manager's active environment, the
 * Python extension's and Python Environments' interpreters and each open terminal's VIRTUAL_ENV; when
 * they differ, one item makes a chosen environment the one everywhere.
 */
export async function showPythonPerToolCommand(ctx: CommandContext): Promise<FolderReport[]> {
  await ctx.store.ready();
  await ctx.interop.idle();
  const reports = (vscode.workspace.workspaceFolders ?? []).map((f) => folderReport(ctx.interop, f, readSettings(f).terminalActivation));
  if (reports.length === 0) {
    void ctx.prompter.current.notify(`${ID}.noFolder`, 'info', vscode.l10n.t('Open a folder first: each tool chooses its Python per workspace folder.'));
    return reports;
  }
  const items: ReportItem[] = [];
  for (const r of reports) {
    items.push({ label: `${r.folder.name} — ${r.agree ? vscode.l10n.t('all tools agree') : vscode.l10n.t('the tools disagree')}`, kind: vscode.QuickPickItemKind.Separator });
    const ours = r.ours?.interpreterPath ?? r.external?.path;
    const mark = (p: string | undefined) => (p !== undefined && samePath(p, ours) ? '$(check)' : '$(warning)');
    items.push({
      label: `${r.ours ? '$(check)' : '$(circle-slash)'} Venv Manager`,
      description: r.ours ? `${r.ours.name} · ${r.ours.version ?? '?'}` : r.external ? vscode.l10n.t('no environment: {0} uses a Python that is not a virtual environment', r.external.tool) : vscode.l10n.t('no active environment'),
      detail: r.ours?.interpreterPath ?? r.external?.path,
    });
    for (const t of r.tools) {
      items.push({ label: `${t.state === 'connected' ? mark(t.interpreter) : '$(circle-slash)'} ${t.label}`, description: toolLine(t) });
    }
    for (const t of r.terminals) {
      const matches = t.virtualEnv !== undefined && r.ours !== undefined && samePath(t.virtualEnv, r.ours.path);
      const stale = t.virtualEnv !== undefined && r.ours !== undefined && !matches;
      items.push({
        label: `${matches ? '$(check)' : '$(terminal)'} ${vscode.l10n.t('Terminal "{0}"', t.terminal.name)}`,
        description: stale ? `${terminalLine(t)} · ${vscode.l10n.t('opened before the change: new terminals get {0}', r.ours!.name)}` : terminalLine(t),
      });
    }
    items.push({ label: `$(terminal) ${vscode.l10n.t('New terminals activated by')}`, description: r.terminalActivator ?? vscode.l10n.t('nobody') });
    if (!r.agree) {
      for (const env of await candidates(ctx, r)) {
        items.push({
          label: `$(sync) ${vscode.l10n.t('Use {0} everywhere in {1}', env.name, r.folder.name)}`,
          detail: env.interpreterPath,
          action: async () => {
            await ctx.active.set(r.folder, env.path);
            await ctx.interop.idle();
          },
        });
      }
    }
    if (r.terminalActivator && r.terminalActivator !== vscode.l10n.t('Venv Manager') && readSettings(r.folder).terminalActivation) {
      items.push({
        label: `$(terminal) ${vscode.l10n.t('Let Venv Manager activate terminals of {0}', r.folder.name)}`,
        detail: vscode.l10n.t('Turns the {0}\'s terminal activation off in this workspace (asks first)', r.terminalActivator),
        action: async () => void (await offerVenvManagerActivation(ctx.prompter, r.folder)),
      });
    }
  }
  const picked = await ctx.prompter.current.pick(`${ID}.report`, items, { title: vscode.l10n.t('Python Used by Each Tool') });
  await picked?.action?.();
  return reports;
}

/** The listed environments some tool of the folder uses now: what "use everywhere" can choose from. */
async function candidates(ctx: CommandContext, r: FolderReport): Promise<DiscoveredEnvironment[]> {
  const found: DiscoveredEnvironment[] = r.ours ? [r.ours] : [];
  for (const t of r.tools) {
    if (!t.interpreter) continue;
    const env = await ctx.interop.sync.environmentFor(t.interpreter);
    if (env && !found.some((e) => e.path === env.path)) found.push(env);
  }
  return found;
}

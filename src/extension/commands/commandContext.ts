import * as path from 'node:path';
import * as vscode from 'vscode';
import { versionLabel, type DiscoveredEnvironment, type LifecycleOptions } from '../../core';
import type { ActiveEnvironments } from '../environments/activeEnvironments';
import type { DriftMonitor } from '../environments/driftMonitor';
import type { EnvironmentStore } from '../environments/environmentStore';
import type { PythonInterop } from '../interop/pythonInterop';
import type { PackageStore } from '../packages/packageStore';
import { EnvironmentItem } from '../tree/items';
import { failureText, showFailure, viewOf } from '../ui/errorMessages';
import type { PrompterHolder } from '../ui/prompter';

/** What every command needs; built once in activate(). */
export interface CommandContext {
  store: EnvironmentStore;
  drift: DriftMonitor;
  active: ActiveEnvironments;
  packages: PackageStore;
  prompter: PrompterHolder;
  log: vscode.LogOutputChannel;
  interop: PythonInterop;
  showGlobalEnvironments(): void;
}

/**
 * How an environment reaches a command: a tree item, a path, `{ env: path }` (tests and other
 * extensions), or nothing (palette: a quick pick of environments).
 */
export type EnvironmentArgument = EnvironmentItem | string | vscode.Uri | { env?: string } | undefined;

export async function resolveEnvironment(
  ctx: CommandContext,
  arg: EnvironmentArgument,
  options: { title: string; id: string; filter?: (env: DiscoveredEnvironment) => boolean; /** Said when no environment passes the filter. */ none?: string },
): Promise<DiscoveredEnvironment | undefined> {
  const wantedPath = argumentPath(arg);
  if (arg instanceof EnvironmentItem) return arg.env;
  await ctx.store.ready();
  if (wantedPath !== undefined) {
    const known = ctx.store.find(wantedPath) ?? (await refreshAndFind(ctx, wantedPath));
    if (!known) void ctx.prompter.current.notify(`${options.id}.notFound`, 'error', vscode.l10n.t('No environment found at {0}.', wantedPath));
    return known;
  }
  if (ctx.store.globalEnvironments() === undefined) void ctx.store.refreshGlobal();
  const candidates = ctx.store.all().filter(options.filter ?? (() => true));
  if (candidates.length === 0) {
    void ctx.prompter.current.notify(`${options.id}.none`, 'info', options.none ?? vscode.l10n.t('No environment to choose from. Create one with "Venv Manager: Create Environment".'));
    return undefined;
  }
  const picked = await ctx.prompter.current.pick(
    `${options.id}.environment`,
    candidates.map((env) => environmentPickItem(ctx, env)),
    { title: options.title, placeHolder: vscode.l10n.t('Choose an environment') },
  );
  return picked?.env;
}

export interface EnvironmentPickItem extends vscode.QuickPickItem {
  env: DiscoveredEnvironment;
}

export function environmentPickItem(ctx: CommandContext, env: DiscoveredEnvironment): EnvironmentPickItem {
  const facts = [versionLabel(env.version, env.freeThreaded) ?? vscode.l10n.t('unknown version'), env.kind, env.scope === 'global' ? env.source : vscode.l10n.t('workspace')];
  if (ctx.active.isActiveAnywhere(env.path)) facts.push(vscode.l10n.t('active'));
  if (!env.health.ok) facts.push(vscode.l10n.t('broken'));
  return { label: env.name, description: facts.join(' · '), detail: env.path, env };
}

function argumentPath(arg: EnvironmentArgument): string | undefined {
  if (typeof arg === 'string') return path.resolve(arg);
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (arg && !(arg instanceof EnvironmentItem) && typeof arg.env === 'string') return path.resolve(arg.env);
  return undefined;
}

async function refreshAndFind(ctx: CommandContext, envPath: string): Promise<DiscoveredEnvironment | undefined> {
  await ctx.store.update([envPath]);
  return ctx.store.find(envPath);
}

/** Folder a workspace environment belongs to, or the folder the user is in for a global one. */
export function folderFor(env: DiscoveredEnvironment): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(env.path));
}

/**
 * Commands that run an interpreter (create, recreate, clear, upgrade) stop here in Restricted Mode
 * and say why, with a way to trust the workspace.
 */
export async function requireTrust(ctx: CommandContext, id: string, action: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const manage = vscode.l10n.t('Manage Workspace Trust');
  const answer = await ctx.prompter.current.notify(
    `${id}.untrusted`,
    'warning',
    vscode.l10n.t('{0} is disabled in Restricted Mode: it runs a Python interpreter, and nothing in an untrusted workspace is executed. Trust the workspace to enable it.', action),
    [manage],
  );
  if (answer === manage) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}

/** Runs long work in a cancellable notification; the task gets an AbortSignal and a progress callback. */
export function withCancellableProgress<T>(
  title: string,
  task: (signal: AbortSignal, report: (message: string) => void) => Promise<T>,
): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    return task(controller.signal, (message) => progress.report({ message })).finally(() => subscription.dispose());
  });
}

/**
 * Tells the user what failed (the extension's sentence for core's error code, then core's message)
 * with its actions (Open File at a bad line, Show Log) and logs the full installer/interpreter output.
 */
export async function reportFailure(ctx: CommandContext, id: string, what: string, err: unknown, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) {
    ctx.log.info(`${what}: cancelled`);
    await ctx.prompter.current.notify(`${id}.cancelled`, 'info', vscode.l10n.t('{0} was cancelled. Nothing was changed.', what));
    return;
  }
  const view = viewOf(err);
  ctx.log.error(`${what} failed: ${view.detail}`);
  if (view.output) ctx.log.error(view.output);
  await showFailure(ctx.prompter, ctx.log, `${id}.failed`, failureText(view, what), view);
}

/**
 * Runs one lifecycle operation (clear, upgrade, recreate, delete) on an environment: in a
 * cancellable notification, with progress, the log, the user's environment (their PIP_* settings
 * reach pip) and the workspace folder, which core refuses to touch. Failures are reported unless
 * `handled` takes them; the tree entry is refreshed either way.
 */
export async function runLifecycleOperation(
  ctx: CommandContext,
  id: string,
  env: DiscoveredEnvironment,
  texts: { progress: string; failure: string },
  operation: (options: LifecycleOptions) => Promise<void>,
  handled?: (err: unknown) => Promise<boolean>,
): Promise<boolean> {
  const folder = folderFor(env);
  let signal: AbortSignal | undefined;
  try {
    await withCancellableProgress(texts.progress, (s, report) => {
      signal = s;
      return operation({
        signal: s,
        onProgress: report,
        log: (line) => ctx.log.trace(line),
        env: process.env,
        ...(folder ? { workspaceRoot: folder.uri.fsPath } : {}),
      });
    });
    return true;
  } catch (err) {
    if (!(await handled?.(err))) await reportFailure(ctx, id, texts.failure, err, signal);
    return false;
  } finally {
    await ctx.store.update([env.path]);
    await ctx.drift.refresh(env.path);
  }
}

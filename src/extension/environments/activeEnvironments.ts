import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DiscoveredEnvironment } from '../../core';
import { readSettings } from '../config';
import { ACTIVE_ENV_STATE_PREFIX, EXTERNAL_INTERPRETER_STATE_PREFIX } from '../constants';
import type { EnvironmentStore } from './environmentStore';

/** An interpreter another tool (the Python extension, Python Environments) uses for a folder that is not an environment we list. */
export interface ExternalInterpreter {
  /** The interpreter (or folder) path the tool reported. */
  path: string;
  /** Which tool chose it, for the user: 'Python extension', 'Python Environments'. */
  tool: string;
}

/**
 * The active environment of each workspace folder: the one the user chose (remembered in workspace
 * state), else `<folder>/<default folder name>` or `<folder>/.venv` when discovery found it there.
 * When the user picked an interpreter that is not a listed environment in the Python extension or
 * Python Environments, the folder has no active environment and `external()` says which interpreter
 * that tool uses instead, so terminals are not activated with a different env.
 */
export class ActiveEnvironments implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private lastSnapshot = '';

  constructor(private readonly state: vscode.Memento, private readonly store: EnvironmentStore) {
    // The automatic choice depends on what discovery finds, so a store change can change it.
    this.subscription = store.onDidChange(() => this.fireIfChanged());
  }

  get(folder: vscode.WorkspaceFolder): DiscoveredEnvironment | undefined {
    if (this.external(folder)) return undefined;
    const chosen = this.state.get<string>(ACTIVE_ENV_STATE_PREFIX + folder.uri.toString());
    if (chosen) {
      const env = this.store.find(chosen);
      if (env) return env;
    }
    const names = [...new Set([readSettings(folder).defaultEnvFolderName, '.venv'])];
    for (const name of names) {
      const env = this.store.find(path.join(folder.uri.fsPath, name));
      if (env) return env;
    }
    return undefined;
  }

  /** True when the user chose this folder's environment (rather than the automatic `.venv`). */
  isChosen(folder: vscode.WorkspaceFolder): boolean {
    return this.state.get<string>(ACTIVE_ENV_STATE_PREFIX + folder.uri.toString()) !== undefined;
  }

  /** The interpreter another tool uses for this folder when it is not a listed environment. */
  external(folder: vscode.WorkspaceFolder): ExternalInterpreter | undefined {
    const value = this.state.get<ExternalInterpreter>(EXTERNAL_INTERPRETER_STATE_PREFIX + folder.uri.toString());
    return value && typeof value.path === 'string' && typeof value.tool === 'string' ? value : undefined;
  }

  async set(folder: vscode.WorkspaceFolder, envPath: string | undefined): Promise<void> {
    await this.state.update(EXTERNAL_INTERPRETER_STATE_PREFIX + folder.uri.toString(), undefined);
    await this.state.update(ACTIVE_ENV_STATE_PREFIX + folder.uri.toString(), envPath === undefined ? undefined : path.resolve(envPath));
    this.fireIfChanged(true);
  }

  /** Records that another tool uses an interpreter that is not a listed environment for this folder. */
  async setExternal(folder: vscode.WorkspaceFolder, external: ExternalInterpreter): Promise<void> {
    await this.state.update(EXTERNAL_INTERPRETER_STATE_PREFIX + folder.uri.toString(), external);
    this.fireIfChanged(true);
  }

  /** Folders whose active environment is this one. */
  foldersUsing(envPath: string): vscode.WorkspaceFolder[] {
    const wanted = path.resolve(envPath);
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => this.get(f)?.path === wanted);
  }

  isActiveAnywhere(envPath: string): boolean {
    return this.foldersUsing(envPath).length > 0;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  private fireIfChanged(force = false): void {
    const snapshot = (vscode.workspace.workspaceFolders ?? [])
      .map((f) => {
        const env = this.get(f);
        return `${f.uri.toString()}=${env?.path ?? ''}|${env?.binDir ?? ''}|${env?.prompt ?? ''}|${env?.version ?? ''}|${this.external(f)?.path ?? ''}`;
      })
      .join('\n');
    if (!force && snapshot === this.lastSnapshot) return;
    this.lastSnapshot = snapshot;
    this.changed.fire();
  }
}

import type * as vscode from 'vscode';
import type { DiscoveredEnvironment } from '../core';
import type { EnvironmentTreeNode } from './tree/items';
import type { Prompter } from './ui/prompter';

/** What activate() returns: a small public API, plus test hooks in development and test hosts. */
export interface VenvManagerApi {
  /** Environments known now (workspace and, once listed, global). */
  environments(): DiscoveredEnvironment[];
  /** The active environment of the workspace folder containing `fsPath`. */
  activeEnvironment(fsPath: string): DiscoveredEnvironment | undefined;
  onDidChangeEnvironments: vscode.Event<void>;
  /** Resolves when the first workspace scan has finished. */
  ready(): Promise<void>;
  testing?: VenvManagerTestApi;
}

export interface VenvManagerTestApi {
  /** Milliseconds activate() took. */
  activationMs: number;
  /** Milliseconds from the start of activate() until the first workspace scan filled the tree. */
  treeFilledMs(): Promise<number>;
  environmentVariableCollection: vscode.GlobalEnvironmentVariableCollection;
  /** Replaces the prompter; returns a function that restores the previous one. */
  usePrompter(prompter: Prompter): () => void;
  treeChildren(element?: EnvironmentTreeNode): Promise<EnvironmentTreeNode[]>;
  /** Rescans every workspace folder in full (the Refresh command's workspace part). */
  rescan(): Promise<void>;
  /** Resolves when sharing the active environment with the Python tools has nothing left to do. */
  interopIdle(): Promise<void>;
}

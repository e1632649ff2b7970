// Shared by the suites that run next to the real Python extension (not a suite: no .test.ts).
import { PythonExtension } from '@vscode/python-extension';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { preparedFacts, venvManager, waitFor } from './venvManagerApi';

export type PythonApi = Awaited<ReturnType<typeof PythonExtension.api>>;

export interface ProjectFacts {
  app: string;
  lib: string;
  systemPython: string;
}

export function facts(): ProjectFacts {
  return preparedFacts() as unknown as ProjectFacts;
}

export const folder = (name: 'app' | 'lib'): vscode.WorkspaceFolder => vscode.workspace.workspaceFolders!.find((f) => f.name === name)!;
export const python = (envDir: string): string => path.join(envDir, 'bin', 'python');

/** The Python extension's API once it is ready and Venv Manager has finished sharing with it. */
export async function pythonApi(): Promise<PythonApi> {
  const api = await PythonExtension.api();
  await api.ready;
  await (await venvManager()).testing.interopIdle();
  return api;
}

/** Waits until the Python extension reports `expected` for the folder (its own store, not ours). */
export async function pythonUses(api: PythonApi, name: 'app' | 'lib', expected: string): Promise<void> {
  await waitFor(`the Python extension to use ${expected} for ${name} (it has ${api.environments.getActiveEnvironmentPath(folder(name).uri).path})`, () => api.environments.getActiveEnvironmentPath(folder(name).uri).path === expected, 30_000);
}

/** Waits until Venv Manager's active environment of the folder is `expected` (undefined: none). */
export async function venvManagerUses(name: 'app' | 'lib', expected: string | undefined): Promise<void> {
  const api = await venvManager();
  await waitFor(`Venv Manager's active environment of ${name} to be ${expected ?? 'none'}`, () => api.activeEnvironment(folder(name).uri.fsPath)?.path === expected, 30_000);
}

import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { treeLabel, venvManager, waitFor } from './venvManagerApi';

describe('multi-root workspace', () => {
  const folder = (name: string) => vscode.workspace.workspaceFolders!.find((f) => f.name === name)!;

  it('the tree shows each workspace folder with its own environments, then Global', async () => {
    const api = await venvManager();
    const roots = await api.testing.treeChildren();
    assert.deepEqual(roots.map(treeLabel), ['api', 'web', 'docs', 'Global']);
    assert.deepEqual((await api.testing.treeChildren(roots[0] as never)).map(treeLabel), ['.venv']);
    assert.deepEqual((await api.testing.treeChildren(roots[1] as never)).map(treeLabel), ['env']);
    assert.deepEqual((await api.testing.treeChildren(roots[2] as never)).map(treeLabel), ['No environments in this folder']);
  });

  it('each folder has its own active environment and its own scoped variable collection', async () => {
    const api = await venvManager();
    const collection = api.testing.environmentVariableCollection;
    const apiScoped = collection.getScoped({ workspaceFolder: folder('api') });
    const webScoped = collection.getScoped({ workspaceFolder: folder('web') });
    const docsScoped = collection.getScoped({ workspaceFolder: folder('docs') });
    const apiVenv = path.join(folder('api').uri.fsPath, '.venv');
    await waitFor('api folder activated', () => apiScoped.get('VIRTUAL_ENV')?.value === apiVenv);
    assert.equal(webScoped.get('VIRTUAL_ENV'), undefined, 'web has no .venv and no choice yet');
    assert.equal(docsScoped.get('VIRTUAL_ENV'), undefined);

    const webEnv = path.join(folder('web').uri.fsPath, 'env');
    assert.equal(await vscode.commands.executeCommand('venvManager.setActive', { env: webEnv }), true);
    await waitFor('web folder activated', () => webScoped.get('VIRTUAL_ENV')?.value === webEnv);
    assert.equal(apiScoped.get('VIRTUAL_ENV')?.value, apiVenv, 'api unchanged');
    assert.equal(api.activeEnvironment(folder('web').uri.fsPath)?.path, webEnv);
    assert.deepEqual([...collection].map(([name]) => name), [], 'nothing unscoped');
  });
});

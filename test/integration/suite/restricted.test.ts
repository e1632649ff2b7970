import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { preparedFacts, ScriptedPrompter, treeLabel, venvManager, withPrompter, workspaceFolder } from './venvManagerApi';

describe('restricted mode (untrusted workspace)', () => {
  const ws = () => workspaceFolder().uri.fsPath;
  const marker = () => path.join(process.env.VENV_MANAGER_TEST_TMP!, 'trap-ran');

  it('the workspace is untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('the tree still lists the environments, the trap env included, and expanding them runs nothing', async () => {
    const api = await venvManager();
    const roots = await api.testing.treeChildren();
    assert.deepEqual(roots.map(treeLabel), ['.venv', 'broken', 'sub/env2', 'trap', 'Global']);
    for (const r of roots.slice(0, 4)) await api.testing.treeChildren(r as never);
    assert.equal(fs.existsSync(marker()), false, 'the trap interpreter was not run');
  });

  it('Create Environment explains why it is disabled and creates nothing', async () => {
    const api = await venvManager();
    const prompter = new ScriptedPrompter();
    const result = await withPrompter(api, prompter, () =>
      vscode.commands.executeCommand('venvManager.createEnvironment', { python: preparedFacts().python, name: 'should-not-exist', requirements: null }),
    );
    assert.equal(result, undefined);
    assert.match(prompter.question('create.untrusted')!.message, /Restricted Mode/);
    assert.deepEqual(prompter.question('create.untrusted')!.actions, ['Manage Workspace Trust']);
    assert.equal(fs.existsSync(path.join(ws(), 'should-not-exist')), false);
  });

  it('Recreate explains why it is disabled and leaves the env alone', async () => {
    const api = await venvManager();
    const prompter = new ScriptedPrompter();
    const result = await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.recreate', { env: path.join(ws(), 'trap'), requirements: 'requirements.txt' }));
    assert.equal(result, false);
    assert.match(prompter.question('recreate.untrusted')!.message, /Restricted Mode/);
    assert.equal(fs.existsSync(marker()), false);
  });

  it('terminals get no activation of a workspace env', async () => {
    const api = await venvManager();
    const scoped = api.testing.environmentVariableCollection.getScoped({ workspaceFolder: workspaceFolder() });
    assert.equal(api.activeEnvironment(ws())?.path, path.join(ws(), '.venv'));
    assert.deepEqual([...scoped].map(([name]) => name), []);
  });
});

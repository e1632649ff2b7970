import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { preparedFacts, recordFigure, treeLabel, venvManager, waitFor, workspaceFolder } from './venvManagerApi';

describe('environments tree (envs made by CPython venv)', () => {
  it('reports how long activation and the first tree fill took (no assertion on time)', async () => {
    const api = await venvManager();
    const filled = await api.testing.treeFilledMs();
    recordFigure(`activate() ${api.testing.activationMs.toFixed(1)} ms; tree filled ${filled.toFixed(1)} ms after activation started`);
    assert.ok(api.testing.activationMs >= 0 && filled >= api.testing.activationMs);
  });

  it('lists the workspace environments by folder-relative name, then the Global group', async () => {
    const api = await venvManager();
    const roots = await api.testing.treeChildren();
    assert.deepEqual(roots.map(treeLabel), ['.venv', 'broken', 'sub/env2', 'Global']);
  });

  it('shows version and kind, marks .venv active (picked automatically) and the broken env with its reason', async () => {
    const api = await venvManager();
    const facts = preparedFacts();
    const roots = await api.testing.treeChildren();
    const byLabel = new Map(roots.map((r) => [treeLabel(r), r]));
    const venv = byLabel.get('.venv')!;
    assert.equal(venv.description, `${facts.pythonVersion} · venv · active`);
    assert.match(venv.contextValue!, /environment;/);
    assert.match(venv.contextValue!, /active;/);
    assert.match(venv.contextValue!, /clearable;.*upgradable;.*recreatable;.*deletable;/);
    assert.match(JSON.stringify(venv.iconPath), /env-active-dark\.svg/);

    const broken = byLabel.get('broken')!;
    assert.match(String(broken.description), /broken/);
    assert.match(broken.contextValue!, /broken;/);
    assert.doesNotMatch(broken.contextValue!, /active;/);
    const tooltip = (broken.tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /Broken/);
    assert.match(tooltip, /gone/);
    assert.match(JSON.stringify(broken.iconPath), /env-broken-light\.svg/);

    const env2 = byLabel.get('sub/env2')!;
    assert.match(String(env2.description), / · venv$/);
    assert.equal(api.activeEnvironment(workspaceFolder().uri.fsPath)?.path, path.join(workspaceFolder().uri.fsPath, '.venv'));
  });

  it('expands an environment into one child per pyvenv.cfg line (unknown keys too), the interpreter and site-packages', async () => {
    const api = await venvManager();
    const env2 = (await api.testing.treeChildren()).find((r) => treeLabel(r) === 'sub/env2')!;
    const children = await api.testing.treeChildren(env2 as never);
    const cfgPath = path.join(workspaceFolder().uri.fsPath, 'sub', 'env2', 'pyvenv.cfg');
    const lines = fs.readFileSync(cfgPath, 'utf8').trim().split('\n').map((l) => l.split(' = '));
    const cfgChildren = children.filter((c) => c.contextValue === 'cfgEntry;');
    assert.deepEqual(cfgChildren.map((c) => [treeLabel(c), c.description]), lines.map(([k, v]) => [k, v]));
    assert.ok(cfgChildren.some((c) => treeLabel(c) === 'x-custom-key' && c.description === 'hello world'));
    assert.ok(cfgChildren.some((c) => treeLabel(c) === 'prompt' && c.description === "'env two'"));
    const paths = children.filter((c) => c.contextValue === 'pathEntry;');
    assert.deepEqual(paths.map(treeLabel), ['interpreter', 'site-packages']);
    assert.equal(paths[0].description, path.join(workspaceFolder().uri.fsPath, 'sub', 'env2', 'bin', 'python'));
    assert.ok(fs.existsSync(String(paths[1].description)), 'site-packages exists');
    assert.match(String(paths[1].description), /lib\/python3\.\d+\/site-packages$/);
  });

  it('opening a key reveals its line in pyvenv.cfg, shown with the pyvenv-cfg language', async () => {
    const api = await venvManager();
    const env2 = (await api.testing.treeChildren()).find((r) => treeLabel(r) === 'sub/env2')!;
    const children = await api.testing.treeChildren(env2 as never);
    const custom = children.find((c) => treeLabel(c) === 'x-custom-key')!;
    assert.equal(custom.command?.command, 'venvManager.openCfgEntry');
    await vscode.commands.executeCommand(custom.command!.command, ...(custom.command!.arguments ?? []));
    const editor = vscode.window.activeTextEditor!;
    assert.equal(path.basename(editor.document.uri.fsPath), 'pyvenv.cfg');
    assert.equal(editor.document.languageId, 'pyvenv-cfg');
    const line = editor.document.lineAt(editor.selection.start.line).text;
    assert.equal(line, 'x-custom-key = hello world');
    assert.equal(editor.document.getText(editor.selection), 'x-custom-key');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('requirements.txt opens with the pip-requirements language', async () => {
    const doc = await vscode.workspace.openTextDocument(path.join(workspaceFolder().uri.fsPath, 'requirements.txt'));
    assert.equal(doc.languageId, 'pip-requirements');
  });

  it('the Global group lists environments outside the workspace, none of the workspace ones', async () => {
    const api = await venvManager();
    const global = (await api.testing.treeChildren()).find((r) => treeLabel(r) === 'Global')!;
    await api.testing.treeChildren(global as never);
    // This machine may have no global env of its own: one in a "Global Env Folders" folder (an
    // application-scope setting, so user settings, which are the run's own) makes sure.
    const globalFolder = path.join(process.env.VENV_MANAGER_TEST_TMP!, 'global envs');
    const globalEnv = path.join(globalFolder, 'outside-env');
    execFileSync(preparedFacts().python, ['-m', 'venv', '--without-pip', globalEnv]);
    const config = vscode.workspace.getConfiguration('venvManager');
    await config.update('globalEnvFolders', [globalFolder], vscode.ConfigurationTarget.Global);
    let children: vscode.TreeItem[];
    try {
      await waitFor('global env listed', () => api.environments().some((e) => e.path === globalEnv));
      children = await api.testing.treeChildren(global as never);
    } finally {
      await config.update('globalEnvFolders', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.ok(children.some((c) => c.resourceUri?.fsPath === globalEnv), children.map(treeLabel).join(', '));
    assert.ok(children.length > 0);
    for (const c of children) {
      assert.match(c.contextValue ?? '', /environment;/, `${treeLabel(c)} is an environment, not a message`);
      const p = c.resourceUri?.fsPath;
      assert.ok(p, `${treeLabel(c)} has the environment's path`);
      assert.ok(!p.startsWith(workspaceFolder().uri.fsPath), `${p} is not in the workspace`);
    }
  });

  it('the status bar command and palette commands are registered; tree-only ones exist too', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of ['createEnvironment', 'setActive', 'openTerminal', 'clear', 'upgrade', 'recreate', 'delete', 'revealInExplorer', 'copyPath', 'openPyvenvCfg', 'openCfgEntry', 'copyValue']) {
      assert.ok(all.includes(`venvManager.${id}`), id);
    }
  });

  it('Copy Path from a tree item puts the env path on the clipboard', async () => {
    const api = await venvManager();
    const venv = (await api.testing.treeChildren()).find((r) => treeLabel(r) === '.venv')!;
    await vscode.commands.executeCommand('venvManager.copyPath', venv);
    assert.equal(await vscode.env.clipboard.readText(), path.join(workspaceFolder().uri.fsPath, '.venv'));
  });
});

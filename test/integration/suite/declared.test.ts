import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { installedProjects } from '../../fixtures/declaredProject';
import { preparedFacts, ScriptedPrompter, treeLabel, venvManager, waitFor, withPrompter, workspaceFolder } from './venvManagerApi';

describe('environments from pyproject.toml: create with groups, drift in the tree, sync', () => {
  const ws = () => workspaceFolder().uri.fsPath;
  const venv = () => path.join(ws(), '.venv');

  async function envItem() {
    const api = await venvManager();
    return (await api.testing.treeChildren()).find((r) => treeLabel(r) === '.venv');
  }

  async function driftLines(): Promise<string[]> {
    const api = await venvManager();
    const item = await envItem();
    if (!item) return [];
    return (await api.testing.treeChildren(item as never)).filter((c) => (c.id ?? '').startsWith('drift:')).map(treeLabel);
  }

  it('Create Environment offers pyproject.toml and a multi-select of its extras and groups; the env holds the choice', async () => {
    const api = await venvManager();
    let sources: vscode.QuickPickItem[] = [];
    let selection: vscode.QuickPickItem[] = [];
    const prompter = new ScriptedPrompter({
      'create.requirements': (q) => {
        sources = q.items!;
        return q.items!.find((i) => i.label === 'pyproject.toml');
      },
      'create.selection': (q) => {
        selection = q.items!;
        return q.items!.filter((i) => i.label === 'fast' || i.label === 'dev');
      },
    });
    const created = await withPrompter(api, prompter, () => vscode.commands.executeCommand<string>('venvManager.createEnvironment', { python: preparedFacts().python, name: '.venv', setActive: true }));
    assert.equal(created, venv(), JSON.stringify(prompter.asked.map((q) => [q.id, q.message])));
    assert.equal(sources[0].label, 'pyproject.toml');
    assert.deepEqual(selection.map((i) => `${i.label} (${i.description})`), ['fast (extra)', 'test (dependency group)', 'dev (dependency group)']);
    assert.deepEqual(installedProjects(venv()).filter((n) => n !== 'pip'), ['alpha', 'beta', 'delta', 'gamma']);
    const remembered = JSON.parse(fs.readFileSync(path.join(venv(), '.venv-manager-source.json'), 'utf8'));
    assert.deepEqual([remembered.source.kind, remembered.source.extras, remembered.source.groups], ['pyproject', ['fast'], ['dev']]);
    const lines = await waitFor('in-sync line in the tree', async () => {
      const l = await driftLines();
      return l.length > 0 && l;
    });
    assert.deepEqual(lines, ['in sync with pyproject.toml (extra fast, group dev)']);
  });

  it('a package installed from a terminal marks the env out of sync in the tree', async () => {
    const terminal = vscode.window.createTerminal({ name: 'pip', cwd: workspaceFolder().uri, shellPath: '/bin/bash' });
    const done = path.join(process.env.VENV_MANAGER_TEST_TMP!, 'pip.done');
    try {
      terminal.sendText(`'${path.join(venv(), 'bin', 'python')}' -m pip install -q needs-nothing > '${done}.log' 2>&1; echo ok > '${done}'`, true);
      await waitFor('pip in the terminal', () => fs.existsSync(done), 60_000);
    } finally {
      terminal.dispose();
    }
    const item = await waitFor('env marked out of sync', async () => {
      const i = await envItem();
      return i && /out of sync/.test(String(i.description)) && i;
    }, 30_000);
    assert.match(item.contextValue!, /drifted;/);
    const lines = await driftLines();
    assert.equal(lines[0], 'out of sync with pyproject.toml: 1 not declared');
    assert.deepEqual(lines.slice(1), ['not declared: needs-nothing 1.0']);
  });

  it('Sync asks before removing what is not declared, then the env is back in sync', async () => {
    const api = await venvManager();
    const item = await envItem();
    const prompter = new ScriptedPrompter({ 'sync.confirm': () => 'Sync' });
    assert.equal(await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.sync', item)), true, JSON.stringify(prompter.asked.map((q) => [q.id, q.message])));
    assert.match(prompter.question('sync.confirm')!.message, /Not declared, so removed: needs-nothing 1\.0/);
    assert.match(prompter.question('sync.done')!.message, /is in sync with pyproject\.toml \(extra fast, group dev\)/);
    assert.ok(!installedProjects(venv()).includes('needs_nothing'));
    await waitFor('env back in sync', async () => {
      const i = await envItem();
      return i && !/out of sync/.test(String(i.description));
    });
    assert.deepEqual(await driftLines(), ['in sync with pyproject.toml (extra fast, group dev)']);
  });

  it('Install from pyproject.toml\'s Explorer menu (its Uri) into the active env asks only for the extras and groups', async () => {
    const api = await venvManager();
    const prompter = new ScriptedPrompter({ 'install.selection': (q) => q.items!.filter((i) => i.label === 'fast' || i.label === 'dev') });
    const file = vscode.Uri.file(path.join(ws(), 'pyproject.toml'));
    assert.equal(await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.installRequirements', file)), true, JSON.stringify(prompter.asked.map((q) => [q.id, q.message])));
    assert.deepEqual(prompter.asked.map((q) => q.id), ['install.selection', 'install.done']);
    const selection = prompter.question('install.selection')!;
    assert.deepEqual(selection.items!.filter((i) => i.picked).map((i) => i.label), ['fast', 'dev'], 'the remembered choice is checked');
    assert.match(prompter.question('install.done')!.message, /Installed pyproject\.toml \(extra fast, group dev\) into /);
  });

  it('a bad pyproject.toml is refused naming the file, line and column; nothing changes', async () => {
    const api = await venvManager();
    const file = path.join(ws(), 'pyproject.toml');
    const good = fs.readFileSync(file, 'utf8');
    const before = installedProjects(venv());
    fs.writeFileSync(file, good.replace('[dependency-groups]', '[dependency-groups'));
    try {
      const prompter = new ScriptedPrompter({ 'sync.badSource': () => undefined });
      assert.equal(await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.sync', { env: venv() })), false);
      assert.match(prompter.question('sync.badSource')!.message, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:9:\\d+: invalid TOML`));
      assert.deepEqual(installedProjects(venv()), before);
    } finally {
      fs.writeFileSync(file, good);
    }
  });
});

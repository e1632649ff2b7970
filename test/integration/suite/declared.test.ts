import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
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
      // The notification offers to open the file where core says the error is; taken, it does.
      const prompter = new ScriptedPrompter({ 'sync.badSource': (q) => q.actions!.find((a) => a === 'Open File') });
      assert.equal(await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.sync', { env: venv() })), false);
      const question = prompter.question('sync.badSource')!;
      assert.match(question.message, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:9:\\d+: invalid TOML`));
      assert.deepEqual(question.actions, ['Open File', 'Show Log']);
      const editor = vscode.window.activeTextEditor;
      assert.equal(editor?.document.uri.fsPath, file, 'Open File opened the pyproject.toml');
      assert.equal(editor.selection.active.line, 8, 'at line 9, where the TOML error is');
      assert.deepEqual(installedProjects(venv()), before);
    } finally {
      fs.writeFileSync(file, good);
    }
  });

  it('Recreate offers uv.lock with its extras and groups (dev checked, as uv sync does); the env holds what the lock reaches', async () => {
    const api = await venvManager();
    const wheels = preparedFacts().wheels;
    const wheel = (file: string) => {
      const data = fs.readFileSync(path.join(wheels, file));
      return `wheels = [{ path = "${file}", hash = "sha256:${createHash('sha256').update(data).digest('hex')}", size = ${data.length} }]`;
    };
    const registry = `source = { registry = ${JSON.stringify(path.relative(ws(), wheels))} }`;
    // The project has no build backend: uv would treat it as virtual, and it is not installed.
    fs.writeFileSync(path.join(ws(), 'uv.lock'), [
      'version = 1', 'requires-python = ">=3.8"', '',
      '[[package]]', 'name = "alpha"', 'version = "1.0"', registry, 'dependencies = [{ name = "beta" }]', wheel('alpha-1.0-py3-none-any.whl'), '',
      '[[package]]', 'name = "beta"', 'version = "2.0"', registry, wheel('beta-2.0-py3-none-any.whl'), '',
      '[[package]]', 'name = "declared-demo"', 'version = "0.1"', 'source = { editable = "." }', 'dependencies = [{ name = "alpha" }]', '',
      '[package.optional-dependencies]', 'fast = [{ name = "gamma" }]', '',
      '[package.dev-dependencies]', 'dev = [{ name = "delta" }]', 'test = [{ name = "delta" }]', '',
      '[[package]]', 'name = "delta"', 'version = "4.0"', registry, wheel('delta-4.0-py3-none-any.whl'), '',
      '[[package]]', 'name = "gamma"', 'version = "3.0"', registry, wheel('gamma-3.0-py3-none-any.whl'), '',
    ].join('\n'));
    let selection: vscode.QuickPickItem[] = [];
    const prompter = new ScriptedPrompter({
      'recreate.requirements': (q) => q.items!.find((i) => i.label === 'uv.lock'),
      'recreate.selection': (q) => {
        selection = q.items!;
        return q.items!.filter((i) => i.picked || i.label === 'fast');
      },
      'recreate.confirm': () => 'Recreate',
    });
    assert.equal(await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.recreate', { env: venv() })), true, JSON.stringify(prompter.asked.map((q) => [q.id, q.message])));
    assert.deepEqual(selection.map((i) => `${i.label} (${i.description})${i.picked ? ' checked' : ''}`), ['fast (extra)', 'dev (dependency group) checked', 'test (dependency group)']);
    assert.deepEqual(installedProjects(venv()).filter((n) => n !== 'pip'), ['alpha', 'beta', 'delta', 'gamma']);
    const remembered = JSON.parse(fs.readFileSync(path.join(venv(), '.venv-manager-source.json'), 'utf8'));
    assert.deepEqual([remembered.source.kind, remembered.source.extras, remembered.source.groups, remembered.source.project], ['uvlock', ['fast'], ['dev'], true]);
    await waitFor('in sync with uv.lock in the tree', async () => {
      const l = await driftLines();
      return l[0] === 'in sync with uv.lock (extra fast, group dev)';
    });
  });

  it('an env listed from a global location that remembers a source shows its drift too', async () => {
    const api = await venvManager();
    const tmp = process.env.VENV_MANAGER_TEST_TMP!;
    const globalFolder = path.join(tmp, 'global envs');
    const globalEnv = path.join(globalFolder, 'outside-env');
    execFileSync(preparedFacts().python, ['-m', 'venv', '--without-pip', globalEnv]);
    const project = path.join(tmp, 'outside project');
    fs.mkdirSync(project, { recursive: true });
    fs.writeFileSync(path.join(project, 'requirements.txt'), 'gamma==3.0\n');
    fs.writeFileSync(path.join(globalEnv, '.venv-manager-source.json'), JSON.stringify({ format: 1, source: { kind: 'requirements', file: path.join(project, 'requirements.txt') }, exact: true }));
    const config = vscode.workspace.getConfiguration('venvManager');
    await config.update('globalEnvFolders', [globalFolder], vscode.ConfigurationTarget.Global);
    try {
      const global = (await api.testing.treeChildren()).find((r) => treeLabel(r) === 'Global')!;
      await api.testing.treeChildren(global as never);
      await waitFor('global env listed', () => api.environments().some((e) => e.path === globalEnv));
      const item = await waitFor('global env marked out of sync', async () => {
        const i = (await api.testing.treeChildren(global as never)).find((c) => c.resourceUri?.fsPath === globalEnv);
        return i && /out of sync/.test(String(i.description)) && i;
      }, 30_000);
      const lines = (await api.testing.treeChildren(item as never)).filter((c) => (c.id ?? '').startsWith('drift:')).map(treeLabel);
      assert.deepEqual(lines, ['out of sync with requirements.txt: 1 missing', 'missing: gamma==3.0']);
    } finally {
      await config.update('globalEnvFolders', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});

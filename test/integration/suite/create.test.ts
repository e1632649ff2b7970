import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { listing, preparedFacts, ScriptedPrompter, treeLabel, venvManager, withPrompter, workspaceFolder } from './venvManagerApi';

describe('Create Environment', () => {
  const ws = () => workspaceFolder().uri.fsPath;

  it('with every answer given as an argument builds a working env and lists it', async () => {
    const api = await venvManager();
    const prompter = new ScriptedPrompter();
    const created = await withPrompter(api, prompter, () =>
      vscode.commands.executeCommand<string>('venvManager.createEnvironment', { python: preparedFacts().python, name: 'made-by-command', requirements: null, setActive: false }),
    );
    assert.equal(created, path.join(ws(), 'made-by-command'));
    assert.ok(fs.existsSync(path.join(created, 'pyvenv.cfg')));
    assert.ok(fs.existsSync(path.join(created, 'bin', 'activate')));
    assert.ok(fs.readdirSync(path.join(created, 'bin')).some((n) => n.startsWith('pip')), 'pip seeded');
    assert.deepEqual(prompter.asked.filter((q) => q.kind !== 'notify').map((q) => q.id), []);
    assert.ok((await api.testing.treeChildren()).map(treeLabel).includes('made-by-command'));
  });

  it('asks interpreter (newest first, "Enter path..." last), folder name (default .venv) and requirements (top-level first)', async () => {
    const api = await venvManager();
    let interpreterItems: vscode.QuickPickItem[] = [];
    let requirementItems: vscode.QuickPickItem[] = [];
    const before = listing(path.join(ws(), '.venv'));
    const prompter = new ScriptedPrompter({
      'create.interpreter': (q) => {
        interpreterItems = q.items!;
        return q.items!.find((i) => (i as { python?: string }).python === preparedFacts().python);
      },
      // First the suggested (existing) .venv, then, after "Choose Another Name", a new one.
      'create.name': () => (prompter.asked.filter((q) => q.id === 'create.name').length === 1 ? '.venv' : 'second-env'),
      'create.exists': () => 'Choose Another Name',
      'create.requirements': (q) => {
        requirementItems = q.items!;
        return q.items!.find((i) => i.label === 'Do not install requirements');
      },
      'create.setActive': () => undefined,
    });
    const created = await withPrompter(api, prompter, () => vscode.commands.executeCommand<string>('venvManager.createEnvironment'));
    assert.equal(created, path.join(ws(), 'second-env'));

    const versions = interpreterItems.filter((i) => /^(Python|PyPy) \d/.test(i.label)).map((i) => i.label.split(' ')[1].split('.').map(Number));
    assert.ok(versions.length > 0);
    assert.ok(versions.every((v) => v[0] >= 3), `no Python 2 offered (it has no venv): ${interpreterItems.map((x) => x.label).join(', ')}`);
    for (let i = 1; i < versions.length; i++) {
      const [a, b] = [versions[i - 1], versions[i]];
      assert.ok(a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]), `newest first: ${interpreterItems.map((x) => x.label).join(', ')}`);
    }
    assert.equal(interpreterItems.at(-1)!.label, 'Enter path...');

    const exists = prompter.question('create.exists')!;
    assert.match(exists.message, new RegExp(`${path.join(ws(), '.venv').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.deepEqual(exists.actions, ['Replace', 'Choose Another Name']);
    assert.deepEqual(prompter.asked.filter((q) => q.id === 'create.name').map((q) => q.message.split('|')[1]), ['.venv', '.venv']);
    assert.equal(requirementItems[0].label, 'requirements.txt');
    assert.deepEqual(listing(path.join(ws(), '.venv')), before, '.venv untouched');
    assert.ok(!fs.readdirSync(ws()).some((n) => /^\.venv-\d+$/.test(n)), 'no .venv-1 copies');
  });

  it('a folder that exists and is not an environment is never replaced', async () => {
    const api = await venvManager();
    const plain = path.join(ws(), 'app');
    const before = listing(plain);
    const prompter = new ScriptedPrompter();
    const created = await withPrompter(api, prompter, () =>
      vscode.commands.executeCommand<string>('venvManager.createEnvironment', { python: preparedFacts().python, name: 'app', replace: true, requirements: null, setActive: false }),
    );
    assert.equal(created, undefined);
    assert.deepEqual(listing(plain), before);
    assert.match(prompter.question('create.existsNotEnv')!.message, /not a virtual environment/);
  });

  it('Replace rebuilds an existing environment in place and can make it active', async () => {
    const api = await venvManager();
    const target = path.join(ws(), 'made-by-command');
    fs.writeFileSync(path.join(target, 'marker.txt'), 'old');
    const created = await withPrompter(api, new ScriptedPrompter(), () =>
      vscode.commands.executeCommand<string>('venvManager.createEnvironment', { python: preparedFacts().python, name: 'made-by-command', replace: true, requirements: null, setActive: true }),
    );
    assert.equal(created, target);
    assert.ok(!fs.existsSync(path.join(target, 'marker.txt')));
    assert.equal(api.activeEnvironment(ws())?.path, target);
    await vscode.commands.executeCommand('venvManager.setActive', { folder: ws(), env: null });
  });

  it('Replace with an interpreter that does not run leaves the old environment unchanged', async () => {
    const api = await venvManager();
    const target = path.join(ws(), 'made-by-command');
    const before = listing(target);
    const brokenPython = path.join(process.env.VENV_MANAGER_TEST_TMP!, 'broken-python');
    fs.writeFileSync(brokenPython, '#!/bin/sh\necho "not a python" >&2\nexit 3\n', { mode: 0o755 });
    const prompter = new ScriptedPrompter();
    const created = await withPrompter(api, prompter, () =>
      vscode.commands.executeCommand<string>('venvManager.createEnvironment', { python: brokenPython, name: 'made-by-command', replace: true, requirements: null, setActive: false }),
    );
    assert.equal(created, undefined);
    assert.match(prompter.question('create.failed')!.message, /Creating made-by-command failed/);
    assert.deepEqual(listing(target), before, 'the old environment is back, entry for entry');
    assert.deepEqual(fs.readdirSync(ws()).filter((n) => n.includes('.venv-manager')), [], 'no rollback copy, lock or journal left');
  });

  it('a requirements install that fails keeps the new env and says how to retry', async () => {
    const api = await venvManager();
    const bad = path.join(ws(), 'requirements-missing.txt');
    fs.writeFileSync(bad, 'no-such-package-anywhere==9.9\n');
    const prompter = new ScriptedPrompter();
    const created = await withPrompter(api, prompter, () =>
      vscode.commands.executeCommand<string>('venvManager.createEnvironment', { python: preparedFacts().python, name: 'install-fails', requirements: bad, setActive: false }),
    );
    assert.equal(created, undefined);
    assert.match(prompter.question('create.installFailed')!.message, /^Created install-fails, but installing requirements-missing\.txt failed: .*Recreate from Requirements/s);
    assert.ok(fs.existsSync(path.join(ws(), 'install-fails', 'pyvenv.cfg')));
    fs.rmSync(bad);
  });

  it('installs a chosen requirements file into the new env', async () => {
    const api = await venvManager();
    const created = await withPrompter(api, new ScriptedPrompter(), () =>
      vscode.commands.executeCommand<string>('venvManager.createEnvironment', { python: preparedFacts().python, name: 'with-reqs', requirements: 'requirements.txt', setActive: false }),
    );
    assert.equal(created, path.join(ws(), 'with-reqs'));
    assert.ok(fs.existsSync(path.join(created, 'bin', 'pip')));
  });
});

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { facts, folder, python, pythonApi, pythonUses, venvManagerUses } from './pythonTools';
import { preparedFacts, recordFigure, ScriptedPrompter, treeLabel, venvManager, waitFor, withPrompter } from './venvManagerApi';

/**
 * Next to the real Python extension (ms-python.python built from source, ../shared/vendor), in a
 * two-folder workspace: the active environment is one choice shared both ways, per folder.
 */
describe('with the Python extension: one interpreter everywhere', () => {
  const appVenv = () => path.join(facts().app, '.venv');
  const appAlt = () => path.join(facts().app, 'alt');
  const libVenv = () => path.join(facts().lib, '.venv');

  it('activate() stays short with the Python extension installed (its API is fetched afterwards)', async () => {
    const api = await venvManager();
    assert.ok(vscode.extensions.getExtension('ms-python.python'), 'the Python extension is installed in this run');
    recordFigure(`activate() with the Python extension installed: ${api.testing.activationMs.toFixed(2)} ms`);
    assert.ok(Number.isFinite(api.testing.activationMs));
  });

  it('after start-up both tools use each folder\'s own .venv: two folders, two environments', async () => {
    const python_ = await pythonApi();
    await pythonUses(python_, 'app', python(appVenv()));
    await pythonUses(python_, 'lib', python(libVenv()));
    await venvManagerUses('app', appVenv());
    await venvManagerUses('lib', libVenv());
  });

  it('Set Active in Venv Manager: the Python extension uses that env for that folder only', async () => {
    const python_ = await pythonApi();
    assert.equal(await vscode.commands.executeCommand('venvManager.setActive', { env: appAlt() }), true);
    await pythonUses(python_, 'app', python(appAlt()));
    assert.equal(python_.environments.getActiveEnvironmentPath(folder('lib').uri).path, python(libVenv()), 'lib keeps its own');
    await venvManagerUses('lib', libVenv());
  });

  it('the user picks another listed env in the Python extension: Venv Manager\'s active mark follows', async () => {
    const python_ = await pythonApi();
    await python_.environments.updateActiveEnvironmentPath(python(appVenv()), folder('app'));
    await venvManagerUses('app', appVenv());
    const api = await venvManager();
    const roots = await api.testing.treeChildren();
    const appItems = await api.testing.treeChildren(roots.find((r) => treeLabel(r) === 'app') as never);
    const described = (label: string) => String(appItems.find((i) => treeLabel(i) === label)?.description ?? '');
    assert.match(described('.venv'), /active/);
    assert.doesNotMatch(described('alt'), /active/);
    // No ping-pong: once settled, the Python extension still has the user's pick.
    await api.testing.interopIdle();
    assert.equal(python_.environments.getActiveEnvironmentPath(folder('app').uri).path, python(appVenv()));
  });

  it('an interpreter that is not a venv is shown as such and its folder\'s terminals are not activated with another env', async () => {
    const python_ = await pythonApi();
    const system = facts().systemPython;
    await python_.environments.updateActiveEnvironmentPath(system, folder('lib'));
    await venvManagerUses('lib', undefined);
    const api = await venvManager();
    const libItem = await waitFor('lib folder says not a venv', async () => {
      const roots = await api.testing.treeChildren();
      const item = roots.find((r) => treeLabel(r) === 'lib');
      return item && /not a virtual environment/.test(String(item.description)) ? item : undefined;
    });
    assert.match(String(libItem.description), new RegExp(system.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.equal(api.testing.environmentVariableCollection.getScoped({ workspaceFolder: folder('lib') }).get('VIRTUAL_ENV'), undefined);
    assert.equal(python_.environments.getActiveEnvironmentPath(folder('lib').uri).path, system, 'Venv Manager did not overwrite the user\'s pick');
    // Making an env active again in Venv Manager brings both back.
    assert.equal(await vscode.commands.executeCommand('venvManager.setActive', { env: libVenv() }), true);
    await pythonUses(python_, 'lib', python(libVenv()));
  });

  it('Create Environment with "Set as Active" reaches the Python extension; deleting that env hands both back to the folder\'s .venv', async () => {
    const python_ = await pythonApi();
    const api = await venvManager();
    const made = path.join(facts().lib, 'made');
    const created = await vscode.commands.executeCommand<string>('venvManager.createEnvironment', { folder: facts().lib, python: preparedFacts().python, name: 'made', requirements: null, setActive: true });
    assert.equal(created, made);
    await pythonUses(python_, 'lib', python(made));
    await venvManagerUses('lib', made);
    const prompter = new ScriptedPrompter({ 'delete.confirm': (q) => q.actions?.[0] });
    assert.equal(await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.delete', { env: made })), true);
    await venvManagerUses('lib', libVenv());
    await pythonUses(python_, 'lib', python(libVenv()));
  });

  it('an env whose interpreter does not resolve is never written into the Python extension', async () => {
    const python_ = await pythonApi();
    const before = python_.environments.getActiveEnvironmentPath(folder('app').uri).path;
    assert.equal(await vscode.commands.executeCommand('venvManager.setActive', { env: path.join(facts().app, 'broken') }), true);
    await (await venvManager()).testing.interopIdle();
    assert.equal(python_.environments.getActiveEnvironmentPath(folder('app').uri).path, before);
    assert.equal(await vscode.commands.executeCommand('venvManager.setActive', { env: appVenv() }), true);
    await pythonUses(python_, 'app', python(appVenv()));
  });

  it('with the Python extension\'s terminal activation on, a new terminal is activated once, and deactivate undoes it', async function () {
    this.timeout(120_000);
    await pythonApi();
    const api = await venvManager();
    assert.equal(api.testing.environmentVariableCollection.getScoped({ workspaceFolder: folder('app') }).get('VIRTUAL_ENV'), undefined, 'Venv Manager steps back: no variables of ours');
    const out = path.join(process.env.VENV_MANAGER_TEST_TMP!, 'activated-once.out');
    const activated = new Promise<string>((resolve) => {
      const sub = vscode.window.onDidEndTerminalShellExecution((e) => {
        if (/activate/.test(e.execution.commandLine.value)) { sub.dispose(); resolve(e.execution.commandLine.value); }
      });
    });
    const terminal = vscode.window.createTerminal({ name: 'activated once', cwd: folder('app').uri, shellPath: '/bin/bash' });
    try {
      const command = await Promise.race([activated, new Promise<string>((_, reject) => setTimeout(() => reject(new Error('the Python extension typed no activation within 60 s')), 60_000))]);
      assert.match(command, /\.venv\/bin\/activate/);
      terminal.sendText(`{ echo "VE=$VIRTUAL_ENV"; echo "PS1=$PS1"; deactivate; echo "AFTER=\${VIRTUAL_ENV-unset}"; echo "PS1AFTER=$PS1"; echo __done__; } > '${out}' 2>&1`, true);
      const text = await waitFor('terminal output', () => {
        const t = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
        return t.includes('__done__') ? t : undefined;
      }, 60_000);
      // Shell integration's own sequences (one carries the command line) share the redirection: drop them.
      const plain = text.replace(/\x1b\]633;[^\x07]*\x07/g, '');
      const get = (key: string) => plain.split('\n').find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1) ?? '';
      assert.equal(get('VE'), appVenv(), text);
      assert.equal(get('PS1').split('(.venv)').length - 1, 1, `the env appears once in the prompt: ${get('PS1')}`);
      assert.equal(get('AFTER'), 'unset', text);
      assert.ok(!get('PS1AFTER').includes('(.venv)'), text);
    } finally {
      terminal.dispose();
    }
  });

  it('Show Python Used by Each Tool: all agree; a change made only in the Python extension shows up; one pick makes them agree', async () => {
    const api = await venvManager();
    const python_ = await pythonApi();
    const scope = folder('app');
    await vscode.workspace.getConfiguration('venvManager', scope).update('python.shareActiveEnvironment', 'toPython', vscode.ConfigurationTarget.WorkspaceFolder);
    try {
      const report = async (choose?: RegExp) => {
        let labels: string[] = [];
        const prompter = new ScriptedPrompter({ 'showPythonPerTool.report': (q) => { labels = (q.items ?? []).map((i) => `${i.label} ${i.description ?? ''}`.trim()); return choose ? q.items?.find((i) => choose.test(i.label)) : undefined; } });
        await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.showPythonPerTool'));
        return labels;
      };
      let labels = await report();
      assert.ok(labels.includes('app — all tools agree'), labels.join('\n'));
      assert.ok(labels.some((l) => /Python extension .*\.venv\/bin\/python/.test(l)), labels.join('\n'));
      assert.ok(labels.some((l) => /Python Environments not installed/.test(l)), labels.join('\n'));

      await python_.environments.updateActiveEnvironmentPath(python(appAlt()), scope);
      await waitFor('the report to see the change', async () => (await report()).includes('app — the tools disagree'));
      await venvManagerUses('app', appVenv());
      labels = await report(/Use alt everywhere in app/);
      await venvManagerUses('app', appAlt());
      labels = await report();
      assert.ok(labels.includes('app — all tools agree'), labels.join('\n'));
      assert.equal(python_.environments.getActiveEnvironmentPath(scope.uri).path, python(appAlt()));
    } finally {
      await vscode.workspace.getConfiguration('venvManager', scope).update('python.shareActiveEnvironment', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    }
  });

  it('Let Venv Manager activate terminals: nothing is written without a yes; with it, the Python extension\'s setting is off and ours take over', async () => {
    const api = await venvManager();
    const scope = folder('app');
    const setting = () => vscode.workspace.getConfiguration('python', scope).inspect<boolean>('terminal.activateEnvironment');
    const pickSwitch = (answer: string | undefined) => new ScriptedPrompter({
      'showPythonPerTool.report': (q) => q.items?.find((i) => /Let Venv Manager activate terminals of app/.test(i.label)),
      'terminalActivator.switch': () => answer,
    });
    const declined = pickSwitch(undefined);
    await withPrompter(api, declined, () => vscode.commands.executeCommand('venvManager.showPythonPerTool'));
    assert.ok(declined.question('terminalActivator.switch'), 'asked first');
    assert.equal(setting()?.workspaceFolderValue, undefined, 'declined: nothing written');
    assert.equal(setting()?.workspaceValue, undefined);

    const accepted = pickSwitch('Use Venv Manager');
    await withPrompter(api, accepted, () => vscode.commands.executeCommand('venvManager.showPythonPerTool'));
    assert.match(accepted.question('terminalActivator.switch')?.message ?? '', /python\.terminal\.activateEnvironment/);
    await waitFor('the setting written to the folder', () => setting()?.workspaceFolderValue === false);
    const scoped = api.testing.environmentVariableCollection.getScoped({ workspaceFolder: scope });
    await waitFor('Venv Manager activates app\'s terminals now', () => scoped.get('VIRTUAL_ENV')?.value === api.activeEnvironment(scope.uri.fsPath)?.path);
    assert.equal(api.testing.environmentVariableCollection.getScoped({ workspaceFolder: folder('lib') }).get('VIRTUAL_ENV'), undefined, 'lib still left to the Python extension');
  });
});

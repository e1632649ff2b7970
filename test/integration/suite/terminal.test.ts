import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { venvManager, waitFor, workspaceFolder } from './venvManagerApi';

/** Runs a script in a new bash terminal of the workspace folder, output redirected into a file. */
async function runInTerminal(name: string, lines: string[], shell: { path: string; env?: Record<string, string> } = { path: '/bin/bash' }): Promise<string[]> {
  const out = path.join(process.env.VENV_MANAGER_TEST_TMP!, `${name}.out`);
  fs.rmSync(out, { force: true });
  const terminal = vscode.window.createTerminal({ name, cwd: workspaceFolder().uri, shellPath: shell.path, env: shell.env });
  try {
    const body = lines.map((l) => `${l} >> '${out}' 2>&1`).join('; ');
    terminal.sendText(`${body}; echo __done__ >> '${out}'`, true);
    const text = await waitFor(`output of ${name}`, () => {
      const t = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
      return t.includes('__done__') ? t : undefined;
    }, 30_000);
    return text.split('\n').filter((l) => l !== '' && l !== '__done__');
  } finally {
    terminal.dispose();
  }
}

/**
 * Reads the KEY=value lines the shells print: VE and PY inside the env, RC from the user's own
 * start-up file, then AFTER and PY2 once `deactivate` ran.
 */
function assertActivatedThenDeactivated(out: string[], venvPath: () => string, userStartupFile = true): void {
  const get = (key: string) => out.find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1);
  assert.equal(get('VE'), venvPath(), out.join('\n'));
  assert.equal(get('PY'), path.join(venvPath(), 'bin', 'python'));
  if (userStartupFile) assert.equal(get('RC'), 'yes');
  assert.equal(get('AFTER'), 'unset');
  assert.notEqual(get('PY2'), undefined, out.join('\n'));
  assert.ok(!get('PY2')!.startsWith(venvPath()), `python after deactivate: ${get('PY2')}`);
}

/**
 * The shell's path once the collection carries `variable` (our start-up file for that shell is
 * written after activation); skips the test where the shell is not installed.
 */
async function shellWithStartup(test: Mocha.Context, shell: string, variable: string): Promise<string> {
  const found = [`/usr/bin/${shell}`, `/bin/${shell}`].find((p) => fs.existsSync(p));
  if (!found) test.skip();
  const api = await venvManager();
  const scoped = api.testing.environmentVariableCollection.getScoped({ workspaceFolder: workspaceFolder() });
  await waitFor(`${variable} for ${shell} in the collection`, () => scoped.get(variable));
  return found!;
}

describe('terminal activation through the environment variable collection', () => {
  const venvPath = () => path.join(workspaceFolder().uri.fsPath, '.venv');
  const env2Path = () => path.join(workspaceFolder().uri.fsPath, 'sub', 'env2');

  it('the folder-scoped collection activates .venv: VIRTUAL_ENV, prompt, PATH, PYTHONHOME, deactivate, description', async () => {
    const api = await venvManager();
    const scoped = api.testing.environmentVariableCollection.getScoped({ workspaceFolder: workspaceFolder() });
    await waitFor('collection filled', () => scoped.get('VIRTUAL_ENV'));
    assert.equal(scoped.get('VIRTUAL_ENV')?.value, venvPath());
    assert.equal(scoped.get('VIRTUAL_ENV')?.type, vscode.EnvironmentVariableMutatorType.Replace);
    assert.equal(scoped.get('VIRTUAL_ENV_PROMPT')?.value, '.venv');
    assert.equal(scoped.get('PATH')?.type, vscode.EnvironmentVariableMutatorType.Prepend);
    assert.equal(scoped.get('PATH')?.value, `${path.join(venvPath(), 'bin')}:`);
    assert.equal(scoped.get('PYTHONHOME')?.value, '');
    assert.match(scoped.get('BASH_FUNC_deactivate%%')?.value ?? '', /^\(\) \{/);
    const description = scoped.description instanceof vscode.MarkdownString ? scoped.description.value : String(scoped.description);
    assert.match(description, /\.venv/);
    assert.equal(api.testing.environmentVariableCollection.persistent, true);
  });

  it('a real bash terminal: echo $VIRTUAL_ENV and command -v python point into .venv; deactivate undoes it', async () => {
    const out = await runInTerminal('activated', [
      'echo "VE=$VIRTUAL_ENV"',
      'echo "PY=$(command -v python)"',
      'echo "PH=${PYTHONHOME-unset}"',
      'python -c "import sys; print(\'PREFIX=\' + sys.prefix)"',
      'deactivate',
      'echo "AFTER=${VIRTUAL_ENV-unset}"',
      'echo "PY2=$(command -v python || echo none)"',
      'echo "DEACT=$(type -t deactivate)"',
    ]);
    const get = (key: string) => out.find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1);
    assert.equal(get('VE'), venvPath(), out.join('\n'));
    assert.equal(get('PY'), path.join(venvPath(), 'bin', 'python'));
    assert.equal(get('PREFIX'), venvPath());
    assert.equal(get('AFTER'), 'unset');
    assert.ok(!get('PY2')!.startsWith(venvPath()), `python after deactivate: ${get('PY2')}`);
    assert.notEqual(get('DEACT'), 'function', 'our deactivate removed itself');
  });

  it('a real zsh terminal: activated, the user\'s .zshrc still runs, deactivate undoes it', async function () {
    const zsh = await shellWithStartup(this, 'zsh', 'ZDOTDIR');
    const home = path.join(process.env.VENV_MANAGER_TEST_TMP!, 'zsh-home');
    fs.mkdirSync(home, { recursive: true });
    fs.writeFileSync(path.join(home, '.zshrc'), 'export FROM_USER_ZSHRC=yes\n');
    const out = await runInTerminal('zsh', [
      'echo "VE=$VIRTUAL_ENV"',
      'echo "PY=$(whence -p python)"',
      'echo "RC=$FROM_USER_ZSHRC"',
      'deactivate',
      'echo "AFTER=${VIRTUAL_ENV-unset}"',
      'echo "PY2=$(whence -p python)"',
    ], { path: zsh, env: { HOME: home } });
    assertActivatedThenDeactivated(out, venvPath);
  });

  it('a real fish terminal: activated, the user\'s config.fish still runs, deactivate undoes it', async function () {
    const fish = await shellWithStartup(this, 'fish', 'XDG_DATA_DIRS');
    const home = path.join(process.env.VENV_MANAGER_TEST_TMP!, 'fish-home');
    fs.mkdirSync(path.join(home, '.config', 'fish'), { recursive: true });
    fs.writeFileSync(path.join(home, '.config', 'fish', 'config.fish'), 'set -gx FROM_USER_CONFIG yes\n');
    const out = await runInTerminal('fish', [
      'echo "VE=$VIRTUAL_ENV"',
      'echo "PY="(command -s python)',
      'echo "RC=$FROM_USER_CONFIG"',
      'deactivate',
      'echo "AFTER="(set -q VIRTUAL_ENV; and echo set; or echo unset)',
      'echo "PY2="(command -s python)',
    ], { path: fish, env: { HOME: home } });
    assertActivatedThenDeactivated(out, venvPath);
  });

  it('a real dash (sh) terminal: activated, deactivate from our ENV file undoes it', async function () {
    const dash = await shellWithStartup(this, 'dash', 'ENV');
    // The user's own ENV is the extension host's (read when the collection is written), so it is
    // covered by the unit tests in a real dash, not here.
    const out = await runInTerminal('dash', [
      'echo "VE=$VIRTUAL_ENV"',
      'echo "PY=$(command -v python)"',
      'deactivate',
      'echo "AFTER=${VIRTUAL_ENV-unset}"',
      'echo "PY2=$(command -v python || echo none)"',
    ], { path: dash });
    assertActivatedThenDeactivated(out, venvPath, false);
  });

  it('switching the active environment updates the collection and new terminals', async () => {
    const api = await venvManager();
    const scoped = api.testing.environmentVariableCollection.getScoped({ workspaceFolder: workspaceFolder() });
    assert.equal(await vscode.commands.executeCommand('venvManager.setActive', { env: env2Path() }), true);
    await waitFor('collection switched', () => scoped.get('VIRTUAL_ENV')?.value === env2Path());
    assert.equal(scoped.get('VIRTUAL_ENV_PROMPT')?.value, 'env two');
    const out = await runInTerminal('switched', ['echo "VE=$VIRTUAL_ENV"', 'echo "PY=$(command -v python)"', 'echo "P=$VIRTUAL_ENV_PROMPT"']);
    assert.deepEqual(out, [`VE=${env2Path()}`, `PY=${path.join(env2Path(), 'bin', 'python')}`, 'P=env two']);
    assert.equal(await vscode.commands.executeCommand('venvManager.setActive', { folder: workspaceFolder().uri.fsPath, env: null }), true);
    await waitFor('back to the automatic .venv', () => scoped.get('VIRTUAL_ENV')?.value === venvPath());
  });

  it('with terminal activation turned off nothing at all is injected', async () => {
    const api = await venvManager();
    const collection = api.testing.environmentVariableCollection;
    const scoped = collection.getScoped({ workspaceFolder: workspaceFolder() });
    const config = vscode.workspace.getConfiguration('venvManager');
    await config.update('terminal.activateEnvironment', false, vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('collection emptied', () => scoped.get('VIRTUAL_ENV') === undefined);
      assert.deepEqual([...scoped].map(([name]) => name), []);
      assert.deepEqual([...collection].map(([name]) => name), []);
      const out = await runInTerminal('off', ['echo "VE=${VIRTUAL_ENV-unset}"', 'echo "PATH=$PATH"', 'echo "DEACT=$(type -t deactivate)"']);
      assert.equal(out[0], 'VE=unset');
      assert.ok(!out[1].includes(venvPath()), out[1]);
      assert.notEqual(out[2], 'DEACT=function');
    } finally {
      await config.update('terminal.activateEnvironment', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('collection back', () => scoped.get('VIRTUAL_ENV')?.value === venvPath());
  });

  it('Open Terminal on the active env opens a terminal in the folder that has it activated', async () => {
    const api = await venvManager();
    const roots = await api.testing.treeChildren();
    const venv = roots.find((r) => r.contextValue?.includes('active;'))!;
    assert.equal(venv?.label, '.venv', roots.map((r) => `${JSON.stringify(r.label)} ${r.contextValue}`).join('\n') + `\nactive: ${api.activeEnvironment(workspaceFolder().uri.fsPath)?.path}`);
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('venvManager.openTerminal', venv);
    assert.ok(terminal);
    assert.match(terminal.name, /^\.venv/);
    terminal.dispose();
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readPylock } from '../../../src/core/declared/pylock';
import type { EnvironmentTreeNode } from '../../../src/extension/tree/items';
import { preparedFacts, recordFigure, ScriptedPrompter, treeLabel, venvManager, waitFor, withPrompter, workspaceFolder } from './venvManagerApi';

type Api = Awaited<ReturnType<typeof venvManager>>;

const venv = () => path.join(workspaceFolder().uri.fsPath, '.venv');

async function packagesNode(api: Api): Promise<EnvironmentTreeNode> {
  const env = (await api.testing.treeChildren()).find((r) => treeLabel(r) === '.venv')!;
  const node = (await api.testing.treeChildren(env)).find((c) => /^Packages \(\d+\)$/.test(treeLabel(c)));
  assert.ok(node, 'a Packages (N) node under .venv');
  return node;
}

async function packageRows(api: Api): Promise<Map<string, EnvironmentTreeNode>> {
  return new Map((await api.testing.treeChildren(await packagesNode(api))).map((c) => [treeLabel(c), c]));
}

describe('packages in the tree', () => {
  before(() => {
    // The extension runs pip with this host's environment: the test's wheel folder is its index.
    process.env.PIP_NO_INDEX = '1';
    process.env.PIP_FIND_LINKS = preparedFacts().wheels as string;
  });

  it('a "Packages (N)" node lists what is installed: version, requested or dependency', async () => {
    const api = await venvManager();
    const node = await packagesNode(api);
    const rows = await packageRows(api);
    assert.equal(treeLabel(node), `Packages (${rows.size})`);
    assert.ok(['alpha', 'beta', 'pip'].every((n) => rows.has(n)), [...rows.keys()].join(', '));
    assert.equal(rows.get('alpha')!.description, '1.0');
    assert.equal(rows.get('beta')!.description, '2.0 · dependency');
    assert.match(String(rows.get('alpha')!.contextValue), /package;.*packagesChangeable;/);
    assert.doesNotMatch(String(rows.get('alpha')!.contextValue), /outdated;/);
  });

  it('Install Package... from the Packages node: gamma appears in the tree', async () => {
    const api = await venvManager();
    const prompter = new ScriptedPrompter({ 'installPackage.spec': () => 'gamma==3.0' });
    const node = await packagesNode(api);
    assert.equal(await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.installPackage', node)), true, JSON.stringify(prompter.asked));
    assert.equal((await packageRows(api)).get('gamma')?.description, '3.0');
    assert.match(prompter.question('installPackage.done')!.message, /Installed gamma==3\.0/);
  });

  it('Uninstall asks first, then gamma is gone from the env and the tree', async () => {
    const api = await venvManager();
    const prompter = new ScriptedPrompter({ 'uninstallPackage.confirm': () => 'Uninstall' });
    const gamma = (await packageRows(api)).get('gamma')!;
    assert.equal(await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.uninstallPackage', gamma)), true, JSON.stringify(prompter.asked));
    assert.match(prompter.question('uninstallPackage.confirm')!.message, /Uninstall gamma 3\.0 from /);
    assert.ok(!(await packageRows(api)).has('gamma'));
  });

  it('pip install in a terminal: the Packages node follows without a rescan', async () => {
    const api = await venvManager();
    const before = treeLabel(await packagesNode(api));
    const started = Date.now();
    execFileSync(path.join(venv(), 'bin', 'python'), ['-m', 'pip', 'install', '-q', 'Foo_Bar==1.0'], { env: process.env, stdio: 'pipe' });
    const done = Date.now();
    await waitFor('Foo_Bar in the tree', async () => (await packageRows(api)).has('Foo_Bar'));
    recordFigure(`packages: a pip install from outside showed in the tree ${Date.now() - done} ms after pip returned (pip took ${done - started} ms)`);
    assert.notEqual(treeLabel(await packagesNode(api)), before);
  });

  it('a record added to site-packages from outside (nothing deleted, so only the site-packages watch sees it) shows up', async () => {
    const api = await venvManager();
    const lib = path.join(venv(), 'lib');
    const site = path.join(lib, fs.readdirSync(lib).find((n) => n.startsWith('python'))!, 'site-packages');
    const info = path.join(site, 'zeta_pkg-0.5.dist-info');
    fs.mkdirSync(info);
    fs.writeFileSync(path.join(info, 'METADATA'), 'Metadata-Version: 2.1\nName: zeta-pkg\nVersion: 0.5\n');
    await waitFor('zeta-pkg in the tree', async () => (await packageRows(api)).has('zeta-pkg'));
    const row = (await packageRows(api)).get('zeta-pkg')!;
    assert.equal(row.description, '0.5 · dependency · damaged', 'no RECORD: flagged');
    fs.rmSync(info, { recursive: true });
    await waitFor('zeta-pkg gone', async () => !(await packageRows(api)).has('zeta-pkg'));
  });

  it('Check for Updates marks alpha 1.0 -> 2.0 (dated); Upgrade Package brings it to 2.0', async () => {
    const api = await venvManager();
    process.env.PIP_FIND_LINKS = `${preparedFacts().wheels} ${preparedFacts().newerWheels}`;
    const prompter = new ScriptedPrompter();
    assert.equal(await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.checkForUpdates', { env: venv() })), true, JSON.stringify(prompter.asked));
    assert.equal(prompter.question('checkForUpdates.done')!.message, 'Outdated in .venv: alpha 1.0 -> 2.0');
    const node = await packagesNode(api);
    assert.match(String(node.description), /^1 outdated · checked just now$/);
    const alpha = (await packageRows(api)).get('alpha')!;
    assert.equal(alpha.description, '1.0 -> 2.0');
    assert.match(String(alpha.contextValue), /outdated;/);
    assert.equal(await withPrompter(api, new ScriptedPrompter(), () => vscode.commands.executeCommand('venvManager.upgradePackage', alpha)), true);
    const upgraded = (await packageRows(api)).get('alpha')!;
    assert.equal(upgraded.description, '2.0', 'the old check no longer applies to the new version');
    assert.match(String((await packagesNode(api)).description), /^no updates · checked just now$/);
  });

  it('Copy name==version and Export as requirements file', async () => {
    const api = await venvManager();
    const rows = await packageRows(api);
    assert.equal(await vscode.commands.executeCommand('venvManager.copyPackageSpec', rows.get('Foo_Bar')), 'Foo_Bar==1.0');
    assert.equal(await vscode.env.clipboard.readText(), 'Foo_Bar==1.0');
    const target = path.join(workspaceFolder().uri.fsPath, 'exported requirements.txt');
    const prompter = new ScriptedPrompter({ 'exportRequirements.path': () => target });
    const node = await packagesNode(api);
    assert.equal(await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.exportRequirements', node)), target);
    const lines = fs.readFileSync(target, 'utf8').trim().split('\n');
    for (const l of ['alpha==2.0', 'beta==2.0', 'Foo_Bar==1.0']) assert.ok(lines.includes(l), lines.join(' | '));
    assert.equal(lines.length, rows.size);
  });

  it('Find Package Across Environments: the env holding it, with its version; none for a package nobody has', async () => {
    const api = await venvManager();
    const prompter = new ScriptedPrompter({ 'findPackage.name': () => 'foo.bar', 'findPackage.results': () => undefined });
    const items = await withPrompter(api, prompter, () => vscode.commands.executeCommand<{ label: string; detail: string }[]>('venvManager.findPackage'));
    assert.deepEqual(items.map((i) => [i.label, i.detail]), [['Foo_Bar 1.0', venv()]]);
    assert.match(prompter.question('findPackage.results')!.message, /copy its environment path/);
    const none = new ScriptedPrompter();
    assert.deepEqual(await withPrompter(api, none, () => vscode.commands.executeCommand('venvManager.findPackage', 'nobody-has-this')), []);
    assert.match(none.question('findPackage.none')!.message, /nobody-has-this is not installed in any of the \d+ environments/);
  });

  it('Export Packages as pylock.toml from the Packages node: pip locks the installed versions, each with its sha256; a failure keeps the old file', async () => {
    const api = await venvManager();
    const rows = await packageRows(api);
    const target = path.join(workspaceFolder().uri.fsPath, 'pylock.toml');
    const prompter = new ScriptedPrompter({ 'exportPylock.path': () => target });
    const node = await packagesNode(api);
    assert.equal(await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.exportPylock', node)), target, JSON.stringify(prompter.asked));
    const lock = await readPylock(target);
    const wanted = [...rows.values()].map((r) => `${treeLabel(r).toLowerCase().replace(/[-_.]+/g, '-')}==${String(r.description).split(' ')[0]}`).filter((l) => !l.startsWith('pip==')).sort();
    assert.deepEqual(lock.packages.map((p) => `${p.key}==${p.version}`).sort(), wanted);
    assert.ok(wanted.includes('alpha==2.0') && wanted.includes('foo-bar==1.0'), wanted.join(' '));
    for (const p of lock.packages) assert.match(p.wheels[0]?.sha256 ?? '', /^[0-9a-f]{64}$/, p.name);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, target, 'the lock is shown');

    // No index and no wheels: pip cannot resolve; asked to replace, the old file stays as it was.
    const written = fs.readFileSync(target, 'utf8');
    const links = process.env.PIP_FIND_LINKS;
    process.env.PIP_FIND_LINKS = '';
    try {
      const failing = new ScriptedPrompter({ 'exportPylock.path': () => target, 'exportPylock.replace': () => 'Replace', 'exportPylock.failed': () => undefined });
      assert.equal(await withPrompter(api, failing, () => vscode.commands.executeCommand('venvManager.exportPylock', node)), undefined);
      assert.match(failing.question('exportPylock.failed')!.message, /Exporting the packages of .* as .*pylock\.toml failed: .*Locking the packages of .* failed \(pip exited with code 1\).*alpha==2\.0/s);
    } finally {
      process.env.PIP_FIND_LINKS = links;
    }
    assert.equal(fs.readFileSync(target, 'utf8'), written);
    assert.deepEqual(fs.readdirSync(workspaceFolder().uri.fsPath).filter((n) => n.includes('partial')), []);
  });
});

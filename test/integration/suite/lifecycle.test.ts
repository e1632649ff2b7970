import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runCliAndKillAt } from '../../fixtures/killAt';
import { buildWheel } from '../../fixtures/wheels';
import { listing, preparedFacts, ScriptedPrompter, treeLabel, venvManager, withPrompter, workspaceFolder } from './venvManagerApi';

function sitePackages(envDir: string): string {
  const lib = path.join(envDir, 'lib');
  const py = fs.readdirSync(lib).find((n) => n.startsWith('python'))!;
  return path.join(lib, py, 'site-packages');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('clear, delete, upgrade and recreate from the tree and the palette', () => {
  const ws = () => workspaceFolder().uri.fsPath;
  const env2 = () => path.join(ws(), 'sub', 'env2');
  const venv = () => path.join(ws(), '.venv');

  it('Clear asks with a modal naming the path; declined, nothing changes', async () => {
    const api = await venvManager();
    fs.writeFileSync(path.join(sitePackages(env2()), 'marker.py'), 'x = 1\n');
    const before = listing(env2());
    const prompter = new ScriptedPrompter({ 'clear.confirm': () => undefined });
    const item = (await api.testing.treeChildren()).find((r) => treeLabel(r) === 'sub/env2')!;
    assert.equal(await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.clear', item)), false);
    const q = prompter.question('clear.confirm')!;
    assert.equal(q.kind, 'ask');
    assert.match(q.message, new RegExp(escape(env2())));
    assert.deepEqual(q.actions, ['Clear']);
    assert.deepEqual(listing(env2()), before);
  });

  it('Clear from the palette (environment quick pick), confirmed, empties the env and rebuilds it', async () => {
    const api = await venvManager();
    const prompter = new ScriptedPrompter({
      'clear.environment': (q) => q.items!.find((i) => i.detail === env2()),
      'clear.confirm': () => 'Clear',
    });
    assert.equal(await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.clear')), true);
    const picked = prompter.question('clear.environment')!;
    assert.ok(!picked.items!.some((i) => i.detail === undefined));
    assert.ok(!fs.existsSync(path.join(sitePackages(env2()), 'marker.py')));
    assert.ok(fs.existsSync(path.join(env2(), 'pyvenv.cfg')));
    assert.ok(fs.existsSync(path.join(env2(), 'bin', 'python')));
  });

  it('Upgrade keeps installed packages and re-points the env', async () => {
    const api = await venvManager();
    fs.writeFileSync(path.join(sitePackages(env2()), 'kept.py'), 'x = 1\n');
    const ok = await withPrompter(api, new ScriptedPrompter(), () => vscode.commands.executeCommand('venvManager.upgrade', { env: env2(), upgradeDeps: false }));
    assert.equal(ok, true);
    assert.ok(fs.existsSync(path.join(sitePackages(env2()), 'kept.py')));
  });

  it('Recreate from the sample workspace requirements.txt swaps in a new env with the progress notification', async () => {
    const api = await venvManager();
    fs.writeFileSync(path.join(sitePackages(venv()), 'old-env-marker.py'), '');
    const prompter = new ScriptedPrompter({
      'recreate.requirements': (q) => q.items![0],
      'recreate.confirm': () => 'Recreate',
    });
    const item = (await api.testing.treeChildren()).find((r) => treeLabel(r) === '.venv')!;
    assert.equal(await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.recreate', item)), true, JSON.stringify(prompter.asked, null, 1));
    const reqs = prompter.question('recreate.requirements')!;
    assert.equal(reqs.items![0].label, 'requirements.txt');
    assert.match(prompter.question('recreate.confirm')!.message, new RegExp(escape(venv())));
    assert.ok(!fs.existsSync(path.join(sitePackages(venv()), 'old-env-marker.py')), 'a new env');
    assert.ok(fs.existsSync(path.join(venv(), 'bin', 'pip')));
    assert.ok(!fs.readdirSync(ws()).some((n) => n.startsWith('.venv') && n !== '.venv'), `no leftovers: ${fs.readdirSync(ws()).join(', ')}`);
  });

  it('Recreate from a requirement that does not exist fails, shows the error and leaves the env as it was', async () => {
    const api = await venvManager();
    const bad = path.join(ws(), 'requirements-bad.txt');
    fs.writeFileSync(bad, 'this-package-does-not-exist-anywhere==1.0\n');
    const before = listing(env2());
    const prompter = new ScriptedPrompter({ 'recreate.confirm': () => 'Recreate', 'recreate.failed': () => undefined });
    const ok = await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.recreate', { env: env2(), requirements: bad }));
    assert.equal(ok, false);
    assert.match(prompter.question('recreate.failed')!.message, /Recreating/);
    assert.deepEqual(listing(env2()), before);
    fs.rmSync(bad);
  });

  it('Install Requirements from the palette installs into the env in place; broken envs are not offered', async () => {
    const api = await venvManager();
    // A wheel of our own and a requirements file that finds it (pip resolves --find-links against
    // the file's folder): no index needed.
    await buildWheel(path.join(ws(), 'wheels'), { name: 'offline-demo', version: '1.0' });
    const req = path.join(ws(), 'requirements-extra.txt');
    fs.writeFileSync(req, '--find-links wheels\noffline-demo==1.0\n');
    fs.writeFileSync(path.join(sitePackages(venv()), 'kept_marker.py'), '');
    const prompter = new ScriptedPrompter({
      'install.environment': (q) => q.items!.find((i) => i.detail === venv()),
      'install.requirements': (q) => q.items!.find((i) => i.label === 'requirements-extra.txt'),
    });
    assert.equal(await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.installRequirements')), true, JSON.stringify(prompter.asked.map((q) => [q.id, q.message])));
    const offered = prompter.question('install.environment')!.items!.map((i) => i.detail);
    assert.ok(offered.includes(venv()) && !offered.includes(path.join(ws(), 'broken')), offered.join(', '));
    assert.match(prompter.question('install.done')!.message, /Installed requirements-extra\.txt into /);
    assert.ok(fs.existsSync(path.join(sitePackages(venv()), 'offline_demo', '__init__.py')));
    assert.ok(fs.existsSync(path.join(sitePackages(venv()), 'kept_marker.py')), 'installed in place: what was there stays');
    assert.deepEqual(fs.readdirSync(ws()).filter((n) => n.includes('venv-manager')), []);
    fs.rmSync(req);
    fs.rmSync(path.join(ws(), 'wheels'), { recursive: true });
  });

  it('Install Requirements from the Explorer (a requirements file) installs it into the folder\'s active environment without asking', async () => {
    const api = await venvManager();
    // .venv has pip since the Recreate test above.
    assert.equal(await vscode.commands.executeCommand('venvManager.setActive', { env: venv() }), true);
    const active = api.activeEnvironment(ws());
    assert.equal(active?.path, venv());
    await buildWheel(path.join(ws(), 'more-wheels'), { name: 'explorer-demo', version: '2.0' });
    const req = path.join(ws(), 'requirements-explorer.txt');
    fs.writeFileSync(req, '--find-links more-wheels\nexplorer-demo==2.0\n');
    const prompter = new ScriptedPrompter();
    assert.equal(await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.installRequirements', vscode.Uri.file(req))), true, JSON.stringify(prompter.asked.map((q) => [q.id, q.message])));
    assert.deepEqual(prompter.asked.map((q) => q.id), ['install.done'], 'nothing to choose: the file and the env are known');
    assert.ok(fs.existsSync(path.join(sitePackages(venv()), 'explorer_demo', '__init__.py')));
    fs.rmSync(req);
    fs.rmSync(path.join(ws(), 'more-wheels'), { recursive: true });
  });

  it('Recreate of a broken env (base interpreter gone) asks for an interpreter and makes it healthy', async () => {
    const api = await venvManager();
    const broken = path.join(ws(), 'broken');
    assert.ok(api.environments().find((e) => e.path === broken)?.health.problems.some((p) => p.code === 'base-missing'));
    const item = (await api.testing.treeChildren()).find((r) => treeLabel(r) === 'broken')!;
    assert.match(item.contextValue!, /broken;.*upgradable;/);
    const prompter = new ScriptedPrompter({
      'recreate.requirements': (q) => q.items![0],
      'recreate.interpreter': (q) => q.items!.find((i) => (i as { python?: string }).python === preparedFacts().python),
      'recreate.confirm': () => 'Recreate',
    });
    assert.equal(await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.recreate', item)), true, JSON.stringify(prompter.asked.map((q) => [q.id, q.message])));
    await api.testing.rescan();
    assert.equal(api.environments().find((e) => e.path === broken)?.health.ok, true);
  });

  it('an operation killed part-way (CLI, kill -9) shows the env as interrupted; Recover from the palette puts it back', async () => {
    const api = await venvManager();
    fs.writeFileSync(path.join(sitePackages(env2()), 'before-the-crash.py'), 'x = 1\n');
    const before = listing(env2());
    // A real crash: the command line clears env2 and is killed once the new env is built but
    // before its commit point.
    const cli = path.join(vscode.extensions.getExtension('venv-manager.venv-manager')!.extensionPath, 'dist', 'cli.js');
    await runCliAndKillAt(cli, ['clear', env2()], 'clear:built');
    await api.testing.rescan();
    const seen = api.environments().find((e) => e.path === env2());
    assert.ok(seen?.health.problems.some((p) => p.code === 'incomplete'), JSON.stringify(seen?.health));
    const item = (await api.testing.treeChildren()).find((r) => treeLabel(r) === 'sub/env2')!;
    assert.match(item.contextValue!, /interrupted;/);
    assert.match((item.tooltip as vscode.MarkdownString).value, /Recover Interrupted Operation/);

    const prompter = new ScriptedPrompter({ 'recover.environment': (q) => q.items!.find((i) => i.detail === env2()) });
    assert.equal(await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.recover')), true);
    // Only interrupted envs are offered.
    assert.deepEqual(prompter.question('recover.environment')!.items!.map((i) => i.detail), [env2()]);
    assert.match(prompter.question('recover.done')!.message, /Put .* back as it was/);
    assert.deepEqual(listing(env2()), before);
    assert.deepEqual(fs.readdirSync(path.dirname(env2())).filter((n) => n.includes('venv-manager')), []);
    assert.equal(api.environments().find((e) => e.path === env2())?.health.ok, true);
    fs.rmSync(path.join(sitePackages(env2()), 'before-the-crash.py'));
  });

  it('Recover with nothing interrupted says so and changes nothing', async () => {
    const api = await venvManager();
    const prompter = new ScriptedPrompter();
    assert.equal(await withPrompter(api, prompter, () => vscode.commands.executeCommand('venvManager.recover')), false);
    assert.match(prompter.question('recover.none')!.message, /No environment was left incomplete/);
  });

  it('Delete asks with a modal naming the path; declined, the env stays; confirmed, it is gone from disk and tree', async () => {
    const api = await venvManager();
    const no = new ScriptedPrompter({ 'delete.confirm': () => undefined });
    assert.equal(await withPrompter(api, no, () => vscode.commands.executeCommand('venvManager.delete', { env: env2() })), false);
    assert.match(no.question('delete.confirm')!.message, new RegExp(escape(env2())));
    assert.ok(fs.existsSync(path.join(env2(), 'pyvenv.cfg')));

    const yes = new ScriptedPrompter({ 'delete.confirm': () => 'Delete' });
    assert.equal(await withPrompter(api, yes, () => vscode.commands.executeCommand('venvManager.delete', { env: env2() })), true);
    assert.ok(!fs.existsSync(env2()));
    assert.ok(!api.environments().some((e) => e.path === env2()));
    assert.ok(!(await api.testing.treeChildren()).map(treeLabel).includes('sub/env2'));
  });
});

import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { facts, folder, python, pythonApi, pythonUses, venvManagerUses } from './pythonTools';
import { venvManager, waitFor } from './venvManagerApi';

/** The stand-in's recorded calls and its "user picks in the UI" hook (test/fixtures/python-envs-standin). */
interface StandIn {
  getEnvironment(scope: vscode.Uri | undefined): Promise<{ environmentPath: vscode.Uri } | undefined>;
  standIn: { calls: { method: string; scope?: unknown; env?: string; path?: string }[]; userPicks(folder: vscode.Uri, python: string): void };
}

async function standIn(): Promise<StandIn> {
  const ext = vscode.extensions.getExtension<StandIn>('ms-python.vscode-python-envs');
  assert.ok(ext, 'the Python Environments stand-in is loaded');
  return ext.activate();
}

async function standInUses(name: 'app' | 'lib', expected: string): Promise<void> {
  const envs = await standIn();
  await waitFor(`the Python Environments stand-in to use ${expected} for ${name}`, async () => (await envs.getEnvironment(folder(name).uri))?.environmentPath.fsPath === expected, 30_000);
}

/**
 * Python Environments cannot run here (its discovery is a native binary that cannot be built
 * offline), so these tests talk to a stand-in extension that implements the part of its published API
 * Venv Manager calls and records the calls; the real Python extension runs beside it.
 */
describe('with a Python Environments stand-in and the Python extension', () => {
  const appVenv = () => path.join(facts().app, '.venv');
  const appAlt = () => path.join(facts().app, 'alt');

  it('stand-in: at start-up each folder\'s .venv is resolved, then set in Python Environments', async () => {
    await pythonApi();
    await standInUses('app', python(appVenv()));
    await standInUses('lib', python(path.join(facts().lib, '.venv')));
    const calls = (await standIn()).standIn.calls;
    const resolveIndex = calls.findIndex((c) => c.method === 'resolveEnvironment' && c.path === python(appVenv()));
    const setIndex = calls.findIndex((c) => c.method === 'setEnvironment' && c.env === python(appVenv()));
    assert.ok(resolveIndex >= 0 && setIndex > resolveIndex, `validated before it was set: ${JSON.stringify(calls)}`);
  });

  it('stand-in: Set Active in Venv Manager reaches Python Environments and the Python extension', async () => {
    const python_ = await pythonApi();
    assert.equal(await vscode.commands.executeCommand('venvManager.setActive', { env: appAlt() }), true);
    await standInUses('app', python(appAlt()));
    await pythonUses(python_, 'app', python(appAlt()));
  });

  it('stand-in: a pick in Python Environments becomes the active environment, and the Python extension follows', async () => {
    const python_ = await pythonApi();
    (await standIn()).standIn.userPicks(folder('app').uri, python(appVenv()));
    await venvManagerUses('app', appVenv());
    await pythonUses(python_, 'app', python(appVenv()));
    await standInUses('app', python(appVenv()));
  });

  it('stand-in: an env whose interpreter does not resolve is never set in Python Environments', async () => {
    await pythonApi();
    const envs = await standIn();
    const before = envs.standIn.calls.length;
    const broken = path.join(facts().app, 'broken');
    assert.equal(await vscode.commands.executeCommand('venvManager.setActive', { env: broken }), true);
    await (await venvManager()).testing.interopIdle();
    const since = envs.standIn.calls.slice(before);
    assert.ok(since.some((c) => c.method === 'resolveEnvironment' && c.path === python(broken)), JSON.stringify(since));
    assert.ok(!since.some((c) => c.method === 'setEnvironment'), JSON.stringify(since));
    await standInUses('app', python(appVenv()));
    assert.equal(await vscode.commands.executeCommand('venvManager.setActive', { env: appVenv() }), true);
  });

  it('stand-in: with its terminal activation off, Venv Manager activates the terminals itself', async () => {
    const api = await venvManager();
    await pythonApi();
    const scoped = api.testing.environmentVariableCollection.getScoped({ workspaceFolder: folder('app') });
    await waitFor('our variables for app', () => scoped.get('VIRTUAL_ENV')?.value === appVenv());
  });
});

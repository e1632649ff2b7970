import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { preparedFacts, recordFigure, treeLabel, venvManager, waitFor, workspaceFolder } from './venvManagerApi';

// The issue asks for "within a second"; tests never assert time, so the latency is printed instead.
describe('file watchers keep the tree live', () => {
  const outside = () => path.join(workspaceFolder().uri.fsPath, 'made outside');

  it('an env created by python -m venv outside VS Code appears', async () => {
    const api = await venvManager();
    const started = Date.now();
    execFileSync(preparedFacts().python, ['-m', 'venv', '--without-pip', outside()]);
    const made = Date.now();
    await waitFor('new env listed', () => api.environments().some((e) => e.path === outside()));
    recordFigure(`watcher: env appeared ${Date.now() - made} ms after python -m venv returned (venv took ${made - started} ms)`);
    const roots = await api.testing.treeChildren();
    assert.ok(roots.map(treeLabel).includes('made outside'));
  });

  it('a key added to its pyvenv.cfg shows up among its children', async () => {
    const api = await venvManager();
    fs.appendFileSync(path.join(outside(), 'pyvenv.cfg'), 'added-later = yes\n');
    await waitFor('cfg change seen', () => api.environments().find((e) => e.path === outside())?.cfg?.values.get('added-later') === 'yes');
    const item = (await api.testing.treeChildren()).find((r) => treeLabel(r) === 'made outside')!;
    const children = await api.testing.treeChildren(item as never);
    assert.ok(children.some((c) => treeLabel(c) === 'added-later' && c.description === 'yes'));
  });

  it('its interpreter removed: the env turns broken', async () => {
    const api = await venvManager();
    for (const name of fs.readdirSync(path.join(outside(), 'bin'))) {
      if (name.startsWith('python')) fs.rmSync(path.join(outside(), 'bin', name));
    }
    const env = await waitFor('env broken', () => api.environments().find((e) => e.path === outside() && !e.health.ok));
    assert.ok(env.health.problems.length > 0);
  });

  it('the env deleted outside VS Code (rm -rf) disappears', async () => {
    const api = await venvManager();
    const started = Date.now();
    fs.rmSync(outside(), { recursive: true, force: true });
    await waitFor('env gone', () => !api.environments().some((e) => e.path === outside()));
    recordFigure(`watcher: env disappeared ${Date.now() - started} ms after rm -rf`);
    assert.ok(!(await api.testing.treeChildren()).map(treeLabel).includes('made outside'));
  });
});

import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EnvironmentIndex, findWorkspaceEnvironments, type EnvironmentIndexChange, type IndexScan } from '../../../src/core/discovery';
import { fakeEnv, fakeInstall, fakeProcessEnv, tempDir } from '../../fixtures/discovery';

describe('EnvironmentIndex: incremental refresh', () => {
  const t = tempDir('index');
  const ws = path.join(t.dir, 'ws');
  const marker = path.join(t.dir, 'RAN');
  let base: string;
  let cfg: string;
  const scans: IndexScan[] = [];
  const changes: EnvironmentIndexChange[] = [];
  let index: EnvironmentIndex;

  const paths = () => index.environments.map((e) => path.relative(ws, e.path));
  /** The incremental result must always equal what a fresh full scan finds. */
  async function assertMatchesFullScan(): Promise<void> {
    const fresh = await findWorkspaceEnvironments(ws, { maxDepth: 4, exclude: ['build'] });
    assert.deepEqual(paths(), fresh.map((e) => path.relative(ws, e.path)));
    assert.deepEqual(
      index.environments.map((e) => e.health.problems.map((p) => p.code)),
      fresh.map((e) => e.health.problems.map((p) => p.code)),
    );
  }
  function lastChange(): { added: string[]; removed: string[]; changed: string[] } {
    const c = changes.at(-1)!;
    const names = (list: { path: string }[]) => list.map((e) => path.relative(ws, e.path)).sort();
    return { added: names(c.added), removed: names(c.removed), changed: names(c.changed) };
  }

  before(() => {
    base = fakeInstall(path.join(t.dir, 'py'), '3.12.1', marker, ['python3']);
    cfg = `home = ${path.dirname(base)}\nversion = 3.12.1\n`;
    fakeEnv(path.join(ws, '.venv'), cfg, { linkTo: base });
    fakeEnv(path.join(ws, '.venv', 'inner'), cfg, { linkTo: base }); // hidden while .venv is an env
    fakeEnv(path.join(ws, 'services', 'api', 'venv'), cfg, { linkTo: base });
    fakeEnv(path.join(ws, 'services', 'web', 'venv'), cfg, { linkTo: base });
    mkdirSync(path.join(ws, 'src', 'pkg'), { recursive: true });
    index = new EnvironmentIndex({ roots: [ws], maxDepth: 4, exclude: ['build'], onScan: (s) => scans.push(s) });
    index.onDidChange((c) => changes.push(c));
  });
  after(() => t.cleanup());

  test('the first refresh is a full scan, even when given paths', async () => {
    await index.refresh([path.join(ws, 'src')]);
    assert.deepEqual(scans, [{ full: true, changedPaths: [] }]);
    assert.deepEqual(paths(), ['.venv', 'services/api/venv', 'services/web/venv']);
    assert.deepEqual(lastChange().added, ['.venv', 'services/api/venv', 'services/web/venv']);
  });

  test('a new pyvenv.cfg adds one environment', async () => {
    fakeEnv(path.join(ws, 'src', 'pkg', 'env'), cfg, { linkTo: base });
    await index.refresh([path.join(ws, 'src', 'pkg', 'env', 'pyvenv.cfg')]);
    assert.deepEqual(scans.at(-1), { full: false, changedPaths: [path.join(ws, 'src', 'pkg', 'env', 'pyvenv.cfg')] });
    assert.deepEqual(lastChange(), { added: ['src/pkg/env'], removed: [], changed: [] });
    await assertMatchesFullScan();
  });

  test('a change inside an environment re-inspects just it', async () => {
    unlinkSync(path.join(ws, 'services', 'api', 'venv', 'bin', 'python'));
    await index.refresh([path.join(ws, 'services', 'api', 'venv', 'bin', 'python')]);
    assert.deepEqual(lastChange(), { added: [], removed: [], changed: ['services/api/venv'] });
    const api = index.environments.find((e) => e.path.endsWith(path.join('api', 'venv')))!;
    assert.deepEqual(api.health.problems.map((p) => p.code), ['python-dangling']);
    await assertMatchesFullScan();
  });

  test('removing a pyvenv.cfg removes the env and reveals envs nested in it', async () => {
    unlinkSync(path.join(ws, '.venv', 'pyvenv.cfg'));
    await index.refresh([path.join(ws, '.venv', 'pyvenv.cfg')]);
    assert.deepEqual(lastChange(), { added: ['.venv/inner'], removed: ['.venv'], changed: [] });
    await assertMatchesFullScan();
  });

  test('a lifecycle copy beside an env (snapshot, old env, trash) is never listed, whichever event names it', async () => {
    const copy = path.join(ws, 'services', '.venv.venv-manager-old-1a2b3c4d');
    fakeEnv(copy, cfg, { linkTo: base });
    const before = paths();
    await index.refresh([copy, path.join(copy, 'pyvenv.cfg'), path.join(copy, 'bin', 'python')]);
    assert.deepEqual(paths(), before);
    await assertMatchesFullScan();
    rmSync(copy, { recursive: true });
  });

  test('a new folder is scanned as a subtree, within the depth budget', async () => {
    fakeEnv(path.join(ws, 'newproj', 'a', 'env'), cfg, { linkTo: base }); // depth 3: found
    fakeEnv(path.join(ws, 'newproj', 'a', 'b', 'c', 'too-deep'), cfg, { linkTo: base }); // depth 5: not
    await index.refresh([path.join(ws, 'newproj')]);
    assert.deepEqual(lastChange(), { added: ['newproj/a/env'], removed: [], changed: [] });
    await assertMatchesFullScan();
  });

  test('a new folder holding a link to an env elsewhere in the workspace: not listed twice', async () => {
    mkdirSync(path.join(ws, 'links'));
    symlinkSync(path.join(ws, 'services', 'web'), path.join(ws, 'links', 'web'));
    await index.refresh([path.join(ws, 'links')]);
    await assertMatchesFullScan();
  });

  test('a pyvenv.cfg appearing above known envs makes them part of the new env', async () => {
    fakeEnv(path.join(ws, 'newproj'), cfg, { linkTo: base });
    await index.refresh([path.join(ws, 'newproj', 'pyvenv.cfg')]);
    assert.deepEqual(lastChange(), { added: ['newproj'], removed: ['newproj/a/env'], changed: [] });
    await assertMatchesFullScan();
  });

  test('a deleted folder removes the envs under it', async () => {
    rmSync(path.join(ws, 'services'), { recursive: true });
    await index.refresh([path.join(ws, 'services')]);
    assert.deepEqual(lastChange(), { added: [], removed: ['services/api/venv', 'services/web/venv'], changed: [] });
    await assertMatchesFullScan();
  });

  test('paths in excluded folders, nested envs and outside the roots change nothing', async () => {
    const before = changes.length;
    fakeEnv(path.join(ws, 'build', 'env'), cfg, { linkTo: base });
    fakeEnv(path.join(ws, 'node_modules', 'x', 'env'), cfg, { linkTo: base });
    fakeEnv(path.join(ws, 'newproj', 'nested-in-env'), cfg, { linkTo: base });
    await index.refresh([
      path.join(ws, 'build', 'env', 'pyvenv.cfg'),
      path.join(ws, 'node_modules', 'x'),
      path.join(t.dir, 'elsewhere', 'pyvenv.cfg'),
    ]);
    assert.equal(changes.length, before, 'no change event');
    await index.refresh([path.join(ws, 'newproj', 'nested-in-env', 'pyvenv.cfg')]);
    assert.deepEqual(lastChange(), { added: [], removed: [], changed: ['newproj'] }, 'the outer env is re-inspected; the nested one is not listed');
    await assertMatchesFullScan();
  });

  test('refresh() without paths rescans everything', async () => {
    const n = scans.length;
    await index.refresh();
    assert.deepEqual(scans.slice(n), [{ full: true, changedPaths: [] }]);
    await assertMatchesFullScan();
  });
});

describe('EnvironmentIndex: concurrent refreshes are coalesced', () => {
  const t = tempDir('coalesce');
  const ws = path.join(t.dir, 'ws');
  after(() => t.cleanup());

  test('requests during a scan fold into one follow-up scan', async () => {
    for (let i = 0; i < 5; i++) fakeEnv(path.join(ws, `p${i}`, '.venv'), 'home = /usr/bin\nversion = 3.11.2\n');
    const scans: IndexScan[] = [];
    const index = new EnvironmentIndex({ roots: [ws], onScan: (s) => scans.push(s) });
    await index.refresh();
    assert.equal(scans.length, 1);

    const changed = Array.from({ length: 10 }, (_, i) => path.join(ws, `p${i % 5}`, 'src', `f${i}.py`));
    const results = await Promise.all(changed.map((p) => index.refresh([p])));
    // The first request starts a scan; the nine made while it runs share one follow-up.
    assert.equal(scans.length, 3);
    assert.deepEqual(scans[1], { full: false, changedPaths: [changed[0]] });
    assert.deepEqual(scans[2].changedPaths.sort(), changed.slice(1).sort());
    assert.ok(results.every((r) => r.length === 5));
    assert.equal(new Set(results.slice(1)).size, 1, 'the later callers share one result');

    // A full request folded with path requests makes the follow-up a full scan.
    const n = scans.length;
    await Promise.all([index.refresh([changed[0]]), index.refresh([changed[1]]), index.refresh(), index.refresh([changed[2]])]);
    assert.deepEqual(scans.slice(n), [
      { full: false, changedPaths: [changed[0]] },
      { full: true, changedPaths: [] },
    ]);

    // Once idle, a new request scans again.
    await index.refresh([changed[3]]);
    assert.equal(scans.length, n + 3);
  });

  test('a missing root gives an empty index, not an error', async () => {
    const index = new EnvironmentIndex({ roots: [path.join(t.dir, 'no-such-root')] });
    assert.deepEqual(await index.refresh(), []);
    assert.deepEqual(await index.refresh([path.join(t.dir, 'no-such-root', 'x')]), []);
  });
});

describe('EnvironmentIndex with global places', () => {
  const t = tempDir('index-global');
  const home = path.join(t.dir, 'home');
  const ws = path.join(t.dir, 'ws');
  after(() => t.cleanup());

  test('global envs are listed, and a change in a global place re-runs the global search', async () => {
    fakeEnv(path.join(ws, '.venv'), 'home = /usr/bin\nversion = 3.11.2\n');
    fakeEnv(path.join(home, '.virtualenvs', 'one'), 'home = /usr/bin\nversion = 3.11.2\n');
    const index = new EnvironmentIndex({ roots: [ws], global: { env: fakeProcessEnv(home) } });
    await index.refresh();
    assert.deepEqual(index.environments.map((e) => [e.scope, e.name]), [['global', 'one'], ['workspace', '.venv']]);
    fakeEnv(path.join(home, '.virtualenvs', 'two'), 'home = /usr/bin\nversion = 3.11.2\n');
    await index.refresh([path.join(home, '.virtualenvs', 'two')]);
    assert.deepEqual(index.environments.filter((e) => e.scope === 'global').map((e) => e.name), ['one', 'two']);
    rmSync(path.join(home, '.virtualenvs', 'one'), { recursive: true });
    await index.refresh([path.join(home, '.virtualenvs', 'one')]);
    assert.deepEqual(index.environments.filter((e) => e.scope === 'global').map((e) => e.name), ['two']);
    assert.deepEqual(index.environments.filter((e) => e.scope === 'workspace').map((e) => e.name), ['.venv']);
  });
});

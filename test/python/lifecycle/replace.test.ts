import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { parsePyvenvCfg } from '../../../src/core/pyvenvCfg';
import { LifecycleError, replaceWithNewEnvironment } from '../../../src/core/lifecycle';
import { leftovers, makeEnv, removeTempDir, snapshotTree, tempDir, usablePythons, type TestPython } from '../../fixtures/lifecycle';

let pythons: TestPython[];
let work: string;

before(async () => {
  pythons = await usablePythons();
  assert.ok(pythons.length > 0, 'no CPython 3.8+ found on this machine');
  work = await tempDir('vm-replace-');
});

after(() => removeTempDir(work));

test('replacing with an interpreter that does not exist puts the old env back byte for byte', async () => {
  const envDir = path.join(work, 'broken-replace', '.venv');
  await makeEnv(envDir, pythons[0].path, { withPip: false });
  await fs.writeFile(path.join(envDir, 'lib', 'user-file.txt'), 'keep me\n');
  const before = await snapshotTree(envDir);
  await assert.rejects(
    replaceWithNewEnvironment(envDir, { python: path.join(work, 'no-such-python'), withPip: false }),
    (err: unknown) => err instanceof LifecycleError && err.code === 'build-failed',
  );
  assert.deepEqual(await snapshotTree(envDir), before);
  assert.deepEqual(await leftovers(path.dirname(envDir)), []);
});

test('replacing builds the new env with the options given, at the same path', async () => {
  const envDir = path.join(work, 'replace-ok', '.venv');
  const [first, second] = [pythons[0], pythons.at(-1)!];
  await makeEnv(envDir, first.path, { withPip: false, prompt: 'old prompt' });
  await fs.writeFile(path.join(envDir, 'stale.txt'), 'gone after replace\n');
  await replaceWithNewEnvironment(envDir, { python: second.path, withPip: false, symlinks: true });
  const cfg = parsePyvenvCfg(await fs.readFile(path.join(envDir, 'pyvenv.cfg')));
  assert.equal(cfg.values.get('version'), second.version.join('.'));
  assert.equal(cfg.values.get('prompt'), undefined, 'fresh options, not the old prompt');
  await assert.rejects(fs.access(path.join(envDir, 'stale.txt')));
  await assert.rejects(fs.access(path.join(envDir, '.venv-manager-incomplete')));
  assert.deepEqual(await leftovers(path.dirname(envDir)), []);
});

test('replacing refuses a folder that is not an environment', async () => {
  const dir = path.join(work, 'not-an-env');
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'precious.txt'), 'x');
  await assert.rejects(replaceWithNewEnvironment(dir, { python: pythons[0].path, withPip: false }), (err: unknown) => err instanceof LifecycleError && err.code === 'not-an-env');
  assert.equal(await fs.readFile(path.join(dir, 'precious.txt'), 'utf8'), 'x');
});

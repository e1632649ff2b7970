// Issue 14, defect 15: a delete killed after it moved the env into its hidden trash folder leaves
// that folder and no env of that name, so no later operation on that name comes to remove it. The
// next operation on any env in the same folder removes it, as long as that name has nothing to
// recover and nobody holds its lock.
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { clearEnvironment, deleteEnvironment } from '../../../src/core/lifecycle';
import { acquireEnvLock } from '../../../src/core/lifecycle/lock';
import { runCliAndKillAt } from '../../fixtures/killAt';
import { leftovers, makeEnv, removeTempDir, tempDir, testPython, type TestPython } from '../../fixtures/lifecycle';

const CLI = path.resolve(__dirname, '../../../../dist/cli.js');

let py: TestPython;
let work: string;

before(async () => {
  py = await testPython();
  work = await tempDir('vm-abandoned-trash-');
});
after(() => removeTempDir(work));

async function killedDelete(parent: string, name: string): Promise<string> {
  const env = path.join(parent, name);
  await makeEnv(env, py.path);
  await runCliAndKillAt(CLI, ['delete', '--yes', env], 'delete:moved-aside');
  assert.ok(!existsSync(env), 'the env was moved aside before the kill');
  const trash = (await leftovers(parent)).filter((n) => n.startsWith(`.${name}.venv-manager-trash-`));
  assert.equal(trash.length, 1, `one trash folder: ${(await leftovers(parent)).join(", ")}`);
  return path.join(parent, trash[0]);
}

test('the trash of a killed delete is removed by the next operation on another env of the folder', async () => {
  const parent = path.join(work, 'project');
  await fs.mkdir(parent);
  await makeEnv(path.join(parent, 'keep'), py.path);
  const trash = await killedDelete(parent, 'gone');
  await clearEnvironment(path.join(parent, 'keep'));
  assert.ok(!existsSync(trash), 'abandoned trash swept');
  assert.deepEqual(await leftovers(parent), [], 'nothing of ours left');
  assert.ok(existsSync(path.join(parent, 'keep', 'pyvenv.cfg')));
});

test('trash whose name is locked by a running operation is left to that operation', async () => {
  const parent = path.join(work, 'busy');
  await fs.mkdir(parent);
  await makeEnv(path.join(parent, 'keep'), py.path);
  const trash = await killedDelete(parent, 'gone');
  const lock = await acquireEnvLock(path.join(parent, 'gone'), 'test: an operation still running');
  try {
    await deleteEnvironment(path.join(parent, 'keep'));
    assert.ok(existsSync(trash), 'not swept while its name is locked');
  } finally {
    await lock.release();
  }
});

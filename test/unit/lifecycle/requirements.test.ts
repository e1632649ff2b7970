import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { findRequirementsFiles, isRequirementsFileName } from '../../../src/core/lifecycle';
import { removeTempDir, tempDir } from '../../fixtures/lifecycle';

const made: string[] = [];
after(async () => {
  for (const dir of made) await removeTempDir(dir);
});

async function touch(root: string, rel: string, text = 'alpha\n'): Promise<void> {
  await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await fs.writeFile(path.join(root, rel), text);
}

test('top-level requirements*.txt first (requirements.txt leading), then the others nearest first; never inside an env, node_modules or .git', async () => {
  const root = await tempDir('vm-req-');
  made.push(root);
  for (const rel of [
    'requirements-dev.txt', 'requirements.txt', 'dev-requirements.txt', 'requirements.in',
    'requirements/base.txt', 'requirements/notes.md',
    'services/api/requirements.txt', 'a/b/c/requirements.txt', 'a/b/c/d/requirements.txt',
    '.venv/pyvenv.cfg', '.venv/lib/requirements.txt', 'env2/pyvenv.cfg', 'env2/requirements.txt',
    'node_modules/pkg/requirements.txt', '.git/requirements.txt', 'README.md', 'myrequirementsfile.txt',
  ]) await touch(root, rel);
  await fs.symlink(path.join(root, 'services'), path.join(root, 'linked-services'));
  const found = (await findRequirementsFiles(root)).map((f) => path.relative(root, f));
  assert.deepEqual(found, [
    'requirements.txt',
    'dev-requirements.txt',
    'requirements-dev.txt',
    'requirements.in',
    'requirements/base.txt',
    'services/api/requirements.txt',
    'a/b/c/requirements.txt',
  ]);
});

test('a git submodule or nested clone below the root is not searched; the root repository itself is', async () => {
  const root = await tempDir('vm-req-sub-');
  made.push(root);
  for (const rel of [
    '.git/HEAD', 'requirements.txt',
    'vendor/lib/.git', 'vendor/lib/requirements.txt',
    'third_party/clone/.git/HEAD', 'third_party/clone/requirements-dev.txt',
    'tools/requirements.txt',
  ]) await touch(root, rel, rel.endsWith('/.git') ? 'gitdir: ../../.git/modules/lib\n' : 'alpha\n');
  const found = (await findRequirementsFiles(root)).map((f) => path.relative(root, f));
  assert.deepEqual(found, ['requirements.txt', 'tools/requirements.txt']);
});

test('a root that is itself an env yields nothing; a missing root yields nothing', async () => {
  const root = await tempDir('vm-req-env-');
  made.push(root);
  await touch(root, 'pyvenv.cfg', 'home = /x\n');
  await touch(root, 'requirements.txt');
  assert.deepEqual(await findRequirementsFiles(root), []);
  assert.deepEqual(await findRequirementsFiles(path.join(root, 'missing')), []);
});

test('isRequirementsFileName', () => {
  for (const yes of ['requirements.txt', 'Requirements.TXT', 'requirements-dev.txt', 'requirements_test.txt', 'dev-requirements.txt', 'requirements.in', 'requirements.lock.txt']) assert.ok(isRequirementsFileName(yes), yes);
  for (const no of ['requirement.txt.bak', 'requirements.md', 'myrequirements.txt', 'requirements', 'notes.txt']) assert.ok(!isRequirementsFileName(no), no);
});

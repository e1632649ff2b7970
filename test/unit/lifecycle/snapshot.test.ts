import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { detachFiles, snapshotEnvironment } from '../../../src/core/lifecycle/snapshot';
import { removeTempDir, snapshotTree, tempDir } from '../../fixtures/lifecycle';

const made: string[] = [];
after(async () => { for (const d of made) await removeTempDir(d); });

async function envLikeTree(): Promise<string> {
  const root = await tempDir('vm-snapshot-');
  made.push(root);
  const env = path.join(root, 'env');
  const site = path.join(env, 'lib', 'python3.12', 'site-packages');
  await fs.mkdir(path.join(site, 'pkg'), { recursive: true });
  await fs.mkdir(path.join(env, 'bin'));
  await fs.writeFile(path.join(env, 'pyvenv.cfg'), 'home = /usr/bin\n');
  await fs.writeFile(path.join(site, 'pkg', '__init__.py'), 'x = 1\n');
  await fs.writeFile(path.join(site, 'easy-install.pth'), '/src/project\n');
  await fs.writeFile(path.join(env, 'bin', 'tool'), '#!/bin/sh\n', { mode: 0o755 });
  await fs.symlink('/usr/bin/python3', path.join(env, 'bin', 'python'));
  await fs.symlink('lib', path.join(env, 'lib64'));
  await fs.utimes(path.join(site, 'pkg', '__init__.py'), 1_000_000.123456, 1_000_000.123456);
  // A mode the umask would mask, and a read-only folder.
  await fs.chmod(path.join(env, 'bin'), 0o775);
  await fs.chmod(path.join(site, 'pkg'), 0o555);
  return env;
}

test('a snapshot holds the same tree (modes, exact times, link targets, bytes) and leaves the env untouched', async () => {
  const env = await envLikeTree();
  const before = await snapshotTree(env);
  const { files, copied, shared } = await snapshotEnvironment(env, `${env}-snap`);
  assert.deepEqual(await snapshotTree(`${env}-snap`), before);
  assert.deepEqual(await snapshotTree(env), before);
  assert.equal(files, 4);
  assert.equal(copied, 0, 'hard links on one file system');
  assert.deepEqual(shared.map((f) => path.basename(f)).sort(), ['easy-install.pth', 'pyvenv.cfg']);
  assert.equal((await fs.stat(path.join(env, 'bin', 'tool'))).ino, (await fs.stat(path.join(`${env}-snap`, 'bin', 'tool'))).ino);
});

test('after detachFiles, editing a .pth in place through the env does not reach the snapshot', async () => {
  const env = await envLikeTree();
  const { shared } = await snapshotEnvironment(env, `${env}-snap`);
  const snap = await snapshotTree(`${env}-snap`);
  await detachFiles(shared);
  const pth = path.join(env, 'lib', 'python3.12', 'site-packages', 'easy-install.pth');
  assert.equal(await fs.readFile(pth, 'utf8'), '/src/project\n', 'same bytes after detaching');
  await fs.appendFile(pth, '/src/other\n');
  assert.deepEqual(await snapshotTree(`${env}-snap`), snap);
  assert.deepEqual(await fs.readdir(path.dirname(pth)), ['easy-install.pth', 'pkg'], 'no temporary file left');
});

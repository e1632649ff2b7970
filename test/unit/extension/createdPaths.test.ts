import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { CREATED_COLLECT_LIMIT, outermostPaths, planCreatedPaths } from '../../../src/extension/environments/createdPaths';

const root = mkdtempSync(path.join(os.tmpdir(), 'vm-created-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('created paths are reduced to the outermost ones: a new folder and its files need one scan', () => {
  const plan = outermostPaths(['/w/new env/bin/python', '/w/new env', '/w/new env/pyvenv.cfg', '/w/other.py', '/w/new env/bin', '/w/other.py']);
  assert.deepEqual(plan.sort(), [path.resolve('/w/new env'), path.resolve('/w/other.py')]);
});

test('a sibling whose name merely starts like a kept folder is not covered by it', () => {
  assert.deepEqual(outermostPaths(['/w/env', '/w/env2/pyvenv.cfg']), ['/w/env', '/w/env2/pyvenv.cfg']);
});

test('only new folders are rescanned: new files in existing folders (a save, __pycache__ files) are dropped', async () => {
  const made = path.join(root, 'made outside');
  mkdirSync(path.join(made, 'bin'), { recursive: true });
  writeFileSync(path.join(made, 'pyvenv.cfg'), 'home = /x\n');
  writeFileSync(path.join(root, 'saved.py'), '');
  const plan = await planCreatedPaths(new Set([path.join(made, 'pyvenv.cfg'), made, path.join(made, 'bin'), path.join(root, 'saved.py'), path.join(root, 'gone-again')]));
  assert.deepEqual(plan, [made]);
});

test('more new folders than the limit, or a storm of events, ask for one rescan instead', async () => {
  const many = Array.from({ length: 30 }, (_, i) => path.join(root, `pkg${i}`));
  for (const d of many) mkdirSync(d);
  assert.equal(await planCreatedPaths(new Set(many), 29), 'rescan');
  assert.equal(((await planCreatedPaths(new Set(many), 30)) as string[]).length, 30);
  // Thousands of files below one new folder are still one folder.
  const checkout = path.join(root, 'checkout');
  mkdirSync(checkout);
  assert.deepEqual(await planCreatedPaths(new Set([checkout, ...Array.from({ length: 3000 }, (_, i) => path.join(checkout, 'src', `f${i}.py`))]), 1), [checkout]);
  const storm = new Set(Array.from({ length: CREATED_COLLECT_LIMIT }, (_, i) => path.join(root, `log${i}.txt`)));
  assert.equal(await planCreatedPaths(storm), 'rescan');
});

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { planCreatedPaths } from '../../../src/extension/environments/createdPaths';

test('created paths are reduced to the outermost ones: a new folder and its files need one scan', () => {
  const plan = planCreatedPaths(['/w/new env/bin/python', '/w/new env', '/w/new env/pyvenv.cfg', '/w/other.py', '/w/new env/bin', '/w/other.py']);
  assert.deepEqual(plan, [path.resolve('/w/other.py'), path.resolve('/w/new env')].sort((a, b) => a.length - b.length));
});

test('a sibling whose name merely starts like a kept folder is not covered by it', () => {
  assert.deepEqual(planCreatedPaths(['/w/env', '/w/env2/pyvenv.cfg']), ['/w/env', '/w/env2/pyvenv.cfg']);
});

test('more outermost paths than the limit ask for one rescan instead', () => {
  const many = Array.from({ length: 30 }, (_, i) => `/w/pkg${i}/file.py`);
  assert.equal(planCreatedPaths(many, 29), 'rescan');
  assert.equal((planCreatedPaths(many, 30) as string[]).length, 30);
  // Thousands of files below one new folder are still one path.
  assert.deepEqual(planCreatedPaths(Array.from({ length: 5000 }, (_, i) => `/w/checkout/src/f${i}.py`).concat('/w/checkout'), 1), ['/w/checkout']);
});

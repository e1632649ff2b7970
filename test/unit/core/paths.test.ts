import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { isSameOrInside, isStrictlyInside } from '../../../src/core/paths';

const p = (...parts: string[]) => path.join(path.sep, ...parts);

test('isSameOrInside: one rule for "this path is that folder or below it"', () => {
  assert.equal(isSameOrInside(p('w', 'env'), p('w', 'env')), true);
  assert.equal(isSameOrInside(p('w', 'env', 'bin'), p('w', 'env')), true);
  assert.equal(isSameOrInside(p('w', 'env') + path.sep, p('w', 'env')), true, 'a trailing separator does not matter');
  assert.equal(isSameOrInside(p('w', 'env', 'bin'), p('w', 'env') + path.sep), true);
  assert.equal(isSameOrInside(p('w', 'env', '..x'), p('w', 'env')), true, 'a folder named ..x is inside');
  assert.equal(isSameOrInside(p('w', 'envy'), p('w', 'env')), false, 'a sibling sharing the prefix is not inside');
  assert.equal(isSameOrInside(p('w'), p('w', 'env')), false);
  assert.equal(isSameOrInside(p('w', 'env', '..', 'other'), p('w', 'env')), false, '.. segments are resolved');
  assert.equal(isSameOrInside(p('w', 'env', 'a b', "it's $(x)"), p('w', 'env')), true);
});

test('isStrictlyInside leaves the folder itself out', () => {
  assert.equal(isStrictlyInside(p('w', 'env'), p('w', 'env')), false);
  assert.equal(isStrictlyInside(p('w', 'env') + path.sep, p('w', 'env')), false);
  assert.equal(isStrictlyInside(p('w', 'env', 'x'), p('w', 'env')), true);
  assert.equal(isStrictlyInside(p('w', 'envx'), p('w', 'env')), false);
});

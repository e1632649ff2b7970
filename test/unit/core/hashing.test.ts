import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { createSha256, nameHash, randomHex } from '../../../src/core/hashing';

test('randomHex: the asked number of bytes as lowercase hex, different each time', () => {
  for (const n of [1, 4, 6, 12]) assert.match(randomHex(n), new RegExp(`^[0-9a-f]{${2 * n}}$`));
  const seen = new Set(Array.from({ length: 1000 }, () => randomHex(6)));
  assert.equal(seen.size, 1000);
  // every byte value can come out (each position is uniform over 0..255)
  const bytes = new Set(Array.from({ length: 20000 }, () => randomHex(1)));
  assert.equal(bytes.size, 256);
});

test('nameHash: FNV-1a 64, 16 hex digits, stable across runs and Venv Manager versions', () => {
  // Reference values of 64-bit FNV-1a (ASCII input, so code units = bytes).
  assert.equal(nameHash(''), 'cbf29ce484222325');
  assert.equal(nameHash('a'), 'af63dc4c8601ec8c');
  assert.equal(nameHash('foobar'), '85944171f73967e8');
  assert.notEqual(nameHash('/usr/bin/python3\u00001\u00002'), nameHash('/usr/bin/python3\u00001\u00003'));
});

test('createSha256 is SHA-256', () => {
  assert.equal(createSha256().update('abc').digest('hex'), createHash('sha256').update('abc').digest('hex'));
});

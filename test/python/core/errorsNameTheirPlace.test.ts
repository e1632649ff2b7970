// Issue 14, defects 14 and 15: a file-system error names the place that failed, and a failure
// leaves no temp file of ours. A create that runs out of
// room names the new environment (not the seed-cache file it was copying from) and leaves nothing;
// a read-only seed cache is reported as read-only (not ENOENT), naming the cache, and the create
// still succeeds through ensurepip. A small tmpfs and a read-only bind mount come from a user +
// mount namespace (`unshare -rm`); where that is not permitted the tests say so and skip.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { removeTempDir, tempDir, testPython, type TestPython } from '../../fixtures/lifecycle';

const CLI = path.resolve(__dirname, '../../../../dist/cli.js');
const namespaces = spawnSync('unshare', ['-rm', 'true']).status === 0;
const skip = namespaces ? false : 'unshare -rm (user and mount namespaces) is not permitted on this machine';

let py: TestPython;
let work: string;

before(async () => {
  py = await testPython();
  work = await tempDir('vm-errors-place-');
});
after(() => removeTempDir(work));

/** Runs `script` as root of a new user + mount namespace with $1 = `dir`; returns its exit code and output. */
function inNamespace(script: string, dir: string, env: NodeJS.ProcessEnv = process.env): { status: number | null; output: string } {
  const r = spawnSync('unshare', ['-rm', 'sh', '-c', script, 'sh', dir], { env, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test('disk full during a seeded create: the error names the new environment, not the seed cache, and nothing is left', { skip }, () => {
  const mount = path.join(work, 'small disk');
  fs.mkdirSync(mount);
  const r = inNamespace(`mount -t tmpfs -o size=2m tmpfs "$1" && node "${CLI}" create --python "${py.path}" "$1/env"; code=$?; echo "LEFT=[$(ls -A "$1")]"; exit $code`, mount);
  assert.equal(r.status, 1, r.output);
  assert.match(r.output, /No space left on device/, r.output);
  assert.ok(r.output.includes(path.join(mount, 'env')), `names the target: ${r.output}`);
  assert.doesNotMatch(r.output.split('\n').find((l) => /No space/.test(l)) ?? '', /[/\\]seed[/\\]/, 'not a file in the seed cache');
  assert.match(r.output, /^LEFT=\[\]$/m, 'the failed create removed what it made');
});

test('a read-only seed cache is reported as read-only, naming the cache, and the create still succeeds', { skip }, () => {
  const cacheHome = path.join(work, 'read-only cache');
  fs.mkdirSync(cacheHome);
  const target = path.join(work, 'env-ro-cache');
  const r = inNamespace(`mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && node "${CLI}" create --python "${py.path}" "${target}"`, cacheHome, { ...process.env, XDG_CACHE_HOME: cacheHome });
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /EROFS|read-only file system/i, r.output);
  assert.doesNotMatch(r.output, /ENOENT/, r.output);
  assert.ok(r.output.includes(cacheHome), `names the cache: ${r.output}`);
  assert.ok(fs.existsSync(path.join(target, 'pyvenv.cfg')));
});

test('a lock that cannot be written on a full disk fails clearly and leaves no temp file (defect 15)', { skip }, async () => {
  const mount = path.join(work, 'full disk');
  fs.mkdirSync(mount);
  const r = inNamespace(
    `mount -t tmpfs -o size=1m tmpfs "$1" && node "${CLI}" create --without-pip --python "${py.path}" "$1/env" >/dev/null && ` +
      `(dd if=/dev/zero of="$1/fill" bs=64k 2>/dev/null; true) && node "${CLI}" clear "$1/env"; code=$?; echo "LEFT=[$(ls -A "$1" | tr '\\n' ' ')]"; exit $code`,
    mount,
  );
  assert.equal(r.status, 1, r.output);
  assert.match(r.output, /No space left on device|ENOSPC/, r.output);
  assert.match(r.output, /^LEFT=\[env fill \]$/m, `only the env and the filler remain: ${r.output}`);
});

// The unit tier stays pure: test/harness/pureGuard.ts (loaded into every unit test process by
// scripts/test-all.mjs) refuses to start a real interpreter or use dist/. These tests load it
// themselves too, so they check it also when this file runs on its own.
import '../../harness/pureGuard';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

const repoRoot = path.resolve(__dirname, '../../../..');
/** A small native binary standing in for an interpreter: only its name and its format matter to the guard. */
const nativeBinary = ['/bin/true', '/usr/bin/true'].find((p) => existsSync(p));

function withTemp(fn: (dir: string) => void): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vm-pure-guard-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a native binary named like an interpreter is refused, directly and through a shell', (t) => {
  if (!nativeBinary) return t.skip('no /bin/true on this system');
  withTemp((dir) => {
    const fake = path.join(dir, 'python3.12');
    copyFileSync(nativeBinary, fake);
    assert.throws(() => spawnSync(fake, ['--version']), /started a real interpreter .*python3\.12.*test\/python/s);
    assert.throws(() => execFileSync('sh', ['-c', `"${fake}" -c 'print(1)'`]), /started a real interpreter/);
    const uv = path.join(dir, 'uv');
    copyFileSync(nativeBinary, uv);
    assert.throws(() => execFileSync(uv, ['pip', 'list']), /started a real interpreter/);
  });
});

test('a script named python (a test trap) and other programs still run', () => {
  withTemp((dir) => {
    const trap = path.join(dir, 'python3');
    writeFileSync(trap, '#!/bin/sh\necho trap\n', { mode: 0o755 });
    assert.equal(execFileSync(trap, { encoding: 'utf8' }), 'trap\n');
    assert.equal(execFileSync('sh', ['-c', `"${trap}"`], { encoding: 'utf8' }), 'trap\n');
    assert.equal(execFileSync(process.execPath, ['-e', 'process.stdout.write("node")'], { encoding: 'utf8' }), 'node');
  });
});

test('the built bundles in dist/ are refused: read, required or run', () => {
  const cli = path.join(repoRoot, 'dist', 'cli.js');
  assert.throws(() => readFileSync(cli, 'utf8'), /used the built .*test\/dist/s);
  assert.throws(() => require(path.join(repoRoot, 'dist', 'core.js')), /used the built/);
  assert.throws(() => spawnSync(process.execPath, [cli, '--version']), /used the built/);
  assert.ok(readFileSync(path.join(repoRoot, 'package.json'), 'utf8').includes('"name"'), 'other files read as before');
});

// removeTree runs its removals in parallel: read-only folders (made writable once, before their
// entries go) and links pointing out must still work every time. Permissions do not stop root,
// so as root the removal runs in a child process as the user nobody (setpriv).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

const CORE = path.resolve(__dirname, '../../../../dist/core.js');
const NOBODY = 65534;

/** How to run node as an unprivileged user here, or why it cannot be done. */
function unprivileged(): { prefix: string[] } | { skip: string } {
  if (process.platform === 'win32') return { skip: 'POSIX permissions only' };
  if (process.getuid?.() !== 0) return { prefix: [] };
  const probe = spawnSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', process.execPath, '-e', '0']);
  return probe.status === 0 ? { prefix: ['setpriv', '--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups'] } : { skip: 'running as root without a working setpriv' };
}

/** A tree with a read-only folder of many files, read-only folders inside read-only folders, and links out. */
function buildTree(root: string, outside: string): string {
  const tree = path.join(root, 'env');
  const ro = path.join(tree, 'lib', 'read-only');
  const inner = path.join(ro, 'inner-read-only');
  mkdirSync(inner, { recursive: true });
  for (let i = 0; i < 200; i++) writeFileSync(path.join(ro, `f${i}.py`), 'x = 1\n');
  for (let i = 0; i < 20; i++) writeFileSync(path.join(inner, `g${i}.py`), 'y = 2\n');
  symlinkSync(outside, path.join(ro, 'link-out'));
  // A read-only folder whose only entry is a folder: removing that needs the parent writable.
  const onlyDir = path.join(tree, 'lib', 'only-a-folder');
  mkdirSync(path.join(onlyDir, 'sub'), { recursive: true });
  writeFileSync(path.join(onlyDir, 'sub', 'h.py'), 'z = 3\n');
  symlinkSync(path.dirname(outside), path.join(tree, 'dir-link-out'));
  // chown -R without -L never follows the links out; -h changes the links themselves.
  if (process.getuid?.() === 0) assert.equal(spawnSync('chown', ['-hR', `${NOBODY}:${NOBODY}`, root]).status, 0);
  chmodSync(inner, 0o555);
  chmodSync(ro, 0o555);
  chmodSync(onlyDir, 0o555);
  return tree;
}

test('a read-only tree is removed completely, every time; links out are unlinked, their targets kept', (t) => {
  const how = unprivileged();
  if ('skip' in how) return t.skip(how.skip);
  assert.ok(existsSync(CORE), `${CORE} is missing: run npm run build first`);
  const outsideDir = mkdtempSync(path.join(os.tmpdir(), 'vm-rmtree-outside-'));
  const outside = path.join(outsideDir, 'keep-me.txt');
  writeFileSync(outside, 'keep\n');
  try {
    for (let run = 0; run < 10; run++) {
      const root = mkdtempSync(path.join(os.tmpdir(), 'vm-rmtree-'));
      chmodSync(root, 0o755);
      const tree = buildTree(root, outside);
      const script = `require(${JSON.stringify(CORE)}).removeTree(${JSON.stringify(tree)}).then(() => process.exit(0), (e) => { console.error(e.code, e.message); process.exit(1); })`;
      const argv: string[] = [...how.prefix, process.execPath, '-e', script];
      const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
      assert.equal(r.status, 0, `run ${run}: ${r.stderr}`);
      assert.equal(existsSync(tree), false, `run ${run}: the tree is gone`);
      assert.equal(readFileSync(outside, 'utf8'), 'keep\n');
      rmSync(root, { recursive: true, force: true });
    }
  } finally {
    rmSync(outsideDir, { recursive: true, force: true });
  }
});

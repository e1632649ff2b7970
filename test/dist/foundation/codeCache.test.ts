// The command line compiles each command's bundle with a V8 code cache kept in the cache folder
// (src/cli/chunkLoader.ts): written after a successful command, reused while the bundle file and
// Node are the same, replaced when either changes or the data is unusable, never written when the
// command failed or the cache is turned off.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../harness/paths';

const dist = path.join(repoRoot, 'dist');
const built = fs.existsSync(path.join(dist, 'cli.js')) && fs.existsSync(path.join(dist, 'cli-discovery.js'));

/** A private copy of the built command line (so its bundle can be changed) and a private cache folder. */
function setUp(): { dir: string; cacheDir: string; run: (args: string[], env?: NodeJS.ProcessEnv) => { status: number | null; stdout: string; stderr: string }; cacheFiles: () => string[] } {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vm-code-cache-')));
  for (const f of ['cli.js', 'cli-discovery.js', 'execa.js']) fs.copyFileSync(path.join(dist, f), path.join(dir, f));
  fs.mkdirSync(path.join(dir, 'empty'));
  const xdg = path.join(dir, 'xdg');
  const cacheDir = path.join(xdg, 'venv-manager', 'code-cache');
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(process.execPath, [path.join(dir, 'cli.js'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: xdg, VENV_MANAGER_CODE_CACHE: undefined, ...env } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const cacheFiles = () => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).sort() : []);
  return { dir, cacheDir, run, cacheFiles };
}

test('a successful command writes its bundle\'s code cache once; the next run uses it as it is', { skip: !built && 'dist is not built' }, (t) => {
  const { dir, cacheDir, run, cacheFiles } = setUp();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const first = run(['list', '--json', 'empty']);
  assert.equal(first.status, 0, first.stderr);
  const files = cacheFiles();
  assert.equal(files.length, 1, `one cache file: ${files.join(', ')}`);
  assert.match(files[0]!, /^cli-discovery\.js-[0-9a-f]{16}\.bin$/);
  const file = path.join(cacheDir, files[0]!);
  const head = fs.readFileSync(file).subarray(0, 400).toString('latin1');
  assert.ok(head.startsWith('venv-manager code cache 1\n'), head);
  assert.ok(head.includes(JSON.stringify(path.join(dir, 'cli-discovery.js'))), `the key names the bundle: ${head}`);
  const before = fs.statSync(file);

  const second = run(['list', '--json', 'empty']);
  assert.equal(second.status, 0, second.stderr);
  assert.equal(second.stdout, first.stdout);
  const after = fs.statSync(file);
  assert.deepEqual(cacheFiles(), files);
  assert.equal(after.ino, before.ino, 'an accepted cache is not written again');
  assert.equal(after.mtimeMs, before.mtimeMs);
});

test('a changed bundle gets a cache of its own; unusable data is replaced, and the command still runs', { skip: !built && 'dist is not built' }, (t) => {
  const { dir, cacheDir, run, cacheFiles } = setUp();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const expected = run(['list', '--json', 'empty']);
  assert.equal(expected.status, 0, expected.stderr);
  const [old] = cacheFiles();

  // Another file (inode), size and modification time: another key.
  const bundle = path.join(dir, 'cli-discovery.js');
  fs.writeFileSync(`${bundle}.new`, `${fs.readFileSync(bundle, 'utf8')}\n// changed\n`);
  fs.renameSync(`${bundle}.new`, bundle);
  const changed = run(['list', '--json', 'empty']);
  assert.equal(changed.status, 0, changed.stderr);
  assert.equal(changed.stdout, expected.stdout);
  const files = cacheFiles();
  assert.equal(files.length, 2, files.join(', '));
  const fresh = files.find((f) => f !== old)!;

  // The data after the header damaged: V8 rejects it, the bundle is compiled from source and the
  // cache written afresh.
  const file = path.join(cacheDir, fresh);
  const bytes = fs.readFileSync(file);
  const headerEnd = bytes.indexOf(0x0a, bytes.indexOf(0x0a) + 1) + 1;
  bytes.fill(0x5a, headerEnd);
  fs.writeFileSync(file, bytes);
  const damagedIno = fs.statSync(file).ino;
  const again = run(['list', '--json', 'empty']);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout, expected.stdout);
  assert.notEqual(fs.statSync(file).ino, damagedIno, 'the rejected cache was replaced');
});

test('no cache is written by a failed command, by --help, or when VENV_MANAGER_CODE_CACHE=0', { skip: !built && 'dist is not built' }, (t) => {
  const { dir, run, cacheFiles } = setUp();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const failed = run(['inspect', path.join(dir, 'no-such-env')]);
  assert.notEqual(failed.status, 0);
  assert.equal(run(['list', '--help']).status, 0);
  assert.deepEqual(cacheFiles(), []);
  const off = run(['list', '--json', 'empty'], { VENV_MANAGER_CODE_CACHE: '0' });
  assert.equal(off.status, 0, off.stderr);
  assert.deepEqual(cacheFiles(), []);
});

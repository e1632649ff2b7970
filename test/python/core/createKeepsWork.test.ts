// Issue 14: `create` keeps the user's work as the lifecycle operations do. `--clear` refuses what
// `clear` refuses (defect 2), create takes the env's lock (defect 10), a create cut short is
// marked incomplete (defect 7), and Ctrl-C / SIGTERM cancel it and remove what it made (defect 6).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { inspectEnvironment } from '../../../src/core/discovery';
import { createEnvironment } from '../../../src/core/envBuilder';
import { deleteEnvironment } from '../../../src/core/lifecycle';
import { acquireEnvLock } from '../../../src/core/lifecycle/lock';
import { pauseCliAt } from '../../fixtures/killAt';
import { removeTempDir, tempDir, testPython, type TestPython } from '../../fixtures/lifecycle';

const CLI = path.resolve(__dirname, '../../../../dist/cli.js');

let py: TestPython;
let work: string;

before(async () => {
  py = await testPython();
  work = await tempDir('vm-create-keeps-');
});
after(() => removeTempDir(work));

async function cli(args: string[], opts: { answer?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await runCli(['create', '--python', py.path, ...args], {
    stdout: () => undefined,
    stderr: (t) => (stderr += t),
    cwd: work,
    env: opts.env ?? process.env,
    ...(opts.answer !== undefined ? { ask: async () => opts.answer } : {}),
  });
  return { code, stderr };
}

async function folderWithFiles(label: string): Promise<string> {
  const dir = path.join(work, label);
  await fs.mkdir(path.join(dir, 'sub'), { recursive: true });
  await fs.writeFile(path.join(dir, 'precious.txt'), 'keep\n');
  await fs.writeFile(path.join(dir, 'sub', 'work.py'), 'x = 1\n');
  return dir;
}

async function keptFiles(dir: string): Promise<boolean> {
  return (await fs.readFile(path.join(dir, 'precious.txt'), 'utf8')) === 'keep\n' && existsSync(path.join(dir, 'sub', 'work.py'));
}

test('defect 2: create --clear refuses the home folder and keeps everything in it', async () => {
  const home = await folderWithFiles('home');
  const saved = process.env.HOME;
  process.env.HOME = home;
  try {
    const r = await cli(['--without-pip', '--clear', home]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /home folder/);
  } finally {
    process.env.HOME = saved;
  }
  assert.ok(await keptFiles(home));
});

test('defect 2: create --clear refuses an ancestor of the home folder', async () => {
  const parent = await folderWithFiles('parent-of-home');
  const home = path.join(parent, 'me');
  await fs.mkdir(home);
  const saved = process.env.HOME;
  process.env.HOME = home;
  try {
    const r = await cli(['--without-pip', '--clear', parent]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /contains the home folder/);
  } finally {
    process.env.HOME = saved;
  }
  assert.ok(await keptFiles(parent));
  assert.ok(existsSync(home));
});

test('defect 2: create --clear empties a folder that is not an environment only when its name is typed', async () => {
  const dir = await folderWithFiles('not-an-env');
  const noTerminal = await cli(['--without-pip', '--clear', dir]);
  assert.equal(noTerminal.code, 1, noTerminal.stderr);
  assert.match(noTerminal.stderr, /not a virtual environment/);
  assert.ok(await keptFiles(dir));
  const wrongName = await cli(['--without-pip', '--clear', dir], { answer: 'yes' });
  assert.equal(wrongName.code, 1, wrongName.stderr);
  assert.ok(await keptFiles(dir));
  const confirmed = await cli(['--without-pip', '--clear', dir], { answer: 'not-an-env' });
  assert.equal(confirmed.code, 0, confirmed.stderr);
  assert.equal(existsSync(path.join(dir, 'precious.txt')), false);
  assert.ok(existsSync(path.join(dir, 'pyvenv.cfg')));
});

test('defect 2: create --clear on an environment replaces it (and keeps the old one until the new one is whole)', async () => {
  const envDir = path.join(work, 'env-to-clear');
  await createEnvironment(envDir, { python: py.path, withPip: false, symlinks: true });
  await fs.writeFile(path.join(envDir, 'lib', 'stale.txt'), 'old\n');
  const r = await cli(['--without-pip', '--clear', envDir]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(existsSync(path.join(envDir, 'lib', 'stale.txt')), false);
  assert.ok(existsSync(path.join(envDir, 'pyvenv.cfg')));
});

test('defect 10: create refuses an env whose lock another operation holds, and changes nothing in it', async () => {
  const envDir = path.join(work, 'env-locked');
  await createEnvironment(envDir, { python: py.path, withPip: false, symlinks: true });
  const cfgBefore = await fs.readFile(path.join(envDir, 'pyvenv.cfg'), 'utf8');
  const lock = await acquireEnvLock(envDir, 'recreate');
  try {
    await assert.rejects(createEnvironment(envDir, { python: py.path, withPip: false, symlinks: true, clear: true }), /busy/);
    await assert.rejects(createEnvironment(path.join(work, 'env-locked'), { python: py.path, withPip: false, symlinks: true }), /busy/);
  } finally {
    await lock.release();
  }
  assert.equal(await fs.readFile(path.join(envDir, 'pyvenv.cfg'), 'utf8'), cfgBefore);
});

test('defect 7: a create killed before its commit point is listed as incomplete, not healthy', async () => {
  const envDir = path.join(work, 'env-killed');
  const paused = await pauseCliAt(CLI, ['create', '--python', py.path, '--without-pip', envDir], 'create:built');
  await paused.kill();
  const found = await inspectEnvironment(envDir);
  assert.ok(found, 'the half-built env is still found');
  assert.ok(found.health.problems.some((p) => p.code === 'incomplete'), JSON.stringify(found.health.problems));
  // What its message suggests works: the half-built env can be deleted.
  await deleteEnvironment(envDir);
  assert.equal(existsSync(envDir), false);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`defect 6: ${signal} during create cancels it, removes what it made and says so`, { timeout: 300_000, skip: process.platform !== 'linux' && 'reads /proc to see the Python the create runs' }, async () => {
    const project = path.join(work, `signal-${signal}`);
    const envDir = path.join(project, 'deep', 'env');
    // A cold cache: seeding pip runs Python for seconds, long enough to be interrupted.
    const env = { ...process.env, XDG_CACHE_HOME: path.join(work, `cache-${signal}`), ELECTRON_RUN_AS_NODE: '1' };
    await fs.mkdir(project);
    // Its own process group, signalled as a whole, as a terminal's Ctrl-C (or a service manager) does.
    const child = spawn(process.execPath, [CLI, 'create', '--python', py.path, envDir], { env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => (stderr += c));
    const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    let exited = false;
    void closed.then(() => (exited = true));
    // Interrupt once the env has its cfg (the build is under way) and a Python of the create runs
    // (seeding pip byte-compiles its image): where a terminal's Ctrl-C hits hardest.
    const childrenFile = `/proc/${child.pid}/task/${child.pid}/children`;
    const pythonRuns = async () => (await fs.readFile(childrenFile, 'utf8').catch(() => '')).trim() !== '';
    while (!exited && !(existsSync(path.join(envDir, 'pyvenv.cfg')) && (await pythonRuns()))) await new Promise((r) => setImmediate(r));
    assert.equal(exited, false, `the create ended before it could be interrupted: ${stderr}`);
    process.kill(-child.pid!, signal);
    const code = await closed;
    assert.equal(code, 1, stderr);
    assert.match(stderr, /Cancelled/);
    assert.equal(existsSync(path.join(project, 'deep')), false, 'the folders this create made are gone');
    assert.deepEqual(await fs.readdir(project), [], 'nothing is left beside it (lock, trash)');
  });
}

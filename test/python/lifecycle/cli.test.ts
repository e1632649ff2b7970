import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import type { CliIo } from '../../../src/cli/io';
import { recoverEnvironment } from '../../../src/core/lifecycle';
import { leftovers, lifecycleWorkspace, makeEnv, removeTempDir, snapshotTree, usablePythons, writeRequirements, type TestPython, type Wheelhouse } from '../../fixtures/lifecycle';

const CLI = path.resolve(__dirname, '../../../../dist/cli.js');
let py: TestPython;
let work: string;
let wheels: Wheelhouse;

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
  ({ py, work, wheels } = await lifecycleWorkspace('vm-cli-'));
});

after(() => removeTempDir(work));

function cli(args: string[], env: NodeJS.ProcessEnv = wheels.env) {
  return spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

async function newEnv(label: string, withPip = false): Promise<{ project: string; envDir: string }> {
  const project = path.join(work, label);
  await fs.mkdir(project);
  const envDir = path.join(project, 'env');
  await makeEnv(envDir, py.path, { withPip });
  return { project, envDir };
}

function captureIo(answer: string | undefined): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (t: string) => { io.out += t; },
    stderr: (t: string) => { io.err += t; },
    cwd: work,
    env: wheels.env,
    ask: async () => answer,
  };
  return io;
}

describe('venv-manager lifecycle commands', () => {
  test('the commands are listed in --help', () => {
    const r = cli(['--help']);
    for (const name of ['recreate', 'clear', 'upgrade', 'delete']) assert.match(r.stdout, new RegExp(`^  ${name} `, 'm'));
  });

  test('delete without a terminal and without --yes refuses; with --yes it deletes', async () => {
    const { project, envDir } = await newEnv('delete');
    const refused = cli(['delete', envDir]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /^Error: Not deleting .* Pass --yes/m);
    assert.ok(existsSync(path.join(envDir, 'pyvenv.cfg')));
    const done = cli(['delete', '--yes', envDir]);
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stderr, /^Deleted /m);
    assert.equal(existsSync(envDir), false);
    assert.deepEqual(await leftovers(project), []);
  });

  test('delete asks on a terminal: "n" keeps the env, "y" deletes it', async () => {
    const { envDir } = await newEnv('ask');
    const no = captureIo('n');
    assert.equal(await runCli(['delete', envDir], no), 1);
    assert.match(no.err, /Not deleted/);
    assert.ok(existsSync(envDir));
    const yes = captureIo('y');
    assert.equal(await runCli(['delete', envDir], yes), 0);
    assert.equal(existsSync(envDir), false);
  });

  test('refusals and usage errors: "Error: <message>", exit 1 (usage: 2)', async () => {
    const root = cli(['clear', '/']);
    assert.equal(root.status, 1);
    assert.match(root.stderr, /^Error: Refusing to touch \/: it is a file-system root\.$/m);
    const plain = path.join(work, 'plain-folder');
    await fs.mkdir(plain);
    const notEnv = cli(['delete', '--yes', plain]);
    assert.equal(notEnv.status, 1);
    assert.match(notEnv.stderr, /^Error: .*no pyvenv\.cfg/m);
    assert.ok(existsSync(plain));
    assert.equal(cli(['recreate', plain]).status, 2, 'missing --requirements is a usage error');
    assert.equal(cli(['recreate', plain, '-r', 'x', '--installer', 'conda']).status, 2);
    assert.equal(cli(['clear']).status, 2);
    assert.equal(cli(['clear', '--bogus', plain]).status, 2);
  });

  test('install into a broken env is refused up front with core\'s reason, and nothing changes', async () => {
    const { project, envDir } = await newEnv('broken-install', true);
    const cfgPath = path.join(envDir, 'pyvenv.cfg');
    // The base install it was made from is gone: its pip cannot run.
    await fs.writeFile(cfgPath, (await fs.readFile(cfgPath, 'utf8')).replace(/^home = .*$/m, `home = ${path.join(work, 'gone', 'bin')}`));
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
    const before = await snapshotTree(envDir);
    const r = cli(['install', envDir, '-r', req, '--installer', 'pip']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^Error: .* is broken \(.*\), so its pip cannot run\. Upgrade or recreate it first\.$/m);
    assert.deepEqual(await snapshotTree(envDir), before);
    assert.deepEqual(await leftovers(project), []);
  });

  test('recreate prints progress on stderr and leaves a working env', async () => {
    const { project, envDir } = await newEnv('recreate', true);
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
    const r = cli(['recreate', envDir, '--requirements', req, '--installer', 'pip']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Installed alpha-1\.0, beta-2\.0$/m);
    assert.match(r.stderr, /^Recreated /m);
    assert.equal(execFileSync(path.join(envDir, 'bin', 'alpha-hello'), { encoding: 'utf8' }).trim(), `alpha 1.0 from ${envDir}`);
  });

  test("a failing install: exit 1, pip's error on stderr, old env byte for byte", async () => {
    const { project, envDir } = await newEnv('fail', true);
    const req = await writeRequirements(project, 'requirements.txt', ['needs-ghost']);
    const before = await snapshotTree(envDir);
    const r = cli(['recreate', envDir, '-r', req, '--installer', 'pip']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^Error: Installing from .* failed \(pip exited with code 1\):$/m);
    assert.match(r.stderr, /ghost-project-nobody-has/);
    assert.deepEqual(await snapshotTree(envDir), before);
    assert.deepEqual(await leftovers(project), []);
  });

  test('Ctrl-C (SIGINT) during recreate cancels, kills pip and puts the old env back', async () => {
    const { project, envDir } = await newEnv('sigint', true);
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
    const before = await snapshotTree(envDir);
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'recreate', envDir, '-r', req, '--installer', 'pip'], { env: wheels.env, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      let sent = false;
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => {
        err += d;
        if (!sent && /^(Collecting|Processing) /m.test(err)) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.on('close', (c) => resolve({ code: c, stderr: err }));
    });
    assert.equal(code, 1, stderr);
    assert.match(stderr, /^Error: Cancelled/m);
    assert.deepEqual(await snapshotTree(envDir), before);
    assert.deepEqual(await leftovers(project), []);
  });

  test('Ctrl-C twice exits at once; the next operation restores the old env', async () => {
    const { project, envDir } = await newEnv('sigint-twice', true);
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
    const before = await snapshotTree(envDir);
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'recreate', envDir, '-r', req, '--installer', 'pip'], { env: wheels.env, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => {
        err += d;
        if (/^(Collecting|Processing) /m.test(err) && !err.includes('Interrupted')) {
          child.kill('SIGINT');
        } else if (err.includes('Interrupted: cancelling') && !err.includes('Interrupted again')) {
          child.kill('SIGINT');
        }
      });
      child.on('close', (c) => resolve(c));
    });
    // 130 when the second Ctrl-C landed mid-rollback, 1 when the rollback had already finished.
    assert.ok(code === 130 || code === 1, `exit code ${code}`);
    await recoverEnvironment(envDir);
    assert.deepEqual(await snapshotTree(envDir), before);
    assert.deepEqual(await leftovers(project), []);
  });

  test('two CLI recreates started at once: one succeeds, the other exits 1 naming the holder', async () => {
    const { project, envDir } = await newEnv('two-processes', true);
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
    const runOne = () => new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'recreate', envDir, '-r', req, '--installer', 'pip'], { env: wheels.env, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => (err += d));
      child.on('close', (code) => resolve({ code, stderr: err }));
    });
    const results = await Promise.all([runOne(), runOne()]);
    const ok = results.filter((r) => r.code === 0);
    const busy = results.filter((r) => r.code === 1);
    assert.equal(ok.length, 1, results.map((r) => r.stderr).join('\n---\n'));
    assert.equal(busy.length, 1, results.map((r) => r.stderr).join('\n---\n'));
    assert.match(busy[0].stderr, /^Error: .* is busy: another operation holds its lock, process \d+ \(recreate/m);
    assert.equal(execFileSync(path.join(envDir, 'bin', 'python'), ['-c', 'import alpha; print(alpha.hello())'], { encoding: 'utf8' }).trim(), 'alpha 1.0');
    assert.deepEqual(await leftovers(project), []);
  });

  test('upgrade to another minor version: exit 1 telling to recreate', async (t) => {
    const other = (await usablePythons()).find((p) => p.version[1] !== py.version[1]);
    if (!other) return t.skip('only one minor version of Python here');
    const { envDir } = await newEnv('upgrade');
    const r = cli(['upgrade', envDir, '--python', other.path]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^Error: .*Recreate the environment from a requirements file instead\.$/m);
  });
});

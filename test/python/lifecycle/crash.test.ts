// kill -9 during recreate, at every step that moves folders, through the real CLI (dist/cli.js):
// the env is then the old one, the new one, or a half-built one marked incomplete (never a
// half-built one that looks healthy), and the next operation restores or finishes it.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inspectEnvironment } from '../../../src/core/discovery';
import { isIncompleteEnvironment, recoverEnvironment } from '../../../src/core/lifecycle';
import { leftovers, lifecycleWorkspace, makeEnv, removeTempDir, snapshotTree, writeRequirements, type TestPython, type Wheelhouse } from '../../fixtures/lifecycle';
import { runCliAndKillAt } from '../../fixtures/killAt';

const CLI = path.resolve(__dirname, '../../../../dist/cli.js');

let py: TestPython;
let work: string;
let wheels: Wheelhouse;

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
  ({ py, work, wheels } = await lifecycleWorkspace('vm-crash-'));
});

after(() => removeTempDir(work));

async function projectWithEnv(label: string) {
  const project = path.join(work, label);
  await fs.mkdir(project, { recursive: true });
  const envDir = path.join(project, 'env');
  await makeEnv(envDir, py.path);
  const oldReq = await writeRequirements(project, 'old.txt', ['gamma==3.0']);
  execFileSync(path.join(envDir, 'bin', 'python'), ['-m', 'pip', 'install', '-q', '-r', oldReq], { env: wheels.env, stdio: 'pipe' });
  const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
  return { project, envDir, req, old: await snapshotTree(envDir) };
}

/** Runs the CLI until it reports `paused at STEP`, then kills it with SIGKILL. */
function runAndKillAt(args: string[], step: string): Promise<{ stderr: string }> {
  return runCliAndKillAt(CLI, args, step, wheels.env);
}

function importsAlpha(envDir: string): boolean {
  return spawnSync(path.join(envDir, 'bin', 'python'), ['-c', 'import alpha'], { stdio: 'ignore' }).status === 0;
}

async function readJournalInstallerPid(project: string): Promise<number | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(project, '.env.venv-manager.journal'), 'utf8')).installerPid;
  } catch {
    return undefined;
  }
}

/** Running (a zombie waiting for init to reap it counts as gone). */
/** A pid no process has (the largest pid Linux can hand out is 4194304). */
function deadPid(): number {
  for (let pid = 4_194_000; pid < 4_194_304; pid++) if (!alive(pid)) return pid;
  throw new Error('no free pid found');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

const beforeCommit = ['recreate:journal-written', 'recreate:old-moved-aside', 'recreate:installer-started', 'recreate:built'];
const afterCommit = ['recreate:committed', 'recreate:old-removed'];

describe('recreate killed with SIGKILL', () => {
  for (const step of [...beforeCommit, ...afterCommit]) {
    test(`at ${step}: old-or-new right away, and recovery leaves ${beforeCommit.includes(step) ? 'the old env byte for byte' : 'the new env'}`, async () => {
      const { project, envDir, req, old } = await projectWithEnv(step.replace(/\W/g, '-'));
      await runAndKillAt(['recreate', envDir, '--requirements', req, '--installer', 'pip'], step);
      const installerPid = await readJournalInstallerPid(project);

      // Right after the kill: never a half-built env that looks complete. Only between moving the
      // old env aside and making the new folder is there no env at the path.
      assert.equal(existsSync(envDir), step !== 'recreate:old-moved-aside', `is there a folder at the env path after a kill at ${step}`);
      if (existsSync(envDir)) {
        const incomplete = await isIncompleteEnvironment(envDir);
        const isOld = !incomplete && JSON.stringify(await snapshotTree(envDir)) === JSON.stringify(old);
        const isNew = !incomplete && importsAlpha(envDir);
        assert.ok(incomplete || isOld || isNew, `after a kill at ${step} the env is neither old, new, nor marked incomplete`);
        assert.equal(beforeCommit.includes(step) && !isOld, incomplete, 'before the commit point a new env is always marked incomplete');
        const seen = await inspectEnvironment(envDir);
        if (incomplete) assert.ok(!seen || !seen.health.ok, `discovery must not report a half-built env as healthy: ${JSON.stringify(seen?.health)}`);
        else assert.equal(seen?.health.ok, true, `discovery must report the ${isOld ? 'old' : 'new'} env as healthy: ${JSON.stringify(seen?.health)}`);
      }
      assert.ok(await fs.stat(path.join(project, '.env.venv-manager.lock')).then(() => true, () => false), 'the dead process left its lock');

      const result = await recoverEnvironment(envDir);
      if (beforeCommit.includes(step)) {
        assert.equal(result, step === 'recreate:journal-written' ? 'none' : 'rolled-back');
        assert.deepEqual(await snapshotTree(envDir), old, 'the old env must come back byte for byte');
      } else {
        assert.equal(result, step === 'recreate:committed' ? 'completed' : 'none');
        assert.equal(await isIncompleteEnvironment(envDir), false);
        assert.ok(importsAlpha(envDir), 'the new env must be in place and working');
      }
      assert.equal((await inspectEnvironment(envDir))?.health.ok, true, 'after recovery discovery sees a healthy env');
      assert.deepEqual(await leftovers(project), [], 'recovery removes the journal, the stale lock and every hidden sibling');
      if (installerPid !== undefined) assert.equal(alive(installerPid), false, 'an installer orphaned by the kill must be stopped by recovery');
    });
  }

  for (const step of ['clear:old-moved-aside', 'clear:built', 'clear:committed']) {
    const committed = step === 'clear:committed';
    test(`clear killed at ${step}: recovery leaves ${committed ? 'the cleared env' : 'the old env byte for byte'}`, async () => {
      const { project, envDir, old } = await projectWithEnv(step.replace(/\W/g, '-'));
      await runAndKillAt(['clear', envDir], step);
      if (!committed) assert.equal(await isIncompleteEnvironment(envDir).catch(() => false) || !existsSync(envDir), true);
      assert.equal(await recoverEnvironment(envDir), committed ? 'completed' : 'rolled-back');
      if (committed) {
        assert.equal(spawnSync(path.join(envDir, 'bin', 'python'), ['-c', 'import gamma']).status !== 0, true, 'the cleared env has no gamma');
        assert.equal((await inspectEnvironment(envDir))?.health.ok, true);
      } else {
        assert.deepEqual(await snapshotTree(envDir), old);
      }
      assert.deepEqual(await leftovers(project), []);
    });
  }

  test('killed at eight spread-out moments in a row: every time the env ends old (byte for byte) or new and healthy', async (t) => {
    const { project, envDir } = await projectWithEnv('spread');
    const reqs = [await writeRequirements(project, 'a.txt', ['alpha==1.0']), await writeRequirements(project, 'g.txt', ['gamma==3.0'])];
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) {
      const before = await snapshotTree(envDir);
      const pkg = i % 2 === 0 ? 'alpha' : 'gamma';
      const delayMs = 150 + i * 300; // from "just started" to "probably finished"
      const exited = await new Promise<boolean>((resolve) => {
        const child = spawn(process.execPath, [CLI, 'recreate', envDir, '-r', reqs[i % 2], '--installer', 'pip'], { env: wheels.env, stdio: 'ignore' });
        const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
        child.on('close', (_c, signal) => {
          clearTimeout(timer);
          resolve(signal !== 'SIGKILL');
        });
      });
      await recoverEnvironment(envDir);
      const same = JSON.stringify(await snapshotTree(envDir)) === JSON.stringify(before);
      if (!same) {
        assert.equal(await isIncompleteEnvironment(envDir), false, `after a kill at ${delayMs} ms`);
        assert.equal(spawnSync(path.join(envDir, 'bin', 'python'), ['-c', `import ${pkg}`]).status, 0, `after a kill at ${delayMs} ms the env is neither old nor the new one`);
        assert.equal((await inspectEnvironment(envDir))?.health.ok, true);
      }
      assert.deepEqual(await leftovers(project), [], `after a kill at ${delayMs} ms`);
      outcomes.push(`${delayMs}ms:${exited ? 'finished' : same ? 'old' : 'new'}`);
    }
    // The mix of outcomes depends on the machine's speed; each one was checked above.
    t.diagnostic(outcomes.join(' '));
  });

  test('a journal or lock file killed while being written is swept by the next recovery; a live writer\'s is left', async () => {
    const { project, envDir, old } = await projectWithEnv('temp-files');
    // The names writeJournal and the lock use for their temporary files (see journal.ts, lock.ts).
    const journalTemp = path.join(project, '.env.venv-manager.journal.0a1b2c3d.tmp');
    const deadLockTemp = path.join(project, `.env.venv-manager.lock.${deadPid()}.0a1b2c3d.tmp`);
    const liveLockTemp = path.join(project, `.env.venv-manager.lock.${process.ppid}.0a1b2c3d.tmp`);
    // Claims to take a stale lock over (lock.ts), one of a killed process and one of a live one.
    const claim = (pid: number) => JSON.stringify({ pid, host: os.hostname(), started: new Date().toISOString(), operation: 'clear', token: `t${pid}` });
    const deadClaim = path.join(project, '.env.venv-manager.lock.takeover-0123456789abcdef');
    const liveClaim = path.join(project, '.env.venv-manager.lock.takeover-fedcba9876543210');
    for (const f of [journalTemp, deadLockTemp, liveLockTemp]) await fs.writeFile(f, '{');
    await fs.writeFile(deadClaim, claim(deadPid()));
    await fs.writeFile(liveClaim, claim(process.ppid));
    assert.equal(await recoverEnvironment(envDir), 'none');
    assert.deepEqual((await leftovers(project)).sort(), [path.basename(liveLockTemp), path.basename(liveClaim)].sort());
    assert.deepEqual(await snapshotTree(envDir), old);
    await fs.unlink(liveLockTemp);
    await fs.unlink(liveClaim);
  });

  test('venv-manager recover puts the old env back after a kill, and says when there is nothing to do', async () => {
    const { project, envDir, req, old } = await projectWithEnv('recover-cli');
    await runAndKillAt(['recreate', envDir, '--requirements', req, '--installer', 'pip'], 'recreate:installer-started');
    const first = spawnSync(process.execPath, [CLI, 'recover', envDir], { env: wheels.env, encoding: 'utf8' });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /^Restored .* as it was before the interrupted operation\.$/m);
    assert.deepEqual(await snapshotTree(envDir), old);
    assert.deepEqual(await leftovers(project), []);
    const again = spawnSync(process.execPath, [CLI, 'recover', envDir], { env: wheels.env, encoding: 'utf8' });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /^Nothing to recover/m);
  });

  test('the next CLI operation takes over the stale lock, rolls back, and then does its own work', async () => {
    const { project, envDir, req } = await projectWithEnv('next-op');
    await runAndKillAt(['recreate', envDir, '--requirements', req, '--installer', 'pip'], 'recreate:built');
    const next = spawnSync(process.execPath, [CLI, 'recreate', envDir, '--requirements', req, '--installer', 'pip'], { env: wheels.env, encoding: 'utf8' });
    assert.equal(next.status, 0, next.stderr);
    assert.match(next.stderr, /Restored the environment an interrupted operation had moved aside/);
    assert.ok(importsAlpha(envDir));
    assert.equal(await isIncompleteEnvironment(envDir), false);
    assert.deepEqual(await leftovers(project), []);
  });

  test('killed while pip is installing (no pause point): recovery stops the orphaned pip and restores the old env', async () => {
    const { project, envDir, req, old } = await projectWithEnv('mid-pip');
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, 'recreate', envDir, '--requirements', req, '--installer', 'pip'], { env: wheels.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        if (/^(Collecting|Processing) /m.test(stderr)) child.kill('SIGKILL');
      });
      child.once('close', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`not killed:\n${stderr}`))));
    });
    assert.equal(await recoverEnvironment(envDir), 'rolled-back');
    assert.deepEqual(await snapshotTree(envDir), old);
    assert.deepEqual(await leftovers(project), []);
  });
});

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { acquireEnvLock, LifecycleError, lockPathFor, readLock } from '../../../src/core/lifecycle';
import { removeTempDir, tempDir } from '../../fixtures/lifecycle';

const CORE = path.resolve(__dirname, '../../../../dist/core.js');
let work: string;

before(async () => {
  work = await tempDir('vm-lock-');
});

after(() => removeTempDir(work));

function deadPid(): number {
  // A process that has exited (and been reaped): its pid is free.
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

async function writeLockFile(envDir: string, info: Record<string, unknown>): Promise<string> {
  const lockPath = await lockPathFor(envDir);
  await fs.writeFile(lockPath, JSON.stringify(info));
  return lockPath;
}

describe('env lock', () => {
  test('a second acquire while held is refused, naming the holder; after release it succeeds', async () => {
    const envDir = path.join(work, 'env1');
    const lock = await acquireEnvLock(envDir, 'recreate');
    await assert.rejects(acquireEnvLock(envDir, 'clear'), (err: unknown) => {
      assert.ok(err instanceof LifecycleError);
      assert.equal(err.code, 'locked');
      assert.match(err.message, new RegExp(`process ${process.pid} \\(recreate`));
      return true;
    });
    await lock.release();
    assert.equal(existsSync(lock.path), false);
    const again = await acquireEnvLock(envDir, 'clear');
    await again.release();
  });

  test('the lock sits beside the env, keyed by the real parent, so every path to the env meets it', async () => {
    const real = path.join(work, 'real');
    await fs.mkdir(real);
    const alias = path.join(work, 'alias');
    await fs.symlink(real, alias);
    assert.equal(await lockPathFor(path.join(alias, '.venv')), path.join(real, '..venv.venv-manager.lock'));
    const lock = await acquireEnvLock(path.join(real, '.venv'), 'delete');
    await assert.rejects(acquireEnvLock(path.join(alias, '.venv'), 'clear'), /busy/);
    await lock.release();
  });

  test('a stale lock of a dead process on this host is taken over', async () => {
    const envDir = path.join(work, 'env2');
    const pid = deadPid();
    await writeLockFile(envDir, { pid, host: os.hostname(), started: '2020-01-01T00:00:00Z', operation: 'recreate', token: 'old' });
    const lock = await acquireEnvLock(envDir, 'clear');
    assert.equal((await readLock(lock.path))?.pid, process.pid);
    await lock.release();
  });

  test('a takeover cut short by its process dying does not block the lock for ever', async () => {
    const envDir = path.join(work, 'env-claim');
    const lockPath = await writeLockFile(envDir, { pid: deadPid(), host: os.hostname(), started: '2020-01-01T00:00:00Z', operation: 'recreate', token: 'old' });
    // The claim a dead process took on that stale lock before it could replace it.
    const claim = `${lockPath}.takeover-${createHash('sha256').update('old').digest('hex').slice(0, 16)}`;
    await fs.writeFile(claim, JSON.stringify({ pid: deadPid(), host: os.hostname(), started: '2020-01-01T00:00:00Z', operation: 'clear', token: 'claimer' }));
    const lock = await acquireEnvLock(envDir, 'clear');
    assert.equal((await readLock(lockPath))?.token, lock.info.token);
    assert.deepEqual((await fs.readdir(work)).filter((n) => n.startsWith('.env-claim.')), ['.env-claim.venv-manager.lock']);
    await lock.release();
  });

  test('a recycled pid (same number, different start time) does not keep a lock alive', async () => {
    const envDir = path.join(work, 'env3');
    await writeLockFile(envDir, { pid: process.pid, pidStart: '1', host: os.hostname(), started: '2020-01-01T00:00:00Z', operation: 'recreate', token: 'old' });
    const lock = await acquireEnvLock(envDir, 'clear');
    assert.equal((await readLock(lock.path))?.token, lock.info.token);
    await lock.release();
  });

  test('a lock of another host is never assumed stale', async () => {
    const envDir = path.join(work, 'env4');
    const lockPath = await writeLockFile(envDir, { pid: deadPid(), host: 'some-other-host.example', started: '2020-01-01T00:00:00Z', operation: 'recreate', token: 'x' });
    await assert.rejects(acquireEnvLock(envDir, 'clear'), /some-other-host\.example/);
    assert.equal((await readLock(lockPath))?.token, 'x');
  });

  test('an unreadable lock is respected while fresh and taken over once old', async () => {
    const envDir = path.join(work, 'env5');
    const lockPath = await lockPathFor(envDir);
    await fs.writeFile(lockPath, '');
    await assert.rejects(acquireEnvLock(envDir, 'clear'), /busy/);
    const past = new Date(Date.now() - 60_000);
    await fs.utimes(lockPath, past, past);
    const lock = await acquireEnvLock(envDir, 'clear');
    await lock.release();
  });

  test('release leaves a lock that is no longer ours alone', async () => {
    const envDir = path.join(work, 'env6');
    const lock = await acquireEnvLock(envDir, 'clear');
    await fs.writeFile(lock.path, JSON.stringify({ pid: 1, host: os.hostname(), started: 'now', operation: 'other', token: 'theirs' }));
    await lock.release();
    assert.equal((await readLock(lock.path))?.token, 'theirs');
    await fs.unlink(lock.path);
  });

  test('eight processes race for one lock, 40 times (every second time over a stale one): exactly one wins each race', async () => {
    assert.ok(existsSync(CORE), `${CORE} is missing: run npm run build first`);
    // Long-lived children, so each race costs a few file operations and not eight node start-ups;
    // `npm run bench -- lockRace` runs 1,000 of these races beside a busy-loop load.
    const script = `
      const { acquireEnvLock } = require(${JSON.stringify(CORE)});
      process.on('message', (dir) => acquireEnvLock(dir, 'race').then(
        () => process.send('won'),
        (e) => process.send(e.code === 'locked' ? 'locked' : 'error: ' + e.message)));`;
    const children = Array.from({ length: 8 }, () => spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    const dead = deadPid();
    const bad: string[] = [];
    try {
      for (let i = 0; i < 40; i++) {
        const envDir = path.join(work, `race-${i}`);
        if (i % 2 === 1) await writeLockFile(envDir, { pid: dead, host: os.hostname(), started: '2020-01-01T00:00:00Z', operation: 'recreate', token: `stale-${i}` });
        const results = await Promise.all(children.map((child) => new Promise<string>((resolve) => {
          child.once('message', (m) => resolve(typeof m === 'string' ? m : JSON.stringify(m)));
          child.send(envDir);
        })));
        if (results.filter((r) => r === 'won').length !== 1 || results.filter((r) => r === 'locked').length !== 7) bad.push(`race ${i}: ${results.join(',')}`);
      }
    } finally {
      for (const child of children) child.kill();
    }
    assert.deepEqual(bad, []);
  });
});

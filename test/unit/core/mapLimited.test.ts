import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Limiter, mapLimited, settleAll } from '../../../src/core/mapLimited';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('mapLimited keeps order and never has more than the limit in flight', async () => {
  let inFlight = 0;
  let most = 0;
  const out = await mapLimited([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
    most = Math.max(most, ++inFlight);
    await tick(n);
    inFlight--;
    return n * 10;
  });
  assert.deepEqual(out, [50, 10, 40, 20, 30, 0, 60]);
  assert.equal(most, 3);
});

test('after a failure mapLimited starts nothing new and rejects only when the running calls are done', async () => {
  const started: number[] = [];
  const finished: number[] = [];
  const items = Array.from({ length: 20 }, (_, i) => i);
  await assert.rejects(
    mapLimited(items, 4, async (i) => {
      started.push(i);
      if (i === 1) throw new Error('boom');
      await tick(30);
      finished.push(i);
    }),
    /boom/,
  );
  assert.deepEqual(started, [0, 1, 2, 3], 'nothing started after the failure');
  assert.deepEqual(finished.sort((a, b) => a - b), [0, 2, 3], 'the calls already running had finished when it rejected');
});

test('settleAll waits for every promise, then rejects with the first error', async () => {
  let slowDone = false;
  await assert.rejects(settleAll([Promise.reject(new Error('first')), tick(30).then(() => { slowDone = true; }), Promise.reject(new Error('second'))]), /first/);
  assert.equal(slowDone, true);
});

test('a Limiter shares one budget across callers and, once something failed, refuses new work with that error', async () => {
  const limiter = new Limiter(2);
  let inFlight = 0;
  let most = 0;
  const job = async () => {
    most = Math.max(most, ++inFlight);
    await tick(10);
    inFlight--;
  };
  await Promise.all(Array.from({ length: 8 }, () => limiter.run(job)));
  assert.equal(most, 2);
  let jobsRun = 0;
  const counted = async () => { jobsRun++; await job(); };
  const failing = limiter.run(async () => { await tick(5); throw new Error('disk full'); }).then(() => 'ok', (e: Error) => e.message);
  const alongside = limiter.run(() => tick(20)).then(() => 'ok', (e: Error) => e.message);
  // These wait for a slot when the failure comes.
  const queued = Array.from({ length: 5 }, () => limiter.run(counted).then(() => 'ran', (e: Error) => e.message));
  assert.equal(await failing, 'disk full');
  assert.equal(await alongside, 'ok', 'work already running finishes');
  assert.deepEqual(await Promise.all(queued), Array(5).fill('disk full'));
  assert.equal(jobsRun, 0, 'the queued jobs never ran');
  await assert.rejects(limiter.run(job), /disk full/);
});

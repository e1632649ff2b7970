/**
 * The env lock under contention, on a loaded machine: RACES races (default 1,000; `LOCK_RACES=N`
 * to change) of WORKERS processes for one lock each, every second race over a stale lock left by a
 * dead process. Beside them run two busy-loop processes per core (`LOCK_RACE_LOAD=0` to leave them
 * out). Prints the median time of a race and the number of races with more than one winner, which
 * must be 0; exits non-zero otherwise.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { acquireEnvLock, lockPathFor } from '../src/core/lifecycle';
import { removeTempDir, tempDir } from '../test/fixtures/lifecycle';

const RACES = Number(process.env.LOCK_RACES ?? 1000);
const WORKERS = 8;

interface Race { readonly dir: string }

/** A worker tries once per message and answers 'won', the error code, or 'error: ...'. */
function worker(): void {
  process.on('message', (race: Race) => {
    acquireEnvLock(race.dir, 'race').then(
      () => process.send!('won'),
      (err: NodeJS.ErrnoException) => process.send!(err.code === 'locked' ? 'locked' : `error: ${err.message}`),
    );
  });
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

async function main(): Promise<void> {
  const work = await tempDir('vm-lock-race-');
  const load: ChildProcess[] = [];
  if (process.env.LOCK_RACE_LOAD !== '0') {
    for (let i = 0; i < 2 * os.availableParallelism(); i++) load.push(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  }
  const workers = Array.from({ length: WORKERS }, () => fork(__filename, ['worker'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const dead = deadPid();
  let doubleWins = 0;
  let noWinner = 0;
  const errors: string[] = [];
  const times: number[] = [];
  try {
    for (let i = 0; i < RACES; i++) {
      const dir = path.join(work, `env-${i}`);
      if (i % 2 === 1) {
        await fs.writeFile(await lockPathFor(dir), JSON.stringify({ pid: dead, host: os.hostname(), started: '2020-01-01T00:00:00Z', operation: 'recreate', token: `stale-${i}` }));
      }
      const start = performance.now();
      const answers = await Promise.all(workers.map((w) => new Promise<string>((resolve) => {
        w.once('message', (m) => resolve(typeof m === 'string' ? m : JSON.stringify(m)));
        w.send({ dir } satisfies Race);
      })));
      times.push(performance.now() - start);
      const won = answers.filter((a) => a === 'won').length;
      if (won > 1) {
        doubleWins++;
        console.log(`race ${i}${i % 2 ? ' (stale)' : ''}: ${answers.join(',')}`);
      }
      if (won === 0) noWinner++;
      errors.push(...answers.filter((a) => a.startsWith('error')));
    }
  } finally {
    for (const w of workers) w.kill();
    for (const l of load) l.kill();
    await removeTempDir(work);
  }
  console.log(`lock races: ${RACES} races of ${WORKERS} processes, ${load.length} busy-loop processes beside them (load average ${os.loadavg()[0].toFixed(1)})`);
  console.log(`  median race ${median(times).toFixed(1)} ms`);
  console.log(`  races with more than one winner: ${doubleWins}`);
  console.log(`  races with no winner: ${noWinner}`);
  if (errors.length) console.log(`  errors: ${errors.length}, first: ${errors[0]}`);
  if (doubleWins > 0 || errors.length > 0) process.exitCode = 1;
}

if (process.argv[2] === 'worker') worker();
else void main();

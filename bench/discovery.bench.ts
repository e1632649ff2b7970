/**
 * Discovery speed on a generated workspace: 100,000 files in 10,000 folders holding 200
 * environments. Prints the full-scan median (warm OS cache) next to `find DIR -name pyvenv.cfg`
 * over the same tree in the same run, and the median of a refresh after one change.
 * Targets: full scan <= 300 ms, refresh <= 20 ms. The tree is kept in the temp dir between runs.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { EnvironmentIndex, findWorkspaceEnvironments } from '../src/core/discovery';
import { doneMarker, ensureDiscoveryTree, ENVS, PROJECTS, root } from './discoveryTree';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function main(): Promise<void> {
  ensureDiscoveryTree();
  console.log(`tree: ${(await fs.readFile(doneMarker, 'utf8')).trim()}, ${ENVS} environments (${root})`);

  // Warm the OS cache and the JIT.
  for (let i = 0; i < 3; i++) await findWorkspaceEnvironments(root);
  execFileSync('find', [root, '-name', 'pyvenv.cfg'], { maxBuffer: 64 * 1024 * 1024 });

  const scanTimes: number[] = [];
  let found = 0;
  for (let i = 0; i < 15; i++) {
    scanTimes.push(await time(async () => {
      found = (await findWorkspaceEnvironments(root)).length;
    }));
  }
  const findTimes: number[] = [];
  let findCount = 0;
  for (let i = 0; i < 7; i++) {
    findTimes.push(await time(async () => {
      findCount = execFileSync('find', [root, '-name', 'pyvenv.cfg'], { maxBuffer: 64 * 1024 * 1024 }).toString().trim().split('\n').length;
    }));
  }

  // Refresh after one change: alternately edit an environment's cfg and add a folder to a project.
  const index = new EnvironmentIndex({ roots: [root] });
  await index.refresh();
  const refreshTimes: number[] = [];
  for (let i = 0; i < 20; i++) {
    const project = path.join(root, `project-${i % PROJECTS}`);
    let changed: string;
    if (i % 2 === 0) {
      changed = path.join(project, '.venv', 'pyvenv.cfg');
      await fs.appendFile(changed, '');
    } else {
      changed = path.join(project, 'src', `added-${process.pid}-${i}`);
      await fs.mkdir(changed);
      await fs.writeFile(path.join(changed, 'new.py'), '');
    }
    refreshTimes.push(await time(() => index.refresh([changed])));
    if (i % 2 === 1) await fs.rm(changed, { recursive: true, force: true });
  }

  const scanMedian = median(scanTimes);
  const findMedian = median(findTimes);
  const refreshMedian = median(refreshTimes);
  const best = (xs: number[]) => Math.min(...xs).toFixed(1);
  // Other work on the machine slows both sides; the load is printed so the figures can be read.
  console.log(`machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`full scan (find + inspect + health): ${found} environments, median ${scanMedian.toFixed(1)} ms (best ${best(scanTimes)}) over ${scanTimes.length} runs (target <= 300 ms) ${scanMedian <= 300 ? 'OK' : 'MISSED'}`);
  console.log(`find DIR -name pyvenv.cfg:           ${findCount} files, median ${findMedian.toFixed(1)} ms (best ${best(findTimes)}) over ${findTimes.length} runs`);
  console.log(`ratio full scan / find:              ${(scanMedian / findMedian).toFixed(2)}`);
  console.log(`refresh after one change:            median ${refreshMedian.toFixed(2)} ms over ${refreshTimes.length} runs (target <= 20 ms) ${refreshMedian <= 20 ? 'OK' : 'MISSED'}`);
  if (found !== ENVS) {
    console.error(`expected ${ENVS} environments, found ${found}`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

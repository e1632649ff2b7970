/**
 * Discovery speed on a generated workspace: 100,000 files in 10,000 folders holding 200
 * environments. Prints the full-scan median (warm OS cache) next to `find DIR -name pyvenv.cfg`
 * over the same tree in the same run, and the median of a refresh after one change.
 * Targets: full scan <= 300 ms, refresh <= 20 ms. The tree is kept in the temp dir between runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { EnvironmentIndex, findWorkspaceEnvironments } from '../src/core/discovery';

const TREE_VERSION = 2;
const FOLDERS = 10_000;
const FILES = 100_000;
const ENVS = 200;
const PROJECTS = 100;
const root = path.join(os.tmpdir(), `venv-manager-discovery-bench-v${TREE_VERSION}`);
const doneMarker = path.join(root, '.generated');

/** Writes the tree once: 100 projects, each with 2 environments and a source tree; counts checked at the end. */
function generate(): void {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  let folders = 0;
  let files = 0;
  const mkdir = (p: string) => {
    mkdirSync(p, { recursive: true });
    folders++;
  };
  const file = (p: string, text = '') => {
    writeFileSync(p, text);
    files++;
  };
  const envFolders = 5; // env, bin, lib, lib/python3.12, lib/python3.12/site-packages
  const perProjectSource = Math.floor((FOLDERS - PROJECTS - ENVS * envFolders) / PROJECTS);
  for (let p = 0; p < PROJECTS; p++) {
    const project = path.join(root, `project-${p}`);
    mkdir(project);
    for (const envRel of ['.venv', path.join('tools', 'lint-env')]) {
      const env = path.join(project, envRel);
      mkdir(env);
      mkdir(path.join(env, 'bin'));
      mkdir(path.join(env, 'lib'));
      mkdir(path.join(env, 'lib', 'python3.12'));
      mkdir(path.join(env, 'lib', 'python3.12', 'site-packages'));
      file(path.join(env, 'pyvenv.cfg'), `home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.12.1\nprompt = 'project-${p}'\n`);
      symlinkSync('/usr/bin/python3', path.join(env, 'bin', 'python'));
      files++;
      file(path.join(env, 'bin', 'activate'), '# activate\n');
    }
    // Source folders: a few packages, each a chain of subpackages, so the tree is 2-5 levels deep.
    let made = 1; // tools/
    mkdir(path.join(project, 'tools'));
    for (let pkg = 0; made < perProjectSource; pkg++) {
      let dir = path.join(project, 'src', `pkg${pkg}`);
      if (pkg === 0) {
        mkdir(path.join(project, 'src'));
        made++;
      }
      for (let depth = 0; depth < 4 && made < perProjectSource; depth++) {
        mkdir(dir);
        made++;
        dir = path.join(dir, `sub${depth}`);
      }
    }
  }
  // Spread the files over every non-environment folder until the total is reached.
  const sourceDirs: string[] = [];
  const collect = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name === '.venv' || e.name === 'lint-env') continue;
      sourceDirs.push(path.join(dir, e.name));
      collect(path.join(dir, e.name));
    }
  };
  collect(root);
  for (let i = 0; files < FILES; i++) file(path.join(sourceDirs[i % sourceDirs.length], `module_${i}.py`), '');
  writeFileSync(doneMarker, `${folders} folders, ${files} files\n`);
}

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
  if (!existsSync(doneMarker)) {
    const t = performance.now();
    generate();
    console.log(`generated ${root} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
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

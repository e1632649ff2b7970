/**
 * Installed packages read in-process. (1) Listing an env with 300 small distributions installed by
 * pip (goal <= 20 ms), next to `pip list --format=json` of the same env in the same run. (2) Finding
 * one package across 200 environments (goal <= 300 ms): with the environments already known (the
 * palette command) and with their discovery included (`venv-manager find-package DIR`, in-process).
 * The envs are built once (wheels made here, installed offline) and kept in the temp dir.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { findWorkspaceEnvironments } from '../src/core/discovery';
import { createEnvironment } from '../src/core/envBuilder';
import { DistributionCache, findPackageInEnvironments, readInstalledDistributions, sitePackagesOf } from '../src/core/packages';
import { testPython } from '../test/fixtures/lifecycle';
import { manyWheels } from '../test/fixtures/packages';

const VERSION = 1;
const root = path.join(os.tmpdir(), `venv-manager-packages-bench-v${VERSION}`);
const env300 = path.join(root, 'env300');
const many = path.join(root, 'many-envs');
const doneMarker = path.join(root, '.generated');
const ENVS = 200;
/** Distributions copied into each of the 200 envs (besides pip). */
const PER_ENV = 40;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function time(fn: () => unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const pipEnv = (): NodeJS.ProcessEnv => ({ ...process.env, PIP_NO_INDEX: '1', PIP_CONFIG_FILE: os.devNull, PIP_DISABLE_PIP_VERSION_CHECK: '1' });

async function generate(): Promise<void> {
  await fs.rm(root, { recursive: true, force: true });
  await fs.mkdir(root, { recursive: true });
  const py = await testPython();
  const wheels = await manyWheels(path.join(root, 'wheels'), 300);
  await createEnvironment(env300, { python: py.path, withPip: true, symlinks: true });
  execFileSync(path.join(env300, 'bin', 'python'), ['-m', 'pip', 'install', '-q', '--no-deps', ...wheels], { env: pipEnv(), stdio: 'pipe' });
  // 200 envs (no pip run), each given copies of 40 of those installed records and pip's.
  const site300 = (await sitePackagesOf(env300))!;
  const records = (await fs.readdir(site300)).filter((n) => n.endsWith('.dist-info'));
  for (let i = 0; i < ENVS; i++) {
    const env = path.join(many, `project-${i}`, '.venv');
    await createEnvironment(env, { python: py.path, withPip: false, symlinks: true });
    const site = (await sitePackagesOf(env))!;
    const chosen = records.filter((n, j) => n.startsWith('pip-') || (j + i) % Math.floor(records.length / PER_ENV) === 0).slice(0, PER_ENV + 1);
    for (const r of chosen) await fs.cp(path.join(site300, r), path.join(site, r), { recursive: true });
  }
  await fs.writeFile(doneMarker, `${py.path}\n`);
}

async function main(): Promise<void> {
  if (!existsSync(doneMarker)) {
    const t = performance.now();
    await generate();
    console.log(`generated ${root} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const dists = await readInstalledDistributions(env300);
  console.log(`env: ${env300}, ${dists.length} distributions (Python ${(await fs.readFile(doneMarker, 'utf8')).trim()})`);

  for (let i = 0; i < 5; i++) await readInstalledDistributions(env300);
  const listTimes: number[] = [];
  for (let i = 0; i < 30; i++) listTimes.push(await time(() => readInstalledDistributions(env300)));
  // With a DistributionCache (what the extension keeps): the first read with an empty cache (cold,
  // it also stats each folder), and a refresh after one package changed (warm: one dist-info folder
  // touched between reads, as pip in a terminal would; the rest reused after a stat).
  const coldCacheTimes: number[] = [];
  for (let i = 0; i < 30; i++) coldCacheTimes.push(await time(() => readInstalledDistributions(env300, { cache: new DistributionCache() })));
  const cache = new DistributionCache();
  await readInstalledDistributions(env300, { cache });
  const touched = path.join(dists[150]!.metadataPath, '.venv-manager-bench');
  const warmTimes: number[] = [];
  let warmRead = { reused: 0, read: 0 };
  for (let i = 0; i < 30; i++) {
    if (i % 2) await fs.rm(touched);
    else await fs.writeFile(touched, '');
    warmTimes.push(await time(() => readInstalledDistributions(env300, { cache })));
    warmRead = cache.lastRead;
  }
  await fs.rm(touched, { force: true });
  const pipTimes: number[] = [];
  let pipCount = 0;
  for (let i = 0; i < 5; i++) {
    pipTimes.push(await time(() => {
      pipCount = (JSON.parse(execFileSync(path.join(env300, 'bin', 'python'), ['-m', 'pip', 'list', '--format=json'], { env: pipEnv(), maxBuffer: 64 * 1024 * 1024 }).toString()) as unknown[]).length;
    }));
  }

  const known = await findWorkspaceEnvironments(many);
  for (let i = 0; i < 3; i++) await findPackageInEnvironments(known, 'pkg-150');
  const findTimes: number[] = [];
  let hits = 0;
  for (let i = 0; i < 20; i++) findTimes.push(await time(async () => { hits = (await findPackageInEnvironments(known, 'Pkg_150')).length; }));
  const fullTimes: number[] = [];
  for (let i = 0; i < 10; i++) fullTimes.push(await time(async () => findPackageInEnvironments(await findWorkspaceEnvironments(many), 'pkg.150')));

  const list = median(listTimes);
  const pip = median(pipTimes);
  const find = median(findTimes);
  const full = median(fullTimes);
  const best = (xs: number[]) => Math.min(...xs).toFixed(1);
  console.log(`machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`list ${dists.length} distributions in-process, no cache (cold):  median ${list.toFixed(2)} ms (best ${best(listTimes)}) over ${listTimes.length} runs (target <= 20 ms) ${list <= 20 ? 'OK' : 'MISSED'}`);
  console.log(`  with a cache, first read (cold):     median ${median(coldCacheTimes).toFixed(2)} ms (best ${best(coldCacheTimes)})`);
  console.log(`  with a cache, refresh after one dist-info changed (warm): median ${median(warmTimes).toFixed(2)} ms (best ${best(warmTimes)}); ${warmRead.read} read, ${warmRead.reused} reused`);
  console.log(`pip list --format=json (${pipCount}):           median ${pip.toFixed(1)} ms (best ${best(pipTimes)}) over ${pipTimes.length} runs`);
  console.log(`ratio pip list / in-process:             ${(pip / list).toFixed(1)}x`);
  console.log(`find-package across ${known.length} known envs:     median ${find.toFixed(1)} ms (best ${best(findTimes)}), ${hits} hits (target <= 300 ms) ${find <= 300 ? 'OK' : 'MISSED'}`);
  console.log(`find-package with discovery of the envs:  median ${full.toFixed(1)} ms (best ${best(fullTimes)})`);
  console.log(`ratio pip list of ONE env / find across ${known.length}: ${(pip / find).toFixed(1)}x`);
  if (known.length !== ENVS || dists.length < 300 || pipCount !== dists.length) {
    console.error(`expected ${ENVS} envs and ${pipCount} distributions (as pip lists), got ${known.length} and ${dists.length}`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

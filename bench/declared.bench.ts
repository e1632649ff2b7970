/**
 * Declared dependencies, medians of RUNS, each against a reference measured in the same run:
 * - drift of an env holding 300 distributions (status, in-process from dist-info; goal <= 20 ms)
 *   vs `pip list --format json` on the same env (what a person runs to look);
 * - a no-op sync of that env, in sync with a requirements file pinning all 300 (goal <= 1.5x)
 *   vs `pip install -r` of the same file, which reports "Requirement already satisfied";
 * - a sync from pylock.toml (4 wheels by path) into an empty env vs `pip install --no-deps` of
 *   the same wheel files, and vs `pip install -r pylock.toml` where the env's pip installs from
 *   a lock (tried once first; said when it cannot). Packages are uninstalled, untimed, between runs.
 * Offline: wheels built here; the 300 distributions are dist-info folders written here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { environmentStatus, syncEnvironment } from '../src/core/lifecycle';
import { DistributionCache } from '../src/core/packages';
import { makeEnv, makeWheelhouse, tempDir, testPython } from '../test/fixtures/lifecycle';
import { buildWheel } from '../test/fixtures/wheels';

const RUNS = 7;
const COUNT = 300;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function time(fn: () => unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function sitePackages(envDir: string): Promise<string> {
  const lib = path.join(envDir, 'lib');
  return path.join(lib, (await fs.readdir(lib)).find((n) => n.startsWith('python'))!, 'site-packages');
}

/** COUNT installed distributions (dist-info with METADATA, RECORD, INSTALLER), each needing the next one. */
async function fakeDistributions(site: string): Promise<string[]> {
  const lines: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const name = `bench-pkg-${i}`;
    const info = path.join(site, `bench_pkg_${i}-1.${i}.dist-info`);
    await fs.mkdir(info, { recursive: true });
    const requires = i + 1 < COUNT ? `Requires-Dist: bench-pkg-${i + 1}>=1.0\n` : '';
    await fs.writeFile(path.join(info, 'METADATA'), `Metadata-Version: 2.1\nName: ${name}\nVersion: 1.${i}\n${requires}`);
    await fs.writeFile(path.join(info, 'INSTALLER'), 'pip\n');
    await fs.writeFile(path.join(info, 'RECORD'), `bench_pkg_${i}-1.${i}.dist-info/METADATA,,\n`);
    lines.push(`${name}==1.${i}`);
  }
  return lines;
}

async function main(): Promise<void> {
  const py = await testPython();
  const work = await tempDir('vm-declared-bench-');
  const wheels = await makeWheelhouse(path.join(work, 'wheels'));
  const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
  const report = (what: string, ref: string, a: number[], b: number[]) => {
    console.log(`${what}: ${ref}: ${fmt(median(a))}   venv-manager: ${fmt(median(b))}   ratio venv-manager/reference: ${(median(b) / median(a)).toFixed(2)}`);
    console.log(`    runs reference: ${a.map(fmt).join(', ')}; venv-manager: ${b.map(fmt).join(', ')}`);
  };
  console.log(`Python ${py.version.join('.')} (${py.path}), ${RUNS} runs each, medians`);

  // 1 and 2: an env with 300 distributions, in sync with a requirements file pinning them.
  const big = path.join(work, 'big', '.venv');
  await makeEnv(big, py.path);
  const reqLines = await fakeDistributions(await sitePackages(big));
  const req = path.join(work, 'big', 'requirements.txt');
  await fs.writeFile(req, `${reqLines.join('\n')}\n`);
  const python = path.join(big, 'bin', 'python');
  const source = { kind: 'requirements' as const, file: req };
  await syncEnvironment(big, { source, env: wheels.env, installer: 'pip' }); // remembers the source; nothing to install
  const pipList: number[] = [];
  const drift: number[] = [];
  const pipAlready: number[] = [];
  const noop: number[] = [];
  let summary = '';
  for (let i = 0; i < RUNS; i++) {
    pipList.push(await time(() => execFileSync(python, ['-m', 'pip', 'list', '--format', 'json', '--disable-pip-version-check'], { env: wheels.env })));
    drift.push(await time(async () => { summary = (await environmentStatus(big)).summary; }));
    pipAlready.push(await time(() => execFileSync(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '-r', req], { env: wheels.env })));
    noop.push(await time(async () => {
      const r = await syncEnvironment(big, { env: wheels.env, installer: 'pip' });
      if (r.changed) throw new Error('the no-op sync changed the env');
    }));
  }
  // The extension keeps a DistributionCache: a drift refresh after one package changed (one
  // dist-info folder touched between runs) re-reads only that folder. The figure above is cold.
  const cache = new DistributionCache();
  await environmentStatus(big, undefined, { cache });
  const touched = path.join(await sitePackages(big), 'bench_pkg_150-1.150.dist-info', '.venv-manager-bench');
  const warm: number[] = [];
  for (let i = 0; i < RUNS * 3; i++) {
    if (i % 2) await fs.rm(touched);
    else await fs.writeFile(touched, '');
    warm.push(await time(() => environmentStatus(big, undefined, { cache })));
  }
  await fs.rm(touched, { force: true });
  console.log(`env with ${COUNT + 1} distributions (pip + ${COUNT}): ${summary}`);
  report(`drift (status) of ${COUNT + 1} distributions, no cache (cold)`, 'pip list --format json', pipList, drift);
  console.log(`drift (status) with a cache, refresh after one dist-info changed (warm): median ${fmt(median(warm))} over ${warm.length} runs; ${cache.lastRead.read} read, ${cache.lastRead.reused} reused`);
  report('no-op sync of an in-sync env', 'pip install -r (all already satisfied)', pipAlready, noop);

  // 3: pylock.toml with 4 wheels by path into an env that has none of them.
  const lockDir = path.join(work, 'lock');
  const envDir = path.join(lockDir, '.venv');
  await makeEnv(envDir, py.path);
  await buildWheel(wheels.dir, { name: 'delta', version: '4.0' });
  const files = ['alpha-1.0', 'beta-2.0', 'gamma-3.0', 'delta-4.0'].map((n) => path.join(wheels.dir, `${n}-py3-none-any.whl`));
  const parts = ['lock-version = "1.0"', 'created-by = "venv-manager bench"', ''];
  for (const f of files) {
    const [name, version] = path.basename(f).split('-');
    const data = await fs.readFile(f);
    parts.push('[[packages]]', `name = "${name.replace(/_/g, '-')}"`, `version = "${version}"`, '[[packages.wheels]]', `path = ${JSON.stringify(f)}`, `size = ${data.length}`, `hashes = {sha256 = "${createHash('sha256').update(data).digest('hex')}"}`, '');
  }
  const lock = path.join(lockDir, 'pylock.toml');
  await fs.writeFile(lock, parts.join('\n'));
  const envPython = path.join(envDir, 'bin', 'python');
  const uninstall = () => execFileSync(envPython, ['-m', 'pip', 'uninstall', '-y', '-q', '--disable-pip-version-check', 'alpha', 'beta', 'gamma', 'delta'], { env: wheels.env });
  const pipVersion = execFileSync(envPython, ['-m', 'pip', '--version'], { encoding: 'utf8' }).split(' ')[1];
  // Whether this pip installs from a lock: tried once, untimed.
  const probe = spawnSync(envPython, ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '-r', lock], { env: wheels.env, encoding: 'utf8' });
  const pipReadsLocks = probe.status === 0;
  if (pipReadsLocks) uninstall();
  const pipNoDeps: number[] = [];
  const pipLock: number[] = [];
  const ours: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    pipNoDeps.push(await time(() => execFileSync(envPython, ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '--no-deps', ...files], { env: wheels.env })));
    uninstall();
    if (pipReadsLocks) {
      pipLock.push(await time(() => {
        const r = spawnSync(envPython, ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '-r', lock], { env: wheels.env, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`pip install -r pylock.toml failed: ${r.stderr}`);
      }));
      uninstall();
    }
    ours.push(await time(() => syncEnvironment(envDir, { source: { kind: 'pylock', file: lock, extras: [] }, env: wheels.env, installer: 'pip' })));
    uninstall();
  }
  report('sync from pylock.toml (4 wheels)', 'pip install --no-deps WHEEL...', pipNoDeps, ours);
  if (pipReadsLocks) report('sync from pylock.toml (4 wheels)', 'pip install -r pylock.toml', pipLock, ours);
  else console.log(`pip install -r pylock.toml: not measured, the env's pip ${pipVersion} cannot install this lock: ${probe.stderr.trim().split('\n').at(-1)}`);
  await fs.rm(work, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

// Seeding pip into a fresh env skeleton: cold cache (unpack + byte-compile), warm cache with hard links and with
// copies, against ensurepip (`python -m venv` minus `python -m venv --without-pip`), all measured
// in this run with the newest CPython found. Medians of RUNS runs.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getInterpreterInfo } from '../src/core/interpreter';
import { seedPip, type LinkMode } from '../src/core/seed';
import { findPythons } from '../test/fixtures/pythons';

const RUNS = 9;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const py = findPythons().at(-1);
  if (!py) throw new Error('no CPython found');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-seed-bench-'));
  try {
    const info = await getInterpreterInfo(py.path, { cacheDir: path.join(work, 'facts') });
    const xy = `python${info.version[0]}.${info.version[1]}`;
    let n = 0;
    const skeleton = () => {
      const env = path.join(work, `env${n++}`);
      execFileSync(py.path, ['-m', 'venv', '--without-pip', env]);
      return env;
    };
    const seed = async (env: string, cacheDir: string, linkMode: LinkMode) => {
      const t0 = performance.now();
      await seedPip({ info, envDir: env, binDir: path.join(env, 'bin'), sitePackages: path.join(env, 'lib', xy, 'site-packages'), envPython: path.join(env, 'bin', path.basename(py.path)), cacheDir, osName: 'posix', linkMode });
      return performance.now() - t0;
    };

    const cold: number[] = [];
    for (let i = 0; i < 3; i++) cold.push(await seed(skeleton(), path.join(work, `cold${i}`), 'hardlink'));
    const warmCache = path.join(work, 'warm');
    await seed(skeleton(), warmCache, 'hardlink');
    const hard: number[] = [];
    const copy: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      hard.push(await seed(skeleton(), warmCache, 'hardlink'));
      copy.push(await seed(skeleton(), warmCache, 'copy'));
    }

    const wall = (args: string[]) => {
      const env = path.join(work, `ref${n++}`);
      const t0 = performance.now();
      execFileSync(py.path, ['-m', 'venv', ...args, env]);
      return performance.now() - t0;
    };
    const withPip: number[] = [];
    const withoutPip: number[] = [];
    for (let i = 0; i < 3; i++) {
      withPip.push(wall([]));
      withoutPip.push(wall(['--without-pip']));
    }
    const ensurepip = median(withPip) - median(withoutPip);

    console.log(`CPython ${py.label}, pip ${info.bundledWheels.map((w) => `${w.project} ${w.version}`).join(' + ')}`);
    console.log(`seed, cold cache (unpack + byte-compile + install), median of 3: ${median(cold).toFixed(1)} ms`);
    console.log(`seed, warm cache, hard links, median of ${RUNS}:   ${median(hard).toFixed(1)} ms`);
    console.log(`seed, warm cache, copies, median of ${RUNS}:       ${median(copy).toFixed(1)} ms`);
    console.log(`ensurepip inside python -m venv (with pip ${median(withPip).toFixed(0)} ms - without ${median(withoutPip).toFixed(0)} ms): ${ensurepip.toFixed(0)} ms`);
    console.log(`ratio ensurepip / warm hard-link seed: ${(ensurepip / median(hard)).toFixed(0)}x`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

// Benchmark: creating an environment in-process with EnvBuilder vs `python -m venv` (and virtualenv)
// of the same interpreter, measured in the same run; medians over N runs; the target dir is removed
// between runs, outside the timed part. Run: `npm run bench` (or node out/bench/create.bench.js).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EnvBuilder, type EnvBuilderOptions } from '../src/core/envBuilder';
import { findPythons } from '../test/fixtures/pythons';

const RUNS_FAST = Number(process.env.BENCH_RUNS_FAST ?? 31);
const RUNS_SLOW = Number(process.env.BENCH_RUNS_SLOW ?? 5);
const root = path.resolve(__dirname, '..', '..');
const tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'vm-bench-create-')));
let counter = 0;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function target(): string {
  return path.join(tmp, `env-${++counter}`);
}

/** Runs `once` N times on a fresh target each time; returns the times in ms. */
async function measure(runs: number, once: (dir: string) => Promise<void> | void): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = target();
    const t0 = process.hrtime.bigint();
    await once(dir);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    rmSync(dir, { recursive: true, force: true });
  }
  return times;
}

/** A clean environment for the subprocess peers (no PIP_* settings, no active venv). */
function peerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(PIP_|VIRTUAL_ENV)/.test(k)) env[k] = v;
  return env;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { env: peerEnv(), stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

const rows: Array<[string, number, number]> = [];
function report(label: string, times: number[]): number {
  const m = median(times);
  rows.push([label, m, times.length]);
  console.log(`  ${label.padEnd(58)} median ${m.toFixed(2).padStart(9)} ms  (n=${times.length}, min ${Math.min(...times).toFixed(2)}, max ${Math.max(...times).toFixed(2)})`);
  return m;
}

const verdicts: string[] = [];
function check(what: string, ok: boolean, detail: string): void {
  verdicts.push(`  ${ok ? 'MET ' : 'MISS'} ${what}: ${detail}`);
}

function peakRssKb(args: string[]): number | undefined {
  if (!existsSync('/usr/bin/time')) return undefined;
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, path.join(root, 'dist', 'cli.js'), ...args], { encoding: 'utf8', env: peerEnv() });
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  return m ? Number(m[1]) : undefined;
}

async function main(): Promise<void> {
  const pythons = findPythons();
  if (pythons.length === 0) throw new Error('no CPython found');
  const newest = pythons[pythons.length - 1];
  const cacheDir = path.join(tmp, 'cache');
  const cliLike: EnvBuilderOptions = { python: newest.path, cacheDir, symlinks: true, scmIgnoreFiles: ['git'] };
  console.log(`create benchmark — ${newest.label}, ${os.cpus().length} CPUs, ${os.platform()} ${os.release()}`);

  // Prime the interpreter-facts cache (one introspection), as any second create would find it.
  await new EnvBuilder(cliLike).create(target());

  console.log('\nwithout pip');
  const oursNoPip = report('EnvBuilder in-process (warm facts cache)', await measure(RUNS_FAST, async (d) => void (await new EnvBuilder(cliLike).create(d))));
  const venvNoPip = report('python -m venv --without-pip', await measure(Math.max(RUNS_SLOW * 2 + 1, 11), (d) => run(newest.path, ['-m', 'venv', '--without-pip', d])));
  check('no-pip median <= 5 ms', oursNoPip <= 5, `${oursNoPip.toFixed(2)} ms`);
  check('no-pip >= 10x faster than venv', venvNoPip / oursNoPip >= 10, `${(venvNoPip / oursNoPip).toFixed(1)}x`);

  console.log('\nwith pip');
  const withPip: EnvBuilderOptions = { ...cliLike, withPip: true };
  const coldTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    // A fresh cache dir: interpreter facts and the unpacked wheels are both built during this create.
    const cold = path.join(tmp, `cold-cache-${i}`);
    coldTimes.push(...(await measure(1, async (d) => void (await new EnvBuilder({ ...withPip, cacheDir: cold }).create(d)))));
  }
  report('EnvBuilder with pip, cold cache (facts + unpack)', coldTimes);
  await new EnvBuilder(withPip).create(target());
  const oursPip = report('EnvBuilder with pip, warm seed cache', await measure(Math.max(RUNS_FAST >> 1, 9), async (d) => void (await new EnvBuilder(withPip).create(d))));
  const venvPip = report('python -m venv (ensurepip)', await measure(RUNS_SLOW, (d) => run(newest.path, ['-m', 'venv', d])));
  check('with-pip warm median <= 200 ms', oursPip <= 200, `${oursPip.toFixed(2)} ms`);
  check('with-pip >= 20x faster than venv', venvPip / oursPip >= 20, `${(venvPip / oursPip).toFixed(1)}x`);

  // Debian's virtualenv seeds offline only from Debian's wheel dir, i.e. for Debian's own python3;
  // for other interpreters it downloads on every run. So it is compared on the system python.
  const virtualenv = '/usr/bin/virtualenv';
  const systemPython = pythons.find((p) => p.path.startsWith('/usr/bin/'));
  if (existsSync(virtualenv) && systemPython) {
    console.log(`\nwith pip vs virtualenv (app-data seeder) — ${systemPython.label}`);
    const appData = path.join(tmp, 'virtualenv-app-data');
    const venvArgs = (d: string) => ['-q', '-p', systemPython.path, '--app-data', appData, '--no-periodic-update', '--no-download', '--no-wheel', d];
    run(virtualenv, venvArgs(target()));
    const sysOpts: EnvBuilderOptions = { python: systemPython.path, cacheDir, symlinks: true, withPip: true, scmIgnoreFiles: ['git'] };
    await new EnvBuilder(sysOpts).create(target());
    const oursSys = report('EnvBuilder with pip (pip + setuptools), warm', await measure(Math.max(RUNS_FAST >> 1, 9), async (d) => void (await new EnvBuilder(sysOpts).create(d))));
    const venvSys = report('virtualenv --no-wheel, warm app-data (pip + setuptools)', await measure(Math.max(RUNS_SLOW, 7), (d) => run(virtualenv, venvArgs(d))));
    check('with-pip faster than virtualenv', oursSys < venvSys, `${(venvSys / oursSys).toFixed(1)}x`);
  } else {
    console.log('\n(virtualenv comparison skipped: /usr/bin/virtualenv or a /usr/bin python3 is missing)');
  }

  console.log('\nCLI (node dist/cli.js create), peak memory via /usr/bin/time -v');
  if (existsSync(path.join(root, 'dist', 'cli.js'))) {
    const env = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = path.join(tmp, 'xdg');
    for (const [label, extra] of [
      ['--without-pip', ['--without-pip']],
      ['with pip (first run: fills the cache)', []],
      ['with pip (warm cache)', []],
    ] as const) {
      const kb = peakRssKb(['create', '--python', newest.path, ...extra, target()]);
      console.log(`  ${label.padEnd(40)} peak RSS ${kb === undefined ? '?' : `${(kb / 1024).toFixed(1)} MiB`}`);
    }
    process.env.XDG_CACHE_HOME = env;
    const cliTimes = await measure(11, (d) => {
      execFileSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'create', '--python', newest.path, '--without-pip', d], { env: { ...peerEnv(), XDG_CACHE_HOME: path.join(tmp, 'xdg') } });
    });
    report('CLI create --without-pip (process start included)', cliTimes);
  } else {
    console.log('  dist/cli.js not built; run npm run build');
  }

  console.log('\nratios');
  console.log(`  no pip:   python -m venv / EnvBuilder = ${(venvNoPip / oursNoPip).toFixed(1)}x`);
  console.log(`  with pip: python -m venv / EnvBuilder = ${(venvPip / oursPip).toFixed(1)}x`);
  console.log('\ntargets');
  for (const v of verdicts) console.log(v);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * The speed goals of issue 15, each next to its reference measured in this same run, runs of the
 * two sides interleaved so that other work on the machine slows both alike. Medians and p90 of
 * BENCH_RUNS (default 15) runs; the ratio is what to read on a busy machine.
 *
 * - seeded create (pip from a warm cache), in-process, 3.13 and 3.12: vs `python -m venv`, and on
 *   Debian's python3 vs `virtualenv` (app-data seeder, warm);
 * - the command line's CPU time (user + system, from wait4) vs `node -e 0`: `--help` and
 *   `create --without-pip`; with valgrind present, also instruction counts (callgrind, one run each);
 * - discovery over the generated 10,000-folder tree (bench/discoveryTree.ts): `venv-manager list
 *   --json` as a whole process, and the in-process scan, vs `find DIR -name pyvenv.cfg`.
 *
 * Floors, measured in the same run, say how much of a row is the file system's: the same tree made
 * by the plainest synchronous calls (one mkdir per folder, one link per file) in the same folder,
 * and a bare Node readdir walk of the discovery tree.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findWorkspaceEnvironments } from '../src/core/discovery';
import { useInlineFileSystem } from '../src/core/asyncFs';
import { EnvBuilder, type EnvBuilderOptions } from '../src/core/envBuilder';
import { findPythons } from '../test/fixtures/pythons';
import { ensureDiscoveryTree } from './discoveryTree';

const RUNS = Math.max(15, Number(process.env.BENCH_RUNS ?? 15));
/** BENCH_PARTS=create,cli,discovery (any of them) runs only those parts; all by default. */
const PARTS = new Set((process.env.BENCH_PARTS ?? 'create,cli,discovery').split(',').map((s) => s.trim()));
const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
const tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'vm-bench-speed-')));
let counter = 0;
const fresh = () => path.join(tmp, `env-${++counter}`);

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
const median = (xs: readonly number[]) => quantile(xs, 0.5);
const p90 = (xs: readonly number[]) => quantile(xs, 0.9);

const summary: string[] = [];
/** One row: ours and the reference, median and p90 each, and the ratio of the medians (and of the p90s). */
function row(what: string, ours: readonly number[], refName: string, ref: readonly number[], unit = 'ms'): { ratio: number; ratioP90: number } {
  const ratio = median(ours) / median(ref);
  const ratioP90 = p90(ours) / p90(ref);
  const f = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ${unit}`;
  const line = `  ${what}\n      ours ${f(median(ours))} (p90 ${f(p90(ours))}, n=${ours.length})   ${refName} ${f(median(ref))} (p90 ${f(p90(ref))}, n=${ref.length})   ours/ref ${ratio.toFixed(3)} (p90 ${ratioP90.toFixed(3)})`;
  console.log(line);
  return { ratio, ratioP90 };
}
function goal(what: string, met: boolean, detail: string): void {
  summary.push(`  ${met ? 'MET ' : 'MISS'} ${what}: ${detail}`);
}

/** A clean environment for the subprocesses (no PIP_* settings, no active venv). */
function peerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(PIP_|VIRTUAL_ENV)/.test(k)) env[k] = v;
  return env;
}

function wall(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env: peerEnv(), stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return performance.now() - t0;
}

// Node cannot see a child's resource usage, so a small Python driver runs the commands (stdout and
// stderr to /dev/null) and reports each one's wall time and CPU time (user + system, from wait4).
const RUSAGE_DRIVER = String.raw`
import json, os, sys, time
devnull = os.open(os.devnull, os.O_RDWR)
out = []
for argv in json.load(sys.stdin):
    t0 = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
    _, status, ru = os.wait4(pid, 0)
    if status != 0:
        sys.exit('failed (%d): %s' % (status, ' '.join(argv)))
    out.append([(time.perf_counter() - t0) * 1000, (ru.ru_utime + ru.ru_stime) * 1000])
print(json.dumps(out))
`;

/** Runs each command line once, in order; returns [wall ms, cpu ms] for each. */
function rusage(python: string, commands: string[][]): [number, number][] {
  const r = spawnSync(python, ['-c', RUSAGE_DRIVER], { input: JSON.stringify(commands), env: peerEnv(), encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`rusage driver: ${r.stderr}`);
  return JSON.parse(r.stdout) as [number, number][];
}

/** Instructions executed (callgrind, every thread), or undefined without valgrind. */
function instructions(argv: string[]): number | undefined {
  const r = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', ...argv], { env: peerEnv(), encoding: 'utf8', maxBuffer: 64 << 20 });
  const m = /Collected : (\d+)/.exec(r.stderr ?? '');
  return m ? Number(m[1]) : undefined;
}


/** What a tree holds, parents first: folders, files (with their size) and symbolic links (with their target). */
type TreeOp = { kind: 'dir'; rel: string } | { kind: 'file'; rel: string; size: number } | { kind: 'symlink'; rel: string; target: string };
function treeOps(dir: string, rel = ''): TreeOp[] {
  const ops: TreeOp[] = [];
  for (const name of readdirSync(path.join(dir, rel)).sort()) {
    const r = rel === '' ? name : path.join(rel, name);
    const st = lstatSync(path.join(dir, r));
    if (st.isSymbolicLink()) ops.push({ kind: 'symlink', rel: r, target: readlinkSync(path.join(dir, r)) });
    else if (st.isDirectory()) ops.push({ kind: 'dir', rel: r }, ...treeOps(dir, r));
    else ops.push({ kind: 'file', rel: r, size: st.size });
  }
  return ops;
}

/** The floor of a seeded create: `template`'s tree at `dest` by synchronous mkdir, hard link (files) and symlink calls. */
function makeTreeFloor(template: string, ops: readonly TreeOp[], dest: string): void {
  mkdirSync(dest);
  for (const op of ops) {
    const to = path.join(dest, op.rel);
    if (op.kind === 'dir') mkdirSync(to);
    else if (op.kind === 'symlink') symlinkSync(op.target, to);
    else linkSync(path.join(template, op.rel), to);
  }
}

/**
 * Every tree made here stays until the run ends (the whole bench folder is removed then): removing a
 * 1,000-file tree between two timed creates moved ext4's deferred work for it (journal commits,
 * discards of the freed blocks) into the next timed create, and measured that instead. With removals
 * between runs the floor below was 82-97 ms; the same floor with nothing removed just before takes
 * 9-13 ms on the same disk.
 */
async function seededCreate(python: string, label: string): Promise<void> {
  const cacheDir = path.join(tmp, 'cache');
  const opts: EnvBuilderOptions = { python, cacheDir, symlinks: true, withPip: true, scmIgnoreFiles: ['git'] };
  const template = fresh();
  await new EnvBuilder(opts).create(template); // fills the facts and seed caches: what "warm" means
  const ops = treeOps(template);
  const ours: number[] = [];
  const inline: number[] = [];
  const venv: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(await timedCreate(opts, fresh()));
    inline.push(await timedCreate(opts, fresh(), true));
    venv.push(wall(python, ['-m', 'venv', fresh()]));
    floor.push(timedFloor(template, ops, fresh()));
  }
  const r = row(`seeded create in-process, warm cache, ${label}`, ours, 'python -m venv', venv);
  const dirs = ops.filter((o) => o.kind === 'dir').length;
  row(`  the same, against its floor: the env's ${dirs + 1} folders and ${ops.length - dirs} files/links made by plain sync calls here`, ours, 'floor', floor);
  row('  the same with the file system inline (useInlineFileSystem, as the command line runs)', inline, 'floor', floor);
  goal(`seeded create ${label}: median <= 30 ms, p90 <= 60 ms`, median(ours) <= 30 && p90(ours) <= 60, `median ${median(ours).toFixed(1)} ms, p90 ${p90(ours).toFixed(1)} ms (${(1 / r.ratio).toFixed(0)}x faster than python -m venv)`);
  await onTmpfs(python, label);
}

/** One create of `dir`, in ms; `inline` runs core's file-system calls inline for it. */
async function timedCreate(opts: EnvBuilderOptions, dir: string, inline = false): Promise<number> {
  useInlineFileSystem(inline);
  try {
    const t0 = performance.now();
    await new EnvBuilder(opts).create(dir);
    return performance.now() - t0;
  } finally {
    useInlineFileSystem(false);
  }
}

function timedFloor(template: string, ops: TreeOp[], dir: string): number {
  const t0 = performance.now();
  makeTreeFloor(template, ops, dir);
  return performance.now() - t0;
}

/**
 * The same create on tmpfs (/dev/shm), seed cache and env both there: what the code costs without
 * the disk's file system under it. Not a goal row (the goal is about the disk), a figure to read
 * next to the floor above.
 */
async function onTmpfs(python: string, label: string): Promise<void> {
  let base: string;
  try {
    base = mkdtempSync('/dev/shm/vm-bench-speed-');
  } catch {
    console.log('  (tmpfs row skipped: /dev/shm is not writable)');
    return;
  }
  try {
    let k = 0;
    const next = () => path.join(base, `env-${++k}`);
    const opts: EnvBuilderOptions = { python, cacheDir: path.join(base, 'cache'), symlinks: true, withPip: true, scmIgnoreFiles: ['git'] };
    const template = next();
    await new EnvBuilder(opts).create(template);
    const ops = treeOps(template);
    const ours: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      ours.push(await timedCreate(opts, next()));
      floor.push(timedFloor(template, ops, next()));
    }
    row(`  the same on tmpfs (/dev/shm: seed cache and env), ${label}`, ours, 'floor on tmpfs', floor);
    summary.push(`  info seeded create ${label} on tmpfs: median ${median(ours).toFixed(1)} ms, p90 ${p90(ours).toFixed(1)} ms (floor ${median(floor).toFixed(1)} ms)`);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
async function versusVirtualenv(): Promise<void> {
  const virtualenv = '/usr/bin/virtualenv';
  const system = findPythons().find((p) => p.path.startsWith('/usr/bin/'));
  if (!existsSync(virtualenv) || !system) {
    console.log('  (virtualenv row skipped: /usr/bin/virtualenv or a /usr/bin python3 is missing)');
    return;
  }
  // Debian's virtualenv seeds offline only for Debian's own python3.
  const appData = path.join(tmp, 'virtualenv-app-data');
  const args = (d: string) => ['-q', '-p', system.path, '--app-data', appData, '--no-periodic-update', '--no-download', '--no-wheel', d];
  wall(virtualenv, args(fresh()));
  const opts: EnvBuilderOptions = { python: system.path, cacheDir: path.join(tmp, 'cache'), symlinks: true, withPip: true, scmIgnoreFiles: ['git'] };
  await new EnvBuilder(opts).create(fresh());
  const ours: number[] = [];
  const ref: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = fresh();
    const t0 = performance.now();
    await new EnvBuilder(opts).create(dir);
    ours.push(performance.now() - t0);
    ref.push(wall(virtualenv, args(fresh())));
  }
  row(`seeded create in-process (pip + setuptools), warm, ${system.label}`, ours, 'virtualenv (app-data, warm)', ref);
}

function commandLine(driver: string, python: string): void {
  const node = process.execPath;
  const xdg = path.join(tmp, 'xdg');
  process.env.XDG_CACHE_HOME = xdg; // the CLI's interpreter-facts cache, warmed next
  const template = fresh();
  execFileSync(node, [cli, 'create', '--python', python, '--without-pip', template], { env: peerEnv() }); // warms the facts and code caches
  // The floor: node making the same env tree (folders, files of the same sizes, links) with plain synchronous calls.
  const floorScript = path.join(tmp, 'floor-without-pip.js');
  writeFileSync(
    floorScript,
    `const fs = require('fs'), path = require('path'); const d = process.argv[2]; fs.mkdirSync(d);
for (const op of ${JSON.stringify(treeOps(template))}) { const to = path.join(d, op.rel);
  if (op.kind === 'dir') fs.mkdirSync(to); else if (op.kind === 'symlink') fs.symlinkSync(op.target, to); else fs.writeFileSync(to, 'x'.repeat(op.size)); }\n`,
  );
  const rounds: string[][] = [];
  for (let i = 0; i < RUNS; i++) {
    rounds.push([node, '-e', '0'], [node, cli, '--help'], [node, cli, 'create', '--python', python, '--without-pip', fresh()], [node, floorScript, fresh()]);
  }
  const results = rusage(driver, rounds);
  const pick = (k: number) => results.filter((_, i) => i % 4 === k);
  const [nodeRuns, helpRuns, createRuns, floorRuns] = [pick(0), pick(1), pick(2), pick(3)];
  const cpu = (xs: [number, number][]) => xs.map((x) => x[1]);
  const help = row('`venv-manager --help`, CPU (user + sys)', cpu(helpRuns), 'node -e 0', cpu(nodeRuns));
  const create = row('`venv-manager create --without-pip`, CPU (user + sys)', cpu(createRuns), 'node -e 0', cpu(nodeRuns));
  row('  floor: node making the same env tree with plain sync calls, CPU', cpu(floorRuns), 'node -e 0', cpu(nodeRuns));
  row('`venv-manager create --without-pip`, wall', createRuns.map((x) => x[0]), 'node -e 0', nodeRuns.map((x) => x[0]));
  const counts = process.env.BENCH_CALLGRIND === '0' ? undefined : instructions([node, '-e', '0']);
  let detail = '';
  if (counts !== undefined) {
    const helpCount = instructions([node, cli, '--help'])!;
    const createCount = instructions([node, cli, 'create', '--python', python, '--without-pip', fresh()])!;
    const m = (n: number) => `${(n / 1e6).toFixed(0)} M`;
    console.log(`  instructions (callgrind, one run each): node -e 0 ${m(counts)}, --help ${m(helpCount)} (${(helpCount / counts).toFixed(3)}x), create --without-pip ${m(createCount)} (${(createCount / counts).toFixed(3)}x)`);
    detail = `; instructions ${(helpCount / counts).toFixed(3)}x / ${(createCount / counts).toFixed(3)}x`;
  }
  goal('--help CPU within 1.1x of node -e 0', help.ratio <= 1.1, `${help.ratio.toFixed(3)}x${detail ? detail.replace(/ \/ .*/, '') : ''}`);
  goal('create --without-pip CPU within 1.25x of node -e 0', create.ratio <= 1.25, `${create.ratio.toFixed(3)}x${detail ? `; instructions ${detail.split(' / ')[1]}` : ''}`);
}

async function discovery(driver: string): Promise<void> {
  const tree = ensureDiscoveryTree();
  const node = process.execPath;
  const find = ['find', tree, '-name', 'pyvenv.cfg'];
  // Warm the OS cache for both sides.
  rusage(driver, [find, [node, cli, 'list', '--json', tree]]);
  // The floor of a Node walk: readdir (with types) of every folder, down to the first pyvenv.cfg, skipping what discovery always skips.
  const walkScript = path.join(tmp, 'bare-walk.js');
  writeFileSync(
    walkScript,
    `const fs = require('fs'), path = require('path'); const skip = new Set(['node_modules', '.git', 'site-packages', '__pycache__']); let n = 0;
const q = [process.argv[2]]; while (q.length) { const d = q.pop(); const es = fs.readdirSync(d, { withFileTypes: true });
  if (es.some((e) => e.name === 'pyvenv.cfg' && !e.isDirectory())) { n++; continue; }
  for (const e of es) if (e.isDirectory() && !skip.has(e.name)) q.push(path.join(d, e.name)); }
console.log(n);\n`,
  );
  const rounds: string[][] = [];
  for (let i = 0; i < RUNS; i++) rounds.push(find, [node, cli, 'list', '--json', tree], [node, cli, 'list', '--json', '--depth', '1000', tree], [node, walkScript, tree]);
  const results = rusage(driver, rounds);
  const pick = (k: number) => results.filter((_, i) => i % 4 === k);
  const wallOf = (xs: [number, number][]) => xs.map((x) => x[0]);
  const cpuOf = (xs: [number, number][]) => xs.map((x) => x[1]);
  const whole = row('`venv-manager list --json` (whole process, default depth), wall', wallOf(pick(1)), 'find -name pyvenv.cfg', wallOf(pick(0)));
  const wholeCpu = row('`venv-manager list --json` (whole process, default depth), CPU (user + sys)', cpuOf(pick(1)), 'find -name pyvenv.cfg', cpuOf(pick(0)));
  row('`venv-manager list --json --depth 1000` (whole process), wall', wallOf(pick(2)), 'find -name pyvenv.cfg', wallOf(pick(0)));
  row('  floor: a bare node readdir walk (no cfg read, nothing inspected), CPU', cpuOf(pick(3)), 'find -name pyvenv.cfg', cpuOf(pick(0)));
  goal('list --json process within 1.5x of find', whole.ratio <= 1.5, `${whole.ratio.toFixed(2)}x wall, ${wholeCpu.ratio.toFixed(2)}x CPU`);

  const scan: number[] = [];
  const findTimes: number[] = [];
  let found = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    found = (await findWorkspaceEnvironments(tree)).length;
    scan.push(performance.now() - t0);
    findTimes.push(wall(find[0]!, find.slice(1)));
  }
  const inProcess = row(`in-process scan (${found} envs, every cfg parsed, health checked), wall`, scan, 'find -name pyvenv.cfg', findTimes);
  goal('in-process scan faster than find', inProcess.ratio < 1, `${inProcess.ratio.toFixed(2)}x`);
}

async function main(): Promise<void> {
  const pythons = findPythons();
  const driver = pythons.at(-1)?.path;
  if (!driver) throw new Error('no CPython found');
  if (!existsSync(cli)) throw new Error(`${cli} is not built; run npm run build`);
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`speed benchmark — ${os.cpus().length} CPUs, ${os.platform()} ${os.release()}, node ${process.version}, ${new Date().toISOString()}, load average ${load()}`);

  // The command line first, before the seeded-create rows make about 60,000 files: measured after
  // rows that also removed their trees as they went, the floor of `create --without-pip` alone was
  // 1.24-1.34x node -e 0 instead of 1.02-1.11x (see seededCreate on removals).
  if (PARTS.has('cli')) {
    console.log('\ncommand line');
    commandLine(driver, pythons.at(-1)!.path);
  }

  if (PARTS.has('create')) {
    console.log('\nseeded create');
    for (const minor of [13, 12]) {
      const py = [...pythons].reverse().find((p) => p.version[0] === 3 && p.version[1] === minor);
      if (py) await seededCreate(py.path, py.label);
      else console.log(`  (no CPython 3.${minor} found)`);
    }
    await versusVirtualenv();
  }

  if (PARTS.has('discovery')) {
    console.log('\ndiscovery');
    await discovery(driver);
  }

  console.log(`\ngoals (load average at the end ${load()})`);
  for (const line of summary) console.log(line);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => rmSync(tmp, { recursive: true, force: true }));

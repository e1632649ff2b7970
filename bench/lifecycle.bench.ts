/**
 * Recreate and clear against what a user does by hand in the same run, medians of RUNS:
 * - recreate: `python -m venv --clear ENV && ENV/bin/python -m pip install -r FILE`
 *   (which destroys the old env first) vs recreateEnvironment (old env kept until the new one works);
 * - clear: `python -m venv --clear ENV` (with pip) vs clearEnvironment (same options kept);
 * - install: `ENV/bin/python -m pip install -r FILE` into an env (no way back if it fails half-way)
 *   vs installIntoEnvironment (snapshot of hard links first); the packages are uninstalled,
 *   untimed, between runs.
 * Offline: the requirements come from a local wheel folder (PIP_NO_INDEX / PIP_FIND_LINKS).
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearEnvironment, installIntoEnvironment, recreateEnvironment } from '../src/core/lifecycle';
import { makeEnv, makeWheelhouse, tempDir, testPython, writeRequirements } from '../test/fixtures/lifecycle';

const RUNS = 5;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function time(fn: () => Promise<void> | void): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function main(): Promise<void> {
  const py = await testPython();
  const work = await tempDir('vm-lifecycle-bench-');
  const wheels = await makeWheelhouse(path.join(work, 'wheels'));
  const req = await writeRequirements(work, 'requirements.txt', ['alpha==1.0', 'gamma==3.0']);
  const ours = path.join(work, 'ours', 'env');
  const theirs = path.join(work, 'theirs', 'env');
  await fs.mkdir(path.dirname(ours));
  await fs.mkdir(path.dirname(theirs));
  await makeEnv(ours, py.path);
  execFileSync(py.path, ['-m', 'venv', theirs]);
  // One untimed round each, so caches (interpreter facts, seed image, pip's own) are warm for both.
  await recreateEnvironment(ours, { requirements: req, env: wheels.env, installer: 'pip' });
  execFileSync(py.path, ['-m', 'venv', '--clear', theirs]);

  const byHand = { recreate: [] as number[], clear: [] as number[], install: [] as number[] };
  const lifecycle = { recreate: [] as number[], clear: [] as number[], install: [] as number[] };
  const pip = (env: string, ...args: string[]) => execFileSync(path.join(env, 'bin', 'python'), ['-m', 'pip', ...args, '-q', '--disable-pip-version-check'], { env: wheels.env });
  for (let i = 0; i < RUNS; i++) {
    byHand.recreate.push(await time(() => {
      execFileSync(py.path, ['-m', 'venv', '--clear', theirs]);
      execFileSync(path.join(theirs, 'bin', 'python'), ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '-r', req], { env: wheels.env });
    }));
    lifecycle.recreate.push(await time(() => recreateEnvironment(ours, { requirements: req, env: wheels.env, installer: 'pip' })));
    byHand.clear.push(await time(() => { execFileSync(py.path, ['-m', 'venv', '--clear', theirs]); }));
    lifecycle.clear.push(await time(() => clearEnvironment(ours)));
    byHand.install.push(await time(() => { pip(theirs, 'install', '-r', req); }));
    lifecycle.install.push(await time(() => installIntoEnvironment(ours, { requirements: req, env: wheels.env, installer: 'pip' })));
    pip(theirs, 'uninstall', '-y', 'alpha', 'beta', 'gamma');
    pip(ours, 'uninstall', '-y', 'alpha', 'beta', 'gamma');
  }
  const files = Number(execFileSync('find', [ours, '-type', 'f'], { encoding: 'utf8' }).split('\n').filter(Boolean).length);
  const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
  console.log(`Python ${py.version.join('.')} (${py.path}), ${RUNS} runs each, medians`);
  const byHandWhat = { recreate: 'python -m venv --clear + pip install -r', clear: 'python -m venv --clear', install: 'pip install -r' };
  for (const op of ['recreate', 'clear', 'install'] as const) {
    const a = median(byHand[op]);
    const b = median(lifecycle[op]);
    console.log(`${op.padEnd(8)}  by hand (${byHandWhat[op]}): ${fmt(a)}   venv-manager: ${fmt(b)}   ratio venv-manager/by-hand: ${(b / a).toFixed(2)}${op === 'install' ? ` (snapshot of ${files} files)` : ''}`);
    console.log(`          runs by hand: ${byHand[op].map(fmt).join(', ')}; venv-manager: ${lifecycle[op].map(fmt).join(', ')}`);
  }
  await fs.rm(work, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

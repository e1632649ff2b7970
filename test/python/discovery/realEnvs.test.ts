// Environments made by the real tools on this machine: CPython's venv (for interpreters discovery
// found), Debian's virtualenv, and our own EnvBuilder. Discovery must describe each correctly.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createEnvironment } from '../../../src/core/envBuilder';
import { findInterpreters, findWorkspaceEnvironments, inspectEnvironment, type BaseInterpreter } from '../../../src/core/discovery';
import { tempDir } from '../../fixtures/discovery';

/** Asked of the env's own python by the test (discovery never runs it). */
function facts(envPython: string): { version: string; purelib: string; prefix: string } {
  const out = execFileSync(envPython, ['-c', 'import sys, sysconfig, json; print(json.dumps({"version": "%d.%d.%d" % sys.version_info[:3], "purelib": sysconfig.get_paths()["purelib"], "prefix": sys.prefix}))'], { encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out);
}

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

describe('environments made by real tools', () => {
  const t = tempDir('real');
  let pythons: BaseInterpreter[] = [];

  before(async () => {
    const all = (await findInterpreters()).filter((i) => i.implementation === 'cpython' && /^3\.\d+\.\d+$/.test(i.version ?? '') && Number(i.version!.split('.')[1]) >= 6);
    // Newest, oldest and the system's (Debian) interpreter: enough spread without making a dozen envs.
    const picked = new Map<string, BaseInterpreter>();
    for (const i of [all[0], all[all.length - 1], all.find((i) => i.path.startsWith('/usr/'))]) if (i) picked.set(i.path, i);
    pythons = [...picked.values()];
  });
  after(() => t.cleanup());

  test('python -m venv, for several discovered interpreters', async (ctx) => {
    if (pythons.length === 0) return ctx.skip('no CPython 3 found');
    for (const py of pythons) {
      const minor = Number(py.version!.split('.')[1]);
      const dir = path.join(t.dir, 'venv', `env-${py.version}`);
      const args = ['-m', 'venv', '--without-pip', ...(minor >= 8 ? ['--prompt', `it's "${py.version}"`] : []), dir];
      execFileSync(py.path, args, { timeout: 120_000 });
      const env = await inspectEnvironment(dir);
      assert.ok(env, `${dir} not recognised`);
      const real = facts(env.interpreterPath);
      assert.equal(env.kind, 'venv');
      assert.equal(env.version, real.version, `${py.path}`);
      assert.equal(env.version, py.version, 'the version discovery listed for the base matches the env it made');
      assert.deepEqual(env.health, { ok: true, problems: [] }, `${py.path}: ${JSON.stringify(env.health)}`);
      assert.equal(env.sitePackages, real.purelib);
      assert.equal(realpathSync(env.path), realpathSync(real.prefix));
      assert.ok(env.baseInterpreter && existsSync(env.baseInterpreter));
      if (minor >= 8) assert.equal(env.prompt, `it's "${py.version}"`);
    }
  });

  test('python -m venv --copies, then Python "upgraded in place" and home moved', async (ctx) => {
    const py = pythons.find((p) => Number(p.version!.split('.')[2]) > 0);
    if (!py) return ctx.skip('no interpreter with a patch level > 0');
    const dir = path.join(t.dir, 'copies');
    execFileSync(py.path, ['-m', 'venv', '--without-pip', '--copies', dir], { timeout: 120_000 });
    assert.deepEqual((await inspectEnvironment(dir))?.health.problems, []);
    const cfgPath = path.join(dir, 'pyvenv.cfg');
    const original = readFileSync(cfgPath, 'utf8');
    const [major, minor] = py.version!.split('.');
    // The cfg claims an older patch level than the install on disk: what an in-place upgrade leaves.
    writeFileSync(cfgPath, original.replace(/^version = .*$/m, `version = ${major}.${minor}.0`));
    const upgraded = await inspectEnvironment(dir);
    assert.deepEqual(upgraded?.health.problems.map((p) => p.code), ['version-mismatch']);
    writeFileSync(cfgPath, original.replace(/^home = .*$/m, `home = ${path.join(t.dir, 'gone', 'bin')}`));
    assert.deepEqual((await inspectEnvironment(dir))?.health.problems.map((p) => p.code), ['base-missing']);
  });

  test('virtualenv (the Debian package)', async (ctx) => {
    const virtualenv = ['/usr/bin/virtualenv', which('virtualenv')].find((p) => p && existsSync(p));
    if (!virtualenv) return ctx.skip('virtualenv is not installed');
    const dir = path.join(t.dir, 'virtualenv-env');
    execFileSync(virtualenv, ['-q', '--no-pip', '--no-setuptools', '--no-wheel', '--no-periodic-update', '-p', '/usr/bin/python3', dir], { timeout: 120_000, env: { ...process.env, VIRTUALENV_OVERRIDE_APP_DATA: path.join(t.dir, 'appdata') } });
    const env = await inspectEnvironment(dir);
    assert.ok(env);
    const real = facts(env.interpreterPath);
    assert.equal(env.kind, 'virtualenv');
    assert.equal(env.version, real.version);
    assert.deepEqual(env.health, { ok: true, problems: [] });
    assert.equal(env.sitePackages, real.purelib);
    assert.ok(env.cfg?.values.get('virtualenv'));
  });

  test("our own builder's environments", async (ctx) => {
    const py = pythons[0];
    if (!py) return ctx.skip('no CPython 3 found');
    const dir = path.join(t.dir, 'ours', '.venv');
    await createEnvironment(dir, { python: py.path, withPip: false, prompt: 'ours', cacheDir: path.join(t.dir, 'cache') });
    const env = await inspectEnvironment(dir);
    assert.ok(env);
    const real = facts(env.interpreterPath);
    assert.equal(env.kind, 'venv');
    assert.equal(env.version, real.version);
    assert.equal(env.prompt, 'ours');
    assert.deepEqual(env.health, { ok: true, problems: [] });
    assert.equal(env.sitePackages, real.purelib);
  });

  test('a workspace scan finds all of them', async (ctx) => {
    if (pythons.length === 0) return ctx.skip('no CPython 3 found');
    const found = await findWorkspaceEnvironments(t.dir);
    const rels = found.map((e) => path.relative(t.dir, e.path));
    for (const py of pythons) assert.ok(rels.includes(path.join('venv', `env-${py.version}`)), rels.join());
    assert.ok(rels.includes(path.join('ours', '.venv')));
  });
});

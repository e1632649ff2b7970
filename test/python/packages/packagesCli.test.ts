// `venv-manager packages` and `find-package` on real envs; outdated packages from a local
// find-links folder that holds newer wheels (offline); installing, upgrading and uninstalling
// packages all or nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { changePackages } from '../../../src/core/lifecycle';
import { checkOutdated, parseOutdatedJson, readInstalledDistributions, sitePackagesOf } from '../../../src/core/packages';
import { assertFailsLeavingEnvUnchanged, makeEnv, makeWheelhouse, removeTempDir, tempDir, testPython, type TestPython, type Wheelhouse } from '../../fixtures/lifecycle';
import { envPip, writeEditableProject } from '../../fixtures/packages';
import { buildWheel } from '../../fixtures/wheels';

const CLI = path.resolve(__dirname, '../../../../dist/cli.js');
let py: TestPython;
let work: string;
let wheels: Wheelhouse;
/** Two projects with envs: one/.venv (alpha 1.0, beta, Foo_Bar 1.0, editable my-app), two/env ($() in the path; Foo_Bar 2.0). */
let one: string;
let two: string;

before(async () => {
  py = await testPython();
  work = await tempDir('vm-pkgcli-');
  wheels = await makeWheelhouse(path.join(work, 'wheels'));
  // A user pip.conf must not decide what is "latest" (a machine-wide one is overridden by the
  // PIP_* variables, which pip reads after its config files).
  wheels.env.PIP_CONFIG_FILE = os.devNull;
  await buildWheel(wheels.dir, { name: 'Foo_Bar', version: '1.0' });
  await buildWheel(wheels.dir, { name: 'Foo_Bar', version: '2.0' });
  one = path.join(work, 'root', 'one', '.venv');
  two = path.join(work, 'root', 'two $(x) é', 'env');
  await Promise.all([makeEnv(one, py.path), makeEnv(two, py.path)]);
  const project = await writeEditableProject(path.join(work, 'root', 'one', 'app'), 'my-app', '0.1');
  envPip(one, ['install', '-q', 'alpha==1.0', 'Foo_Bar==1.0'], wheels.env);
  envPip(one, ['install', '-q', '--no-build-isolation', '-e', project], wheels.env);
  envPip(two, ['install', '-q', 'foo-bar==2.0'], wheels.env);
  // Newer releases appear in the index only now: alpha 1.0 -> 1.5 is outdated, Foo_Bar 1.0 -> 2.0 too.
  await buildWheel(wheels.dir, { name: 'alpha', version: '1.5', requires: ['beta>=2'] });
});

after(() => removeTempDir(work));

function cli(args: string[], env: NodeJS.ProcessEnv = wheels.env) {
  return spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: work });
}

describe('venv-manager packages', () => {
  test('--json: every distribution with version, requested, editable and its folder', () => {
    const r = cli(['packages', one, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.format, 1);
    assert.equal(out.environment, one);
    const byName = new Map<string, any>(out.packages.map((p: any) => [p.normalizedName, p]));
    assert.deepEqual([...byName.keys()].filter((n) => !['pip', 'setuptools'].includes(n)), ['alpha', 'beta', 'foo-bar', 'my-app']);
    assert.deepEqual([byName.get('alpha').version, byName.get('alpha').requested], ['1.0', true]);
    assert.equal(byName.get('beta').requested, false);
    assert.equal(byName.get('foo-bar').name, 'Foo_Bar');
    assert.deepEqual([byName.get('my-app').editable, byName.get('my-app').sourceFolder], [true, path.join(work, 'root', 'one', 'app')]);
    assert.equal(out.outdated, undefined, 'the index is not asked without --outdated');
    assert.ok(!('latest' in byName.get('alpha')));
  });

  test('text: one line per package; a missing RECORD is shown', async () => {
    const site = (await sitePackagesOf(two))!;
    const info = (await fs.readdir(site)).find((n) => n.startsWith('foo_bar-'))!;
    await fs.rename(path.join(site, info, 'RECORD'), path.join(site, info, 'RECORD.away'));
    try {
      const r = cli(['packages', two]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^Foo_Bar\s+2\.0\s+requested, NO-RECORD$/m);
      assert.match(r.stdout, /^pip\s+\S+\s+requested$/m);
    } finally {
      await fs.rename(path.join(site, info, 'RECORD.away'), path.join(site, info, 'RECORD'));
    }
  });

  test('--outdated asks the env\'s pip with the user\'s PIP_* settings: current -> latest, dated', () => {
    const r = cli(['packages', one, '--json', '--outdated', '--installer', 'pip']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.outdated.tool, 'pip');
    assert.ok(Math.abs(Date.parse(out.outdated.checkedAt) - Date.now()) < 10 * 60_000, out.outdated.checkedAt);
    const latest = Object.fromEntries(out.packages.filter((p: any) => p.latest).map((p: any) => [p.normalizedName, `${p.version} -> ${p.latest}`]));
    assert.deepEqual(latest, { alpha: '1.0 -> 1.5', 'foo-bar': '1.0 -> 2.0' });
    const text = cli(['packages', one, '--outdated', '--installer', 'pip']);
    assert.match(text.stdout, /^alpha\s+1\.0\s+requested, 1\.0 -> 1\.5$/m);
    assert.match(text.stdout, /^2 outdated \(asked pip\)\.$/m);
  });

  test('--outdated when the index cannot be reached: pip reports nothing newer, and we say only that; usage errors exit 2', () => {
    const unreachable = 'http://127.0.0.1:9/simple';
    const env: NodeJS.ProcessEnv = { ...wheels.env, PIP_INDEX_URL: unreachable, PIP_EXTRA_INDEX_URL: unreachable, PIP_FIND_LINKS: path.join(work, 'nowhere'), PIP_RETRIES: '0', PIP_TIMEOUT: '2' };
    delete env.PIP_NO_INDEX;
    const r = cli(['packages', one, '--outdated', '--installer', 'pip'], env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^pip reports no newer versions\.$/m);
    assert.doesNotMatch(r.stdout, /->/);
    assert.equal(cli(['packages']).status, 2);
    assert.equal(cli(['packages', one, '--installer', 'conda', '--outdated']).status, 2);
    const notEnv = cli(['packages', work]);
    assert.equal(notEnv.status, 1);
    assert.match(notEnv.stderr, /is not a virtual environment/);
  });
});

describe('venv-manager find-package', () => {
  test('every env holding it, any spelling of the name, with its version', () => {
    for (const spelling of ['foo-bar', 'FOO_BAR', 'foo.bar']) {
      const r = cli(['find-package', spelling, path.join(work, 'root'), '--json']);
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.normalizedName, 'foo-bar');
      assert.equal(out.searched, 2);
      assert.deepEqual(out.found.map((f: any) => [f.environment, f.name, f.version]), [[one, 'Foo_Bar', '1.0'], [two, 'Foo_Bar', '2.0']]);
    }
    const text = cli(['find-package', 'my_app', path.join(work, 'root')]);
    assert.equal(text.stdout, `0.1  ${one}  (my-app, editable: ${path.join(work, 'root', 'one', 'app')})\n`);
    const none = cli(['find-package', 'numpy', path.join(work, 'root')]);
    assert.equal(none.status, 0);
    assert.equal(none.stdout, 'numpy is not installed in any of the 2 environment(s) searched.\n');
    assert.equal(cli(['find-package']).status, 2);
    assert.equal(cli(['find-package', 'x', path.join(work, 'missing')]).status, 1);
  });
});

describe('checkOutdated and package operations in core', () => {
  test('parseOutdatedJson keeps well-formed rows and normalises names', () => {
    assert.deepEqual(parseOutdatedJson('[{"name":"Zed_X","version":"1","latest_version":"2","latest_filetype":"wheel"},{"name":"a"},{"name":"A.b","version":"0.1","latest_version":"0.2"}]').map((p) => [p.normalizedName, p.version, p.latest]), [['a-b', '0.1', '0.2'], ['zed-x', '1', '2']]);
    assert.deepEqual(parseOutdatedJson(''), []);
    assert.throws(() => parseOutdatedJson('WARNING: not json'), /not JSON/);
  });

  test('install, upgrade and uninstall packages by name; the tree of distributions follows', async () => {
    const env = path.join(work, 'ops', '.venv');
    await makeEnv(env, py.path);
    const names = async () => (await readInstalledDistributions(env)).filter((d) => !['pip', 'setuptools'].includes(d.normalizedName)).map((d) => `${d.name}==${d.version}`);
    await changePackages(env, { packages: ['alpha==1.0'], installer: 'pip', env: wheels.env });
    assert.deepEqual(await names(), ['alpha==1.0', 'beta==2.0']);
    const report = await checkOutdated(env, { env: wheels.env, installer: 'pip' });
    assert.deepEqual(report.packages.map((p) => [p.name, p.version, p.latest]), [['alpha', '1.0', '1.5']]);
    await changePackages(env, { packages: ['alpha'], upgrade: true, installer: 'pip', env: wheels.env });
    assert.deepEqual(await names(), ['alpha==1.5', 'beta==2.0']);
    await changePackages(env, { uninstall: ['alpha'], installer: 'pip', env: wheels.env });
    assert.deepEqual(await names(), ['beta==2.0']);
  });

  test('a package nobody has, or a spec that looks like an option: refused, env unchanged', async () => {
    const env = path.join(work, 'ops2', '.venv');
    await makeEnv(env, py.path);
    await assertFailsLeavingEnvUnchanged(env, () => changePackages(env, { packages: ['alpha==1.0', 'needs-ghost'], installer: 'pip', env: wheels.env }), (err) => {
      assert.equal(err.code, 'install-failed');
      assert.match(err.message, /^Installing alpha==1\.0, needs-ghost failed/);
    });
    await assert.rejects(changePackages(env, { packages: ['--index-url=http://evil'], installer: 'pip', env: wheels.env }), /is not a package name/);
    await assert.rejects(changePackages(env, { packages: [], installer: 'pip', env: wheels.env }), /No package named/);
    await assert.rejects(changePackages(env, { packages: ['a'], uninstall: ['b'], installer: 'pip', env: wheels.env }), /one of the two/);
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { getInterpreterInfo } from '../../../src/core/interpreter';
import { inspectEnvironment } from '../../../src/core/discovery';
import { LifecycleError, recoverEnvironment, upgradeEnvironment } from '../../../src/core/lifecycle';
import { leftovers, makeEnv, makeWheelhouse, removeTempDir, snapshotTree, tempDir, usablePythons, writeRequirements, type TestPython, type Wheelhouse } from '../../fixtures/lifecycle';
import { runCliAndKillAt } from '../../fixtures/killAt';

const CLI = path.resolve(__dirname, '../../../../dist/cli.js');
let pythons: TestPython[];
let py: TestPython;
let work: string;
let wheels: Wheelhouse;

before(async () => {
  pythons = await usablePythons();
  assert.ok(pythons.length > 0, 'no usable CPython found');
  py = pythons[0];
  work = await tempDir('vm-upgrade-');
  wheels = await makeWheelhouse(path.join(work, 'wheels'));
});

after(() => removeTempDir(work));

async function envWithGamma(label: string, python: TestPython, symlinks: boolean) {
  const project = path.join(work, label);
  await fs.mkdir(project);
  const envDir = path.join(project, 'env');
  await makeEnv(envDir, python.path, { symlinks, prompt: 'keep me' });
  const req = await writeRequirements(project, 'r.txt', ['gamma==3.0']);
  execFileSync(path.join(envDir, 'bin', 'python'), ['-m', 'pip', 'install', '-q', '-r', req], { env: wheels.env, stdio: 'pipe' });
  return { project, envDir };
}

function cfgValue(text: string, key: string): string | undefined {
  return text.split('\n').find((l) => l.startsWith(`${key} = `))?.slice(key.length + 3);
}

function runsInEnv(envDir: string, code: string): string {
  return execFileSync(path.join(envDir, 'bin', 'python'), ['-c', code], { encoding: 'utf8' }).trim();
}

describe('upgradeEnvironment', () => {
  test('after an in-place patch upgrade (old install gone, links dangling): links re-pointed, cfg rewritten, packages and prompt kept', async () => {
    const { project, envDir } = await envWithGamma('links', py, true);
    const cfgPath = path.join(envDir, 'pyvenv.cfg');
    // What the env looks like after the base moved from X.Y.(older) to X.Y.Z: the cfg names the
    // old patch release and the absolute interpreter link points into the removed old install.
    const older = `${py.version[0]}.${py.version[1]}.${py.version[2] > 0 ? py.version[2] - 1 : 0}`;
    await fs.writeFile(cfgPath, (await fs.readFile(cfgPath, 'utf8')).replace(/^version = .*$/m, `version = ${older}`));
    for (const name of await fs.readdir(path.join(envDir, 'bin'))) {
      const p = path.join(envDir, 'bin', name);
      if ((await fs.lstat(p)).isSymbolicLink() && path.isAbsolute(await fs.readlink(p))) {
        await fs.unlink(p);
        await fs.symlink(path.join(work, 'removed-old-install', 'bin', name), p);
      }
    }
    assert.throws(() => runsInEnv(envDir, 'pass'), 'the env is broken before the upgrade');

    const progress: string[] = [];
    await upgradeEnvironment(envDir, { onProgress: (m) => progress.push(m) });

    const cfg = await fs.readFile(cfgPath, 'utf8');
    assert.equal(cfgValue(cfg, 'version'), py.version.join('.'));
    assert.equal(cfgValue(cfg, 'prompt'), "'keep me'");
    assert.equal(runsInEnv(envDir, 'import gamma, sys; print(gamma.__version__, sys.prefix == sys.base_prefix)'), '3.0 False');
    const python = path.join(envDir, 'bin', 'python');
    assert.equal(await fs.realpath(python), (await getInterpreterInfo(py.path)).realExecutable);
    assert.ok(progress.some((m) => m.startsWith('Upgraded')), progress.join(' | '));
    assert.deepEqual(await leftovers(project), []);
  });

  test('copies: a stale interpreter copy is replaced by the current one', async () => {
    const { project, envDir } = await envWithGamma('copies', py, false);
    const python = path.join(envDir, 'bin', 'python');
    assert.equal((await fs.lstat(python)).isSymbolicLink(), false);
    await fs.writeFile(python, '#!/bin/sh\nexit 42\n', { mode: 0o755 });
    await upgradeEnvironment(envDir);
    assert.equal((await fs.lstat(python)).isSymbolicLink(), false, 'an env of copies stays an env of copies');
    assert.equal(runsInEnv(envDir, 'import gamma; print(gamma.__version__)'), '3.0');
    assert.deepEqual(await leftovers(project), []);
  });

  test('the check that the upgraded python runs uses the operation\'s environment, without PYTHONHOME', async () => {
    const { project, envDir } = await envWithGamma('pythonhome', py, false);
    // A PYTHONHOME meant for another Python stops an env's python from starting at all.
    const bogus = path.join(work, 'no-such-python-home');
    await upgradeEnvironment(envDir, { env: { ...process.env, PYTHONHOME: bogus } });
    const saved = process.env.PYTHONHOME;
    process.env.PYTHONHOME = bogus;
    try {
      // Given its own environment, the operation does not run anything in the caller's.
      await upgradeEnvironment(envDir, { env: { ...process.env, PYTHONHOME: undefined } });
    } finally {
      if (saved === undefined) delete process.env.PYTHONHOME;
      else process.env.PYTHONHOME = saved;
    }
    assert.equal(runsInEnv(envDir, 'import gamma; print(gamma.__version__)'), '3.0');
    assert.deepEqual(await leftovers(project), []);
  });

  test('another minor version is refused with needs-recreate, saying why, and nothing changes', async (t) => {
    const other = pythons.find((p) => p.version[1] !== py.version[1]);
    if (!other) return t.skip('only one minor version of Python on this machine');
    const { project, envDir } = await envWithGamma('minor', py, true);
    const before = await snapshotTree(envDir);
    await assert.rejects(upgradeEnvironment(envDir, { python: other.path }), (err: unknown) => {
      assert.ok(err instanceof LifecycleError);
      assert.equal(err.code, 'needs-recreate');
      assert.match(err.message, new RegExp(`cpython-${py.version[0]}${py.version[1]}`));
      assert.match(err.message, /Recreate/);
      return true;
    });
    assert.deepEqual(await snapshotTree(envDir), before);
    assert.deepEqual(await leftovers(project), []);
  });

  test('--upgrade-deps upgrades pip from the configured (PIP_*) source, packages kept', async (t) => {
    // A newer pip wheel than the one an env of `older` gets: one bundled with another interpreter.
    const pipVersion = (python: TestPython) => execFileSync(python.path, ['-c', 'import ensurepip; print(ensurepip.version())'], { encoding: 'utf8' }).trim();
    const newerThan = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true }) > 0;
    const wheelsOfAll = (await Promise.all(pythons.map(async (p) => (await getInterpreterInfo(p.path)).bundledWheels))).flat();
    const newest = wheelsOfAll.filter((w) => w.project === 'pip').sort((a, b) => b.version.localeCompare(a.version, undefined, { numeric: true }))[0];
    const older = pythons.find((p) => p.version[1] >= 12 && newest && newerThan(newest.version, pipVersion(p)));
    const newer = newest;
    if (!newer || !older) return t.skip('no pair of interpreters with different bundled pip versions');
    const { envDir } = await envWithGamma('deps', older, true);
    const pipDir = path.join(work, 'pip-wheels');
    await fs.mkdir(pipDir, { recursive: true });
    await fs.copyFile(newer.path, path.join(pipDir, path.basename(newer.path)));
    await upgradeEnvironment(envDir, { upgradeDeps: true, env: { ...wheels.env, PIP_FIND_LINKS: pipDir } });
    assert.equal(runsInEnv(envDir, 'import pip, gamma; print(pip.__version__)'), newer.version);
  });

  /** Runs `venv-manager upgrade` and SIGKILLs it where it pauses at `step`. */
  async function killUpgradeAt(envDir: string, step: string): Promise<void> {
    assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
    await runCliAndKillAt(CLI, ['upgrade', envDir], step, wheels.env);
  }


  /** An env whose cfg names another patch release of its Python, so an upgrade visibly rewrites it. */
  async function envToUpgrade(label: string) {
    const made = await envWithGamma(label, py, true);
    const cfgPath = path.join(made.envDir, 'pyvenv.cfg');
    const otherPatch = `${py.version[0]}.${py.version[1]}.${py.version[2] === 0 ? 1 : 0}`;
    await fs.writeFile(cfgPath, (await fs.readFile(cfgPath, 'utf8')).replace(/^version = .*$/m, `version = ${otherPatch}`));
    return made;
  }

  for (const step of ['upgrade:marked', 'upgrade:backed-up', 'upgrade:built']) {
    test(`killed at ${step}: discovery says incomplete, and recovery puts the env back byte for byte`, async () => {
      const { project, envDir } = await envToUpgrade(step.replace(':', '-'));
      const before = await snapshotTree(envDir);
      await killUpgradeAt(envDir, step);
      if (step === 'upgrade:backed-up') assert.throws(() => runsInEnv(envDir, 'pass'), 'mid-upgrade the interpreter entries are saved away');
      const seen = await inspectEnvironment(envDir);
      assert.ok(seen && !seen.health.ok, 'not healthy');
      assert.ok(seen.health.problems.some((p) => p.code === 'incomplete'), JSON.stringify(seen.health.problems));
      assert.equal(await recoverEnvironment(envDir), 'rolled-back');
      assert.deepEqual(await snapshotTree(envDir), before);
      assert.deepEqual(await leftovers(project), []);
    });
  }

  test('killed at upgrade:committed: the upgraded env is whole and healthy; recovery only removes the saved files', async () => {
    const { project, envDir } = await envToUpgrade('committed');
    await killUpgradeAt(envDir, 'upgrade:committed');
    assert.equal(cfgValue(await fs.readFile(path.join(envDir, 'pyvenv.cfg'), 'utf8'), 'version'), py.version.join('.'));
    assert.equal(runsInEnv(envDir, 'import gamma; print(gamma.__version__)'), '3.0');
    const seen = await inspectEnvironment(envDir);
    assert.ok(seen?.health.ok, JSON.stringify(seen?.health));
    assert.notDeepEqual(await leftovers(project), [], 'the saved files are still beside the env');
    assert.equal(await recoverEnvironment(envDir), 'completed');
    assert.equal(cfgValue(await fs.readFile(path.join(envDir, 'pyvenv.cfg'), 'utf8'), 'version'), py.version.join('.'));
    assert.deepEqual(await leftovers(project), []);
  });
});

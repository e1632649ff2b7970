// Installing a requirements file into an existing env is all or nothing: a snapshot (hard links)
// is taken first and put back on failure, cancellation or a kill. Wheels come from a local folder
// the tests build, so nothing needs the network.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inspectEnvironment } from '../../../src/core/discovery';
import { installIntoEnvironment, LifecycleError, recoverEnvironment } from '../../../src/core/lifecycle';
import { pauseCliAt, runCliAndKillAt } from '../../fixtures/killAt';
import { assertFailsLeavingEnvUnchanged, leftovers, lifecycleWorkspace, makeEnv, removeTempDir, snapshotTree, writeRequirements, type TestPython, type Wheelhouse } from '../../fixtures/lifecycle';
import { buildWheel } from '../../fixtures/wheels';

const CLI = path.resolve(__dirname, '../../../../dist/cli.js');
let py: TestPython;
let work: string;
let wheels: Wheelhouse;

before(async () => {
  ({ py, work, wheels } = await lifecycleWorkspace('vm-install-'));
  // clash needs alpha (and so beta): pip installs beta and alpha first, then clash.
  await buildWheel(wheels.dir, { name: 'clash', version: '1.0', requires: ['alpha==1.0'] });
});

after(() => removeTempDir(work));

/** A project with an env that already has gamma installed. */
async function projectWithEnv(label: string): Promise<{ project: string; envDir: string; sitePackages: string }> {
  const project = path.join(work, label);
  await fs.mkdir(project, { recursive: true });
  const envDir = path.join(project, '.venv');
  await makeEnv(envDir, py.path, { prompt: `proj ${label}` });
  const req = await writeRequirements(project, 'base.txt', ['gamma==3.0']);
  execFileSync(path.join(envDir, 'bin', 'python'), ['-m', 'pip', 'install', '-q', '-r', req], { env: wheels.env, stdio: 'pipe' });
  const lib = path.join(envDir, 'lib');
  const sitePackages = path.join(lib, (await fs.readdir(lib)).find((n) => n.startsWith('python'))!, 'site-packages');
  return { project, envDir, sitePackages };
}

function imports(envDir: string, module: string): boolean {
  return spawnSync(path.join(envDir, 'bin', 'python'), ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
}

describe('installIntoEnvironment', () => {
  test('installs into the env in place: new packages and their console scripts, old packages kept, nothing left beside it', async () => {
    const { project, envDir } = await projectWithEnv('ok');
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
    const progress: string[] = [];
    await installIntoEnvironment(envDir, { requirements: req, env: wheels.env, installer: 'pip', onProgress: (m) => progress.push(m) });
    assert.ok(imports(envDir, 'alpha') && imports(envDir, 'beta') && imports(envDir, 'gamma'));
    assert.equal(execFileSync(path.join(envDir, 'bin', 'alpha-hello'), { encoding: 'utf8' }).trim(), `alpha 1.0 from ${envDir}`);
    assert.ok(progress.some((m) => m.startsWith('Taking a snapshot')), progress.join(' | '));
    assert.ok(progress.some((m) => m.startsWith('Installed ')), progress.join(' | '));
    assert.deepEqual(await leftovers(project), []);
    assert.equal((await inspectEnvironment(envDir))?.health.ok, true);
  });

  test('fails half-way, after pip installed some packages: the env is put back byte for byte', async () => {
    const { project, envDir, sitePackages } = await projectWithEnv('halfway');
    // A file where clash's package folder goes: pip has installed beta and alpha when it fails.
    await fs.writeFile(path.join(sitePackages, 'clash'), 'in the way\n');
    const req = await writeRequirements(project, 'requirements.txt', ['clash==1.0']);
    const seen: string[] = [];
    await assertFailsLeavingEnvUnchanged(envDir, () => installIntoEnvironment(envDir, { requirements: req, env: wheels.env, installer: 'pip', log: (l) => seen.push(l) }), (err) => {
      assert.equal(err.code, 'install-failed');
      assert.ok((err.output ?? '').length > 0);
    });
    assert.match(seen.join('\n'), /Installing collected packages: beta, alpha, clash/, 'pip got as far as installing');
    assert.ok(!imports(envDir, 'alpha'), 'alpha, installed before the failure, is gone again');
    assert.ok(imports(envDir, 'gamma'));
  });

  test('a requirement nobody has: env byte for byte, pip output in the error', async () => {
    const { project, envDir } = await projectWithEnv('ghost');
    const req = await writeRequirements(project, 'requirements.txt', ['needs-ghost==1.0']);
    await assertFailsLeavingEnvUnchanged(envDir, () => installIntoEnvironment(envDir, { requirements: req, env: wheels.env, installer: 'pip' }), (err) => {
      assert.equal(err.code, 'install-failed');
      assert.match(err.message, /ghost-project-nobody-has/);
    });
  });

  const cancelMoments = [
    { label: 'while the installer runs: the installer is killed and the env is back', at: /^(Collecting|Processing) /, delayMs: 0 },
    // A few milliseconds in, the walk over the env's ~900 files is under way (if it were already
    // done, the cancel lands in the installer instead: the env must come back all the same).
    { label: 'while the snapshot is taken: nothing is left beside the env and the env is untouched', at: /^Taking a snapshot/, delayMs: 3 },
  ];
  for (const moment of cancelMoments) {
    test(`cancelled ${moment.label}`, async () => {
      const { project, envDir } = await projectWithEnv(`cancel-${moment.delayMs}`);
      const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
      const controller = new AbortController();
      await assertFailsLeavingEnvUnchanged(envDir, () => installIntoEnvironment(envDir, {
        requirements: req,
        env: wheels.env,
        installer: 'pip',
        signal: controller.signal,
        onProgress: (m) => { if (moment.at.test(m)) setTimeout(() => controller.abort(), moment.delayMs); },
      }), (err) => assert.equal(err.code, 'cancelled'));
    });
  }

  test('a missing requirements file and a folder that is not an env are refused before anything is touched', async () => {
    const { project, envDir } = await projectWithEnv('refused');
    await assertFailsLeavingEnvUnchanged(envDir, () => installIntoEnvironment(envDir, { requirements: path.join(project, 'nope.txt'), env: wheels.env }), (err) => assert.equal(err.code, 'no-requirements'));
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
    await assert.rejects(installIntoEnvironment(project, { requirements: req, env: wheels.env }), (err: unknown) => err instanceof LifecycleError && err.code === 'not-an-env');
  });

  for (const step of ['install:snapshot-taken', 'install:installer-started', 'install:installed']) {
    test(`killed at ${step}: the env is unchanged after recovery, byte for byte`, async () => {
      assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
      const { project, envDir } = await projectWithEnv(step.replace(':', '-'));
      const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
      const before = await snapshotTree(envDir);
      await runCliAndKillAt(CLI, ['install', envDir, '-r', req, '--installer', 'pip'], step, wheels.env);
      // Before the installer starts the env is untouched and recovery only drops the snapshot (and says so);
      // once it started the env is marked incomplete and the snapshot is put back.
      const installing = step !== 'install:snapshot-taken';
      const seen = await inspectEnvironment(envDir);
      assert.equal(seen?.health.problems.some((p) => p.code === 'incomplete'), installing, JSON.stringify(seen?.health));
      assert.equal(await recoverEnvironment(envDir), installing ? 'rolled-back' : 'unchanged');
      assert.deepEqual(await snapshotTree(envDir), before);
      assert.deepEqual(await leftovers(project), []);
    });
  }

  test('while the installer runs the env is reported busy (not interrupted); killed, it is incomplete', async () => {
    const { project, envDir } = await projectWithEnv('busy');
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
    const paused = await pauseCliAt(CLI, ['install', envDir, '-r', req, '--installer', 'pip'], 'install:installer-started', wheels.env);
    try {
      const running = await inspectEnvironment(envDir);
      assert.deepEqual(running?.health.problems.map((p) => p.code), ['busy']);
      assert.match(running!.health.problems[0]!.message, /install, process \d+/);
    } finally {
      await paused.kill();
    }
    const dead = await inspectEnvironment(envDir);
    assert.deepEqual(dead?.health.problems.map((p) => p.code), ['incomplete']);
    assert.equal(await recoverEnvironment(envDir), 'rolled-back');
  });

  test('killed at install:committed: the installed packages stay; recovery only removes the snapshot', async () => {
    const { project, envDir } = await projectWithEnv('committed');
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
    await runCliAndKillAt(CLI, ['install', envDir, '-r', req, '--installer', 'pip'], 'install:committed', wheels.env);
    assert.ok(imports(envDir, 'alpha'));
    assert.equal((await inspectEnvironment(envDir))?.health.ok, true);
    assert.equal(await recoverEnvironment(envDir), 'completed');
    assert.ok(imports(envDir, 'alpha') && imports(envDir, 'gamma'));
    assert.deepEqual(await leftovers(project), []);
  });

  test('the command line: venv-manager install ENV -r FILE, and usage errors with status 2', async () => {
    const { project, envDir } = await projectWithEnv('cli');
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
    const ok = spawnSync(process.execPath, [CLI, 'install', envDir, '-r', req], { env: wheels.env, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stderr, /Installed requirements\.txt into /);
    assert.ok(imports(envDir, 'alpha'));
    const noReq = spawnSync(process.execPath, [CLI, 'install', envDir], { env: wheels.env, encoding: 'utf8' });
    assert.equal(noReq.status, 2);
    assert.match(noReq.stderr, /--requirements FILE is required/);
  });
});

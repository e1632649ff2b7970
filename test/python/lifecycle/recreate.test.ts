import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inspectEnvironment } from '../../../src/core/discovery';
import { isIncompleteEnvironment, LifecycleError, recreateEnvironment } from '../../../src/core/lifecycle';
import { parsePyvenvCfg } from '../../../src/core/pyvenvCfg';
import { assertFailsLeavingEnvUnchanged, leftovers, lifecycleWorkspace, makeEnv, removeTempDir, writeRequirements, type TestPython, type Wheelhouse } from '../../fixtures/lifecycle';

let py: TestPython;
let work: string;
let wheels: Wheelhouse;

before(async () => {
  ({ py, work, wheels } = await lifecycleWorkspace());
});

after(() => removeTempDir(work));

/** A project folder with an env that already has gamma installed (so "old" is distinguishable). */
async function projectWithEnv(label: string): Promise<{ project: string; envDir: string }> {
  const project = path.join(work, label);
  await fs.mkdir(project, { recursive: true });
  const envDir = path.join(project, '.venv');
  await makeEnv(envDir, py.path, { prompt: `proj ${label}` });
  const req = await writeRequirements(project, 'old-requirements.txt', ['gamma==3.0']);
  execFileSync(path.join(envDir, 'bin', 'python'), ['-m', 'pip', 'install', '-q', '-r', req], { env: wheels.env, stdio: 'pipe' });
  return { project, envDir };
}

describe('recreateEnvironment', () => {
  test('builds a working env from requirements at the final path, keeps prompt, drops old packages', async () => {
    const { project, envDir } = await projectWithEnv('ok');
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
    const progress: string[] = [];
    await recreateEnvironment(envDir, { requirements: req, env: wheels.env, installer: 'pip', onProgress: (m) => progress.push(m) });

    const python = path.join(envDir, 'bin', 'python');
    const out = execFileSync(python, ['-c', 'import alpha, beta, sys; print(alpha.hello(), beta.__version__, sys.prefix)'], { encoding: 'utf8' }).trim();
    assert.equal(out, `alpha 1.0 2.0 ${envDir}`);
    const gamma = spawnSync(python, ['-c', 'import gamma'], { encoding: 'utf8' });
    assert.notEqual(gamma.status, 0, 'packages of the old env must not survive a recreate');
    // Console script: its shebang must name the final path, not a temporary sibling.
    const script = await fs.readFile(path.join(envDir, 'bin', 'alpha-hello'), 'utf8');
    assert.equal(script.split('\n')[0], `#!${python}`);
    assert.equal(execFileSync(path.join(envDir, 'bin', 'alpha-hello'), { encoding: 'utf8' }).trim(), `alpha 1.0 from ${envDir}`);
    const pipVersion = execFileSync(path.join(envDir, 'bin', 'pip'), ['--version'], { encoding: 'utf8' });
    assert.match(pipVersion, new RegExp(`from ${envDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/lib/`));
    const activate = await fs.readFile(path.join(envDir, 'bin', 'activate'), 'utf8');
    assert.ok(activate.includes(envDir), 'activate must name the final env path');
    assert.doesNotMatch(activate, /venv-manager-(old|new|trash)/);
    const cfg = await fs.readFile(path.join(envDir, 'pyvenv.cfg'), 'utf8');
    assert.match(cfg, /^prompt = 'proj ok'$/m);
    assert.deepEqual(parsePyvenvCfg(cfg).problems, [], 'the committed cfg carries no in-progress line');
    assert.equal(await isIncompleteEnvironment(envDir), false);
    assert.deepEqual((await inspectEnvironment(envDir))?.health, { ok: true, problems: [] });
    // pip says "Collecting alpha" for an index and "Processing .../alpha-1.0-...whl" for find-links.
    assert.ok(progress.some((m) => /^(Collecting|Processing) alpha/.test(m)), `progress: ${progress.join(' | ')}`);
    assert.ok(progress.some((m) => m.startsWith('Installed ') && m.includes('alpha-1.0')), `progress: ${progress.join(' | ')}`);
    assert.deepEqual(await leftovers(project), []);
  });

  test('a requirement nobody has: old env byte for byte, pip output in the error', async () => {
    const { project, envDir } = await projectWithEnv('ghost');
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0', 'needs-ghost==1.0']);
    await assertFailsLeavingEnvUnchanged(envDir, () => recreateEnvironment(envDir, { requirements: req, env: wheels.env, installer: 'pip' }), (err) => {
      assert.equal(err.code, 'install-failed');
      assert.match(err.message, /ghost-project-nobody-has/);
      assert.match(err.output ?? '', /ghost-project-nobody-has/);
    });
  });

  test('a corrupt wheel: old env byte for byte, error carries the output', async () => {
    const { project, envDir } = await projectWithEnv('corrupt');
    const req = await writeRequirements(project, 'requirements.txt', ['broken==1.0']);
    await assertFailsLeavingEnvUnchanged(envDir, () => recreateEnvironment(envDir, { requirements: req, env: wheels.env, installer: 'pip' }), (err) => {
      assert.equal(err.code, 'install-failed');
      assert.ok((err.output ?? '').length > 0);
    });
  });

  test('PIP_* variables reach pip: without PIP_FIND_LINKS the local wheel cannot be found', async () => {
    const { project, envDir } = await projectWithEnv('pipenv');
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
    const env = { ...wheels.env, PIP_FIND_LINKS: path.join(work, 'no-such-wheel-folder') };
    await assertFailsLeavingEnvUnchanged(envDir, () => recreateEnvironment(envDir, { requirements: req, env, installer: 'pip' }), (err) => {
      assert.equal(err.code, 'install-failed');
    });
  });

  test('cancelled while the installer runs: the installer is killed and the old env is back', async () => {
    const { project, envDir } = await projectWithEnv('cancel');
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
    const controller = new AbortController();
    await assertFailsLeavingEnvUnchanged(envDir, () => recreateEnvironment(envDir, {
      requirements: req,
      env: wheels.env,
      installer: 'pip',
      signal: controller.signal,
      onProgress: (m) => { if (/^(Collecting|Processing) /.test(m)) controller.abort(); },
    }), (err) => assert.equal(err.code, 'cancelled'));
  });

  test('cancelled while the env is being built: the old env is back', async () => {
    const { project, envDir } = await projectWithEnv('cancel-build');
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
    const controller = new AbortController();
    await assertFailsLeavingEnvUnchanged(envDir, () => recreateEnvironment(envDir, {
      requirements: req,
      env: wheels.env,
      signal: controller.signal,
      onProgress: (m) => { if (m.startsWith('Creating')) controller.abort(); },
    }), (err) => assert.ok(['cancelled', 'build-failed'].includes(err.code), err.message));
  });

  test('a build error after the old env was moved aside (an interpreter that fails): old env back byte for byte', async () => {
    const { project, envDir } = await projectWithEnv('builderror');
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
    // Executable and on disk, so every check before the swap passes; it just is not a Python.
    const fake = path.join(work, 'fake-python', 'python3');
    await fs.mkdir(path.dirname(fake), { recursive: true });
    await fs.writeFile(fake, '#!/bin/sh\necho "this is not python" >&2\nexit 3\n', { mode: 0o755 });
    const progress: string[] = [];
    await assertFailsLeavingEnvUnchanged(envDir, () => recreateEnvironment(envDir, { requirements: req, env: wheels.env, python: fake, onProgress: (m) => progress.push(m) }), (err) => {
      assert.equal(err.code, 'build-failed', err.message);
    });
    assert.ok(progress.includes('Putting the previous environment back'), `the failure came after the swap began: ${progress.join(' | ')}`);
  });

  test('a missing requirements file is refused before anything moves', async () => {
    const { project, envDir } = await projectWithEnv('noreq');
    await assertFailsLeavingEnvUnchanged(envDir, () => recreateEnvironment(envDir, { requirements: path.join(project, 'nope.txt'), env: wheels.env }), (err) => {
      assert.equal(err.code, 'no-requirements');
    });
  });

  test('a requirements file inside the env being replaced is refused before anything moves', async () => {
    const { envDir } = await projectWithEnv('reqinside');
    const req = await writeRequirements(envDir, 'requirements.txt', ['alpha==1.0']);
    await assertFailsLeavingEnvUnchanged(envDir, () => recreateEnvironment(envDir, { requirements: req, env: wheels.env }), (err) => {
      assert.equal(err.code, 'no-requirements');
      assert.match(err.message, /inside the environment/);
    });
  });

  test('an interpreter that does not exist: nothing moves', async () => {
    const { project, envDir } = await projectWithEnv('nopython');
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
    await assertFailsLeavingEnvUnchanged(envDir, () => recreateEnvironment(envDir, { requirements: req, env: wheels.env, python: path.join(work, 'no-python-here') }), (err) => {
      assert.equal(err.code, 'no-interpreter');
    });
  });

  test("installer 'uv' without uv on PATH is an error that changes nothing", async () => {
    const { project, envDir } = await projectWithEnv('nouv');
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
    const env = { ...wheels.env, PATH: path.dirname(process.execPath) };
    await assertFailsLeavingEnvUnchanged(envDir, () => recreateEnvironment(envDir, { requirements: req, env, installer: 'uv' }), (err) => {
      assert.equal(err.code, 'uv-missing');
    });
  });

  test('two recreates started at once: one runs, the other gets locked naming the holder', async () => {
    const { project, envDir } = await projectWithEnv('twice');
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
    const results = await Promise.allSettled([
      recreateEnvironment(envDir, { requirements: req, env: wheels.env, installer: 'pip' }),
      recreateEnvironment(envDir, { requirements: req, env: wheels.env, installer: 'pip' }),
    ]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(fulfilled.length, 1);
    assert.equal(rejected.length, 1);
    assert.ok(rejected[0].reason instanceof LifecycleError);
    assert.equal(rejected[0].reason.code, 'locked');
    assert.match(rejected[0].reason.message, new RegExp(`process ${process.pid}\\b`));
    assert.equal(execFileSync(path.join(envDir, 'bin', 'python'), ['-c', 'import alpha; print(alpha.hello())'], { encoding: 'utf8' }).trim(), 'alpha 1.0');
    assert.deepEqual(await leftovers(project), []);
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { progressFromLine, recreateEnvironment, uvFlagsFromPipEnv } from '../../../src/core/lifecycle';
import { leftovers, lifecycleWorkspace, makeEnv, removeTempDir, writeRequirements, type TestPython, type Wheelhouse } from '../../fixtures/lifecycle';

describe('installer output and options', () => {
  test('pip and uv lines become progress messages; noise does not', () => {
    assert.equal(progressFromLine('Collecting requests==2.31.0 (from -r requirements.txt (line 1))'), 'Collecting requests==2.31.0');
    assert.equal(progressFromLine('Processing /tmp/w/alpha-1.0-py3-none-any.whl'), 'Processing alpha-1.0-py3-none-any.whl');
    assert.equal(progressFromLine('Installing collected packages: beta, alpha'), 'Installing beta, alpha');
    assert.equal(progressFromLine('Successfully installed alpha-1.0 beta-2.0'), 'Installed alpha-1.0, beta-2.0');
    assert.equal(progressFromLine('Resolved 3 packages in 12ms'), 'Resolved 3 packages in 12ms');
    assert.equal(progressFromLine('Installed 3 packages in 5ms'), 'Installed 3 packages in 5ms');
    assert.equal(progressFromLine('  Downloading requests-2.31.0-py3-none-any.whl (62 kB)'), undefined);
    assert.equal(progressFromLine(''), undefined);
  });

  test("pip's PIP_* sources become uv flags", () => {
    assert.deepEqual(uvFlagsFromPipEnv({ PIP_INDEX_URL: 'https://i/simple', PIP_EXTRA_INDEX_URL: 'file:///a file:///b', PIP_FIND_LINKS: '/w1 /w2', PIP_NO_INDEX: 'true' }), [
      '--index-url', 'https://i/simple', '--extra-index-url', 'file:///a', '--extra-index-url', 'file:///b', '--find-links', '/w1', '--find-links', '/w2', '--no-index',
    ]);
    assert.deepEqual(uvFlagsFromPipEnv({ PIP_NO_INDEX: '0' }), []);
    assert.deepEqual(uvFlagsFromPipEnv({}), []);
  });
});

describe('installer choice', () => {
  let py: TestPython;
  let work: string;
  let wheels: Wheelhouse;
  before(async () => {
    ({ py, work, wheels } = await lifecycleWorkspace('vm-installer-'));
  });
  after(() => removeTempDir(work));

  /**
   * uv itself cannot be installed here (no registry carries it), so this `uv` on PATH records how
   * it was called and does the install with the env's pip, with pip's own PIP_* sources REMOVED:
   * the install only succeeds if the flags we pass uv carry the wheel folder.
   */
  async function fakeUv(): Promise<{ binDir: string; log: string }> {
    const binDir = path.join(work, 'fake-uv-bin');
    const log = path.join(work, 'uv-calls.log');
    await fs.mkdir(binDir, { recursive: true });
    await fs.writeFile(path.join(binDir, 'uv'), [
      '#!/bin/sh',
      `printf '%s\\n' "VIRTUAL_ENV=$VIRTUAL_ENV" "$@" > '${log}'`,
      '[ "$1" = pip ] && [ "$2" = install ] && [ "$3" = --python ] || exit 2',
      'py="$4"; shift 4',
      'exec env -u PIP_FIND_LINKS -u PIP_NO_INDEX "$py" -m pip install --disable-pip-version-check "$@"',
      '',
    ].join('\n'), { mode: 0o755 });
    return { binDir, log };
  }

  test("installer 'auto' uses uv when it is on PATH, passing the env's python and pip's sources", async () => {
    const project = path.join(work, 'auto-uv');
    await fs.mkdir(project);
    const envDir = path.join(project, '.venv');
    await makeEnv(envDir, py.path);
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
    const { binDir, log } = await fakeUv();
    const env = { ...wheels.env, PATH: `${binDir}${path.delimiter}${process.env.PATH}` };
    await recreateEnvironment(envDir, { requirements: req, env, installer: 'auto' });
    const calls = (await fs.readFile(log, 'utf8')).trim().split('\n');
    assert.deepEqual(calls, [`VIRTUAL_ENV=${envDir}`, 'pip', 'install', '--python', path.join(envDir, 'bin', 'python'), '--find-links', wheels.dir, '--no-index', '-r', req]);
    assert.equal(execFileSync(path.join(envDir, 'bin', 'python'), ['-c', 'import alpha; print(alpha.hello())'], { encoding: 'utf8' }).trim(), 'alpha 1.0');
    assert.deepEqual(await leftovers(project), []);
  });

  test("installer 'pip' ignores uv on PATH", async () => {
    const project = path.join(work, 'forced-pip');
    await fs.mkdir(project);
    const envDir = path.join(project, '.venv');
    await makeEnv(envDir, py.path);
    const req = await writeRequirements(project, 'requirements.txt', ['beta==2.0']);
    const { binDir, log } = await fakeUv();
    await fs.rm(log, { force: true });
    const env = { ...wheels.env, PATH: `${binDir}${path.delimiter}${process.env.PATH}` };
    await recreateEnvironment(envDir, { requirements: req, env, installer: 'pip' });
    await assert.rejects(fs.stat(log), 'uv must not have been called');
    assert.equal(execFileSync(path.join(envDir, 'bin', 'python'), ['-c', 'import beta; print(beta.__version__)'], { encoding: 'utf8' }).trim(), '2.0');
  });
});

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { findWorkspaceEnvironments, inspectEnvironment } from '../../../src/core/discovery';
import { INCOMPLETE_MARKER, isLifecycleSibling } from '../../../src/core/envFacts';
import { runCli } from '../../../src/cli/main';
import { quotePosix } from '../../../src/core/activation/quoting';
import { tempDir, write } from '../../fixtures/discovery';

const CFG = 'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n';

test('an env left half-built by an interrupted operation is reported as incomplete, with how to recover', async () => {
  const { dir, cleanup } = tempDir('incomplete');
  try {
    const env = path.join(dir, '.venv');
    write(path.join(env, 'pyvenv.cfg'), `${CFG}venv-manager: incomplete environment, still being built or its build was interrupted\n`);
    write(path.join(env, INCOMPLETE_MARKER), '');
    const found = await inspectEnvironment(env);
    assert.ok(found);
    assert.equal(found.health.ok, false);
    assert.deepEqual(found.health.problems.map((p) => p.code).filter((c) => c === 'incomplete' || c === 'cfg-malformed'), ['incomplete']);
    // Core states the fact (no front end's words); the command line adds its command, quoted.
    assert.match(found.health.problems[0].message, /half-built; recovering the operation/);
    assert.doesNotMatch(found.health.problems[0].message, /venv-manager|Recover Interrupted/);
    for (const command of ['list', 'inspect']) {
      let stdout = '';
      const code = await runCli([command, command === 'list' ? dir : env], { stdout: (t) => (stdout += t), stderr: () => undefined, cwd: dir, env: process.env });
      assert.equal(code, 0, command);
      assert.ok(stdout.includes(`incomplete: ${found.health.problems[0].message} (run \`venv-manager recover ${quotePosix(env)}\`)`), `${command}:\n${stdout}`);
    }
  } finally {
    cleanup();
  }
});

test('rollback copies and trash beside an env are not listed as environments', async () => {
  const { dir, cleanup } = tempDir('siblings');
  try {
    write(path.join(dir, '.venv', 'pyvenv.cfg'), CFG);
    write(path.join(dir, '..venv.venv-manager-old-0a1b2c3d', 'pyvenv.cfg'), CFG);
    write(path.join(dir, '.env.venv-manager-trash-deadbeef', 'pyvenv.cfg'), CFG);
    write(path.join(dir, '.my.venv-manager-notes', 'pyvenv.cfg'), CFG); // not our naming: still an env
    const envs = await findWorkspaceEnvironments(dir);
    assert.deepEqual(envs.map((e) => path.basename(e.path)).sort(), ['.my.venv-manager-notes', '.venv']);
    assert.equal(isLifecycleSibling('.venv'), false);
    assert.equal(isLifecycleSibling('..venv.venv-manager-backup-01234567'), true);
  } finally {
    cleanup();
  }
});

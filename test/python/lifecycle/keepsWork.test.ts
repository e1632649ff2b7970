// Issue 14: what an interrupted operation leaves is visible and described truthfully. An env
// moved aside by an operation killed right after is listed as interrupted (defect 11); recovering
// an install killed while taking its snapshot says the env was not changed (defect 12).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { findWorkspaceEnvironments, inspectEnvironment } from '../../../src/core/discovery';
import { recoverEnvironment } from '../../../src/core/lifecycle';
import { runCliAndKillAt } from '../../fixtures/killAt';
import { leftovers, lifecycleWorkspace, makeEnv, removeTempDir, snapshotTree, writeRequirements, type TestPython, type Wheelhouse } from '../../fixtures/lifecycle';

const CLI = path.resolve(__dirname, '../../../../dist/cli.js');

let py: TestPython;
let work: string;
let wheels: Wheelhouse;

before(async () => {
  ({ py, work, wheels } = await lifecycleWorkspace('vm-keeps-lifecycle-'));
});
after(() => removeTempDir(work));

test('defect 11: an env moved aside by a clear killed right after is listed as interrupted, with its facts, and recover puts it back', async () => {
  const project = path.join(work, 'moved-aside');
  const envDir = path.join(project, 'env');
  await makeEnv(envDir, py.path, { withPip: false });
  const before = await snapshotTree(envDir);
  await runCliAndKillAt(CLI, ['clear', envDir], 'clear:old-moved-aside', wheels.env);
  assert.equal(existsSync(path.join(envDir, 'pyvenv.cfg')), false, 'killed with the env moved aside');

  const listed = await findWorkspaceEnvironments(project);
  assert.deepEqual(listed.map((e) => e.path), [envDir], 'listed under its own path, not as the hidden copy');
  const inspected = await inspectEnvironment(envDir);
  assert.ok(inspected, 'inspect finds it');
  assert.equal(inspected.path, envDir);
  assert.equal(inspected.version, py.version.join('.'));
  assert.equal(inspected.cfgPath, path.join(envDir, 'pyvenv.cfg'));
  assert.deepEqual(inspected.health.problems.map((p) => p.code), ['incomplete']);
  // Core states the fact; the command line's inspect adds its recover command (the tree its own).
  assert.match(inspected.health.problems[0]!.message, /moved this environment aside .* recovering the operation puts it back/);
  const shown = spawnSync(process.execPath, [CLI, 'inspect', envDir], { encoding: 'utf8', env: wheels.env });
  assert.match(shown.stdout, /incomplete: .*\(run `venv-manager recover /, shown.stderr);

  assert.equal(await recoverEnvironment(envDir), 'rolled-back');
  assert.deepEqual(await snapshotTree(envDir), before);
});

test('defect 12: recover after an install killed once its snapshot was taken says the env was not changed', async () => {
  const project = path.join(work, 'install-snapshot');
  const envDir = path.join(project, 'env');
  await makeEnv(envDir, py.path);
  const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
  const before = await snapshotTree(envDir);
  await runCliAndKillAt(CLI, ['install', envDir, '-r', req], 'install:snapshot-taken', wheels.env);
  assert.equal(await recoverEnvironment(envDir), 'unchanged');
  assert.deepEqual(await snapshotTree(envDir), before);
  assert.deepEqual(await leftovers(project), []);
});

test('defect 16: `list` and `inspect` show control characters in folder names escaped; --json keeps them exact', async () => {
  const { runCli } = await import('../../../src/cli/main');
  const project = path.join(work, 'escapes');
  const name = 'env\x1b[31mRED\x1b]0;title\x07\u202e';
  const envDir = path.join(project, name);
  await makeEnv(envDir, py.path, { withPip: false });
  const run = async (args: string[]) => {
    let out = '';
    const code = await runCli(args, { stdout: (t) => (out += t), stderr: () => undefined, cwd: project, env: process.env });
    assert.equal(code, 0);
    return out;
  };
  for (const args of [['list', project], ['inspect', envDir]]) {
    const human = await run(args);
    assert.doesNotMatch(human, /[\x1b\x07\u202e]/, `${args[0]} prints no raw control character`);
    assert.ok(human.includes('env\\x1b[31mRED\\x1b]0;title\\x07\\u202e'), `${args[0]} shows them escaped:\n${human}`);
    const json = JSON.parse(await run([...args, '--json'])) as { environments?: { path: string }[]; environment?: { path: string } };
    assert.equal((json.environments?.[0] ?? json.environment)!.path, envDir, 'JSON keeps the exact name');
  }
});

test('defect 13: a huge pyvenv.cfg is refused without being read, and the error names it', async () => {
  const { clearEnvironment } = await import('../../../src/core/lifecycle');
  const { truncate } = await import('node:fs/promises');
  const envDir = path.join(work, 'huge-cfg', 'env');
  await makeEnv(envDir, py.path, { withPip: false });
  const cfg = path.join(envDir, 'pyvenv.cfg');
  // Sparse: 3 GB that take no space and would take 3 GB of memory to read whole.
  await truncate(cfg, 3 * 1024 ** 3);
  await assert.rejects(clearEnvironment(envDir), (err: Error) => err.message.includes(cfg) && /larger than any pyvenv\.cfg/.test(err.message));
});

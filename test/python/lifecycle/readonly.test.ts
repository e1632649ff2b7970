// Read-only places. As root, chmod does not stop writes, so these use what does: a read-only
// tmpfs mount, a read-only bind mount of the env onto itself, and the immutable attribute.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { clearEnvironment, deleteEnvironment, LifecycleError, recreateEnvironment, removeTree, upgradeEnvironment } from '../../../src/core/lifecycle';
import { leftovers, lifecycleWorkspace, makeEnv, removeTempDir, snapshotTree, writeRequirements, type TestPython, type Wheelhouse } from '../../fixtures/lifecycle';

let py: TestPython;
let work: string;
let wheels: Wheelhouse;

before(async () => {
  ({ py, work, wheels } = await lifecycleWorkspace('vm-readonly-'));
});

after(() => removeTempDir(work));

/** Runs a privileged command; false (with the reason) when this machine does not allow it. */
function tryRun(t: TestContext, cmd: string, args: string[]): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    t.skip('needs root on Linux (mount/chattr); a normal user would use chmod instead');
    return false;
  }
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    t.skip(`${cmd} ${args.join(' ')} is not allowed here: ${r.stderr.trim()}`);
    return false;
  }
  return true;
}

function operations(envDir: string, req: string) {
  return [
    ['recreate', () => recreateEnvironment(envDir, { requirements: req, env: wheels.env, installer: 'pip' })],
    ['clear', () => clearEnvironment(envDir)],
    ['upgrade', () => upgradeEnvironment(envDir)],
    ['delete', () => deleteEnvironment(envDir)],
  ] as const;
}

describe('read-only places', () => {
  test('an env on a read-only file system: every operation fails with a clear error and changes nothing', async (t) => {
    const mnt = path.join(work, 'ro-mount');
    await fs.mkdir(mnt);
    if (!tryRun(t, 'mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mnt])) return;
    t.after(() => execFileSync('umount', ['-l', mnt]));
    const envDir = path.join(mnt, 'project', 'env');
    await fs.mkdir(path.dirname(envDir));
    await makeEnv(envDir, py.path, { withPip: false });
    const req = await writeRequirements(work, 'ro-requirements.txt', ['alpha==1.0']);
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    const before = await snapshotTree(path.dirname(envDir));
    for (const [name, run] of operations(envDir, req)) {
      await assert.rejects(run(), (err: unknown) => {
        assert.ok(err instanceof LifecycleError, `${name}: ${String(err)}`);
        assert.equal(err.code, 'read-only', `${name}: ${err.message}`);
        assert.match(err.message, /read-only/);
        return true;
      });
      assert.deepEqual(await snapshotTree(path.dirname(envDir)), before, `${name} changed something`);
    }
  });

  test('an env that is itself a read-only mount (parent writable): refused, nothing changes, nothing left behind', async (t) => {
    const project = path.join(work, 'bind');
    await fs.mkdir(project);
    const envDir = path.join(project, 'env');
    await makeEnv(envDir, py.path, { withPip: false });
    const req = await writeRequirements(project, 'requirements.txt', ['alpha==1.0']);
    if (!tryRun(t, 'mount', ['--bind', envDir, envDir])) return;
    t.after(() => execFileSync('umount', ['-l', envDir]));
    execFileSync('mount', ['-o', 'remount,ro,bind', envDir]);
    const before = await snapshotTree(envDir);
    for (const [name, run] of operations(envDir, req)) {
      await assert.rejects(run(), (err: unknown) => {
        assert.ok(err instanceof LifecycleError, `${name}: ${String(err)}`);
        return true;
      });
      assert.deepEqual(await snapshotTree(envDir), before, `${name} changed something`);
      assert.deepEqual(await leftovers(project), [], `${name} left something behind`);
    }
  });

  test('a file system mounted inside the env: refused (and removeTree never descends into it)', async (t) => {
    const project = path.join(work, 'mount-inside');
    await fs.mkdir(project);
    const envDir = path.join(project, 'env');
    await makeEnv(envDir, py.path, { withPip: false });
    const req = await writeRequirements(work, 'mnt-requirements.txt', ['alpha==1.0']);
    const data = path.join(envDir, 'lib', 'data');
    await fs.mkdir(data);
    if (!tryRun(t, 'mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', data])) return;
    t.after(() => execFileSync('umount', ['-l', data]));
    await fs.writeFile(path.join(data, 'precious.txt'), 'on another file system\n');
    const before = await snapshotTree(envDir);
    for (const [name, run] of operations(envDir, req)) {
      await assert.rejects(run(), (err: unknown) => {
        assert.ok(err instanceof LifecycleError, `${name}: ${String(err)}`);
        assert.equal(err.code, 'unsafe-path', `${name}: ${err.message}`);
        assert.match(err.message, /mounted inside/);
        return true;
      });
      assert.deepEqual(await snapshotTree(envDir), before, `${name} changed something`);
    }
    await assert.rejects(removeTree(envDir), /another file system is mounted/);
    assert.equal(await fs.readFile(path.join(data, 'precious.txt'), 'utf8'), 'on another file system\n');
  });

  test('an immutable parent folder (chattr +i): the lock cannot be created, nothing changes', async (t) => {
    const project = path.join(work, 'immutable');
    await fs.mkdir(project);
    const envDir = path.join(project, 'env');
    await makeEnv(envDir, py.path, { withPip: false });
    const req = await writeRequirements(work, 'imm-requirements.txt', ['alpha==1.0']);
    if (!tryRun(t, 'chattr', ['+i', project])) return;
    t.after(() => execFileSync('chattr', ['-i', project]));
    const before = await snapshotTree(project);
    for (const [name, run] of operations(envDir, req)) {
      await assert.rejects(run(), (err: unknown) => {
        assert.ok(err instanceof LifecycleError, `${name}: ${String(err)}`);
        assert.equal(err.code, 'read-only', `${name}: ${err.message}`);
        return true;
      });
      assert.deepEqual(await snapshotTree(project), before, `${name} changed something`);
    }
  });

  test('an immutable file inside the env: clear still succeeds, the undeletable rest becomes trash that later operations retry', async (t) => {
    const project = path.join(work, 'immutable-inside');
    await fs.mkdir(project);
    const envDir = path.join(project, 'env');
    await makeEnv(envDir, py.path, { withPip: false });
    const stuck = path.join(envDir, 'lib', 'stuck.txt');
    await fs.writeFile(stuck, 'x');
    if (!tryRun(t, 'chattr', ['+i', stuck])) return;
    let trash: string | undefined;
    t.after(() => {
      if (trash) execFileSync('chattr', ['-i', path.join(project, trash, 'lib', 'stuck.txt')]);
    });
    await clearEnvironment(envDir);
    assert.equal(spawnSync(path.join(envDir, 'bin', 'python'), ['-c', 'pass']).status, 0);
    const left = await leftovers(project);
    assert.equal(left.length, 1, left.join(','));
    assert.match(left[0], /^\.env\.venv-manager-trash-/);
    trash = left[0];
    await assert.rejects(fs.lstat(path.join(project, trash, 'pyvenv.cfg')), 'the trash must not look like an env');
    execFileSync('chattr', ['-i', path.join(project, trash, 'lib', 'stuck.txt')]);
    trash = undefined;
    await clearEnvironment(envDir);
    assert.deepEqual(await leftovers(project), [], 'the next operation removes the trash');
  });
});

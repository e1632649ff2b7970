import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkEnvDir, clearEnvironment, deleteEnvironment, LifecycleError, recoverEnvironment, removeTree } from '../../../src/core/lifecycle';
import { leftovers, lifecycleWorkspace, makeEnv, removeTempDir, snapshotTree, writeRequirements, type TestPython, type Wheelhouse } from '../../fixtures/lifecycle';

let py: TestPython;
let work: string;
let wheels: Wheelhouse;

before(async () => {
  ({ py, work, wheels } = await lifecycleWorkspace('vm-safety-'));
});

after(() => removeTempDir(work));

function rejectsWith(code: string, pattern?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof LifecycleError, `expected a LifecycleError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (pattern) assert.match(err.message, pattern);
    return true;
  };
}

/** A folder outside any env with files that must survive. */
async function outsideFolder(label: string): Promise<{ dir: string; snapshot: Awaited<ReturnType<typeof snapshotTree>> }> {
  const dir = path.join(work, `outside-${label}`);
  await fs.mkdir(path.join(dir, 'nested'), { recursive: true });
  await fs.writeFile(path.join(dir, 'precious.txt'), 'do not delete me\n');
  await fs.writeFile(path.join(dir, 'nested', 'pyvenv.cfg'), 'home = /nowhere\n');
  return { dir, snapshot: await snapshotTree(dir) };
}

describe('refusals shared by clear and delete', () => {
  for (const op of [['clear', clearEnvironment], ['delete', deleteEnvironment]] as const) {
    const [name, run] = op;
    test(`${name} refuses a file-system root`, async () => {
      await assert.rejects(run(path.parse(process.cwd()).root), rejectsWith('unsafe-path', /file-system root/));
    });
    test(`${name} refuses the home folder and folders that contain it`, async () => {
      await assert.rejects(run(os.homedir()), rejectsWith('unsafe-path', /home folder/));
      await assert.rejects(run(path.dirname(os.homedir())), rejectsWith('unsafe-path'));
    });
    test(`${name} refuses a path less than two levels deep`, async () => {
      await assert.rejects(run(path.join(path.parse(process.cwd()).root, 'tmp')), rejectsWith('unsafe-path', /two levels/));
    });
    test(`${name} refuses the workspace folder, even when it is an env`, async () => {
      const ws = path.join(work, `ws-${name}`);
      await makeEnv(ws, py.path, { withPip: false });
      const before = await snapshotTree(ws);
      await assert.rejects(run(ws, { workspaceRoot: ws }), rejectsWith('unsafe-path', /workspace folder/));
      await assert.rejects(run(work, { workspaceRoot: ws }), rejectsWith('unsafe-path', /contains the workspace folder/));
      assert.deepEqual(await snapshotTree(ws), before);
    });
    test(`${name} refuses an env that contains the workspace folder even when that folder's name starts with '..'`, async () => {
      const envDir = path.join(work, `dotdot-${name}`);
      await makeEnv(envDir, py.path, { withPip: false });
      const ws = path.join(envDir, '..project');
      await fs.mkdir(ws);
      await fs.writeFile(path.join(ws, 'work.txt'), 'keep\n');
      const before = await snapshotTree(envDir);
      await assert.rejects(run(envDir, { workspaceRoot: ws }), rejectsWith('unsafe-path', /contains the workspace folder/));
      assert.deepEqual(await snapshotTree(envDir), before);
    });
    test(`${name} refuses a folder without pyvenv.cfg and leaves it alone`, async () => {
      const { dir, snapshot } = await outsideFolder(`noenv-${name}`);
      await assert.rejects(run(dir), rejectsWith('not-an-env', /no pyvenv\.cfg/));
      assert.deepEqual(await snapshotTree(dir), snapshot);
    });
    test(`${name} refuses a symlink to an env and never touches its target`, async () => {
      const target = path.join(work, `link-target-${name}`);
      await makeEnv(target, py.path, { withPip: false });
      const before = await snapshotTree(target);
      const link = path.join(work, `link-${name}`);
      await fs.symlink(target, link);
      await assert.rejects(run(link), rejectsWith('symlink', /symbolic link/));
      assert.deepEqual(await snapshotTree(target), before, 'the link target must be untouched');
      assert.ok((await fs.lstat(link)).isSymbolicLink());
    });
    test(`${name} refuses a path whose parent is a symlink to /`, async () => {
      const rootLink = path.join(work, `rootlink-${name}`);
      await fs.symlink(path.parse(process.cwd()).root, rootLink);
      await assert.rejects(run(path.join(rootLink, 'tmp')), rejectsWith('unsafe-path'));
    });
    test(`${name} refuses a pyvenv.cfg that is a symlink, or a file in place of the folder`, async () => {
      const dir = path.join(work, `cfglink-${name}`);
      await fs.mkdir(dir);
      await fs.symlink(path.join(work, 'nowhere.cfg'), path.join(dir, 'pyvenv.cfg'));
      await assert.rejects(run(dir), rejectsWith('not-an-env'));
      const file = path.join(work, `afile-${name}`);
      await fs.writeFile(file, 'x');
      await assert.rejects(run(file), rejectsWith('not-an-env', /not a folder/));
      assert.equal(await fs.readFile(file, 'utf8'), 'x');
    });
    test(`${name} on a folder that does not exist says so`, async () => {
      await assert.rejects(run(path.join(work, 'missing', 'env')), rejectsWith('not-an-env', /does not exist/));
    });
  }
});

describe('removeTree never follows a link', () => {
  test('links to folders and files outside are unlinked, their targets untouched', async () => {
    const { dir: outside, snapshot } = await outsideFolder('rm');
    const tree = path.join(work, 'tree');
    await fs.mkdir(path.join(tree, 'a', 'b'), { recursive: true });
    await fs.symlink(outside, path.join(tree, 'a', 'to-dir'));
    await fs.symlink(path.join(outside, 'precious.txt'), path.join(tree, 'a', 'b', 'to-file'));
    await fs.symlink(path.join(work, 'dangling'), path.join(tree, 'dangling'));
    await fs.writeFile(path.join(tree, 'a', 'b', 'f.txt'), 'x');
    await fs.chmod(path.join(tree, 'a', 'b'), 0o555);
    await removeTree(tree);
    await assert.rejects(fs.lstat(tree));
    assert.deepEqual(await snapshotTree(outside), snapshot);
  });
});

describe('clearEnvironment', () => {
  test('empties and rebuilds with the same prompt, options and pip; links inside pointing out are removed, not followed', async () => {
    const project = path.join(work, 'clear-ok');
    await fs.mkdir(project);
    const envDir = path.join(project, '.venv');
    await makeEnv(envDir, py.path, { prompt: 'my prompt', systemSitePackages: true });
    const req = await writeRequirements(project, 'r.txt', ['gamma==3.0']);
    execFileSync(path.join(envDir, 'bin', 'python'), ['-m', 'pip', 'install', '-q', '-r', req], { env: wheels.env, stdio: 'pipe' });
    const { dir: outside, snapshot } = await outsideFolder('clear');
    await fs.symlink(outside, path.join(envDir, 'lib', 'link-out'));
    await fs.symlink(outside, path.join(envDir, 'link-out'));
    const cfgBefore = await fs.readFile(path.join(envDir, 'pyvenv.cfg'), 'utf8');

    await clearEnvironment(envDir);

    assert.deepEqual(await snapshotTree(outside), snapshot, 'nothing outside the env may change');
    await assert.rejects(fs.lstat(path.join(envDir, 'link-out')));
    const python = path.join(envDir, 'bin', 'python');
    assert.notEqual(spawnSync(python, ['-c', 'import gamma']).status, 0, 'clear removes installed packages');
    assert.equal(spawnSync(python, ['-m', 'pip', '--version']).status, 0, 'pip was there before, so it is seeded again');
    const cfgAfter = await fs.readFile(path.join(envDir, 'pyvenv.cfg'), 'utf8');
    for (const key of ['home', 'include-system-site-packages', 'version', 'prompt']) {
      const line = (text: string) => text.split('\n').find((l) => l.startsWith(`${key} =`));
      assert.equal(line(cfgAfter), line(cfgBefore), `${key} must be kept`);
    }
    assert.match(cfgAfter, /^include-system-site-packages = true$/m);
    assert.deepEqual(await leftovers(project), []);
  });

  test('an env without pip stays without pip', async () => {
    const envDir = path.join(work, 'clear-nopip', 'env');
    await fs.mkdir(path.dirname(envDir));
    await makeEnv(envDir, py.path, { withPip: false });
    await clearEnvironment(envDir);
    assert.notEqual(spawnSync(path.join(envDir, 'bin', 'python'), ['-m', 'pip', '--version']).status, 0);
    assert.equal(spawnSync(path.join(envDir, 'bin', 'python'), ['-c', 'import sys; assert sys.prefix != sys.base_prefix']).status, 0);
  });

  test('a base interpreter that is gone: refused, env untouched', async () => {
    const envDir = path.join(work, 'clear-nobase', 'env');
    await fs.mkdir(path.dirname(envDir));
    await makeEnv(envDir, py.path, { withPip: false });
    // Point the env at a base that does not exist, as after an uninstall.
    const cfgPath = path.join(envDir, 'pyvenv.cfg');
    const cfg = (await fs.readFile(cfgPath, 'utf8')).replace(/^home = .*$/m, `home = ${path.join(work, 'uninstalled', 'bin')}`).replace(/^executable = .*\n/m, '');
    await fs.writeFile(cfgPath, cfg);
    for (const name of await fs.readdir(path.join(envDir, 'bin'))) {
      const p = path.join(envDir, 'bin', name);
      if ((await fs.lstat(p)).isSymbolicLink() && path.isAbsolute(await fs.readlink(p))) {
        await fs.unlink(p);
        await fs.symlink(path.join(work, 'uninstalled', 'bin', 'python3'), p);
      }
    }
    const before = await snapshotTree(envDir);
    // Core states the fact; the command line adds its --python SPEC (src/cli/errors.ts), the extension its own words.
    await assert.rejects(clearEnvironment(envDir), rejectsWith('no-interpreter', /is gone \(home = /));
    assert.deepEqual(await snapshotTree(envDir), before);
  });
});

describe('deleteEnvironment', () => {
  test('removes the env; links inside pointing out are unlinked, their targets untouched', async () => {
    const project = path.join(work, 'delete-ok');
    await fs.mkdir(project);
    const envDir = path.join(project, 'env');
    await makeEnv(envDir, py.path, { withPip: false });
    const { dir: outside, snapshot } = await outsideFolder('delete');
    await fs.symlink(outside, path.join(envDir, 'lib', 'link-out'));
    await fs.symlink(path.join(outside, 'precious.txt'), path.join(envDir, 'bin', 'file-link-out'));
    await deleteEnvironment(envDir);
    await assert.rejects(fs.lstat(envDir));
    assert.deepEqual(await snapshotTree(outside), snapshot);
    assert.deepEqual(await leftovers(project), []);
  });

  test('checkEnvDir accepts an env reached through a symlinked parent', async () => {
    const real = path.join(work, 'realparent');
    await fs.mkdir(real);
    await makeEnv(path.join(real, 'env'), py.path, { withPip: false });
    const linkParent = path.join(work, 'linkparent');
    await fs.symlink(real, linkParent);
    const checked = await checkEnvDir(path.join(linkParent, 'env'));
    assert.equal(checked.envDir, path.join(linkParent, 'env'));
    assert.ok(checked.cfg.values.has('home'));
  });
});

describe('recovery follows only the hidden siblings our operations make', () => {
  test('a planted journal naming folders outside the env (as aside and backup) removes and moves nothing', async () => {
    const project = path.join(work, 'planted-journal');
    await fs.mkdir(project);
    const envDir = path.join(project, 'env');
    await makeEnv(envDir, py.path, { withPip: false });
    const envBefore = await snapshotTree(envDir);
    const { dir: outside, snapshot } = await outsideFolder('journal');
    const { dir: outsideBackup, snapshot: backupSnapshot } = await outsideFolder('journal-backup');
    for (const record of [
      { operation: 'recreate', env: 'env', aside: path.relative(project, outside), started: new Date().toISOString() },
      { operation: 'upgrade', env: 'env', backup: path.relative(project, outsideBackup), started: new Date().toISOString() },
      { operation: 'recreate', env: 'env', aside: `.env.venv-manager-old-0123abcd/${path.relative(path.join(project, 'x'), outside)}`, started: new Date().toISOString() },
    ]) {
      await fs.writeFile(path.join(project, '.env.venv-manager.journal'), JSON.stringify(record));
      assert.equal(await recoverEnvironment(envDir), 'none', JSON.stringify(record));
      assert.deepEqual(await snapshotTree(outside), snapshot, 'a folder named as aside must be untouched');
      assert.deepEqual(await snapshotTree(outsideBackup), backupSnapshot, 'a folder named as backup must be untouched');
      assert.deepEqual(await snapshotTree(envDir), envBefore, 'the env must be untouched');
      assert.deepEqual(await leftovers(project), [], 'the planted journal is removed');
    }
  });

  test('a planted aside with our naming that is a symlink to a folder outside: only the link goes', async () => {
    const project = path.join(work, 'planted-link');
    await fs.mkdir(project);
    const envDir = path.join(project, 'env');
    await makeEnv(envDir, py.path, { withPip: false });
    const { dir: outside, snapshot } = await outsideFolder('aside-link');
    await fs.writeFile(path.join(outside, 'pyvenv.cfg'), 'home = /elsewhere\n');
    const outsideSnapshot = await snapshotTree(outside);
    const aside = '.env.venv-manager-old-0123abcd';
    await fs.symlink(outside, path.join(project, aside));
    await fs.writeFile(path.join(project, '.env.venv-manager.journal'), JSON.stringify({ operation: 'recreate', env: 'env', aside, started: new Date().toISOString() }));
    assert.equal(await recoverEnvironment(envDir), 'completed');
    assert.notDeepEqual(outsideSnapshot, snapshot);
    assert.deepEqual(await snapshotTree(outside), outsideSnapshot, 'nothing behind the link may change');
    assert.deepEqual(await leftovers(project), []);
  });
});

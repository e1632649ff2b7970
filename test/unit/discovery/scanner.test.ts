import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { compileExcludes, findWorkspaceEnvironments, inspectEnvironment, scanForEnvironments } from '../../../src/core/discovery';
import { fakeEnv, tempDir, write } from '../../fixtures/discovery';

// Re-run as an unprivileged user (root reads through chmod 000): scan or inspect, print JSON, exit.
const childTask = process.env.VM_DISCOVERY_CHILD;
if (childTask) {
  const target = process.env.VM_DISCOVERY_TARGET!;
  const work =
    childTask === 'scan'
      ? scanForEnvironments(target)
      : childTask === 'list'
        ? (async () => {
            let stdout = '';
            let stderr = '';
            const code = await runCli(['list', target], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: target, env: process.env });
            return { code, stdout, stderr };
          })()
        : inspectEnvironment(target);
  work.then(
    (r) => process.stdout.write(JSON.stringify(r)),
    (err) => {
      process.stdout.write(JSON.stringify({ threw: String(err) }));
      process.exitCode = 3;
    },
  );
} else {
  registerTests();
}

function rel(root: string, dirs: string[]): string[] {
  return dirs.map((d) => path.relative(root, d)).sort();
}

function registerTests(): void {
  describe('scanForEnvironments', () => {
    const t = tempDir('scan');
    const ws = path.join(t.dir, 'ws');
    const cfg = 'home = /usr/bin\nversion = 3.11.2\n';

    before(() => {
      fakeEnv(path.join(ws, '.venv'), cfg);
      fakeEnv(path.join(ws, 'a', 'b', 'c', 'deep-env'), cfg);
      fakeEnv(path.join(ws, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'too-deep'), cfg);
      // An env nested inside another env is not looked for (the scan does not descend into envs) ...
      fakeEnv(path.join(ws, '.venv', 'lib', 'inner-env'), cfg);
      // ... but envs nested in a project folder are found.
      fakeEnv(path.join(ws, 'services', 'api', '.venv'), cfg);
      fakeEnv(path.join(ws, 'services', 'worker', 'venv'), cfg);
      // Always-skipped folders and user excludes.
      fakeEnv(path.join(ws, 'node_modules', 'pkg', 'env'), cfg);
      fakeEnv(path.join(ws, '.git', 'env'), cfg);
      fakeEnv(path.join(ws, 'lib', 'site-packages', 'env'), cfg);
      fakeEnv(path.join(ws, 'src', '__pycache__', 'env'), cfg);
      fakeEnv(path.join(ws, 'build', 'env'), cfg);
      fakeEnv(path.join(ws, 'pkg.egg-info', 'env'), cfg);
      fakeEnv(path.join(ws, 'docs', 'examples', 'env'), cfg);
      // Symlinks: a loop, a link back to the root, a dangling link, a link to an env outside.
      mkdirSync(path.join(ws, 'loop', 'x'), { recursive: true });
      symlinkSync(path.join(ws, 'loop'), path.join(ws, 'loop', 'x', 'back'));
      symlinkSync(ws, path.join(ws, 'a', 'root-link'));
      symlinkSync(path.join(t.dir, 'missing'), path.join(ws, 'dangling'));
      symlinkSync('self', path.join(ws, 'self'));
      fakeEnv(path.join(t.dir, 'outside', 'shared-env'), cfg);
      symlinkSync(path.join(t.dir, 'outside', 'shared-env'), path.join(ws, 'linked-env'));
      // A link to an env inside the tree: found once, under its real name.
      symlinkSync(path.join(ws, 'services', 'api', '.venv'), path.join(ws, 'api-env-link'));
      // A file named like a folder we look for, and a folder named pyvenv.cfg.
      write(path.join(ws, 'notes', 'venv'), 'just a file');
      mkdirSync(path.join(ws, 'weird', 'pyvenv.cfg'), { recursive: true });
    });
    after(() => t.cleanup());

    test('finds envs at any depth up to the limit, skipping the usual folders', async () => {
      const r = await scanForEnvironments(ws);
      assert.deepEqual(rel(ws, r.envDirs), [
        '.venv',
        'a/b/c/deep-env',
        'build/env',
        'docs/examples/env',
        'linked-env',
        'pkg.egg-info/env',
        'services/api/.venv',
        'services/worker/venv',
      ]);
      assert.deepEqual(r.unreadable.map((u) => [path.relative(ws, u.path), u.code]), [['self', 'ELOOP']]);
    });

    test('maxDepth counts folders below the root', async () => {
      assert.deepEqual(rel(ws, (await scanForEnvironments(ws, { maxDepth: 1 })).envDirs), ['.venv', 'linked-env']);
      assert.ok(rel(ws, (await scanForEnvironments(ws, { maxDepth: 4 })).envDirs).includes('a/b/c/deep-env'));
      assert.ok(!rel(ws, (await scanForEnvironments(ws, { maxDepth: 3 })).envDirs).includes('a/b/c/deep-env'));
      assert.ok(rel(ws, (await scanForEnvironments(ws, { maxDepth: 9 })).envDirs).includes('a/b/c/d/e/f/g/h/too-deep'));
      assert.deepEqual((await scanForEnvironments(ws, { maxDepth: 0 })).envDirs, []);
    });

    test('user excludes: names, name globs and path globs', async () => {
      const r = await scanForEnvironments(ws, { exclude: ['build', '*.egg-info', 'docs/**', '**/worker'] });
      assert.deepEqual(rel(ws, r.envDirs), ['.venv', 'a/b/c/deep-env', 'linked-env', 'services/api/.venv']);
      const test1 = compileExcludes(['./out/', 'src/gen*', '?tmp']);
      assert.ok(test1('out', 'out'));
      assert.ok(test1('generated', 'src/generated'));
      assert.ok(!test1('generated', 'lib/generated'));
      assert.ok(test1('xtmp', 'a/xtmp'));
      assert.ok(test1('node_modules', 'x/node_modules'));
    });

    test('a scan root that is itself an environment', async () => {
      assert.deepEqual((await scanForEnvironments(path.join(ws, '.venv'))).envDirs, [path.join(ws, '.venv')]);
    });

    test('a missing root is reported, not thrown', async () => {
      const r = await scanForEnvironments(path.join(t.dir, 'nope'));
      assert.deepEqual(r.envDirs, []);
      assert.equal(r.unreadable[0].code, 'ENOENT');
    });

    test('an aborted signal rejects', async () => {
      const controller = new AbortController();
      controller.abort(new Error('stop'));
      await assert.rejects(scanForEnvironments(ws, { signal: controller.signal }), /stop/);
    });

    test('findWorkspaceEnvironments returns inspected envs sorted by path', async () => {
      const envs = await findWorkspaceEnvironments(ws);
      assert.deepEqual(envs.map((e) => path.relative(ws, e.path)), [
        '.venv',
        'a/b/c/deep-env',
        'build/env',
        'docs/examples/env',
        'linked-env',
        'pkg.egg-info/env',
        'services/api/.venv',
        'services/worker/venv',
      ]);
      assert.ok(envs.every((e) => e.scope === 'workspace' && e.source === 'workspace' && e.version === '3.11.2'));
    });
  });

  // As root, chmod 000 does not stop reads, so the unreadable cases run the scan in a child process
  // as user 'nobody' (spawn's uid/gid options). As an ordinary user the chmod alone does it.
  describe('unreadable folders and files (scan as an unprivileged user)', () => {
    const t = tempDir('perm');
    const ws = path.join(t.dir, 'ws');
    const isRoot = process.getuid?.() === 0;
    const unprivileged = isRoot ? { uid: 65534, gid: 65534 } : {};

    function runChild(task: 'scan' | 'inspect' | 'list', target: string): unknown {
      const env: NodeJS.ProcessEnv = { ...process.env, VM_DISCOVERY_CHILD: task, VM_DISCOVERY_TARGET: target };
      delete env.NODE_TEST_CONTEXT;
      const r = spawnSync(process.execPath, [__filename], {
        env,
        encoding: 'utf8',
        timeout: 30_000,
        ...unprivileged,
      });
      assert.equal(r.status, 0, `child failed: ${r.stderr}`);
      return JSON.parse(r.stdout);
    }

    before(() => {
      chmodSync(t.dir, 0o755);
      fakeEnv(path.join(ws, 'visible', '.venv'), 'home = /usr/bin\nversion = 3.11.2\n');
      fakeEnv(path.join(ws, 'locked', 'inside', '.venv'), 'home = /usr/bin\nversion = 3.11.2\n');
      fakeEnv(path.join(ws, 'secret-cfg'), 'home = /usr/bin\nversion = 3.11.2\n');
      fakeEnv(path.join(ws, 'zz-after', '.venv'), 'home = /usr/bin\nversion = 3.11.2\n');
      chmodSync(path.join(ws, 'locked'), 0o000);
      chmodSync(path.join(ws, 'secret-cfg', 'pyvenv.cfg'), 0o000);
    });
    after(() => {
      chmodSync(path.join(ws, 'locked'), 0o755);
      t.cleanup();
    });

    test('a folder that cannot be read is reported and the scan goes on', () => {
      const r = runChild('scan', ws) as { envDirs: string[]; unreadable: { path: string; code: string }[] };
      assert.deepEqual(rel(ws, r.envDirs), ['secret-cfg', 'visible/.venv', 'zz-after/.venv']);
      assert.deepEqual(r.unreadable, [{ path: path.join(ws, 'locked'), code: 'EACCES' }]);
    });

    test('the CLI lists what it can and warns about the rest', () => {
      const r = runChild('list', ws) as { code: number; stdout: string; stderr: string };
      assert.equal(r.code, 0);
      assert.match(r.stdout, /visible\/\.venv/);
      assert.match(r.stdout, /zz-after\/\.venv/);
      assert.equal(r.stderr, `warning: could not read ${path.join(ws, 'locked')} (EACCES); environments below it are not listed\n`);
    });

    test('a pyvenv.cfg that cannot be read gives cfg-unreadable', () => {
      const env = runChild('inspect', path.join(ws, 'secret-cfg')) as { health: { problems: { code: string }[] } };
      assert.deepEqual(env.health.problems.map((p) => p.code).sort(), ['cfg-unreadable', 'python-dangling']);
    });
  });
}

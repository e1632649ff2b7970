import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createEnvironment } from '../../../src/core/envBuilder';
import { getInterpreterInfo, getIntrospectionCount, VenvError } from '../../../src/core/interpreter';
import { atLeast, findPythons } from '../../fixtures/pythons';

const pythons = findPythons();
let tmp: string;

before(async () => {
  tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'vm-interp-')));
});
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

function pythonSays(exe: string, code: string): string {
  return execFileSync(exe, ['-c', code], { encoding: 'utf8' }).trim();
}

describe('getInterpreterInfo', () => {
  test('finds at least one CPython on this machine', () => {
    assert.ok(pythons.length > 0, 'no CPython 3 found under ~/.pyenv/versions or /usr/bin');
  });

  for (const py of pythons) {
    test(`facts of ${py.label} match what the interpreter says`, async () => {
      const info = await getInterpreterInfo(py.path, { cacheDir: path.join(tmp, 'facts') });
      assert.deepEqual(info.version, py.version);
      assert.equal(info.versionString, py.version.join('.'));
      assert.equal(info.executable, py.path);
      assert.equal(info.realExecutable, await fs.realpath(py.path));
      assert.equal(info.implementation, 'cpython');
      assert.equal(info.osName, 'posix');
      const expected = JSON.parse(
        pythonSays(
          py.path,
          'import sys, json, os; print(json.dumps([getattr(sys, "_base_executable", sys.executable), sys.maxsize > 2**32, sys.abiflags, sys.prefix, sys.base_prefix, os.path.dirname(os.__file__)]))',
        ),
      );
      assert.deepEqual([info.baseExecutable, info.is64bit, info.abiflags, info.prefix, info.basePrefix, info.stdlib], expected);
      if (atLeast(py, 3, 11)) {
        assert.ok(info.venvPaths, 'venv scheme paths are reported for 3.11+');
        assert.match(info.venvPaths.purelib, new RegExp(`^\\{ENV\\}/lib/python3\\.${py.version[1]}t?/site-packages$`));
        assert.equal(info.venvPaths.scripts, '{ENV}/bin');
      } else {
        assert.equal(info.venvPaths, undefined);
      }
      if (info.hasEnsurepip) {
        assert.ok(info.bundledWheels.some((w) => w.project === 'pip'), 'ensurepip bundles pip');
        for (const w of info.bundledWheels) await fs.access(w.path);
        assert.equal(info.bundledWheels.some((w) => w.project === 'setuptools'), !atLeast(py, 3, 12), 'setuptools is bundled below 3.12 only');
      }
    });
  }

  test('the second lookup reads the disk cache and runs no Python', async () => {
    const py = pythons[pythons.length - 1];
    const cacheA = path.join(tmp, 'cache-a');
    const before = getIntrospectionCount();
    const first = await getInterpreterInfo(py.path, { cacheDir: cacheA });
    assert.equal(getIntrospectionCount(), before + 1);
    const files = await fs.readdir(path.join(cacheA, 'interpreters'));
    assert.equal(files.length, 1);
    // A fresh cache dir holding a copy of that file: the facts come from the file, not from Python.
    const cacheB = path.join(tmp, 'cache-b');
    await fs.cp(cacheA, cacheB, { recursive: true });
    const second = await getInterpreterInfo(py.path, { cacheDir: cacheB });
    assert.equal(getIntrospectionCount(), before + 1, 'no interpreter was run for the cached facts');
    assert.deepEqual(second, first);
  });

  test('a cache entry that cannot be written fails nothing and leaves no temp file', async () => {
    const py = pythons[pythons.length - 1];
    const cacheA = path.join(tmp, 'cache-unwritable-a');
    await getInterpreterInfo(py.path, { cacheDir: cacheA });
    const [name] = await fs.readdir(path.join(cacheA, 'interpreters'));
    // A directory where the entry goes: the final rename cannot replace it.
    const cacheB = path.join(tmp, 'cache-unwritable-b');
    await fs.mkdir(path.join(cacheB, 'interpreters', name!), { recursive: true });
    const info = await getInterpreterInfo(py.path, { cacheDir: cacheB });
    assert.deepEqual(info.version, py.version);
    assert.deepEqual(await fs.readdir(path.join(cacheB, 'interpreters')), [name]);
  });

  test('a changed interpreter file (mtime) invalidates the cache', async () => {
    const py = pythons[pythons.length - 1];
    const env = path.join(tmp, 'copied-env');
    await createEnvironment(env, { python: py.path, symlinks: false, cacheDir: path.join(tmp, 'c1') });
    const exe = path.join(env, 'bin', 'python3');
    const cacheDir = path.join(tmp, 'c2');
    const count = getIntrospectionCount();
    await getInterpreterInfo(exe, { cacheDir });
    await getInterpreterInfo(exe, { cacheDir });
    assert.equal(getIntrospectionCount(), count + 1);
    const later = new Date(Date.now() + 5000);
    await fs.utimes(exe, later, later);
    await getInterpreterInfo(exe, { cacheDir });
    assert.equal(getIntrospectionCount(), count + 2, 'a touched interpreter is asked again');
  });

  test('a wrapper script (like a pyenv shim) is never cached: it picks its interpreter at run time', async () => {
    const py = pythons[pythons.length - 1];
    const shim = path.join(tmp, 'shim-python');
    await fs.writeFile(shim, `#!/bin/sh\nexec '${py.path}' "$@"\n`, { mode: 0o755 });
    const cacheDir = path.join(tmp, 'c3');
    const count = getIntrospectionCount();
    const info = await getInterpreterInfo(shim, { cacheDir });
    await getInterpreterInfo(shim, { cacheDir });
    assert.equal(getIntrospectionCount(), count + 2);
    // The shim resolves to the interpreter it runs, as `shim -m venv` would see it.
    assert.equal(info.executable, py.path);
    assert.equal(info.baseExecutable, py.path);
  });

  test('a pyenv shim resolves to the real interpreter it runs', async (t) => {
    const shim = path.join(os.homedir(), '.pyenv', 'shims', 'python3');
    try {
      await fs.access(shim);
    } catch {
      t.skip('no pyenv shims on this machine');
      return;
    }
    const info = await getInterpreterInfo(shim, { cacheDir: path.join(tmp, 'c4') });
    assert.notEqual(info.executable, shim);
    assert.equal(info.baseExecutable, pythonSays(shim, 'import sys; print(getattr(sys, "_base_executable", sys.executable))'));
  });

  for (const py of pythons.filter((p) => atLeast(p, 3, 7))) {
    test(`a venv python of ${py.label} as the base: ${atLeast(py, 3, 11) ? 'resolves to the real base' : 'chains to the venv, as that version does'}`, async () => {
      const env = path.join(tmp, `nested-${py.version.join('.')}${py.freeThreaded ? 't' : ''}`);
      execFileSync(py.path, ['-m', 'venv', '--without-pip', env]);
      const envPython = path.join(env, 'bin', 'python');
      const info = await getInterpreterInfo(envPython, { cacheDir: path.join(tmp, 'c5') });
      assert.equal(info.executable, envPython);
      assert.equal(info.prefix, env);
      if (atLeast(py, 3, 11)) assert.equal(path.dirname(info.baseExecutable), path.dirname(py.path));
      else assert.equal(info.baseExecutable, envPython);
    });
  }

  test('the introspection is immune to PYTHONHOME, PYTHONPATH and a chatty sitecustomize (-I -S)', async () => {
    const py = pythons[pythons.length - 1];
    const noisy = path.join(tmp, 'noisy-site');
    await fs.mkdir(noisy, { recursive: true });
    await fs.writeFile(path.join(noisy, 'sitecustomize.py'), 'print("@@VENV_MANAGER_FACTS@@{junk")\nraise SystemExit(9)\n');
    const env = { ...process.env, PYTHONHOME: path.join(tmp, 'no-such-home'), PYTHONPATH: noisy, PYTHONSTARTUP: path.join(noisy, 'sitecustomize.py') };
    const info = await getInterpreterInfo(py.path, { cacheDir: path.join(tmp, 'c8'), env });
    assert.deepEqual(info.version, py.version);
  });

  test('a bare command is looked up on the given PATH', async () => {
    const py = pythons[pythons.length - 1];
    const bin = path.join(tmp, 'path-bin');
    await fs.mkdir(bin, { recursive: true });
    await fs.symlink(py.path, path.join(bin, 'mypython'));
    const info = await getInterpreterInfo('mypython', { cacheDir: path.join(tmp, 'c9'), env: { ...process.env, PATH: `${path.join(tmp, 'empty')}:${bin}` } });
    assert.equal(info.executable, path.join(bin, 'mypython'));
    assert.equal(info.baseExecutable, path.join(bin, 'mypython'));
  });

  test('a relative interpreter path is taken from the given cwd', async () => {
    const py = pythons[pythons.length - 1];
    const info = await getInterpreterInfo(path.basename(path.dirname(py.path)) + '/' + path.basename(py.path), { cacheDir: path.join(tmp, 'c10'), cwd: path.dirname(path.dirname(py.path)) });
    assert.equal(info.executable, py.path);
  });

  describe('broken interpreters give a clear VenvError', () => {
    const cases: Array<[string, string | null, number, RegExp]> = [
      ['not executable', '#!/bin/sh\necho hi\n', 0o644, /is not executable/],
      ['crashes', '#!/bin/sh\necho boom >&2\nexit 3\n', 0o755, /failed with exit code 3.*boom/],
      ['killed by a signal', '#!/bin/sh\nkill -9 $$\n', 0o755, /killed by SIGKILL/],
      ['prints junk', '#!/bin/sh\necho "this is not python"\n', 0o755, /did not answer like a Python interpreter/],
      ['prints a marker with junk after it', '#!/bin/sh\necho "@@VENV_MANAGER_FACTS@@{nope"\n', 0o755, /did not answer like a Python interpreter/],
      ['binary garbage', null, 0o755, /not a program this system can run|failed|did not answer/],
    ];
    for (const [name, text, mode, message] of cases) {
      test(name, async () => {
        const file = path.join(tmp, `broken-${name.replace(/\W+/g, '-')}`);
        await fs.writeFile(file, text ?? Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 2, 3, 0, 0, 0, 9, 9]), { mode });
        await assert.rejects(getInterpreterInfo(file, { cacheDir: path.join(tmp, 'c6') }), (err: unknown) => {
          assert.ok(err instanceof VenvError, `VenvError expected, got ${String(err)}`);
          assert.match(err.message, message);
          return true;
        });
      });
    }

    test('missing file', async () => {
      await assert.rejects(getInterpreterInfo(path.join(tmp, 'nope', 'python3')), /does not exist/);
    });
    test('a directory', async () => {
      await assert.rejects(getInterpreterInfo(tmp), /is not a file/);
    });
    test('a command not on PATH', async () => {
      await assert.rejects(getInterpreterInfo('python-does-not-exist-9', { env: { PATH: tmp } }), /No Python interpreter named 'python-does-not-exist-9' was found on PATH/);
    });
    test('Python 2', async (t) => {
      const versions = path.join(process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv'), 'versions');
      const found = await fs.readdir(versions).catch(() => [] as string[]);
      const two = found.find((v) => v.startsWith('2.'));
      if (!two) {
        t.skip('no Python 2 installed');
        return;
      }
      const exe = path.join(versions, two, 'bin', 'python2');
      await assert.rejects(getInterpreterInfo(exe, { cacheDir: path.join(tmp, 'c7') }), /older than Python 3\.4|venv needs Python 3/);
    });
  });
});

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  completeInterpreterFacts,
  completeInterpreterFactsFromCache,
  findInterpreters,
  parseRegQueryOutput,
  PythonNotFoundError,
  readExecutableBits,
  readRegisteredPythons,
  resolvePythonSpec,
  SnapshotRegistryReader,
  type RegistryHive,
  type RegistryReader,
} from '../../../src/core/discovery';
import { fakeInstall, realPythons, tempDir, trapExecutable, write } from '../../fixtures/discovery';

describe('findInterpreters on a fake machine (nothing is run)', () => {
  const t = tempDir('interp');
  const home = path.join(t.dir, 'home');
  const marker = path.join(t.dir, 'RAN');
  const pyenvRoot = path.join(home, '.pyenv');
  let env: NodeJS.ProcessEnv;

  before(() => {
    // An install at /opt-like prefix, reached from PATH through python3 and python3.12 links.
    const prefix = path.join(t.dir, 'opt', 'py312');
    fakeInstall(prefix, '3.12.4', marker, ['python3']);
    const binA = path.join(t.dir, 'binA');
    mkdirSync(binA);
    symlinkSync(path.join(prefix, 'bin', 'python3'), path.join(binA, 'python3'));
    symlinkSync(path.join(prefix, 'bin', 'python3.12'), path.join(binA, 'python3.12'));
    write(path.join(binA, 'python3-config'), '#!/bin/sh\n', 0o755);
    write(path.join(binA, 'python3.9'), 'not executable', 0o644);
    // The same folder again through a directory link: de-duplicated by realpath.
    symlinkSync(binA, path.join(t.dir, 'binB'));
    // pyenv's shims folder, and a copy of a shim somewhere else named shims.
    const shim = `#!/usr/bin/env bash\nset -e\nexport PYENV_ROOT="${pyenvRoot}"\nexec "${pyenvRoot}/libexec/pyenv" exec "$program" "$@"\necho >> '${marker}'\n`;
    write(path.join(pyenvRoot, 'shims', 'python3'), shim, 0o755);
    write(path.join(t.dir, 'other', 'shims', 'python3.11'), shim, 0o755);
    // A virtual environment's bin on PATH (an activated env): an environment, not a base interpreter.
    write(path.join(t.dir, 'activeenv', 'pyvenv.cfg'), 'home = /nowhere\nversion = 3.11.0\n');
    trapExecutable(path.join(t.dir, 'activeenv', 'bin', 'python3'), marker);
    // pyenv versions: CPython, free-threaded, PyPy, and a pyenv-virtualenv env (not an interpreter).
    fakeInstall(path.join(pyenvRoot, 'versions', '3.10.2'), '3.10.2', marker, ['python', 'python3']);
    trapExecutable(path.join(pyenvRoot, 'versions', '3.13.0t', 'bin', 'python3.13t'), marker);
    symlinkSync('python3.13t', path.join(pyenvRoot, 'versions', '3.13.0t', 'bin', 'python'));
    trapExecutable(path.join(pyenvRoot, 'versions', 'pypy3.10-7.3.12', 'bin', 'pypy3'), marker);
    write(path.join(pyenvRoot, 'versions', 'myenv', 'pyvenv.cfg'), 'home = x\n');
    trapExecutable(path.join(pyenvRoot, 'versions', 'myenv', 'bin', 'python'), marker);
    // A uv-managed Python under the fake HOME.
    fakeInstall(path.join(home, '.local', 'share', 'uv', 'python', 'cpython-3.11.9-linux-x86_64-gnu'), '3.11.9', marker, ['python3']);
    env = {
      HOME: home,
      PYENV_ROOT: pyenvRoot,
      PATH: ['.', 'binA', '', path.join(pyenvRoot, 'shims'), path.join(t.dir, 'other', 'shims'), path.join(t.dir, 'activeenv', 'bin'), binA, path.join(t.dir, 'binB')].join(':'),
    };
  });
  after(() => t.cleanup());

  test('lists each install once, newest first, with file-system versions', async () => {
    const cwd = process.cwd();
    process.chdir(t.dir); // relative PATH entries ('.', 'binA') must not be looked at
    let found;
    try {
      found = await findInterpreters({ env, systemFolders: [] });
    } finally {
      process.chdir(cwd);
    }
    const summary = found.map((i) => [path.relative(t.dir, i.path), i.version, i.source, i.implementation, i.freeThreaded ?? false]);
    assert.deepEqual(summary, [
      ['home/.pyenv/versions/3.13.0t/bin/python', '3.13.0', 'pyenv', 'cpython', true],
      ['binA/python3', '3.12.4', 'PATH', 'cpython', false],
      ['home/.local/share/uv/python/cpython-3.11.9-linux-x86_64-gnu/bin/python3', '3.11.9', 'uv', 'cpython', false],
      ['home/.pyenv/versions/3.10.2/bin/python', '3.10.2', 'pyenv', 'cpython', false],
      ['home/.pyenv/versions/pypy3.10-7.3.12/bin/pypy3', '3.10', 'pyenv', 'pypy', false],
    ]);
    assert.equal(found[1].realPath, path.join(t.dir, 'opt', 'py312', 'bin', 'python3.12'));
    assert.ok(!existsSync(marker), 'discovery ran an interpreter');
  });

  test('resolvePythonSpec picks the newest match', async () => {
    const opts = { env, systemFolders: [] };
    // 3.13.0t is newer but free-threaded: a spec without 't' does not take it (as virtualenv).
    assert.equal(await resolvePythonSpec('3', opts), path.join(t.dir, 'binA', 'python3'));
    assert.equal(await resolvePythonSpec('3.12', opts), path.join(t.dir, 'binA', 'python3'));
    assert.equal(await resolvePythonSpec('python3.10', opts), path.join(pyenvRoot, 'versions', '3.10.2', 'bin', 'python'));
    assert.equal(await resolvePythonSpec('cpython3.11', opts), path.join(home, '.local', 'share', 'uv', 'python', 'cpython-3.11.9-linux-x86_64-gnu', 'bin', 'python3'));
    assert.equal(await resolvePythonSpec('pypy3', opts), path.join(pyenvRoot, 'versions', 'pypy3.10-7.3.12', 'bin', 'pypy3'));
    assert.equal(await resolvePythonSpec('3.13t', opts), path.join(pyenvRoot, 'versions', '3.13.0t', 'bin', 'python'));
    assert.equal(await resolvePythonSpec('py310', opts), path.join(pyenvRoot, 'versions', '3.10.2', 'bin', 'python'));
    assert.equal(await resolvePythonSpec('3.12.4', opts), path.join(t.dir, 'binA', 'python3'));
    assert.ok(!existsSync(marker));
  });

  test('resolvePythonSpec explains what it found when nothing matches', async () => {
    await assert.rejects(resolvePythonSpec('3.99', { env, systemFolders: [] }), (err: unknown) => {
      assert.ok(err instanceof PythonNotFoundError);
      assert.match(err.message, /No Python interpreter matching '3\.99'/);
      assert.match(err.message, /Found:/);
      assert.match(err.message, /cpython 3\.12\.4 .*binA\/python3/);
      assert.equal(err.found.length, 5);
      return true;
    });
    await assert.rejects(resolvePythonSpec('3.12-32', { env, systemFolders: [] }), /32-bit/);
  });

  test('resolvePythonSpec with paths and commands', async () => {
    const opts = { env, systemFolders: [], cwd: t.dir };
    assert.equal(await resolvePythonSpec('binA/python3.12', opts), path.join(t.dir, 'binA', 'python3.12'));
    assert.equal(await resolvePythonSpec('./opt/py312', opts), path.join(t.dir, 'opt', 'py312', 'bin', 'python3'), 'a prefix folder means its bin/python3');
    assert.equal(await resolvePythonSpec('~/.pyenv/versions/3.10.2/bin/python', opts), path.join(pyenvRoot, 'versions', '3.10.2', 'bin', 'python'));
    await assert.rejects(resolvePythonSpec('./nope/python', opts), /does not exist/);
    await assert.rejects(resolvePythonSpec('binA/python3.9', opts), /not an executable/);
    await assert.rejects(resolvePythonSpec('./binA', opts), /No Python interpreter in the folder/);
    write(path.join(t.dir, 'binA', 'mypython'), '#!/bin/sh\n', 0o755);
    assert.equal(await resolvePythonSpec('mypython', opts), path.join(t.dir, 'binA', 'mypython'));
    await assert.rejects(resolvePythonSpec('nosuchpython', opts), /no command named 'nosuchpython' on PATH/);
    assert.ok(!existsSync(marker));
  });

  test('completeInterpreterFacts fills in versions from an introspection, without the listing waiting', async () => {
    const listed = await findInterpreters({ env, systemFolders: [] });
    const withGap = listed.map((i, n) => (n === 1 ? { ...i, version: '3.12' } : i));
    const updates: number[] = [];
    const asked: string[] = [];
    const done = await completeInterpreterFacts(
      withGap,
      async (python) => {
        asked.push(python);
        if (python.includes('pypy')) throw new Error('cannot run');
        return { versionString: '3.12.9', implementation: 'cpython', is64bit: true };
      },
      { onUpdate: (_u, i) => updates.push(i) },
    );
    assert.deepEqual(updates, [1], 'only the interpreter lacking a full version is introspected (the pypy one fails and keeps its facts)');
    assert.equal(done[1].version, '3.12.9');
    assert.equal(done[1].bits, 64);
    assert.equal(withGap[1].version, '3.12', 'the input list is not modified');
    assert.equal(done[4].version, '3.10');
    assert.deepEqual(asked.map((p) => path.relative(t.dir, p)).sort(), ['binA/python3', 'home/.pyenv/versions/pypy3.10-7.3.12/bin/pypy3']);
  });
});

class FakeRegistry implements RegistryReader {
  readonly values = new Map<string, Map<string, string>>();
  set(hive: RegistryHive, key: string, name: string, value: string): this {
    const k = `${hive}\\${key}`.toLowerCase();
    if (!this.values.has(k)) this.values.set(k, new Map());
    this.values.get(k)!.set(name.toLowerCase(), value);
    this.keysCased.add(`${hive}\\${key}`);
    return this;
  }
  private readonly keysCased = new Set<string>();
  async subkeys(hive: RegistryHive, key: string): Promise<string[]> {
    const prefix = `${hive}\\${key}\\`.toLowerCase();
    return [...new Set([...this.keysCased].filter((k) => k.toLowerCase().startsWith(prefix)).map((k) => k.slice(prefix.length).split('\\')[0]))];
  }
  async value(hive: RegistryHive, key: string, name: string): Promise<string | undefined> {
    return this.values.get(`${hive}\\${key}`.toLowerCase())?.get(name.toLowerCase());
  }
}

describe('Windows: PEP 514 registry and PATH, with a fake registry reader', () => {
  const t = tempDir('winreg');
  const marker = path.join(t.dir, 'RAN');
  const py312 = path.join(t.dir, 'Python312');
  const py39 = path.join(t.dir, 'Python39-32', 'python.exe');
  const astral = path.join(t.dir, 'uv', 'cpython-3.13.1', 'python.exe');
  const onPath = path.join(t.dir, 'winpath');
  let registry: FakeRegistry;

  before(() => {
    trapExecutable(path.join(py312, 'python.exe'), marker);
    write(path.join(py312, 'python312.dll'), '');
    write(path.join(py312, 'include', 'patchlevel.h'), '#define PY_VERSION "3.12.7"\n');
    trapExecutable(py39, marker);
    trapExecutable(astral, marker);
    trapExecutable(path.join(onPath, 'python.exe'), marker);
    write(path.join(onPath, 'python311.dll'), '');
    trapExecutable(path.join(onPath, 'python3'), marker); // no .exe: not a Windows interpreter name
    registry = new FakeRegistry()
      .set('HKCU', 'Software\\Python\\PythonCore\\3.12', 'SysVersion', '3.12')
      .set('HKCU', 'Software\\Python\\PythonCore\\3.12', 'SysArchitecture', '64bit')
      .set('HKCU', 'Software\\Python\\PythonCore\\3.12\\InstallPath', '', py312)
      .set('HKLM', 'Software\\Wow6432Node\\Python\\PythonCore\\3.9-32\\InstallPath', 'ExecutablePath', py39)
      .set('HKLM', 'Software\\Wow6432Node\\Python\\PythonCore\\3.9-32\\InstallPath', '', path.dirname(py39))
      .set('HKLM', 'Software\\Python\\PythonCore\\3.8\\InstallPath', '', path.join(t.dir, 'Removed38'))
      .set('HKCU', 'Software\\Python\\PyLauncher', 'InstallDir', t.dir)
      .set('HKCU', 'Software\\Python\\Astral\\CPython3.13.1', 'Version', '3.13.1')
      .set('HKCU', 'Software\\Python\\Astral\\CPython3.13.1\\InstallPath', 'ExecutablePath', astral);
  });
  after(() => t.cleanup());

  test('readRegisteredPythons walks HKCU, HKLM and the 32-bit view, skipping PyLauncher', async () => {
    const entries = await readRegisteredPythons(registry);
    const summary = entries.map((e) => [e.hive, e.company, e.tag, e.version, e.bits]);
    assert.deepEqual(summary, [
      ['HKCU', 'PythonCore', '3.12', '3.12', 64],
      ['HKCU', 'Astral', 'CPython3.13.1', '3.13.1', undefined],
      ['HKLM', 'PythonCore', '3.8', '3.8', undefined],
      ['HKLM', 'PythonCore', '3.9-32', '3.9', 32],
    ]);
    assert.equal(entries[0].executable, path.join(py312, 'python.exe'));
  });

  test('findInterpreters lists registry installs that exist, plus PATH python.exe', async () => {
    const storeAliases = path.join(t.dir, 'local', 'Microsoft', 'WindowsApps');
    trapExecutable(path.join(storeAliases, 'python.exe'), marker);
    const env = { HOME: path.join(t.dir, 'home'), PATH: `${storeAliases};${onPath}`, LOCALAPPDATA: path.join(t.dir, 'local') };
    const found = await findInterpreters({ env, platform: 'win32', registry, systemFolders: [] });
    const summary = found.map((i) => [path.relative(t.dir, i.path), i.version, i.source, i.bits, i.company ?? null]);
    assert.deepEqual(summary, [
      [path.join('uv', 'cpython-3.13.1', 'python.exe'), '3.13.1', 'registry', undefined, 'Astral'],
      [path.join('Python312', 'python.exe'), '3.12.7', 'registry', 64, 'PythonCore'],
      [path.join('winpath', 'python.exe'), '3.11', 'PATH', undefined, null],
      [path.join('Python39-32', 'python.exe'), '3.9', 'registry', 32, 'PythonCore'],
    ]);
    assert.ok(!existsSync(marker));
  });

  test('resolvePythonSpec: py launcher forms and bitness', async () => {
    const opts = { env: { HOME: t.dir, PATH: onPath }, platform: 'win32' as const, registry, systemFolders: [] };
    assert.equal(await resolvePythonSpec('-V:Astral/CPython3.13.1', opts), astral);
    assert.equal(await resolvePythonSpec('-V:PythonCore/3.9-32', opts), py39);
    assert.equal(await resolvePythonSpec('3.9-32', opts), py39);
    assert.equal(await resolvePythonSpec('-3.12', opts), path.join(py312, 'python.exe'));
    assert.equal(await resolvePythonSpec('3.12-64', opts), path.join(py312, 'python.exe'));
    await assert.rejects(resolvePythonSpec('3.9-64', opts), PythonNotFoundError);
    await assert.rejects(resolvePythonSpec('-V:PythonCore/3.8', opts), /Found:/);
    assert.ok(!existsSync(marker));
  });

  test("py launcher defaults: PY_PYTHON / PY_PYTHON3 and py.ini's [defaults]", async () => {
    const local = path.join(t.dir, 'local');
    const opts = (extra: NodeJS.ProcessEnv) => ({ env: { HOME: t.dir, PATH: onPath, LOCALAPPDATA: local, ...extra }, platform: 'win32' as const, registry, systemFolders: [] });
    assert.equal(await resolvePythonSpec('py', opts({})), astral, 'nothing configured: the newest');
    assert.equal(await resolvePythonSpec('py', opts({ PY_PYTHON: '3.9-32' })), py39);
    assert.equal(await resolvePythonSpec('-3', opts({ PY_PYTHON3: '3.12' })), path.join(py312, 'python.exe'));
    write(path.join(local, 'py.ini'), '\ufeff[commands]\r\npython=3.9\r\n[defaults]\r\npython=3.9\r\npython3 = 3.12\r\n');
    assert.equal(await resolvePythonSpec('py', opts({})), py39);
    assert.equal(await resolvePythonSpec('-3', opts({})), path.join(py312, 'python.exe'));
    assert.equal(await resolvePythonSpec('-3', opts({ PY_PYTHON3: '3.13' })), astral, 'the environment variable wins over py.ini');
    assert.equal(await resolvePythonSpec('3', opts({})), astral, "virtualenv's '3' is not a launcher form: the newest");
    assert.ok(!existsSync(marker));
  });

  test('the real reader parses `reg query /s` output', async () => {
    const output = [
      '',
      'HKEY_CURRENT_USER\\Software\\Python\\PythonCore',
      '    DisplayName    REG_SZ    Python Software Foundation',
      '',
      'HKEY_CURRENT_USER\\Software\\Python\\PythonCore\\3.12',
      '    DisplayName    REG_SZ    Python 3.12 (64-bit)',
      '    SysArchitecture    REG_SZ    64bit',
      '    SysVersion    REG_SZ    3.12',
      '    Version    REG_SZ    3.12.1',
      '',
      'HKEY_CURRENT_USER\\Software\\Python\\PythonCore\\3.12\\InstallPath',
      '    (Default)    REG_SZ    C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python312\\',
      '    ExecutablePath    REG_SZ    C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python312\\python.exe',
      '',
      'HKEY_LOCAL_MACHINE\\Software\\Python\\PythonCore\\3.11\\InstallPath',
      '    (Default)    REG_SZ    C:\\Program Files\\Python311\\',
      '',
    ].join('\r\n');
    const reader = new SnapshotRegistryReader(parseRegQueryOutput(output), [
      'HKCU\\Software\\Python\\PythonCore',
      'HKCU\\Software\\Python\\PythonCore\\3.12',
      'HKCU\\Software\\Python\\PythonCore\\3.12\\InstallPath',
      'HKLM\\Software\\Python\\PythonCore\\3.11\\InstallPath',
    ]);
    const entries = await readRegisteredPythons(reader);
    assert.deepEqual(
      entries.map((e) => [e.hive, e.company, e.tag, e.version, e.bits, e.executable]),
      [
        ['HKCU', 'PythonCore', '3.12', '3.12.1', 64, 'C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python312\\python.exe'],
        ['HKLM', 'PythonCore', '3.11', '3.11', undefined, 'C:\\Program Files\\Python311\\python.exe'],
      ],
    );
  });
});

describe('findInterpreters on this machine', () => {
  const real = realPythons();

  test('finds every real CPython 3, with the version it reports when run (run by the test, not by discovery)', { skip: real.length === 0 && 'no Python on this machine' }, async () => {
    const found = await findInterpreters();
    const byReal = new Map(found.map((i) => [i.realPath, i]));
    const { realpathSync } = await import('node:fs');
    for (const r of real) {
      const listed = byReal.get(realpathSync(r.path));
      assert.ok(listed, `${r.path} (${r.version}) not listed; got ${found.map((f) => f.path).join(', ')}`);
      assert.ok(listed.version !== undefined && r.version.startsWith(listed.version), `${r.path}: listed ${listed.version}, runs as ${r.version}`);
    }
    assert.ok(found.every((i) => !i.path.includes(`${path.sep}shims${path.sep}`)), 'pyenv shims are not interpreters');
    const versions = found.filter((i) => i.version).map((i) => i.version!);
    const sorted = [...versions].sort((a, b) => {
      const pa = a.split('.').map(Number);
      const pb = b.split('.').map(Number);
      for (let i = 0; i < 3; i++) if ((pa[i] ?? -1) !== (pb[i] ?? -1)) return (pb[i] ?? -1) - (pa[i] ?? -1);
      return 0;
    });
    assert.deepEqual(versions, sorted, 'newest first');
    assert.equal(new Set(found.map((i) => i.realPath)).size, found.length, 'one entry per real path');
  });

  test('readExecutableBits reads the ELF header of a real interpreter, and nothing from a script', { skip: real.length === 0 && 'no Python' }, async () => {
    const { realpathSync } = await import('node:fs');
    const expected = ['x64', 'arm64', 'ppc64', 's390x', 'riscv64', 'loong64'].includes(process.arch) ? 64 : 32;
    assert.equal(await readExecutableBits(realpathSync(real[0].path)), expected);
    const t = tempDir('bits');
    try {
      assert.equal(await readExecutableBits(trapExecutable(path.join(t.dir, 'python'), path.join(t.dir, 'RAN'))), undefined);
    } finally {
      t.cleanup();
    }
  });

  test('completeInterpreterFactsFromCache uses the core introspection for a version the file system did not give', { skip: real.length === 0 && 'no Python' }, async () => {
    const t = tempDir('introspect');
    try {
      const r = real[0];
      const [filled] = await completeInterpreterFactsFromCache([{ path: r.path, source: 'test' }], { cacheDir: t.dir });
      assert.equal(filled.version, r.version);
      assert.equal(filled.implementation, 'cpython');
    } finally {
      t.cleanup();
    }
  });
});

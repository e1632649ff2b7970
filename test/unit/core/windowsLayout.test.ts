// The Windows layout, built on Linux by the same code: a fake Windows InterpreterInfo and a temp
// directory standing in for the base installation (python.exe, DLLs, Lib\venv\scripts\nt launchers).
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createEnvironment } from '../../../src/core/envBuilder';
import type { InterpreterInfo } from '../../../src/core/interpreter';
import { envLayout, posixInterpreterAliases, windowsInterpreterPlan } from '../../../src/core/layout';

let tmp: string;
let n = 0;
before(async () => {
  tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'vm-winlayout-')));
});
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** A stand-in Windows install: each file holds its own name so copies can be traced to their source. */
async function fakeWindowsBase(version: [number, number, number], extra: { launchersNamedPython?: boolean; freeThreaded?: boolean } = {}) {
  const base = path.join(tmp, `base-${++n}`);
  const nt = path.join(base, 'Lib', 'venv', 'scripts', 'nt');
  await fs.mkdir(nt, { recursive: true });
  const mm = `${version[0]}${version[1]}`;
  const t = extra.freeThreaded ? `3.${version[1]}t` : '';
  const baseFiles = [`python${t}.exe`, `pythonw${t}.exe`, 'python.exe', 'pythonw.exe', `python${mm}.dll`, 'python3.dll', 'vcruntime140.dll', 'libcrypto-3.dll', 'py.ico'];
  for (const f of new Set(baseFiles)) await fs.writeFile(path.join(base, f), `base:${f}`);
  const launchers = extra.launchersNamedPython
    ? ['python.exe', 'pythonw.exe']
    : extra.freeThreaded
      ? ['venvlauncher.exe', 'venvwlauncher.exe', 'venvlaunchert.exe', 'venvwlaunchert.exe']
      : ['venvlauncher.exe', 'venvwlauncher.exe'];
  for (const f of launchers) await fs.writeFile(path.join(nt, f), `launcher:${f}`);
  const exe = path.join(base, `python${t}.exe`);
  const info: InterpreterInfo = {
    executable: exe,
    baseExecutable: exe,
    realExecutable: exe,
    version,
    versionString: version.join('.'),
    implementation: 'cpython',
    is64bit: true,
    abiflags: '',
    platform: 'win32',
    osName: 'nt',
    prefix: base,
    basePrefix: base,
    stdlib: path.join(base, 'Lib'),
    venvPaths:
      version[1] >= 11
        ? { scripts: '{ENV}\\Scripts', include: '{ENV}\\Include', purelib: '{ENV}\\Lib\\site-packages', platlib: '{ENV}\\Lib\\site-packages', data: '{ENV}' }
        : undefined,
    gilDisabled: extra.freeThreaded ?? false,
    hasEnsurepip: true,
    bundledWheels: [],
  };
  return { base, info };
}

async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string) => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out.push(`${r}/`);
        await walk(path.join(d, e.name), r);
      } else out.push(e.isSymbolicLink() ? `${r}@` : r);
    }
  };
  await walk(dir, '');
  return out.sort();
}

describe('Windows layout, built on Linux', () => {
  test('3.13: Scripts\\, Lib\\site-packages, Include\\, launcher copies, CRLF cfg, no lib64', async () => {
    const { base, info } = await fakeWindowsBase([3, 13, 0]);
    const env = path.join(tmp, `env-${++n}`);
    const ctx = await createEnvironment(env, { interpreterInfo: info, scmIgnoreFiles: ['git'] });
    assert.equal(ctx.binName, 'Scripts');
    assert.equal(ctx.pythonExe, 'python.exe');
    const files = await tree(env);
    for (const want of ['Include/', 'Lib/', 'Lib/site-packages/', 'Scripts/', 'Scripts/python.exe', 'Scripts/pythonw.exe', 'pyvenv.cfg', '.gitignore']) {
      assert.ok(files.includes(want), `${want} in ${files.join(' ')}`);
    }
    assert.ok(!files.some((f) => f.startsWith('lib64') || f.startsWith('bin')), 'no lib64 and no bin on Windows');
    assert.equal(await fs.readFile(path.join(env, 'Scripts', 'python.exe'), 'utf8'), 'launcher:venvlauncher.exe');
    assert.equal(await fs.readFile(path.join(env, 'Scripts', 'pythonw.exe'), 'utf8'), 'launcher:venvwlauncher.exe');
    assert.ok(!files.some((f) => f.endsWith('.dll')), 'copies need no DLLs');
    const cfg = await fs.readFile(path.join(env, 'pyvenv.cfg'), 'utf8');
    assert.equal(
      cfg,
      [
        `home = ${base}`,
        'include-system-site-packages = false',
        'version = 3.13.0',
        `executable = ${info.realExecutable}`,
        `command = ${info.executable} -m venv --without-pip ${env}`,
        '',
      ].join('\r\n'),
    );
    assert.equal(await fs.readFile(path.join(env, '.gitignore'), 'utf8'), '# Created by venv; see https://docs.python.org/3/library/venv.html\r\n*\r\n');
    for (const script of ['activate', 'activate.bat', 'deactivate.bat', 'Activate.ps1', 'activate.fish']) {
      assert.ok(files.includes(`Scripts/${script}`), `Scripts/${script} installed`);
    }
    const bat = await fs.readFile(path.join(env, 'Scripts', 'activate.bat'), 'utf8');
    assert.ok(bat.includes('\r\n'), 'activate.bat has CRLF line endings');
    assert.ok(bat.includes('Scripts'), 'activate.bat names Scripts');
  });

  test('3.13 with symlinks: links python/pythonw and the python*/vcruntime* DLLs; the command says --symlinks', async () => {
    const { base, info } = await fakeWindowsBase([3, 13, 0]);
    const env = path.join(tmp, `env-${++n}`);
    await createEnvironment(env, { interpreterInfo: info, symlinks: true });
    const scripts = path.join(env, 'Scripts');
    assert.equal(await fs.readlink(path.join(scripts, 'python.exe')), path.join(base, 'python.exe'));
    assert.equal(await fs.readlink(path.join(scripts, 'pythonw.exe')), path.join(base, 'pythonw.exe'));
    for (const dll of ['python313.dll', 'python3.dll', 'vcruntime140.dll']) assert.equal(await fs.readlink(path.join(scripts, dll)), path.join(base, dll));
    await assert.rejects(fs.lstat(path.join(scripts, 'libcrypto-3.dll')), 'only python*/vcruntime* DLLs are linked');
    assert.match(await fs.readFile(path.join(env, 'pyvenv.cfg'), 'utf8'), /^command = .* -m venv --symlinks --without-pip /m);
  });

  test('3.13 with symlinks that fail: links made so far are removed and launchers are copied', async () => {
    const { info } = await fakeWindowsBase([3, 13, 0]);
    const env = path.join(tmp, `env-${++n}`);
    await fs.mkdir(path.join(env, 'Scripts'), { recursive: true });
    // A directory where the DLL link must go makes that link fail.
    await fs.mkdir(path.join(env, 'Scripts', 'python313.dll'));
    const warnings: string[] = [];
    await createEnvironment(env, { interpreterInfo: info, symlinks: true, log: (l) => warnings.push(l) });
    const st = await fs.lstat(path.join(env, 'Scripts', 'python.exe'));
    assert.ok(st.isFile() && !st.isSymbolicLink());
    assert.equal(await fs.readFile(path.join(env, 'Scripts', 'python.exe'), 'utf8'), 'launcher:venvlauncher.exe');
    assert.ok(warnings.some((w) => w.startsWith('Unable to symlink')));
    assert.ok(warnings.includes('Retrying with copies'));
  });

  test('3.13 free-threaded: python3.13t.exe and pythonw3.13t.exe from the t launchers, site-packages from the scheme', async () => {
    const { info } = await fakeWindowsBase([3, 13, 0], { freeThreaded: true });
    const env = path.join(tmp, `env-${++n}`);
    await createEnvironment(env, { interpreterInfo: info });
    for (const [name, src] of [
      ['python.exe', 'venvlaunchert.exe'],
      ['python3.13t.exe', 'venvlaunchert.exe'],
      ['pythonw.exe', 'venvwlaunchert.exe'],
      ['pythonw3.13t.exe', 'venvwlaunchert.exe'],
    ]) {
      assert.equal(await fs.readFile(path.join(env, 'Scripts', name), 'utf8'), `launcher:${src}`, name);
    }
  });

  test('3.12: the launchers shipped as scripts\\nt\\python.exe are copied under the base names', async () => {
    const { info } = await fakeWindowsBase([3, 12, 1], { launchersNamedPython: true });
    const env = path.join(tmp, `env-${++n}`);
    const ctx = await createEnvironment(env, { interpreterInfo: info, prompt: 'p' });
    assert.equal(ctx.prompt, '(p) ');
    assert.equal(await fs.readFile(path.join(env, 'Scripts', 'python.exe'), 'utf8'), 'launcher:python.exe');
    assert.equal(await fs.readFile(path.join(env, 'Scripts', 'pythonw.exe'), 'utf8'), 'launcher:pythonw.exe');
    const files = await tree(env);
    assert.ok(!files.includes('Scripts/activate.fish'), 'activate.fish is a 3.13+ Windows script');
    assert.ok(!files.includes('.gitignore'));
    assert.match(await fs.readFile(path.join(env, 'pyvenv.cfg'), 'utf8'), /\r\nprompt = 'p'\r\n/);
  });

  test('3.10: hard-coded Windows paths (no sysconfig venv scheme), no executable/command keys', async () => {
    const { base, info } = await fakeWindowsBase([3, 10, 11], { launchersNamedPython: true });
    const env = path.join(tmp, `env-${++n}`);
    await createEnvironment(env, { interpreterInfo: info });
    const files = await tree(env);
    assert.ok(files.includes('Lib/site-packages/') && files.includes('Include/') && files.includes('Scripts/python.exe'));
    assert.equal(await fs.readFile(path.join(env, 'Scripts', 'python.exe'), 'utf8'), 'launcher:python.exe');
    assert.equal(await fs.readFile(path.join(env, 'pyvenv.cfg'), 'utf8'), `home = ${base}\r\ninclude-system-site-packages = false\r\nversion = 3.10.11\r\n`);
  });

  test('3.6 (before the launchers): the base interpreter and its DLLs are copied', async () => {
    const { info } = await fakeWindowsBase([3, 6, 8]);
    const env = path.join(tmp, `env-${++n}`);
    await createEnvironment(env, { interpreterInfo: info });
    const scripts = (await tree(path.join(env, 'Scripts'))).filter((f) => /\.(exe|dll)$/.test(f));
    assert.deepEqual(scripts, ['libcrypto-3.dll', 'python.exe', 'python3.dll', 'python36.dll', 'pythonw.exe', 'vcruntime140.dll']);
    assert.equal(await fs.readFile(path.join(env, 'Scripts', 'python.exe'), 'utf8'), 'base:python.exe');
    assert.equal(await fs.readFile(path.join(env, 'pyvenv.cfg'), 'utf8'), `home = ${path.dirname(info.baseExecutable)}\r\ninclude-system-site-packages = false\r\nversion = 3.6.8\r\n`);
  });

  test('a semicolon (the Windows PATH separator) in the env dir is refused for 3.11+', async () => {
    const { info } = await fakeWindowsBase([3, 13, 0]);
    const env = path.join(tmp, `a;b-${++n}`);
    await assert.rejects(createEnvironment(env, { interpreterInfo: info }), { message: `Refusing to create a venv in ${env} because it contains the PATH separator ;.` });
  });
});

describe('layout rules', () => {
  const info = (version: [number, number, number], more: Partial<InterpreterInfo> = {}): InterpreterInfo => ({
    executable: '/opt/py/bin/python3',
    baseExecutable: '/opt/py/bin/python3',
    realExecutable: '/opt/py/bin/python3.x',
    version,
    versionString: version.join('.'),
    implementation: 'cpython',
    is64bit: true,
    abiflags: '',
    platform: 'linux',
    osName: 'posix',
    prefix: '/opt/py',
    basePrefix: '/opt/py',
    stdlib: '/opt/py/lib',
    gilDisabled: false,
    hasEnsurepip: true,
    bundledWheels: [],
    ...more,
  });

  test('lib64 only on 64-bit POSIX other than macOS', () => {
    assert.equal(envLayout(info([3, 12, 0])).lib64, true);
    assert.equal(envLayout(info([3, 12, 0], { is64bit: false })).lib64, false);
    assert.equal(envLayout(info([3, 12, 0], { platform: 'darwin' })).lib64, false);
  });

  test('aliases: python3.X from 3.9', () => {
    assert.deepEqual(posixInterpreterAliases(info([3, 8, 18])), ['python', 'python3']);
    assert.deepEqual(posixInterpreterAliases(info([3, 9, 0])), ['python', 'python3', 'python3.9']);
  });

  test('the main interpreter is named after the base executable as invoked', () => {
    assert.equal(envLayout(info([3, 12, 1])).pythonExe, 'python3');
    assert.equal(envLayout(info([3, 12, 1], { baseExecutable: '/tmp/mypy' })).pythonExe, 'mypy');
  });

  test('3.11+ takes the paths from the venv scheme (free-threaded site-packages)', () => {
    const l = envLayout(info([3, 13, 0], { gilDisabled: true, venvPaths: { scripts: '{ENV}/bin', include: '{ENV}/include/python3.13t', purelib: '{ENV}/lib/python3.13t/site-packages' } }));
    assert.deepEqual(l.libParts, ['lib', 'python3.13t', 'site-packages']);
    assert.deepEqual(l.includeParts, ['include', 'python3.13t']);
    assert.equal(l.binName, 'bin');
  });

  test('Windows debug builds are named python_d.exe (3.13)', () => {
    const l = envLayout(info([3, 13, 0], { osName: 'nt', platform: 'win32', baseExecutable: 'C:\\Py\\python_d.exe' }));
    assert.equal(l.pythonExe, 'python_d.exe');
    const plan = windowsInterpreterPlan(info([3, 13, 0], { osName: 'nt', baseExecutable: 'C:\\Py\\python_d.exe', stdlib: 'C:\\Py\\Lib' }), {
      symlinks: false,
      baseDirEntries: [],
      launcherDirEntries: [],
    });
    assert.deepEqual(
      plan.files.map((f) => [f.name, path.basename(f.copySource ?? '')]),
      [
        ['python.exe', 'venvlauncher_d.exe'],
        ['python_d.exe', 'venvlauncher_d.exe'],
        ['pythonw.exe', 'venvwlauncher_d.exe'],
        ['pythonw_d.exe', 'venvwlauncher_d.exe'],
      ],
    );
  });
});

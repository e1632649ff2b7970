import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, unlinkSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PYVENV_CFG_MAX_BYTES } from '../../../src/core/pyvenvCfg';
import { findWorkspaceEnvironments, inspectEnvironment, type EnvHealthCode } from '../../../src/core/discovery';
import { fakeEnv, fakeInstall, tempDir, write } from '../../fixtures/discovery';

function codes(env: { health: { problems: { code: EnvHealthCode }[] } } | undefined): EnvHealthCode[] {
  assert.ok(env, 'expected an environment');
  return env.health.problems.map((p) => p.code).sort();
}

describe('inspectEnvironment: what an environment is, from its files', () => {
  const t = tempDir('inspect');
  const marker = path.join(t.dir, 'RAN');
  const base = path.join(t.dir, 'base312');
  const baseBin = path.join(base, 'bin');
  let baseExe: string;

  before(() => {
    baseExe = fakeInstall(base, '3.12.1', marker, ['python3', 'python']);
  });
  after(() => t.cleanup());

  test('a healthy venv: version, prompt, base interpreter, layout', async () => {
    const dir = fakeEnv(path.join(t.dir, 'ok', '.venv'), `home = ${baseBin}\ninclude-system-site-packages = false\nversion = 3.12.1\nprompt = 'it\\'s mine'\n`, { linkTo: baseExe });
    const env = await inspectEnvironment(dir);
    assert.ok(env);
    assert.deepEqual(codes(env), []);
    assert.equal(env.health.ok, true);
    assert.equal(env.kind, 'venv');
    assert.equal(env.version, '3.12.1');
    assert.equal(env.prompt, "it's mine");
    assert.equal(env.home, baseBin);
    assert.equal(env.baseInterpreter, baseExe);
    assert.equal(env.interpreterPath, path.join(dir, 'bin', 'python'));
    assert.equal(env.binDir, path.join(dir, 'bin'));
    assert.equal(env.sitePackages, path.join(dir, 'lib', 'python3.12', 'site-packages'));
    assert.equal(env.name, '.venv');
    assert.equal(env.scope, 'workspace');
    assert.equal(env.cfgPath, path.join(dir, 'pyvenv.cfg'));
    assert.equal(env.cfg?.values.get('include-system-site-packages'), 'false');
  });

  test('virtualenv and uv are told apart by their cfg keys', async () => {
    const ve = fakeEnv(path.join(t.dir, 've'), `home = ${baseBin}\nimplementation = CPython\nversion_info = 3.12.1.final.0\nvirtualenv = 20.25.0\ninclude-system-site-packages = false\nbase-prefix = ${base}\n`, { linkTo: path.join(baseBin, 'python3') });
    const uv = fakeEnv(path.join(t.dir, 'uvenv'), `home = ${baseBin}\nimplementation = CPython\nuv = 0.5.11\nversion_info = 3.12.1\ninclude-system-site-packages = false\nprompt = uv project\n`, { linkTo: path.join(baseBin, 'python3') });
    const veEnv = await inspectEnvironment(ve);
    const uvEnv = await inspectEnvironment(uv);
    assert.equal(veEnv?.kind, 'virtualenv');
    assert.equal(veEnv?.version, '3.12.1');
    assert.equal(uvEnv?.kind, 'uv');
    assert.equal(uvEnv?.version, '3.12.1');
    assert.equal(uvEnv?.prompt, 'uv project', 'uv writes the prompt bare');
    assert.deepEqual(codes(veEnv), []);
    assert.deepEqual(codes(uvEnv), []);
  });

  test('base interpreter missing, bin/python dangling', async () => {
    const dir = fakeEnv(path.join(t.dir, 'gone'), 'home = /nonexistent/python/bin\nversion = 3.9.1\n', { linkTo: '/nonexistent/python/bin/python3.9' });
    const env = await inspectEnvironment(dir);
    assert.deepEqual(codes(env), ['base-missing', 'python-dangling']);
    assert.equal(env!.health.ok, false);
    assert.equal(env!.baseInterpreter, '/nonexistent/python/bin/python3.9');
    assert.match(env!.health.problems.find((p) => p.code === 'base-missing')!.message, /does not exist/);
  });

  test('bin/python missing altogether', async () => {
    const dir = fakeEnv(path.join(t.dir, 'nopython'), `home = ${baseBin}\nversion = 3.12.1\n`);
    const env = await inspectEnvironment(dir);
    assert.deepEqual(codes(env), ['python-dangling']);
    assert.match(env!.health.problems[0].message, /missing/);
  });

  test('Python upgraded in place: patch level on disk differs from the cfg', async () => {
    const dir = fakeEnv(path.join(t.dir, 'old-patch'), `home = ${baseBin}\nversion = 3.12.0\n`, { linkTo: baseExe });
    const env = await inspectEnvironment(dir);
    assert.deepEqual(codes(env), ['version-mismatch']);
    assert.match(env!.health.problems[0].message, /3\.12\.0.*3\.12\.1.*Upgrade/);
  });

  test('Python upgraded in place: python3 in home now is a newer minor', async () => {
    const prefix = path.join(t.dir, 'usrlike');
    fakeInstall(prefix, '3.11.4', marker, []);
    fakeInstall(prefix, '3.13.2', marker, ['python3']);
    const dir = fakeEnv(path.join(t.dir, 'old-minor'), `home = ${path.join(prefix, 'bin')}\nversion = 3.11.4\n`, { linkTo: path.join(prefix, 'bin', 'python3') });
    const env = await inspectEnvironment(dir);
    assert.deepEqual(codes(env), ['version-mismatch']);
    assert.match(env!.health.problems[0].message, /3\.13\.2/);
    // The same env made from python3.11 is fine.
    const fine = fakeEnv(path.join(t.dir, 'pinned-minor'), `home = ${path.join(prefix, 'bin')}\nversion = 3.11.4\n`, { linkTo: path.join(prefix, 'bin', 'python3.11') });
    assert.deepEqual(codes(await inspectEnvironment(fine)), []);
  });

  test('a pyenv version folder name is a version fact too', async () => {
    const pyenvRoot = path.join(t.dir, 'pyenv');
    const exe = fakeInstall(path.join(pyenvRoot, 'versions', '3.10.4'), '3.10.4', marker, ['python']);
    unlinkSync(path.join(pyenvRoot, 'versions', '3.10.4', 'include', 'python3.10', 'patchlevel.h'));
    const dir = fakeEnv(path.join(t.dir, 'pyenv-made'), `home = ${path.dirname(exe)}\nversion = 3.10.1\n`, { linkTo: path.join(path.dirname(exe), 'python') });
    const env = await inspectEnvironment(dir, 'workspace', 'workspace', { env: { HOME: t.dir, PYENV_ROOT: pyenvRoot } });
    assert.deepEqual(codes(env), ['version-mismatch']);
    assert.match(env!.health.problems[0].message, /3\.10\.4/);
  });

  test('Windows layout (Scripts, Lib) is recognised on any OS', async () => {
    const dir = path.join(t.dir, 'winenv');
    write(path.join(dir, 'pyvenv.cfg'), `home = ${baseBin}\r\nversion = 3.12.1\r\n`);
    write(path.join(dir, 'Scripts', 'python.exe'), 'MZ');
    mkdirSync(path.join(dir, 'Lib', 'site-packages'), { recursive: true });
    const env = await inspectEnvironment(dir, 'workspace', 'workspace', { platform: 'win32' });
    assert.equal(env?.binDir, path.join(dir, 'Scripts'));
    assert.equal(env?.interpreterPath, path.join(dir, 'Scripts', 'python.exe'));
    assert.equal(env?.sitePackages, path.join(dir, 'Lib', 'site-packages'));
    assert.equal(env?.version, '3.12.1');
  });

  test('conda environments: version from conda-meta, kind conda', async () => {
    const dir = path.join(t.dir, 'conda-env');
    write(path.join(dir, 'conda-meta', 'python-3.11.5-h955ad1f_0.json'), '{}');
    write(path.join(dir, 'conda-meta', 'history'), '');
    mkdirSync(path.join(dir, 'bin'));
    write(path.join(dir, 'bin', 'python3.11'), '\x7fELF', 0o755);
    symlinkSync('python3.11', path.join(dir, 'bin', 'python'));
    const env = await inspectEnvironment(dir, 'global', 'conda', { kind: 'conda' });
    assert.equal(env?.kind, 'conda');
    assert.equal(env?.version, '3.11.5');
    assert.equal(env?.interpreterPath, path.join(dir, 'bin', 'python'));
    assert.deepEqual(codes(env), []);
    assert.equal(await inspectEnvironment(path.join(t.dir, 'ok'), 'global', 'conda', { kind: 'conda' }), undefined, 'no conda-meta: not conda');
  });

  test('not an environment: undefined', async () => {
    mkdirSync(path.join(t.dir, 'plain'), { recursive: true });
    assert.equal(await inspectEnvironment(path.join(t.dir, 'plain')), undefined);
    assert.equal(await inspectEnvironment(path.join(t.dir, 'does-not-exist')), undefined);
    assert.equal(await inspectEnvironment(path.join(t.dir, 'base312', 'bin', 'python3.12')), undefined, 'a file is not an environment');
  });
});

describe('hostile pyvenv.cfg never throws out of inspect or the scanner', () => {
  const t = tempDir('hostile');
  const marker = path.join(t.dir, 'RAN');
  let baseBin: string;
  before(() => {
    baseBin = path.dirname(fakeInstall(path.join(t.dir, 'base'), '3.12.1', marker, ['python3', 'python']));
  });
  after(() => t.cleanup());

  const cases: [string, () => string | Uint8Array, (env: NonNullable<Awaited<ReturnType<typeof inspectEnvironment>>>) => void][] = [
    ['binary junk', () => Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256), (env) => {
      assert.ok(codes(env).includes('cfg-malformed'));
      assert.equal(env.version, undefined);
    }],
    ['a huge file', () => `home = ${'x'.repeat(10)}\n` + 'junk line without equals\n'.repeat(50_000), (env) => {
      assert.ok(env.cfg!.problems.some((p) => p.includes(`only the first ${PYVENV_CFG_MAX_BYTES}`)), env.cfg!.problems.slice(-1).join());
      assert.ok(codes(env).includes('cfg-malformed'));
    }],
    ['no = at all', () => 'this is not a config\nnor this\n', (env) => {
      assert.deepEqual([...new Set(codes(env))], ['cfg-malformed']);
      assert.ok(env.health.problems.some((p) => /no 'home'/.test(p.message)));
    }],
    ['duplicate keys (the later wins, as in site.py)', () => `home = /elsewhere\nhome = BASEBIN\nversion = 3.0.0\nversion = 3.12.1\n`, (env) => {
      assert.equal(env.version, '3.12.1');
      assert.equal(env.home, baseBin);
      assert.deepEqual([...new Set(codes(env))], ['cfg-malformed']);
    }],
    ['CRLF line ends', () => `home = BASEBIN\r\ninclude-system-site-packages = false\r\nversion = 3.12.1\r\nprompt = 'crlf'\r\n`, (env) => {
      assert.deepEqual(codes(env), []);
      assert.equal(env.prompt, 'crlf');
      assert.equal(env.home, baseBin);
    }],
    ['a byte order mark', () => `\ufeffhome = BASEBIN\nversion = 3.12.1\n`, (env) => {
      assert.equal(env.home, baseBin);
      assert.deepEqual(codes(env), ['cfg-malformed']);
    }],
    ['an empty file', () => '', (env) => {
      assert.deepEqual(codes(env), ['cfg-malformed']);
    }],
    ['NUL bytes and a very long line', () => `home = BASEBIN\0\nversion = 3.12.1\n${'k'.repeat(200_000)} = v\n`, (env) => {
      assert.ok(codes(env).includes('cfg-malformed'));
    }],
    ['a relative home', () => `home = bin\nversion = 3.12.1\n`, (env) => {
      assert.deepEqual(codes(env), ['cfg-malformed']);
      assert.match(env.health.problems[0].message, /not an absolute path/);
      assert.equal(env.baseInterpreter, undefined);
    }],
    ['home pointing at a FIFO-laden fake install', () => `home = FIFOBIN\nversion = 3.12.1\n`, (env) => {
      assert.deepEqual(codes(env), ['base-missing', 'python-dangling']);
    }],
  ];

  for (const [name, content, check] of cases) {
    test(name, { timeout: 10_000 }, async () => {
      const fifoPrefix = path.join(t.dir, 'fifo-install');
      if (!existsSync(fifoPrefix)) {
        mkdirSync(path.join(fifoPrefix, 'bin'), { recursive: true });
        mkdirSync(path.join(fifoPrefix, 'include', 'python3.12'), { recursive: true });
        mkdirSync(path.join(fifoPrefix, 'lib', 'python3.12'), { recursive: true });
        execFileSync('mkfifo', [path.join(fifoPrefix, 'bin', 'python3'), path.join(fifoPrefix, 'include', 'python3.12', 'patchlevel.h')]);
      }
      let body = content();
      if (typeof body === 'string') body = body.replaceAll('BASEBIN', baseBin).replaceAll('FIFOBIN', path.join(fifoPrefix, 'bin'));
      const python = name.includes('FIFO') ? path.join(fifoPrefix, 'bin', 'python3') : path.join(baseBin, 'python3');
      const dir = fakeEnv(path.join(t.dir, name.replace(/\W+/g, '-')), body, { linkTo: python });
      const env = await inspectEnvironment(dir);
      assert.ok(env, 'a folder with a pyvenv.cfg is always reported');
      check(env);
      const listed = await findWorkspaceEnvironments(path.dirname(dir), { maxDepth: 1 });
      assert.ok(listed.some((e) => e.path === dir), 'the scanner lists it too');
      assert.ok(!existsSync(marker));
    });
  }

  test('pyvenv.cfg that is a FIFO or a folder: cfg-unreadable, no hang', { timeout: 10_000 }, async () => {
    const fifoEnv = path.join(t.dir, 'fifo-env');
    mkdirSync(path.join(fifoEnv, 'bin'), { recursive: true });
    execFileSync('mkfifo', [path.join(fifoEnv, 'pyvenv.cfg')]);
    const env = await inspectEnvironment(fifoEnv);
    assert.deepEqual(codes(env), ['cfg-unreadable', 'python-dangling']);
    assert.match(env!.health.problems.find((p) => p.code === 'cfg-unreadable')!.message, /not a regular file/);
    const dirCfg = path.join(t.dir, 'dir-cfg');
    mkdirSync(path.join(dirCfg, 'pyvenv.cfg'), { recursive: true });
    assert.ok(codes(await inspectEnvironment(dirCfg)).includes('cfg-unreadable'));
    const listed = await findWorkspaceEnvironments(t.dir, { maxDepth: 1 });
    assert.ok(listed.some((e) => e.path === fifoEnv), 'a FIFO pyvenv.cfg is reported as an unreadable environment');
    assert.ok(!listed.some((e) => e.path === dirCfg), 'a folder named pyvenv.cfg does not make an environment');
  });
});

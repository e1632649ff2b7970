// What venv builds differs by the base interpreter's full version (3.13.x patch releases, 3.14,
// 3.15) and build (free-threaded, debug). These facts are checked here on fake interpreters, built
// on the real file system by the real builder; 3.14.7 and 3.14.7t are also checked against real
// interpreters by the conformance tier. 3.15 is implemented from the spec
// (/work/shared/notes/venv-3.14-3.15.md, CPython main sources): no 3.15 release was available to
// compare with, so the 3.15 cases below are the only check of it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EnvBuilder, createEnvironment, type EnvContext } from '../../../src/core/envBuilder';
import type { InterpreterInfo } from '../../../src/core/interpreter';
import { envLayout, hasPatchLevelChange, PI_THON, posixInterpreterAliases } from '../../../src/core/layout';
import { inspectEnvironment } from '../../../src/core/discovery/inspect';
import { versionLabel } from '../../../src/core/discovery/versionFacts';

let tmp: string;
let n = 0;
before(async () => {
  tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'vm-versions-')));
});
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

type Version = [number, number, number];

/**
 * A POSIX interpreter's facts as the introspection reports them: the venv scheme paths are what
 * `sysconfig.get_paths('venv')` of that version and build gives (abiflags `t` for free-threaded,
 * `d` for debug; `platlibdir` lib or lib64).
 */
function posixInfo(version: Version, more: { freeThreaded?: boolean; debug?: boolean; platlibdir?: string; fsEncoding?: string; prefix?: string } = {}): InterpreterInfo {
  const [major, minor] = version;
  const t = more.freeThreaded ? 't' : '';
  const abiflags = `${t}${more.debug ? 'd' : ''}`;
  const prefix = more.prefix ?? '/opt/fake-python';
  const exe = `${prefix}/bin/python${major}.${minor}${t}`;
  const lib = `lib/python${major}.${minor}${t}/site-packages`;
  return {
    executable: exe,
    baseExecutable: exe,
    realExecutable: exe,
    version,
    versionString: version.join('.'),
    implementation: 'cpython',
    is64bit: true,
    abiflags,
    platform: 'linux',
    osName: 'posix',
    prefix,
    basePrefix: prefix,
    stdlib: `${prefix}/lib/python${major}.${minor}${t}`,
    venvPaths: {
      scripts: '{ENV}/bin',
      include: `{ENV}/include/python${major}.${minor}${abiflags}`,
      purelib: `{ENV}/${lib}`,
      platlib: `{ENV}/${(more.platlibdir ?? 'lib')}/python${major}.${minor}${t}/site-packages`,
      data: '{ENV}',
    },
    gilDisabled: more.freeThreaded ?? false,
    ...(more.fsEncoding ? { filesystemEncoding: more.fsEncoding } : {}),
    hasEnsurepip: true,
    bundledWheels: [],
  };
}

/** Every entry below `dir`: `name/` for folders, `name -> target` for links. */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string) => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isSymbolicLink()) out.push(`${r} -> ${await fs.readlink(path.join(d, e.name))}`);
      else if (e.isDirectory()) {
        out.push(`${r}/`);
        await walk(path.join(d, e.name), r);
      } else out.push(r);
    }
  };
  await walk(dir, '');
  return out.sort();
}

/** The tree without the activation scripts (tested elsewhere). */
async function skeleton(env: string): Promise<string[]> {
  return (await tree(env)).filter((e) => !/^bin\/(activate|Activate)/.test(e));
}

async function build(info: InterpreterInfo, opts: { symlinks?: boolean } = {}): Promise<{ env: string; ctx: EnvContext }> {
  const env = path.join(tmp, `env-${++n}`);
  const ctx = await createEnvironment(env, { interpreterInfo: info, symlinks: opts.symlinks ?? true });
  return { env, ctx };
}

describe('3.13 -> 3.14 -> 3.15: the tree venv builds', () => {
  test('3.13: include/python3.13 from the venv scheme, lib64 -> lib, three interpreter names', async () => {
    const { env } = await build(posixInfo([3, 13, 0]));
    assert.deepEqual(await skeleton(env), [
      'bin/',
      'bin/python -> python3.13',
      'bin/python3 -> python3.13',
      'bin/python3.13 -> /opt/fake-python/bin/python3.13',
      'include/',
      'include/python3.13/',
      'lib/',
      'lib/python3.13/',
      'lib/python3.13/site-packages/',
      'lib64 -> lib',
      'pyvenv.cfg',
    ]);
  });

  test('3.14: a plain include folder (gh-127724) and 𝜋thon after python3.14 (gh-119535)', async () => {
    const { env } = await build(posixInfo([3, 14, 7]));
    assert.deepEqual(await skeleton(env), [
      'bin/',
      'bin/python -> python3.14',
      'bin/python3 -> python3.14',
      'bin/python3.14 -> /opt/fake-python/bin/python3.14',
      `bin/${PI_THON} -> python3.14`,
      'include/',
      'lib/',
      'lib/python3.14/',
      'lib/python3.14/site-packages/',
      'lib64 -> lib',
      'pyvenv.cfg',
    ]);
    assert.equal(PI_THON, '\u{1D70B}thon');
    assert.equal(Buffer.from(PI_THON, 'utf8').toString('hex'), 'f09d9c8b74686f6e', 'U+1D70B in UTF-8, then "thon"');
  });

  test('3.14 with copies: 𝜋thon is a 0755 copy like the other names', async () => {
    const base = path.join(tmp, `base-${++n}`);
    await fs.mkdir(path.join(base, 'bin'), { recursive: true });
    await fs.writeFile(path.join(base, 'bin', 'python3.14'), 'not really python', { mode: 0o700 });
    const { env } = await build(posixInfo([3, 14, 7], { prefix: base }), { symlinks: false });
    for (const name of ['python3.14', 'python', 'python3', PI_THON]) {
      const st = await fs.lstat(path.join(env, 'bin', name));
      assert.ok(st.isFile(), `${name} is a file`);
      assert.equal(st.mode & 0o777, 0o755, name);
    }
  });

  test('3.14 without a UTF-8 file-system encoding: no 𝜋thon', () => {
    assert.deepEqual(posixInterpreterAliases(posixInfo([3, 14, 7], { fsEncoding: 'ascii' })), ['python', 'python3', 'python3.14']);
    assert.deepEqual(posixInterpreterAliases(posixInfo([3, 14, 0], { fsEncoding: 'utf-8' })), ['python', 'python3', 'python3.14', PI_THON]);
    // Facts cached before the encoding was recorded: taken as UTF-8, what every modern system has.
    assert.deepEqual(posixInterpreterAliases(posixInfo([3, 14, 7])), ['python', 'python3', 'python3.14', PI_THON]);
  });

  test('3.15 (from the spec, no real 3.15 here): no lib64 link, no 𝜋thon, platlib is purelib where platlibdir is lib', async () => {
    const { env, ctx } = await build(posixInfo([3, 15, 0]));
    assert.deepEqual(await skeleton(env), [
      'bin/',
      'bin/python -> python3.15',
      'bin/python3 -> python3.15',
      'bin/python3.15 -> /opt/fake-python/bin/python3.15',
      'include/',
      'lib/',
      'lib/python3.15/',
      'lib/python3.15/site-packages/',
      'pyvenv.cfg',
    ]);
    assert.equal(ctx.platlibPath, ctx.libPath, 'context.platlib_path is the purelib folder');
  });

  test('3.15 with platlibdir lib64 (Fedora-like builds): a real lib64/python3.15/site-packages beside lib/', async () => {
    const { env, ctx } = await build(posixInfo([3, 15, 0], { platlibdir: 'lib64' }));
    const entries = await skeleton(env);
    assert.ok(entries.includes('lib64/python3.15/site-packages/'), entries.join('\n'));
    assert.ok(entries.includes('lib/python3.15/site-packages/'), entries.join('\n'));
    assert.ok(!entries.some((e) => e.startsWith('lib64 ->')), 'no link');
    assert.equal(ctx.platlibPath, path.join(env, 'lib64', 'python3.15', 'site-packages'));
  });

  test('3.15 upgrade of an env made by 3.14: its lib64 link stays, nothing else is added', async () => {
    const { env } = await build(posixInfo([3, 14, 7]));
    await new EnvBuilder({ interpreterInfo: posixInfo([3, 15, 0]), symlinks: true, upgrade: true }).create(env);
    const entries = await skeleton(env);
    assert.ok(entries.includes('lib64 -> lib'), 'the old link is kept');
    assert.ok(entries.includes('lib/python3.15/site-packages/'));
    assert.match(await fs.readFile(path.join(env, 'pyvenv.cfg'), 'utf8'), /^version = 3\.15\.0$/m);
  });

  test('3.15 with a file where the platlib folder goes: refused like any other folder in the way', async () => {
    const env = path.join(tmp, `env-${++n}`);
    await fs.mkdir(path.join(env, 'lib64', 'python3.15'), { recursive: true });
    await fs.writeFile(path.join(env, 'lib64', 'python3.15', 'site-packages'), 'in the way');
    await assert.rejects(createEnvironment(env, { interpreterInfo: posixInfo([3, 15, 0], { platlibdir: 'lib64' }), symlinks: true }), /Unable to create directory/);
    assert.equal(await fs.readFile(path.join(env, 'lib64', 'python3.15', 'site-packages'), 'utf8'), 'in the way', 'nothing of the user is lost');
  });
});

describe('free-threaded and debug builds', () => {
  test('3.14 free-threaded: lib/python3.14t, plain include, primary python3.14t', async () => {
    const { env, ctx } = await build(posixInfo([3, 14, 7], { freeThreaded: true }));
    assert.equal(ctx.pythonExe, 'python3.14t');
    assert.deepEqual(await skeleton(env), [
      'bin/',
      'bin/python -> python3.14t',
      'bin/python3 -> python3.14t',
      'bin/python3.14 -> python3.14t',
      'bin/python3.14t -> /opt/fake-python/bin/python3.14t',
      `bin/${PI_THON} -> python3.14t`,
      'include/',
      'lib/',
      'lib/python3.14t/',
      'lib/python3.14t/site-packages/',
      'lib64 -> lib',
      'pyvenv.cfg',
    ]);
  });

  test('3.13 free-threaded debug: include/python3.13td from the scheme; 3.14 debug: plain include', () => {
    assert.deepEqual(envLayout(posixInfo([3, 13, 5], { freeThreaded: true, debug: true })).includeParts, ['include', 'python3.13td']);
    assert.deepEqual(envLayout(posixInfo([3, 13, 5], { debug: true })).includeParts, ['include', 'python3.13d']);
    assert.deepEqual(envLayout(posixInfo([3, 14, 7], { debug: true })).includeParts, ['include']);
  });

  test('without scheme paths (facts of an old cache) a free-threaded site-packages still gets its t', () => {
    const info = { ...posixInfo([3, 14, 7], { freeThreaded: true }) };
    delete info.venvPaths;
    assert.deepEqual(envLayout(info).libParts, ['lib', 'python3.14t', 'site-packages']);
  });

  test('3.15 free-threaded: platlib is lib/python3.15t/site-packages, no lib64', async () => {
    const { env, ctx } = await build(posixInfo([3, 15, 0], { freeThreaded: true }));
    const entries = await skeleton(env);
    assert.ok(entries.includes('lib/python3.15t/site-packages/'));
    assert.ok(!entries.some((e) => e.startsWith('lib64')));
    assert.equal(ctx.platlibPath, path.join(env, 'lib', 'python3.15t', 'site-packages'));
  });
});

describe('patch-level changes', () => {
  const firsts = [
    [3, 13, 13],
    [3, 14, 4],
  ] as const;
  const has = (v: Version) => hasPatchLevelChange({ version: v }, firsts);

  test('a change shipped in 3.13.13 and 3.14.4 is in those and later releases of each line, and in later lines', () => {
    assert.equal(has([3, 12, 12]), false, 'an older line never got it');
    assert.equal(has([3, 13, 0]), false);
    assert.equal(has([3, 13, 12]), false);
    assert.equal(has([3, 13, 13]), true);
    assert.equal(has([3, 13, 15]), true);
    assert.equal(has([3, 14, 3]), false);
    assert.equal(has([3, 14, 4]), true);
    assert.equal(has([3, 14, 7]), true);
    assert.equal(has([3, 15, 0]), true, 'a later line has it from its first release');
  });

  /** An env with installScripts from a scripts dir holding one file with a placeholder and one without. */
  async function scriptTimes(version: Version): Promise<{ plainKeptTime: boolean; replacedKeptTime: boolean; plainMode: number }> {
    const scripts = path.join(tmp, `scripts-${++n}`);
    await fs.mkdir(path.join(scripts, 'common'), { recursive: true });
    const plain = path.join(scripts, 'common', 'Activate.ps1');
    const replaced = path.join(scripts, 'common', 'activate');
    await fs.writeFile(plain, 'no placeholder here\n', { mode: 0o640 });
    await fs.writeFile(replaced, 'VIRTUAL_ENV=__VENV_DIR__\n', { mode: 0o644 });
    const old = new Date('2020-01-02T03:04:05Z');
    await fs.utimes(plain, old, old);
    await fs.utimes(replaced, old, old);
    class FromDir extends EnvBuilder {
      override async setupScripts(c: EnvContext): Promise<void> {
        await this.installScripts(c, scripts);
      }
    }
    const env = path.join(tmp, `env-${++n}`);
    await new FromDir({ interpreterInfo: posixInfo(version), symlinks: true }).create(env);
    const [p, r] = await Promise.all([fs.stat(path.join(env, 'bin', 'Activate.ps1')), fs.stat(path.join(env, 'bin', 'activate'))]);
    return { plainKeptTime: p.mtimeMs === old.getTime(), replacedKeptTime: r.mtimeMs === old.getTime(), plainMode: p.mode & 0o777 };
  }

  test('a script without placeholders keeps its times in 3.13.0-3.13.12 and 3.14.0-3.14.3 (copy2), not from 3.13.13/3.14.4 (gh-145417)', async () => {
    for (const [version, kept] of [
      [[3, 12, 1], false],
      [[3, 13, 0], true],
      [[3, 13, 12], true],
      [[3, 13, 13], false],
      [[3, 14, 3], true],
      [[3, 14, 4], false],
      [[3, 15, 0], false],
    ] as const) {
      const r = await scriptTimes([...version]);
      assert.equal(r.plainKeptTime, kept, `Activate.ps1 of ${version.join('.')}`);
      assert.equal(r.replacedKeptTime, false, `a substituted script is written anew (${version.join('.')})`);
      assert.equal(r.plainMode, 0o640, 'the mode is copied either way');
    }
  });
});

describe('discovery: a free-threaded environment says so', () => {
  test('versionLabel: "3.14.7 free-threaded"', () => {
    assert.equal(versionLabel('3.14.7', true), '3.14.7 free-threaded');
    assert.equal(versionLabel('3.14.7', false), '3.14.7');
    assert.equal(versionLabel(undefined, true), undefined);
  });

  test('an env with lib/python3.14t is free-threaded; one with lib/python3.14 is not', async () => {
    const ft = await build(posixInfo([3, 14, 7], { freeThreaded: true }));
    const gil = await build(posixInfo([3, 14, 7]));
    const [a, b] = await Promise.all([inspectEnvironment(ft.env, 'workspace', 'workspace', { platform: 'linux' }), inspectEnvironment(gil.env, 'workspace', 'workspace', { platform: 'linux' })]);
    assert.equal(a?.freeThreaded, true);
    assert.equal(versionLabel(a?.version, a?.freeThreaded), '3.14.7 free-threaded');
    assert.equal(b?.freeThreaded, undefined);
    assert.equal(versionLabel(b?.version, b?.freeThreaded), '3.14.7');
  });

  test('a Windows env with Scripts\\python3.14t.exe is free-threaded', async () => {
    const env = path.join(tmp, `winft-${++n}`);
    await fs.mkdir(path.join(env, 'Scripts'), { recursive: true });
    await fs.mkdir(path.join(env, 'Lib', 'site-packages'), { recursive: true });
    for (const f of ['python.exe', 'pythonw.exe', 'python3.14t.exe', 'pythonw3.14t.exe']) await fs.writeFile(path.join(env, 'Scripts', f), '');
    await fs.writeFile(path.join(env, 'pyvenv.cfg'), 'home = C:\\Python314\r\ninclude-system-site-packages = false\r\nversion = 3.14.7\r\n');
    const found = await inspectEnvironment(env, 'workspace', 'workspace', { platform: 'win32' });
    assert.equal(found?.freeThreaded, true);
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createEnvironment, EnvBuilder, type EnvBuilderOptions, type EnvContext } from '../../../src/core/envBuilder';
import { getIntrospectionCount, VenvError } from '../../../src/core/interpreter';
import { parsePyvenvCfg } from '../../../src/core/pyvenvCfg';
import { atLeast, findPythons, type FoundPython } from '../../fixtures/pythons';

const pythons = findPythons();
const newest = pythons[pythons.length - 1];
let tmp: string;
let cacheDir: string;
let n = 0;

before(async () => {
  tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'vm-builder-')));
  cacheDir = path.join(tmp, '.cache');
});
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

function fresh(name = 'env'): string {
  return path.join(tmp, `${++n}`, name);
}

function opts(py: FoundPython, extra: EnvBuilderOptions = {}): EnvBuilderOptions {
  return { python: py.path, cacheDir, ...extra };
}

async function cfgOf(envDir: string) {
  return parsePyvenvCfg(await fs.readFile(path.join(envDir, 'pyvenv.cfg')));
}

async function kind(p: string): Promise<'dir' | 'file' | 'link' | 'none'> {
  try {
    const st = await fs.lstat(p);
    return st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'none';
  }
}

function runIn(envDir: string, code: string): string {
  return execFileSync(path.join(envDir, 'bin', 'python'), ['-c', code], { encoding: 'utf8' }).trim();
}

async function expectVenvError(promise: Promise<unknown>, message: RegExp | string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof VenvError, `VenvError expected, got ${String(err)}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

describe('EnvBuilder on every local CPython', () => {
  test('at least one CPython was found (the per-interpreter tests below would pass unseen without)', () => {
    assert.ok(pythons.length > 0, 'no CPython 3 under ~/.pyenv/versions or /usr/bin');
  });

  for (const py of pythons) {
    const mm = `${py.version[0]}.${py.version[1]}`;
    test(`${py.label}: default (API) create has venv's tree and cfg for that version`, async () => {
      const env = fresh();
      const ctx = await createEnvironment(env, opts(py));
      const info = ctx.info;
      assert.equal(await kind(path.join(env, 'bin')), 'dir');
      assert.equal(await kind(path.join(env, 'lib', `python${mm}${py.freeThreaded ? 't' : ''}`, 'site-packages')), 'dir');
      assert.equal(await kind(path.join(env, 'include')), 'dir');
      // 3.11-3.13 named the include folder after the version and ABI flags; 3.14 went back to plain include.
      const versionedInclude = atLeast(py, 3, 11) && !atLeast(py, 3, 14);
      assert.equal(await kind(path.join(env, 'include', `python${mm}${info.abiflags}`)), versionedInclude ? 'dir' : 'none');
      assert.deepEqual(await fs.readdir(path.join(env, 'include')), versionedInclude ? [`python${mm}${info.abiflags}`] : []);
      // 3.15 makes the platlib folder instead of the lib64 link.
      const lib64 = info.is64bit && !atLeast(py, 3, 15);
      assert.equal(await kind(path.join(env, 'lib64')), lib64 ? 'link' : 'none');
      if (lib64) assert.equal(await fs.readlink(path.join(env, 'lib64')), 'lib');
      const aliases = ['python', 'python3', ...(atLeast(py, 3, 9) ? [`python${mm}`] : []), ...(mm === '3.14' ? ['\u{1D70B}thon'] : [])];
      for (const name of new Set([path.basename(py.path), ...aliases])) {
        assert.equal(await kind(path.join(env, 'bin', name)), 'file', `bin/${name} is a copy (API default)`);
        assert.equal((await fs.stat(path.join(env, 'bin', name))).mode & 0o777, 0o755);
      }
      assert.equal(await kind(path.join(env, '.gitignore')), 'none', 'the API default writes no .gitignore');
      const cfg = await cfgOf(env);
      const keys = cfg.entries.map((e) => e.key);
      assert.deepEqual(keys, atLeast(py, 3, 11) ? ['home', 'include-system-site-packages', 'version', 'executable', 'command'] : ['home', 'include-system-site-packages', 'version']);
      assert.equal(cfg.values.get('home'), path.dirname(py.path));
      assert.equal(cfg.values.get('version'), py.version.join('.'));
      assert.equal(cfg.values.get('include-system-site-packages'), 'false');
      if (atLeast(py, 3, 11)) {
        assert.equal(cfg.values.get('executable'), await fs.realpath(py.path));
        assert.equal(cfg.values.get('command'), `${py.path} -m venv --copies --without-pip${atLeast(py, 3, 13) ? ' --without-scm-ignore-files' : ''} ${env}`);
      }
      assert.equal(runIn(env, 'import sys; print(sys.prefix == sys.exec_prefix, sys.prefix)'), `True ${env}`);
      assert.equal(ctx.prompt, atLeast(py, 3, 13) ? 'env' : '(env) ');
    });

    test(`${py.label}: symlinks make an absolute link for the main name and relative aliases`, async () => {
      const env = fresh();
      await createEnvironment(env, opts(py, { symlinks: true }));
      const primary = path.basename(py.path);
      assert.equal(await fs.readlink(path.join(env, 'bin', primary)), py.path);
      for (const alias of ['python', 'python3', ...(atLeast(py, 3, 9) ? [`python${mm}`] : []), ...(mm === '3.14' ? ['\u{1D70B}thon'] : [])]) {
        if (alias === primary) continue;
        assert.equal(await fs.readlink(path.join(env, 'bin', alias)), primary);
      }
      assert.equal(runIn(env, 'import sys; print(sys.executable)'), path.join(env, 'bin', 'python'));
    });
  }
});

describe('EnvBuilder options', () => {
  test('system site packages: the cfg ends up true, and the command says so', async () => {
    const env = fresh();
    await createEnvironment(env, opts(newest, { systemSitePackages: true }));
    const cfg = await cfgOf(env);
    assert.equal(cfg.values.get('include-system-site-packages'), 'true');
    if (atLeast(newest, 3, 11)) assert.match(cfg.values.get('command') ?? '', / --system-site-packages /);
  });

  test('one builder, several environments at once', async () => {
    const builder = new EnvBuilder(opts(newest, { systemSitePackages: true, symlinks: true }));
    const envs = [fresh('a'), fresh('b'), fresh('c')];
    await Promise.all(envs.map((e) => builder.create(e)));
    for (const env of envs) {
      assert.equal((await cfgOf(env)).values.get('include-system-site-packages'), 'true');
      assert.equal(runIn(env, 'import sys; print(sys.prefix)'), env);
    }
  });

  test('system site packages is false while pip is seeded (bpo-24875)', async () => {
    const seen: string[] = [];
    class Spy extends EnvBuilder {
      override async setupPip(context: EnvContext): Promise<void> {
        seen.push((await cfgOf(context.envDir)).values.get('include-system-site-packages') ?? '?');
      }
    }
    const env = fresh();
    await new Spy(opts(newest, { systemSitePackages: true, withPip: true })).create(env);
    assert.deepEqual(seen, ['false']);
    assert.equal((await cfgOf(env)).values.get('include-system-site-packages'), 'true');
  });

  for (const py of pythons.filter((p) => atLeast(p, 3, 6))) {
    test(`${py.label}: prompts are written as that version does`, async () => {
      const cases: Array<[string, string]> = [
        ['My prompt', "'My prompt'"],
        ["it's", `"it's"`],
        ['say "hi"', `'say "hi"'`],
        ['ünï', "'ünï'"],
      ];
      for (const [prompt, repr] of cases) {
        const env = fresh();
        const ctx = await createEnvironment(env, opts(py, { prompt }));
        const cfg = await cfgOf(env);
        assert.equal(cfg.values.get('prompt'), atLeast(py, 3, 8) ? repr : undefined);
        assert.equal(ctx.prompt, atLeast(py, 3, 13) ? prompt : `(${prompt}) `);
        if (atLeast(py, 3, 11)) assert.ok(cfg.values.get('command')?.includes(` --prompt="${prompt}" `));
      }
      const cwd = path.join(tmp, 'the cwd name');
      await fs.mkdir(cwd, { recursive: true });
      const env = fresh();
      const ctx = await createEnvironment(env, opts(py, { prompt: '.', cwd }));
      const cfg = await cfgOf(env);
      if (atLeast(py, 3, 9)) assert.equal(cfg.values.get('prompt'), "'the cwd name'");
      else if (atLeast(py, 3, 8)) assert.equal(cfg.values.get('prompt'), "'.'");
      if (atLeast(py, 3, 11)) assert.ok(cfg.values.get('command')?.includes(' --prompt="." '));
      assert.equal(ctx.prompt, atLeast(py, 3, 13) ? 'the cwd name' : atLeast(py, 3, 9) ? '(the cwd name) ' : '(.) ');
    });
  }

  test('every option shows up in the command line (3.11+)', async (t) => {
    if (!atLeast(newest, 3, 11)) return t.skip('needs 3.11+');
    const env = fresh();
    class NoPip extends EnvBuilder {
      override async setupPip(): Promise<void> {}
      override async upgradeDependencies(): Promise<void> {}
    }
    await new NoPip(opts(newest, { symlinks: true, withPip: true, systemSitePackages: true, clear: true, upgradeDeps: true, prompt: 'foobar', scmIgnoreFiles: ['git'] })).create(env);
    assert.equal((await cfgOf(env)).values.get('command'), `${newest.path} -m venv --system-site-packages --clear --upgrade-deps --prompt="foobar" ${env}`);
  });

  test('scm ignore files: git (3.13+), a subclass-defined SCM, and an unknown one', async (t) => {
    const py313 = pythons.find((p) => atLeast(p, 3, 13));
    if (!py313) return t.skip('no 3.13+ here');
    const env = fresh();
    await createEnvironment(env, opts(py313, { scmIgnoreFiles: ['Git'] }));
    assert.equal(await fs.readFile(path.join(env, '.gitignore'), 'utf8'), '# Created by venv; see https://docs.python.org/3/library/venv.html\n*\n');
    assert.doesNotMatch((await cfgOf(env)).values.get('command') ?? '', /--without-scm-ignore-files/);
    class WithBzr extends EnvBuilder {
      async createBzrIgnoreFile(context: EnvContext): Promise<void> {
        await fs.writeFile(path.join(context.envDir, '.bzrignore'), '*\n');
      }
    }
    const env2 = fresh();
    await new WithBzr(opts(py313, { scmIgnoreFiles: ['git', 'bzr'] })).create(env2);
    assert.equal(await kind(path.join(env2, '.gitignore')), 'file');
    assert.equal(await kind(path.join(env2, '.bzrignore')), 'file');
    await expectVenvError(createEnvironment(fresh(), opts(py313, { scmIgnoreFiles: ['hg'] })), /No ignore file is known for the SCM 'hg'/);
  });

  test('before 3.13 no .gitignore is written even when asked', async (t) => {
    const old = pythons.find((p) => !atLeast(p, 3, 13));
    if (!old) return t.skip('no interpreter older than 3.13');
    const env = fresh();
    await createEnvironment(env, opts(old, { scmIgnoreFiles: ['git'] }));
    assert.equal(await kind(path.join(env, '.gitignore')), 'none');
  });

  test('hooks run in venv order; upgrade skips setupScripts and postSetup', async () => {
    const calls: string[] = [];
    class Recorder extends EnvBuilder {
      override async ensureDirectories(envDir: string, info?: EnvContext['info']) {
        calls.push('ensureDirectories');
        return super.ensureDirectories(envDir, info);
      }
      override async createConfiguration(c: EnvContext) {
        calls.push('createConfiguration');
        return super.createConfiguration(c);
      }
      override async setupPython(c: EnvContext) {
        calls.push('setupPython');
        return super.setupPython(c);
      }
      override async setupScripts(c: EnvContext) {
        calls.push('setupScripts');
        return super.setupScripts(c);
      }
      override async installScripts(c: EnvContext, dir?: string) {
        calls.push(`installScripts(${dir ?? 'built-in'})`);
        return super.installScripts(c, dir);
      }
      override async postSetup(c: EnvContext) {
        calls.push('postSetup');
        await fs.writeFile(path.join(c.envDir, 'post-setup-ran'), '');
      }
    }
    const env = fresh();
    await new Recorder(opts(newest)).create(env);
    assert.deepEqual(calls.sort(), ['createConfiguration', 'ensureDirectories', 'installScripts(built-in)', 'postSetup', 'setupPython', 'setupScripts']);
    assert.equal(await kind(path.join(env, 'bin', 'activate')), 'file');
    assert.equal(await kind(path.join(env, 'post-setup-ran')), 'file');
    calls.length = 0;
    await fs.rm(path.join(env, 'bin', 'activate'));
    await new Recorder(opts(newest, { upgrade: true })).create(env);
    assert.deepEqual(calls.sort(), ['createConfiguration', 'ensureDirectories', 'setupPython']);
    assert.equal(await kind(path.join(env, 'bin', 'activate')), 'none', 'upgrade does not refresh the scripts');
  });

  test('installScripts(context, dir): common/ and posix/ only, placeholders substituted once, binaries skipped', async () => {
    const scripts = path.join(tmp, `scripts-${++n}`);
    await fs.mkdir(path.join(scripts, 'common', 'sub'), { recursive: true });
    await fs.mkdir(path.join(scripts, 'posix'), { recursive: true });
    await fs.mkdir(path.join(scripts, 'nt'), { recursive: true });
    await fs.writeFile(path.join(scripts, 'common', 'hello'), 'dir=__VENV_DIR__ name=__VENV_NAME__ bin=__VENV_BIN_NAME__ py=__VENV_PYTHON__ p=__VENV_PROMPT__\n', { mode: 0o750 });
    await fs.writeFile(path.join(scripts, 'common', 'sub', 'nested.fish'), 'set -gx X __VENV_DIR__\n');
    await fs.writeFile(path.join(scripts, 'posix', 'only-posix'), 'ok\n');
    await fs.writeFile(path.join(scripts, 'nt', 'only-nt.bat'), 'no\n');
    await fs.writeFile(path.join(scripts, 'top-level-file'), 'ignored\n');
    await fs.writeFile(path.join(scripts, 'common', 'binary'), Buffer.from([0xff, 0xfe, 0x00, 0x80]));
    const warnings: string[] = [];
    class Custom extends EnvBuilder {
      override async setupScripts(c: EnvContext) {
        await this.installScripts(c, scripts);
      }
    }
    const parent = path.join(tmp, `${++n}`);
    const env = path.join(parent, 'x__VENV_BIN_NAME__y');
    await new Custom(opts(newest, { log: (l) => warnings.push(l) })).create(env);
    const bin = path.join(env, 'bin');
    const hello = await fs.readFile(path.join(bin, 'hello'), 'utf8');
    assert.ok(hello.includes(`dir=${env} `), hello);
    assert.ok(hello.includes('name=x__VENV_BIN_NAME__y '), 'a placeholder inside a value is not substituted again');
    assert.ok(hello.includes(' bin=bin '));
    assert.equal((await fs.stat(path.join(bin, 'hello'))).mode & 0o777, 0o750, 'the source file mode is kept');
    assert.equal(await kind(path.join(bin, 'sub', 'nested.fish')), 'file');
    assert.equal(await kind(path.join(bin, 'only-posix')), 'file');
    assert.equal(await kind(path.join(bin, 'only-nt.bat')), 'none');
    assert.equal(await kind(path.join(bin, 'top-level-file')), 'none');
    assert.equal(await kind(path.join(bin, 'binary')), 'none');
    assert.ok(warnings.some((w) => /unable to copy script .*binary.*may be binary/.test(w)), warnings.join('\n'));
  });

  test('upgradeDeps runs the env\'s pip: install --upgrade pip (+ setuptools below 3.12)', async () => {
    const env = fresh();
    const record = path.join(tmp, `pip-args-${n}.json`);
    class FakePip extends EnvBuilder {
      override async setupPip(c: EnvContext) {
        // A stand-in pip module that records how it was called.
        await fs.mkdir(path.join(c.libPath, 'pip'), { recursive: true });
        await fs.writeFile(path.join(c.libPath, 'pip', '__init__.py'), '');
        await fs.writeFile(path.join(c.libPath, 'pip', '__main__.py'), `import json, os, sys\nopen(${JSON.stringify(record)}, 'w').write(json.dumps([sys.argv[1:], os.environ.get('VIRTUAL_ENV'), sys.prefix]))\n`);
      }
    }
    await new FakePip(opts(newest, { withPip: true, upgradeDeps: true })).create(env);
    const [args, virtualEnv, prefix] = JSON.parse(await fs.readFile(record, 'utf8'));
    assert.deepEqual(args, ['install', '--upgrade', 'pip', ...(atLeast(newest, 3, 12) ? [] : ['setuptools'])]);
    assert.equal(virtualEnv, env);
    assert.equal(prefix, env);
  });

  test('a failing pip upgrade is a VenvError with pip\'s output', async () => {
    class BrokenPip extends EnvBuilder {
      override async setupPip(c: EnvContext) {
        await fs.mkdir(path.join(c.libPath, 'pip'), { recursive: true });
        await fs.writeFile(path.join(c.libPath, 'pip', '__init__.py'), '');
        await fs.writeFile(path.join(c.libPath, 'pip', '__main__.py'), 'import sys\nprint("no network here")\nsys.exit(2)\n');
      }
    }
    await expectVenvError(new BrokenPip(opts(newest, { withPip: true, upgradeDeps: true })).create(fresh()), /failed \(exit code 2\)\.\nno network here/);
  });

  test('a second create from the same interpreter spawns no Python', async () => {
    const cache = path.join(tmp, `cache-${++n}`);
    await createEnvironment(fresh(), { python: newest.path, cacheDir: cache });
    const count = getIntrospectionCount();
    await createEnvironment(fresh(), { python: newest.path, cacheDir: cache, symlinks: true });
    await new EnvBuilder({ python: newest.path, cacheDir: cache }).create(fresh());
    assert.equal(getIntrospectionCount(), count);
  });
});

describe('EnvBuilder: existing directories, clear and upgrade', () => {
  test('foreign files survive a plain create and are gone after clear (test_overwrite_existing)', async () => {
    const env = fresh();
    const mm = `${newest.version[0]}.${newest.version[1]}`;
    const spots = ['foo', 'bin/foo', 'include/foo', 'lib/foo', `lib/python${mm}/foo`, `lib/python${mm}/site-packages/foo`];
    for (const s of spots) {
      await fs.mkdir(path.dirname(path.join(env, s)), { recursive: true });
      await fs.writeFile(path.join(env, s), 'x');
    }
    await createEnvironment(env, opts(newest));
    for (const s of spots) assert.equal(await kind(path.join(env, s)), 'file', `${s} kept`);
    await createEnvironment(env, opts(newest, { clear: true }));
    for (const s of spots) assert.equal(await kind(path.join(env, s)), 'none', `${s} cleared`);
    assert.equal(await kind(path.join(env, 'bin', 'python')), 'file');
  });

  test('clear never follows a link out of the environment', async () => {
    const outside = path.join(tmp, `outside-${++n}`);
    await fs.mkdir(path.join(outside, 'deep'), { recursive: true });
    await fs.writeFile(path.join(outside, 'deep', 'precious'), 'keep me');
    const env = fresh();
    await createEnvironment(env, opts(newest));
    await fs.symlink(outside, path.join(env, 'link-to-dir'));
    await fs.symlink(path.join(outside, 'deep', 'precious'), path.join(env, 'lib', 'link-to-file'));
    await createEnvironment(env, opts(newest, { clear: true }));
    assert.equal(await kind(path.join(env, 'link-to-dir')), 'none');
    assert.equal(await fs.readFile(path.join(outside, 'deep', 'precious'), 'utf8'), 'keep me');
  });

  test('the env dir being a link to a directory is refused, even with clear, and the target is untouched', async () => {
    const target = path.join(tmp, `target-${++n}`);
    await fs.mkdir(target);
    await fs.writeFile(path.join(target, 'precious'), 'keep me');
    const link = path.join(tmp, `link-${n}`);
    await fs.symlink(target, link);
    await expectVenvError(createEnvironment(link, opts(newest)), `Unable to create directory '${link}'`);
    await expectVenvError(createEnvironment(link, opts(newest, { clear: true })), `Unable to create directory '${link}'`);
    assert.deepEqual(await fs.readdir(target), ['precious']);
  });

  test('a dangling link at the env dir: [Errno 17] File exists', async () => {
    const link = path.join(tmp, `dangling-${++n}`);
    await fs.symlink(path.join(tmp, 'nowhere'), link);
    await expectVenvError(createEnvironment(link, opts(newest)), `[Errno 17] File exists: '${link}'`);
    assert.equal(await kind(link), 'link');
  });

  test('the env dir being a file: Unable to create directory, file untouched', async () => {
    const file = path.join(tmp, `afile-${++n}`);
    await fs.writeFile(file, 'data');
    await expectVenvError(createEnvironment(file, opts(newest)), `Unable to create directory '${file}'`);
    await expectVenvError(createEnvironment(file, opts(newest, { clear: true })), `Unable to create directory '${file}'`);
    assert.equal(await fs.readFile(file, 'utf8'), 'data');
  });

  for (const name of ['bin', 'include', 'lib']) {
    test(`a file where ${name}/ belongs fails (test_unoverwritable_fails)`, async () => {
      const env = fresh();
      await fs.mkdir(env, { recursive: true });
      await fs.writeFile(path.join(env, name), 'in the way');
      await expectVenvError(createEnvironment(env, opts(newest)), /Unable to create directory|Not a directory/);
      assert.equal(await fs.readFile(path.join(env, name), 'utf8'), 'in the way');
    });
  }

  test('no permission / impossible parents: Python-style OSError messages, nothing left behind', async () => {
    const file = path.join(tmp, `plain-${++n}`);
    await fs.writeFile(file, '');
    await expectVenvError(createEnvironment(path.join(file, 'env'), opts(newest)), /^\[Errno 20\] Not a directory: '/);
    await expectVenvError(createEnvironment('/proc/1/no-such-dir/env', opts(newest)), /^\[Errno (2|13)\] (No such file or directory|Permission denied): '\/proc\/1/);
    await expectVenvError(createEnvironment('/sys/venv-manager-test-env', opts(newest)), /^\[Errno (1|13|30)\] /);
  });

  test('a read-only directory is refused for a non-root user', async (t) => {
    if (process.getuid?.() === 0) return t.skip('running as root: directory modes do not stop root; covered by /proc and /sys above');
    const ro = path.join(tmp, `ro-${++n}`);
    await fs.mkdir(ro, { mode: 0o555 });
    await expectVenvError(createEnvironment(path.join(ro, 'env'), opts(newest)), /^\[Errno 13\] Permission denied/);
  });

  test('PATH separator in the env dir: refused from 3.11, accepted before', async () => {
    for (const py of pythons) {
      const env = path.join(tmp, `${++n}`, 'a:b');
      if (atLeast(py, 3, 11)) {
        await expectVenvError(createEnvironment(env, opts(py)), `Refusing to create a venv in ${env} because it contains the PATH separator :.`);
        assert.equal(await kind(path.dirname(env)), 'none', 'checked before anything is created');
      } else {
        await createEnvironment(env, opts(py));
        assert.equal(await kind(path.join(env, 'bin', 'python')), 'file');
      }
    }
  });

  test('odd names: spaces, quotes, $(), backticks, ;, &&, |, !, backslash, non-ASCII', async () => {
    const names = ['with space', "it's", 'say "hi"', '$(touch PWNED)', '`touch PWNED`', 'a;b&&c|d', 'bang!', 'back\\slash', 'ünïcödé ✓', "';&&$e|'"];
    for (const name of names) {
      const parent = path.join(tmp, `${++n}`);
      const env = path.join(parent, name);
      await createEnvironment(env, opts(newest, { symlinks: true }));
      assert.equal(runIn(env, 'import sys; print(sys.prefix)'), env);
      const cfg = await cfgOf(env);
      if (atLeast(newest, 3, 11)) assert.ok(cfg.values.get('command')?.endsWith(` ${env}`), 'the command names the dir verbatim');
      assert.equal(await kind(path.join(parent, 'PWNED')), 'none');
    }
  });

  test('upgrade rewrites the cfg (prompt dropped unless given again) and keeps the tree', async () => {
    const env = fresh();
    await createEnvironment(env, opts(newest, { prompt: 'old', symlinks: true }));
    assert.ok((await cfgOf(env)).values.has('prompt'));
    await createEnvironment(env, opts(newest, { upgrade: true, symlinks: true }));
    const cfg = await cfgOf(env);
    assert.equal(cfg.values.has('prompt'), false);
    if (atLeast(newest, 3, 11)) assert.match(cfg.values.get('command') ?? '', / --upgrade /);
    assert.equal(runIn(env, 'import sys; print(sys.prefix)'), env);
  });

  test('upgrade with copies over a linked env: the same-file error venv gives', async () => {
    const env = fresh();
    await createEnvironment(env, opts(newest, { symlinks: true }));
    const primary = path.join(env, 'bin', path.basename(newest.path));
    await expectVenvError(createEnvironment(env, opts(newest, { upgrade: true, symlinks: false })), `'${newest.path}' and '${primary}' are the same file`);
    assert.equal(await fs.readlink(primary), newest.path, 'the link is left as it was');
  });

  test('upgrade with links over a copied env: warns and copies again', async () => {
    const env = fresh();
    await createEnvironment(env, opts(newest, { symlinks: false }));
    const warnings: string[] = [];
    await createEnvironment(env, opts(newest, { upgrade: true, symlinks: true, log: (l) => warnings.push(l) }));
    assert.ok(warnings.some((w) => w.startsWith('Unable to symlink ')), warnings.join('\n'));
    assert.equal(await kind(path.join(env, 'bin', path.basename(newest.path))), 'file');
  });

  test('a failure leaves no half-built env behind when the dir was new, and keeps a dir that existed', async () => {
    class Failing extends EnvBuilder {
      override async postSetup(): Promise<void> {
        throw new VenvError('boom');
      }
    }
    const env = fresh();
    await expectVenvError(new Failing(opts(newest)).create(env), 'boom');
    assert.equal(await kind(env), 'none');
    assert.equal(await kind(path.dirname(env)), 'none', 'the parent made for it is gone too');
    const nested = fresh();
    await fs.mkdir(path.dirname(nested));
    await fs.writeFile(path.join(path.dirname(nested), 'sibling'), 'x');
    await expectVenvError(new Failing(opts(newest)).create(path.join(nested, 'deeper')), 'boom');
    assert.equal(await kind(nested), 'none');
    assert.equal(await fs.readFile(path.join(path.dirname(nested), 'sibling'), 'utf8'), 'x', 'a parent that existed is kept');
    const existing = fresh();
    await fs.mkdir(existing, { recursive: true });
    await fs.writeFile(path.join(existing, 'mine'), 'x');
    await expectVenvError(new Failing(opts(newest)).create(existing), 'boom');
    assert.equal(await fs.readFile(path.join(existing, 'mine'), 'utf8'), 'x');
  });

  test('a failing step rejects the create only once the steps running beside it are done, so nothing is written after the cleanup', async () => {
    let configurationFailed!: () => void;
    const failed = new Promise<void>((resolve) => (configurationFailed = resolve));
    let pythonDone = false;
    class Failing extends EnvBuilder {
      override async createConfiguration(): Promise<void> {
        configurationFailed();
        throw new VenvError('boom');
      }
      override async setupPython(c: EnvContext): Promise<void> {
        await failed;
        // A few file-system round trips: room for a cleanup that does not wait for this step.
        for (let i = 0; i < 20; i++) await fs.stat(path.dirname(c.envDir)).catch(() => undefined);
        await fs.mkdir(path.join(c.envDir, 'late'), { recursive: true });
        pythonDone = true;
      }
    }
    const env = fresh();
    await expectVenvError(new Failing(opts(newest)).create(env), 'boom');
    assert.equal(pythonDone, true, 'create rejected while setupPython was still writing');
    assert.equal(await kind(env), 'none');
  });

  test('an aborted signal stops the create with a VenvError', async () => {
    const controller = new AbortController();
    controller.abort();
    const env = fresh();
    await expectVenvError(createEnvironment(env, opts(newest, { signal: controller.signal })), /Cancelled/);
    assert.equal(await kind(env), 'none');
  });
});

// Conformance: for every CPython 3.8+ on this machine, our EnvBuilder against `python -m venv` of the
// SAME interpreter with the same options, built at the same path one after the other, compared by
// tree (names, types, link targets, modes), pyvenv.cfg bytes, and what the environment's python
// reports. Also the black-box cases of CPython's Lib/test/test_venv.py that concern the builder.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EnvBuilder, type EnvBuilderOptions } from '../../src/core/envBuilder';
import { atLeast, findPythons, type FoundPython } from '../fixtures/pythons';

const pythons = findPythons().filter((p) => atLeast(p, 3, 8));
let tmp: string;
let cacheDir: string;
let n = 0;

before(async () => {
  tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'vm-conformance-')));
  cacheDir = path.join(tmp, '.cache');
});
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** The environment without PIP_* and PYTHON* settings that would make the two runs differ. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(PIP_|PYTHON|VIRTUAL_ENV)/.test(k)) env[k] = v;
  return env;
}

interface Entry {
  path: string;
  type: 'dir' | 'file' | 'link';
  target?: string;
  mode?: number;
}

/** Names, types, link targets and permission bits; compiled bytecode is not compared. */
async function snapshot(root: string, skip: (rel: string) => boolean = () => false): Promise<Entry[]> {
  const out: Entry[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.name === '__pycache__' || e.name.endsWith('.pyc') || skip(r)) continue;
      const full = path.join(dir, e.name);
      if (e.isSymbolicLink()) out.push({ path: r, type: 'link', target: await fs.readlink(full) });
      else if (e.isDirectory()) {
        out.push({ path: r, type: 'dir', mode: (await fs.stat(full)).mode & 0o777 });
        await walk(full, r);
      } else out.push({ path: r, type: 'file', mode: (await fs.stat(full)).mode & 0o777 });
    }
  };
  await walk(root, '');
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

const REPORT = `
import json, site, sys, sysconfig
r = {
  'prefix': sys.prefix, 'exec_prefix': sys.exec_prefix,
  'base_prefix': sys.base_prefix, 'base_exec_prefix': sys.base_exec_prefix,
  'executable': sys.executable, 'base_executable': getattr(sys, '_base_executable', None),
  'path': sys.path, 'sitepackages': site.getsitepackages(),
  'paths': sysconfig.get_paths(), 'is_python_build': sysconfig.is_python_build(),
  'gil_disabled': sysconfig.get_config_var('Py_GIL_DISABLED'),
  'makefile': sysconfig.get_makefile_filename() if hasattr(sysconfig, 'get_makefile_filename') else None,
  'config_h': sysconfig.get_config_h_filename(),
}
if hasattr(sysconfig, 'get_default_scheme'):
  r['default_scheme'] = sysconfig.get_default_scheme()
  r['preferred_prefix_scheme'] = sysconfig.get_preferred_scheme('prefix')
try:
  import pip
  r['pip'] = pip.__version__
except ImportError:
  r['pip'] = None
print(json.dumps(r))
`;

function report(envDir: string): Record<string, unknown> {
  const out = execFileSync(path.join(envDir, 'bin', 'python'), ['-c', REPORT], { encoding: 'utf8', env: cleanEnv(), cwd: tmp });
  return JSON.parse(out) as Record<string, unknown>;
}

interface Built {
  tree: Entry[];
  cfg: string;
  gitignore?: string;
  report: Record<string, unknown>;
  pipVersion?: string;
  pipList?: string;
  pipShebang?: string;
}

async function observe(envDir: string, withPip: boolean, extraSkip: (rel: string) => boolean): Promise<Built> {
  const built: Built = {
    // Activation scripts are ours (tested by the activation suite); only their names are compared.
    tree: await snapshot(envDir, (rel) => extraSkip(rel) || (withPip && /^lib\/python[^/]+\/site-packages\/./.test(rel))),
    cfg: await fs.readFile(path.join(envDir, 'pyvenv.cfg'), 'utf8'),
    gitignore: await fs.readFile(path.join(envDir, '.gitignore'), 'utf8').catch(() => undefined),
    report: report(envDir),
  };
  if (withPip) {
    const pip = path.join(envDir, 'bin', 'pip');
    built.pipVersion = execFileSync(pip, ['--version'], { encoding: 'utf8', env: cleanEnv() }).trim();
    built.pipList = execFileSync(pip, ['list', '--format=freeze', '--disable-pip-version-check'], { encoding: 'utf8', env: cleanEnv() }).trim();
    built.pipShebang = (await fs.readFile(pip, 'utf8')).split('\n')[0];
  }
  return built;
}

interface Scenario {
  name: string;
  /** `python -m venv` arguments before the env dir. */
  cli: string[];
  ours: EnvBuilderOptions;
  withPip?: boolean;
  minVersion?: [number, number];
}

const SCENARIOS: Scenario[] = [
  { name: 'CLI defaults, without pip', cli: ['--without-pip'], ours: { symlinks: true, scmIgnoreFiles: ['git'] } },
  { name: 'copies', cli: ['--copies', '--without-pip'], ours: { symlinks: false, scmIgnoreFiles: ['git'] } },
  { name: 'system site packages', cli: ['--system-site-packages', '--without-pip'], ours: { symlinks: true, systemSitePackages: true, scmIgnoreFiles: ['git'] } },
  { name: 'a prompt', cli: ['--without-pip', '--prompt', "My 'quoted' prompt"], ours: { symlinks: true, prompt: "My 'quoted' prompt", scmIgnoreFiles: ['git'] } },
  { name: "prompt '.'", cli: ['--without-pip', '--prompt', '.'], ours: { symlinks: true, prompt: '.', scmIgnoreFiles: ['git'] } },
  { name: 'without scm ignore files', cli: ['--without-pip', '--without-scm-ignore-files'], ours: { symlinks: true }, minVersion: [3, 13] },
  { name: 'with pip (CLI defaults)', cli: [], ours: { symlinks: true, withPip: true, scmIgnoreFiles: ['git'] }, withPip: true },
  { name: 'with pip, copies', cli: ['--copies'], ours: { symlinks: false, withPip: true, scmIgnoreFiles: ['git'] }, withPip: true },
  { name: 'with pip and system site packages', cli: ['--system-site-packages'], ours: { symlinks: true, withPip: true, systemSitePackages: true, scmIgnoreFiles: ['git'] }, withPip: true },
];

async function compareOne(py: FoundPython, theirs: () => void, ours: () => Promise<unknown>, envDir: string, withPip: boolean): Promise<void> {
  theirs();
  const a = await observe(envDir, withPip, () => false);
  await fs.rm(envDir, { recursive: true, force: true });
  await ours();
  const b = await observe(envDir, withPip, (rel) => rel === 'bin/activate.nu');
  await fs.rm(envDir, { recursive: true, force: true });
  assert.deepEqual(b.tree, a.tree, `tree of ${py.label}`);
  assert.equal(b.cfg, a.cfg, `pyvenv.cfg of ${py.label}`);
  assert.equal(b.gitignore, a.gitignore, `.gitignore of ${py.label}`);
  assert.deepEqual(b.report, a.report, `what the env's python reports (${py.label})`);
  if (withPip) {
    assert.equal(b.pipVersion, a.pipVersion);
    assert.equal(b.pipList, a.pipList);
    assert.equal(b.pipShebang, a.pipShebang);
  }
}

// Every comparison below is made per interpreter: with none found they would all pass unseen.
test('at least one CPython 3.8+ was found to compare with', () => {
  assert.ok(pythons.length > 0, 'no CPython 3.8+ under ~/.pyenv/versions or /usr/bin');
});

for (const py of pythons) {
  describe(`conformance with python -m venv of ${py.label}`, () => {
    for (const sc of SCENARIOS) {
      const applies = !sc.minVersion || atLeast(py, ...sc.minVersion);
      test(sc.name, { skip: applies ? false : `python -m venv ${py.version.join('.')} has no such option` }, async () => {
        const cwd = path.join(tmp, `cwd-${++n}`);
        await fs.mkdir(cwd);
        const envDir = path.join(tmp, `same-place-${n}`, 'env');
        await compareOne(
          py,
          () => execFileSync(py.path, ['-m', 'venv', ...sc.cli, envDir], { cwd, env: cleanEnv(), stdio: 'pipe' }),
          () => new EnvBuilder({ python: py.path, cacheDir, cwd, withPip: false, ...sc.ours }).create(envDir),
          envDir,
          sc.withPip ?? false,
        );
      });
    }

    test('API defaults (venv.create(dir))', async () => {
      const envDir = path.join(tmp, `api-${++n}`, 'env');
      await compareOne(
        py,
        () => execFileSync(py.path, ['-c', 'import sys, venv; venv.create(sys.argv[1])', envDir], { env: cleanEnv(), stdio: 'pipe' }),
        () => new EnvBuilder({ python: py.path, cacheDir }).create(envDir),
        envDir,
        false,
      );
    });

    test(`a venv's python as the base (${atLeast(py, 3, 11) ? 'resolved to the real base' : 'chained, as this version does'})`, async () => {
      const outer = path.join(tmp, `outer-${++n}`);
      execFileSync(py.path, ['-m', 'venv', '--without-pip', outer], { env: cleanEnv() });
      const outerPython = path.join(outer, 'bin', 'python');
      const envDir = path.join(tmp, `nested-${n}`, 'env');
      await compareOne(
        py,
        () => execFileSync(outerPython, ['-m', 'venv', '--without-pip', envDir], { env: cleanEnv(), stdio: 'pipe' }),
        () => new EnvBuilder({ python: outerPython, cacheDir, symlinks: true, scmIgnoreFiles: ['git'] }).create(envDir),
        envDir,
        false,
      );
    });

    test('an interpreter reached through a symlink named differently', async () => {
      const linkDir = path.join(tmp, `linked-${++n}`);
      await fs.mkdir(linkDir);
      const mypy = path.join(linkDir, 'mypy');
      await fs.symlink(py.path, mypy);
      const envDir = path.join(tmp, `via-link-${n}`, 'env');
      await compareOne(
        py,
        () => execFileSync(mypy, ['-m', 'venv', '--without-pip', envDir], { env: cleanEnv(), stdio: 'pipe' }),
        () => new EnvBuilder({ python: mypy, cacheDir, symlinks: true, scmIgnoreFiles: ['git'] }).create(envDir),
        envDir,
        false,
      );
    });

    test('upgrade of an existing env: same result as venv --upgrade', async () => {
      const envDir = path.join(tmp, `upgrade-${++n}`, 'env');
      await compareOne(
        py,
        () => {
          execFileSync(py.path, ['-m', 'venv', '--without-pip', '--prompt', 'first', envDir], { env: cleanEnv(), stdio: 'pipe' });
          execFileSync(py.path, ['-m', 'venv', '--without-pip', '--upgrade', envDir], { env: cleanEnv(), stdio: 'pipe' });
        },
        async () => {
          await new EnvBuilder({ python: py.path, cacheDir, symlinks: true, prompt: 'first', scmIgnoreFiles: ['git'] }).create(envDir);
          await fs.rm(path.join(envDir, 'bin', 'activate.nu'));
          await new EnvBuilder({ python: py.path, cacheDir, symlinks: true, upgrade: true, scmIgnoreFiles: ['git'] }).create(envDir);
        },
        envDir,
        false,
      );
    });
  });
}

// Black-box cases of CPython's Lib/test/test_venv.py (spec §7) that concern the builder.
for (const py of pythons) {
  describe(`test_venv cases on ${py.label}`, () => {
    const mm = `${py.version[0]}.${py.version[1]}`;
    const base = JSON.parse(
      execFileSync(py.path, ['-c', 'import json, sys, os; print(json.dumps([sys.prefix, sys.exec_prefix, getattr(sys, "_base_executable", sys.executable), os.path.realpath(sys.executable), sys.maxsize > 2**32]))'], {
        encoding: 'utf8',
      }),
    ) as [string, string, string, string, boolean];
    const exe = path.basename(base[2]);

    test('test_defaults: layout, cfg home/executable/command, bin/<exe>', async () => {
      const env = path.join(tmp, `defaults-${++n}`);
      await new EnvBuilder({ python: py.path, cacheDir }).create(env);
      for (const d of ['bin', 'include', `lib/python${mm}${py.freeThreaded ? 't' : ''}`]) assert.ok((await fs.stat(path.join(env, d))).isDirectory());
      const lib64 = await fs.lstat(path.join(env, 'lib64')).catch(() => undefined);
      // 3.15 (gh-133951) creates the platlib folder instead of the link.
      assert.equal(lib64?.isSymbolicLink() ?? false, base[4] && process.platform !== 'darwin' && !atLeast(py, 3, 15));
      const cfg = await fs.readFile(path.join(env, 'pyvenv.cfg'), 'utf8');
      assert.ok(cfg.includes(`home = ${path.dirname(base[2])}\n`));
      if (atLeast(py, 3, 11)) {
        assert.ok(cfg.includes(`executable = ${base[3]}\n`));
        assert.ok(cfg.includes(`command = ${py.path} -m venv --copies --without-pip${atLeast(py, 3, 13) ? ' --without-scm-ignore-files' : ''} ${env}\n`));
      }
      await fs.access(path.join(env, 'bin', exe));
    });

    test('test_prefixes and test_executable: prefix is the env, base prefix the creator\'s, executable inside the env', async () => {
      for (const symlinks of [false, true]) {
        const env = path.join(tmp, `prefixes-${++n}`);
        await new EnvBuilder({ python: py.path, cacheDir, symlinks }).create(env);
        const r = report(env);
        assert.equal(r.prefix, env);
        assert.equal(r.exec_prefix, env);
        assert.equal(r.base_prefix, base[0]);
        assert.equal(r.base_exec_prefix, base[1]);
        const envExe = execFileSync(path.join(env, 'bin', exe), ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
        assert.equal(envExe, path.join(env, 'bin', exe));
      }
    });

    test('test_sysconfig: the venv scheme is preferred and build facts match the base', async (t) => {
      if (!atLeast(py, 3, 11)) return t.skip('the venv sysconfig scheme exists from 3.11');
      const env = path.join(tmp, `sysconfig-${++n}`);
      await new EnvBuilder({ python: py.path, cacheDir, symlinks: true }).create(env);
      const r = report(env);
      const scheme = r.default_scheme as string;
      assert.equal(r.preferred_prefix_scheme, scheme);
      assert.ok(scheme === 'venv' || scheme === 'posix_local', `scheme ${scheme}`);
      const b = JSON.parse(execFileSync(py.path, ['-c', 'import json, sysconfig; print(json.dumps([sysconfig.is_python_build(), sysconfig.get_config_h_filename(), sysconfig.get_config_var("Py_GIL_DISABLED")]))'], { encoding: 'utf8' }));
      assert.deepEqual([r.is_python_build, r.config_h, r.gil_disabled], b);
    });

    test('test_isolation: include-system-site-packages true|false', async () => {
      for (const ssp of [false, true]) {
        const env = path.join(tmp, `isolation-${++n}`);
        await new EnvBuilder({ python: py.path, cacheDir, systemSitePackages: ssp }).create(env);
        assert.ok((await fs.readFile(path.join(env, 'pyvenv.cfg'), 'utf8')).includes(`include-system-site-packages = ${ssp}\n`));
      }
    });

    test('test_symlinking: symlinks=True makes bin/<exe> a link', async () => {
      const env = path.join(tmp, `symlinking-${++n}`);
      await new EnvBuilder({ python: py.path, cacheDir, symlinks: true }).create(env);
      assert.ok((await fs.lstat(path.join(env, 'bin', exe))).isSymbolicLink());
    });

    test('test_no_pip_by_default / test_explicit_no_pip: pip is not importable', async () => {
      const env = path.join(tmp, `nopip-${++n}`);
      await new EnvBuilder({ python: py.path, cacheDir, withPip: false }).create(env);
      const r = spawnSync(path.join(env, 'bin', 'python'), ['-I', '-c', 'import pip'], { env: cleanEnv() });
      assert.notEqual(r.status, 0);
    });

    test('test_with_pip: pip --version names ensurepip\'s version and the env; ensurepip._uninstall works', async () => {
      const env = path.join(tmp, `withpip-${++n}`);
      await new EnvBuilder({ python: py.path, cacheDir, withPip: true }).create(env);
      const want = execFileSync(py.path, ['-c', 'import ensurepip; print(ensurepip.version())'], { encoding: 'utf8' }).trim();
      const env2 = { ...cleanEnv(), PIP_NO_INSTALL: '1', PYTHONWARNINGS: 'ignore' };
      const version = execFileSync(path.join(env, 'bin', 'python'), ['-m', 'pip', '--version'], { encoding: 'utf8', env: env2 }).trim();
      assert.ok(version.startsWith(`pip ${want}`), version);
      assert.ok(version.includes(env), version);
      execFileSync(path.join(env, 'bin', 'python'), ['-m', 'ensurepip._uninstall'], { env: env2, stdio: 'pipe' });
      const after = spawnSync(path.join(env, 'bin', 'python'), ['-I', '-c', 'import pip'], { env: cleanEnv() });
      assert.notEqual(after.status, 0, 'pip is gone after ensurepip._uninstall');
    });

    test('test_multiprocessing: spawn works from the env', async () => {
      const env = path.join(tmp, `mp-${++n}`);
      await new EnvBuilder({ python: py.path, cacheDir, symlinks: true }).create(env);
      const out = execFileSync(
        path.join(env, 'bin', 'python'),
        ['-c', "import multiprocessing as mp\nif __name__ == '__main__':\n    with mp.get_context('spawn').Pool(1) as p: print(p.apply(pow, (2, 10)))"],
        { encoding: 'utf8', env: cleanEnv(), cwd: tmp },
      ).trim();
      assert.equal(out, '1024');
    });
  });
}

// The versions whose layout changed last, named one by one so that a machine without them (CI
// cannot fetch CPython sources) says so instead of passing unseen. Each checks the change on
// `python -m venv` itself, then our tree against it.
const RECENT: Array<{ minor: number; freeThreaded: boolean; expect: (tree: Entry[], mm: string) => void }> = [
  {
    minor: 14,
    freeThreaded: false,
    expect: (tree, mm) => {
      assert.ok(tree.some((e) => e.path === 'bin/\u{1D70B}thon'), '3.14 makes 𝜋thon');
      assert.deepEqual(tree.filter((e) => e.path.startsWith('include/')), [], '3.14: plain include');
      assert.ok(tree.some((e) => e.path === `lib/python${mm}/site-packages`));
    },
  },
  {
    minor: 14,
    freeThreaded: true,
    expect: (tree, mm) => {
      assert.ok(tree.some((e) => e.path === `lib/python${mm}t/site-packages`), 'free-threaded site-packages');
      assert.ok(tree.some((e) => e.path === 'bin/\u{1D70B}thon'));
    },
  },
  {
    minor: 15,
    freeThreaded: false,
    expect: (tree) => {
      assert.ok(!tree.some((e) => e.path === 'lib64' && e.type === 'link'), '3.15 makes no lib64 link');
      assert.ok(!tree.some((e) => e.path === 'bin/\u{1D70B}thon'), '3.15 makes no 𝜋thon');
    },
  },
];

describe('the newest layouts, against python -m venv', () => {
  for (const want of RECENT) {
    const name = `CPython 3.${want.minor}${want.freeThreaded ? ' free-threaded' : ''}`;
    const py = pythons.filter((p) => p.version[1] === want.minor && p.freeThreaded === want.freeThreaded).at(-1);
    const why = `no ${name} on this machine (build one from a source release with scripts/build-cpython.sh; CI cannot fetch sources)${want.minor >= 15 ? '; 3.15 support is implemented from the spec and unit-tested on interpreter facts only' : ''}`;
    test(`${name}: the version's own changes, and our tree the same`, { skip: py ? false : why }, async () => {
      const mm = `${py!.version[0]}.${py!.version[1]}`;
      for (const symlinks of [true, false]) {
        const envDir = path.join(tmp, `recent-${++n}`, 'env');
        execFileSync(py!.path, ['-m', 'venv', '--without-pip', ...(symlinks ? [] : ['--copies']), envDir], { env: cleanEnv(), stdio: 'pipe' });
        const theirs = await snapshot(envDir);
        await fs.rm(envDir, { recursive: true, force: true });
        want.expect(theirs, mm);
        await new EnvBuilder({ python: py!.path, cacheDir, symlinks, scmIgnoreFiles: ['git'] }).create(envDir);
        const ours = await snapshot(envDir, (rel) => rel === 'bin/activate.nu');
        await fs.rm(envDir, { recursive: true, force: true });
        assert.deepEqual(ours, theirs, `tree of ${py!.label}${symlinks ? '' : ' (copies)'}`);
      }
    });
  }
});

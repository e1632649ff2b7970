// Seeding pip from the cache against ensurepip, for every CPython 3.8+ on this machine: the env
// skeleton comes from `python -m venv --without-pip`, the reference env from `python -m venv`
// (ensurepip), and pip itself must behave the same in both.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createEnvironment } from '../../src/core/envBuilder';
import { getInterpreterInfo, type InterpreterInfo } from '../../src/core/interpreter';
import { getUnpackCount, missingEnsurepipError, seedPip, seedWheels } from '../../src/core/seed';
import { bytecodeTag } from '../../src/core/seed/cache';
import { findPythons, atLeast } from '../fixtures/pythons';

const pythons = findPythons().filter((p) => atLeast(p, 3, 8));
const unpackedWheels = new Set<string>();
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** pip run inside an env with the user's pip configuration and PIP_* variables out of the way. */
function pip(envDir: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, PIP_CONFIG_FILE: os.devNull, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1', PIP_NO_INDEX: '1' };
  const r = spawnSync(path.join(envDir, 'bin', 'pip'), args, { encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function sitePackages(envDir: string, info: InterpreterInfo): string {
  return path.join(envDir, 'lib', `python${info.version[0]}.${info.version[1]}${info.gilDisabled ? 't' : ''}`, 'site-packages');
}

/** Files and dirs below `dir` (bytecode included), with their kind, relative and sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      out.push(`${e.isDirectory() ? 'd' : e.isSymbolicLink() ? 'l' : 'f'} ${r}`);
      if (e.isDirectory()) walk(path.join(d, e.name), r);
    }
  };
  walk(dir, '');
  return out.sort();
}

/** A minimal wheel written with the interpreter's own zipfile: the package pip installs offline. */
function buildTinyWheel(python: string, dir: string): string {
  const wheel = path.join(dir, 'tinyseedcheck-1.0-py3-none-any.whl');
  const script = `
import base64, hashlib, sys, zipfile
files = {
  'tinyseedcheck/__init__.py': b'VALUE = 42\\n',
  'tinyseedcheck-1.0.dist-info/METADATA': b'Metadata-Version: 2.1\\nName: tinyseedcheck\\nVersion: 1.0\\n',
  'tinyseedcheck-1.0.dist-info/WHEEL': b'Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n',
  'tinyseedcheck-1.0.dist-info/entry_points.txt': b'[console_scripts]\\ntinyseedcheck = tinyseedcheck:VALUE\\n',
}
rows = []
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    for name, data in files.items():
        z.writestr(name, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
        rows.append('%s,sha256=%s,%d' % (name, digest, len(data)))
    rows.append('tinyseedcheck-1.0.dist-info/RECORD,,')
    z.writestr('tinyseedcheck-1.0.dist-info/RECORD', '\\n'.join(rows) + '\\n')
`;
  execFileSync(python, ['-c', script, wheel]);
  return wheel;
}

describe('seedPip against ensurepip', { concurrency: false }, () => {
  let work: string;
  let cacheDir: string;
  before(() => {
    work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vm-seed-')));
    cacheDir = path.join(work, 'cache');
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  test('at least one CPython 3.8+ was found', () => {
    assert.ok(pythons.length > 0, 'no CPython 3.8+ under ~/.pyenv/versions or /usr/bin');
  });

  for (const py of pythons) {
    test(`CPython ${py.label}: seeded env behaves like the ensurepip env`, async () => {
      const info = await getInterpreterInfo(py.path, { cacheDir });
      assert.ok(info.bundledWheels.some((w) => w.project === 'pip'), 'this interpreter bundles a pip wheel');
      const label = info.versionString.replace(/\./g, '') + (info.gilDisabled ? 't' : '') + (py.path.startsWith('/usr/') ? 'sys' : '');
      const ours = path.join(work, `ours${label}`);
      const ref = path.join(work, `ref${label}`);
      execFileSync(py.path, ['-m', 'venv', '--without-pip', ours]);
      execFileSync(py.path, ['-m', 'venv', ref]);

      const unpacksBefore = getUnpackCount();
      const envPython = path.join(ours, 'bin', path.basename(py.path));
      await seedPip({ info, envDir: ours, binDir: path.join(ours, 'bin'), sitePackages: sitePackages(ours, info), envPython, cacheDir, osName: 'posix' });
      // One image per wheel and bytecode tag: it is byte-compiled for that Python before it is
      // published, and never written again, so interpreters of one minor version bundling the very
      // same wheel share it; another minor version (pip 23.0.1 in 3.8-3.10) gets its own.
      const imageKey = (w: { path: string }) => `${sha256(w.path)}:${bytecodeTag(info) ?? ''}`;
      const fresh = seedWheels(info).filter((w) => !unpackedWheels.has(imageKey(w)));
      seedWheels(info).forEach((w) => unpackedWheels.add(imageKey(w)));
      assert.equal(getUnpackCount() - unpacksBefore, fresh.length, 'each new wheel unpacked once');
      assert.ok(fs.statSync(path.join(sitePackages(ours, info), 'pip', '__init__.py')).nlink >= 2, 'hard-linked from the cache');
      const pycache = path.join(sitePackages(ours, info), 'pip', '__pycache__');
      const pycs = fs.readdirSync(pycache);
      assert.ok(pycs.length > 0 && pycs.every((n) => n.endsWith(`.cpython-${info.version[0]}${info.version[1]}.pyc`)), pycs.join(' '));

      // Same files, bytecode included (compiled once into the cache per Python), same launchers.
      assert.deepEqual(tree(sitePackages(ours, info)), tree(sitePackages(ref, info)));
      const launchers = (dir: string) => fs.readdirSync(path.join(dir, 'bin')).filter((n) => /^(pip|easy_install)/.test(n)).sort();
      assert.deepEqual(launchers(ours), launchers(ref));
      for (const name of launchers(ref)) {
        assert.equal(fs.readFileSync(path.join(ours, 'bin', name), 'utf8'), fs.readFileSync(path.join(ref, 'bin', name), 'utf8').split(ref).join(ours), `bin/${name}`);
        assert.equal(fs.statSync(path.join(ours, 'bin', name)).mode & 0o777, fs.statSync(path.join(ref, 'bin', name)).mode & 0o777);
      }
      // RECORD: ensurepip's rows, launcher hashes aside (their shebang holds the env path).
      for (const distInfo of fs.readdirSync(sitePackages(ref, info)).filter((n) => n.endsWith('.dist-info'))) {
        const rows = (env: string) =>
          fs
            .readFileSync(path.join(sitePackages(env, info), distInfo, 'RECORD'), 'utf8')
            .split('\r\n')
            .filter((r) => r !== '')
            .map((r) => (r.startsWith('../') ? r.split(',')[0] : r));
        assert.deepEqual(rows(ours), rows(ref), `${distInfo}/RECORD`);
      }

      const version = (env: string) => pip(env, ['--version']);
      const pycMtimes = () => fs.readdirSync(pycache).map((n) => `${n}@${fs.statSync(path.join(pycache, n)).mtimeMs}`).sort();
      const before = pycMtimes();
      const v1 = version(ours);
      assert.deepEqual(pycMtimes(), before, 'running pip found its bytecode valid: nothing recompiled');
      const v2 = version(ref);
      assert.equal(v1.status, 0, v1.stderr);
      assert.equal(v1.stdout.split(ours).join('<env>'), v2.stdout.split(ref).join('<env>'));
      assert.match(v1.stdout, new RegExp(`^pip \\S+ from ${ours.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/`));

      const list = (env: string) => pip(env, ['list', '--format=freeze']).stdout;
      assert.equal(list(ours), list(ref));
      assert.match(list(ours), /^pip==/m);

      // Upgrade mode: the same version is already there, so nothing is reinstalled (as ensurepip --upgrade).
      const upgradeLog: string[] = [];
      await seedPip({ info, envDir: ours, binDir: path.join(ours, 'bin'), sitePackages: sitePackages(ours, info), envPython, cacheDir, osName: 'posix', log: (l) => upgradeLog.push(l) });
      assert.ok(upgradeLog.some((l) => l.includes('already installed')), upgradeLog.join('\n'));
      assert.equal(list(ours), list(ref));

      const wheel = buildTinyWheel(py.path, work);
      const installed = pip(ours, ['install', '--no-index', wheel]);
      assert.equal(installed.status, 0, installed.stderr + installed.stdout);
      const value = execFileSync(envPython, ['-c', 'import tinyseedcheck; print(tinyseedcheck.VALUE)'], { encoding: 'utf8' });
      assert.equal(value.trim(), '42');
      assert.ok(fs.existsSync(path.join(ours, 'bin', 'tinyseedcheck')), 'the installed wheel got its launcher');

      const removed = pip(ours, ['uninstall', '-y', 'pip']);
      assert.equal(removed.status, 0, removed.stderr + removed.stdout);
      assert.match(removed.stdout, /Successfully uninstalled pip-/);
      assert.ok(!fs.existsSync(path.join(ours, 'bin', 'pip')), 'bin/pip removed with pip');
      assert.ok(!fs.readdirSync(sitePackages(ours, info)).some((n) => /^pip(-|$)/.test(n)), 'no pip files left in site-packages');
      const stillWorks = spawnSync(envPython, ['-c', 'import pip'], { encoding: 'utf8' });
      assert.notEqual(stillWorks.status, 0, 'pip is gone from the env');

      // The uninstall must not have touched the cache the files were linked from.
      const again = path.join(work, `again${label}`);
      execFileSync(py.path, ['-m', 'venv', '--without-pip', again]);
      const unpacksWarm = getUnpackCount();
      await seedPip({ info, envDir: again, binDir: path.join(again, 'bin'), sitePackages: sitePackages(again, info), envPython: path.join(again, 'bin', path.basename(py.path)), cacheDir, osName: 'posix' });
      assert.equal(getUnpackCount(), unpacksWarm, 'a warm cache unpacks nothing');
      assert.equal(pip(again, ['--version']).status, 0);
      assert.equal(list(again), list(ref));
    });
  }

  test('createEnvironment({ withPip: true }) seeds through the same path', async () => {
    const py = pythons[pythons.length - 1]!;
    const env = path.join(work, 'built with pip');
    const lines: string[] = [];
    await createEnvironment(env, { python: py.path, withPip: true, symlinks: true, cacheDir, log: (l) => lines.push(l) });
    assert.ok(lines.some((l) => /from the cache/.test(l)), lines.join('\n'));
    const v = pip(env, ['--version']);
    assert.equal(v.status, 0, v.stderr);
    assert.ok(v.stdout.includes(`from ${env}/`), v.stdout);
    const ref = path.join(work, 'built ref');
    execFileSync(py.path, ['-m', 'venv', ref]);
    assert.equal(pip(env, ['list', '--format=freeze']).stdout, pip(ref, ['list', '--format=freeze']).stdout);
  });

  test('with copies instead of hard links the env is the same', async () => {
    const py = pythons[pythons.length - 1]!;
    const info = await getInterpreterInfo(py.path, { cacheDir });
    const env = path.join(work, 'copied');
    execFileSync(py.path, ['-m', 'venv', '--without-pip', env]);
    await seedPip({ info, envDir: env, binDir: path.join(env, 'bin'), sitePackages: sitePackages(env, info), envPython: path.join(env, 'bin', path.basename(py.path)), cacheDir, osName: 'posix', linkMode: 'copy' });
    const init = path.join(sitePackages(env, info), 'pip', '__init__.py');
    assert.equal(fs.statSync(init).nlink, 1, 'a copy, not a link');
    const pycache = path.join(sitePackages(env, info), 'pip', '__pycache__');
    const stamp = () => fs.readdirSync(pycache).map((n) => `${n}@${fs.statSync(path.join(pycache, n)).mtimeMs}`).sort();
    const before = stamp();
    assert.ok(before.length > 0);
    assert.equal(pip(env, ['--version']).status, 0);
    assert.deepEqual(stamp(), before, 'copies keep the source mtime, so the copied bytecode stays valid');
  });

  test('without a bundled wheel the env python runs ensurepip (the fallback), in the environment given', async () => {
    const py = pythons[pythons.length - 1]!;
    const info = await getInterpreterInfo(py.path, { cacheDir });
    const env = path.join(work, 'fallback');
    execFileSync(py.path, ['-m', 'venv', '--without-pip', env]);
    const lines: string[] = [];
    const unpacks = getUnpackCount();
    // ensurepip drops PIP_* variables, but the env's python honours PYTHONPYCACHEPREFIX: the
    // bytecode pip writes while installing itself lands under the prefix given in `env`, which this
    // process does not have, so the environment passed in is the one ensurepip ran with.
    const pycachePrefix = path.join(work, 'fallback-pycache');
    await seedPip({ info: { ...info, bundledWheels: [] }, envDir: env, binDir: path.join(env, 'bin'), sitePackages: sitePackages(env, info), envPython: path.join(env, 'bin', path.basename(py.path)), cacheDir, osName: 'posix', env: { ...process.env, PYTHONPYCACHEPREFIX: pycachePrefix }, log: (l) => lines.push(l) });
    assert.equal(getUnpackCount(), unpacks, 'nothing unpacked');
    assert.ok(lines.some((l) => /ensurepip/.test(l)), lines.join('\n'));
    // ensurepip compiles: the fallback really was pip installing itself (into the prefix given).
    assert.ok(fs.existsSync(path.join(pycachePrefix, sitePackages(env, info), 'pip')), 'pip bytecode under the PYTHONPYCACHEPREFIX given in env');
    assert.ok(!fs.existsSync(path.join(sitePackages(env, info), 'pip', '__pycache__')), 'and none beside the sources');
    const v = pip(env, ['--version']);
    assert.equal(v.status, 0, v.stderr);
  });

  test('an interpreter without ensurepip and without wheels gets an error naming what to install', async () => {
    const py = pythons[pythons.length - 1]!;
    const info = await getInterpreterInfo(py.path, { cacheDir });
    const env = path.join(work, 'noensurepip');
    execFileSync(py.path, ['-m', 'venv', '--without-pip', env]);
    const crippled = { ...info, hasEnsurepip: false, bundledWheels: [] };
    await assert.rejects(
      seedPip({ info: crippled, envDir: env, binDir: path.join(env, 'bin'), sitePackages: sitePackages(env, info), envPython: path.join(env, 'bin', path.basename(py.path)), cacheDir, osName: 'posix' }),
      (err: Error) => err.name === 'VenvError' && /ensurepip is not available/.test(err.message),
    );
    assert.ok(!fs.existsSync(path.join(sitePackages(env, info), 'pip')), 'nothing half-installed');
  });

  test("Debian's python without python3.X-venv: the message names the package", async (t) => {
    const debian = pythons.find((p) => p.path.startsWith('/usr/bin/'));
    if (!debian || !fs.existsSync('/etc/debian_version')) return t.skip('no Debian system python here');
    const info = await getInterpreterInfo(debian.path, { cacheDir });
    const pkg = `python${info.version[0]}.${info.version[1]}-venv`;
    const installed = spawnSync('dpkg', ['-s', pkg], { encoding: 'utf8' }).status === 0;
    t.diagnostic(`${pkg} is ${installed ? '' : 'not '}installed here; the error is built from the same facts either way`);
    const err = missingEnsurepipError({ ...info, hasEnsurepip: false, bundledWheels: [] });
    assert.equal(err.name, 'VenvError');
    assert.ok(err.message.includes(`apt install ${pkg}`), err.message);
    assert.equal(info.hasEnsurepip, installed, 'hasEnsurepip matches whether the package is installed');
  });
});

// The install-image cache with a real bundled pip wheel: unpacked once, shared by concurrent
// creators (in-process and across processes), damaged leftovers replaced, and never modified by
// installing from it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bytecodeTag, ensureBytecode, ensureImage, getUnpackCount, type WheelRef } from '../../../src/core/seed/cache';
import { installImage } from '../../../src/core/seed/install';
import { seedWheels } from '../../../src/core/seed';
import { parseRecord } from '../../../src/core/seed/wheel';
import { getInterpreterInfo } from '../../../src/core/interpreter';
import { findPythons } from '../../fixtures/pythons';

/** A bundled pip wheel of some interpreter on this machine. */
function findPipWheel(): WheelRef | undefined {
  for (const py of [...findPythons()].reverse()) {
    const bundled = path.join(path.dirname(path.dirname(py.path)), 'lib', `python${py.version[0]}.${py.version[1]}`, 'ensurepip', '_bundled');
    const name = fs.existsSync(bundled) ? fs.readdirSync(bundled).find((n) => /^pip-.*\.whl$/.test(n)) : undefined;
    if (name) return { project: 'pip', version: name.split('-')[1]!, path: path.join(bundled, name) };
  }
  return undefined;
}

const CHILD = process.env.VM_SEED_IMAGE_CHILD;

if (CHILD) {
  // A separate creator process racing the others (see the cross-process test).
  const [cacheDir, wheelJson] = JSON.parse(CHILD) as [string, string];
  ensureImage(JSON.parse(wheelJson) as WheelRef, cacheDir).then(
    (img) => process.stdout.write(JSON.stringify({ siteDir: img.siteDir, unpacked: getUnpackCount() })),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
} else {
  const wheel = findPipWheel();
  describe('seed cache', () => {
    let work: string;
    before(() => {
      work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vm-cache-')));
    });
    after(() => fs.rmSync(work, { recursive: true, force: true }));

    test('a bundled pip wheel exists on this machine', () => assert.ok(wheel, 'no ensurepip/_bundled/pip-*.whl found'));

    test('unpacked once; the second call and concurrent calls reuse it', async () => {
      const cacheDir = path.join(work, 'once');
      const before = getUnpackCount();
      const [a, b] = await Promise.all([ensureImage(wheel!, cacheDir), ensureImage(wheel!, cacheDir)]);
      assert.equal(getUnpackCount() - before, 1);
      assert.equal(a.siteDir, b.siteDir);
      const c = await ensureImage(wheel!, cacheDir);
      assert.equal(getUnpackCount() - before, 1, 'warm cache');
      assert.equal(c.siteDir, a.siteDir);
      assert.match(path.basename(path.dirname(a.siteDir)), new RegExp(`^pip-${wheel!.version.replace(/\./g, '\\.')}-[0-9a-f]{16}-f\\d+$`));
      assert.ok(fs.existsSync(path.join(a.siteDir, 'pip', '__init__.py')));
      assert.ok(a.scriptTemplate?.includes('%(func)s'));
      assert.ok(a.files.length > 100);
    });

    test('processes racing to build the same image all end up with one complete image, no temp dirs left', async () => {
      const cacheDir = path.join(work, 'race');
      const runs = await Promise.all(
        Array.from({ length: 4 }, () => new Promise<{ siteDir: string; unpacked: number }>((resolve, reject) => {
          const child = spawn(process.execPath, [__filename], { env: { ...process.env, VM_SEED_IMAGE_CHILD: JSON.stringify([cacheDir, JSON.stringify(wheel)]) }, stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          child.stdout.on('data', (d) => (out += d));
          child.on('error', reject);
          child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}`))));
        })),
      );
      assert.equal(new Set(runs.map((r) => r.siteDir)).size, 1);
      const entries = fs.readdirSync(path.join(cacheDir, 'seed'));
      assert.deepEqual(entries, [path.basename(path.dirname(runs[0]!.siteDir))], `left: ${entries.join(', ')}`);
      const image = await ensureImage(wheel!, cacheDir);
      for (const f of image.files) assert.ok(fs.existsSync(path.join(image.siteDir, ...f.split('/'))), f);
    });

    test('an image of another format (another version of Venv Manager) is left alone; ours is built beside it', async () => {
      const cacheDir = path.join(work, 'formats');
      const ours = await ensureImage(wheel!, cacheDir);
      const ourDir = path.dirname(ours.siteDir);
      const m = /^(.*)-f(\d+)$/.exec(path.basename(ourDir));
      assert.ok(m, `the format is part of the folder name: ${path.basename(ourDir)}`);
      // What a version expecting format 1 keeps under the plain name, in use by that version.
      const theirs = path.join(path.dirname(ourDir), m[1]!);
      fs.mkdirSync(path.join(theirs, 'site'), { recursive: true });
      fs.writeFileSync(path.join(theirs, 'image.json'), JSON.stringify({ format: 1, image: {} }));
      fs.writeFileSync(path.join(theirs, 'site', 'in-use'), '');
      fs.rmSync(ourDir, { recursive: true });
      const rebuilt = await ensureImage(wheel!, cacheDir);
      assert.equal(rebuilt.siteDir, ours.siteDir);
      assert.ok(fs.existsSync(path.join(theirs, 'site', 'in-use')), 'the other format\'s image was not replaced');
    });
    test('a damaged image directory (no image.json) is rebuilt', async () => {
      const cacheDir = path.join(work, 'damaged');
      const first = await ensureImage(wheel!, cacheDir);
      fs.rmSync(path.join(path.dirname(first.siteDir), 'image.json'));
      fs.rmSync(path.join(first.siteDir, 'pip', '__init__.py'));
      const before = getUnpackCount();
      const again = await ensureImage(wheel!, cacheDir);
      assert.equal(getUnpackCount() - before, 1);
      assert.ok(fs.existsSync(path.join(again.siteDir, 'pip', '__init__.py')));
    });

    test('installing from the image (hard links) leaves the image byte-for-byte as it was', async () => {
      const cacheDir = path.join(work, 'install');
      const image = await ensureImage(wheel!, cacheDir);
      const cachedRecord = path.join(image.siteDir, image.distInfo, 'RECORD');
      const recordBefore = fs.readFileSync(cachedRecord, 'utf8');
      const site = path.join(work, 'env', 'lib', 'python3.12', 'site-packages');
      const bin = path.join(work, 'env', 'bin');
      fs.mkdirSync(site, { recursive: true });
      const target = { sitePackages: site, binDir: bin, envPython: path.join(bin, 'python3.12'), osName: 'posix' as const, platform: 'linux', is64bit: true, version: [3, 12, 1] as [number, number, number], linkMode: 'hardlink' as const };
      await installImage(image, image.scriptTemplate!, new Map(), target, true);
      await installImage(image, image.scriptTemplate!, new Map(), target, true);

      assert.equal(fs.readFileSync(cachedRecord, 'utf8'), recordBefore, 'the cached RECORD was not written through a link');
      assert.ok(!fs.existsSync(path.join(image.siteDir, image.distInfo, 'INSTALLER')));
      const envRecord = fs.readFileSync(path.join(site, image.distInfo, 'RECORD'), 'utf8');
      assert.ok(envRecord.endsWith('\r\n'));
      const rows = parseRecord(envRecord);
      const byPath = new Map(rows.map((r) => [r[0], r]));
      assert.equal(rows.length, parseRecord(recordBefore).length + 5, 'wheel rows + pip, pip3, pip3.12, INSTALLER, REQUESTED');
      assert.deepEqual(byPath.get(`${image.distInfo}/INSTALLER`), [`${image.distInfo}/INSTALLER`, 'sha256=zuuue4knoyJ-UwPPXg8fezS7VCrXJQrAP7zeNuwvFQg', '4']);
      assert.deepEqual(byPath.get(`${image.distInfo}/RECORD`), [`${image.distInfo}/RECORD`, '', '']);
      for (const name of ['pip', 'pip3', 'pip3.12']) {
        const row = byPath.get(`../../../bin/${name}`);
        assert.ok(row, name);
        const bytes = fs.readFileSync(path.join(bin, name));
        assert.equal(row[2], String(bytes.length));
        assert.ok(bytes.toString().startsWith(`#!${path.join(bin, 'python3.12')}\n`));
        assert.equal(fs.statSync(path.join(bin, name)).mode & 0o777, 0o755);
      }
      assert.ok(fs.statSync(path.join(site, 'pip', '__init__.py')).nlink >= 2);
    });

    const freshTarget = (name: string) => {
      const site = path.join(work, name, 'lib', 'python3.12', 'site-packages');
      const bin = path.join(work, name, 'bin');
      fs.mkdirSync(site, { recursive: true });
      return { sitePackages: site, binDir: bin, envPython: path.join(bin, 'python3.12'), osName: 'posix' as const, platform: 'linux', is64bit: true, version: [3, 12, 1] as [number, number, number], linkMode: 'hardlink' as const };
    };

    test('a file where a package directory belongs is an error, and the file is left as it was', async () => {
      const image = await ensureImage(wheel!, path.join(work, 'install'));
      const target = freshTarget('blocked');
      fs.mkdirSync(path.join(target.sitePackages, 'pip'));
      fs.writeFileSync(path.join(target.sitePackages, 'pip', '_internal'), 'mine');
      await assert.rejects(installImage(image, image.scriptTemplate!, new Map(), target, true), { code: 'EEXIST' });
      assert.equal(fs.readFileSync(path.join(target.sitePackages, 'pip', '_internal'), 'utf8'), 'mine');
    });

    test('a cancelled install rejects with the reason and starts nothing after it', async () => {
      const image = await ensureImage(wheel!, path.join(work, 'install'));
      const target = freshTarget('cancelled');
      const stop = new AbortController();
      stop.abort(new Error('stop here'));
      await assert.rejects(installImage(image, image.scriptTemplate!, new Map(), { ...target, signal: stop.signal }, true), /stop here/);
      assert.deepEqual(fs.readdirSync(target.sitePackages), [], 'no package directory made after the cancel');
    });
  });

  describe('bytecode', () => {
    test('compiled once per Python into the image, listed, and valid for that Python', async (t) => {
      const py = findPythons().find((p) => wheel!.path.startsWith(path.join(path.dirname(path.dirname(p.path)), 'lib', `python${p.version[0]}.${p.version[1]}`, 'ensurepip')));
      if (!py) return t.skip('the interpreter of the bundled wheel was not found');
      const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-pyc-'));
      t.after(() => fs.rmSync(cacheDir, { recursive: true, force: true }));
      const info = await getInterpreterInfo(py.path, { cacheDir });
      const tag = bytecodeTag(info)!;
      assert.equal(tag, `cpython-${py.version[0]}${py.version[1]}`);
      // Compiled while the image is built, before it is published; an image is never changed after.
      const [image, same] = await Promise.all([ensureImage(wheel!, cacheDir, undefined, { info }), ensureImage(wheel!, cacheDir, undefined, { info })]);
      assert.equal(image.siteDir, same.siteDir);
      assert.match(path.basename(path.dirname(image.siteDir)), new RegExp(`-${tag}$`));
      const a = await ensureBytecode(image, info);
      assert.ok(a && a.length > 100);
      const manifest = path.join(path.dirname(image.siteDir), 'image.json');
      const listed = fs.statSync(manifest).mtimeMs;
      const unpacked = getUnpackCount();
      assert.deepEqual(await ensureBytecode(await ensureImage(wheel!, cacheDir, undefined, { info }), info), a, 'read back from the manifest');
      assert.equal(fs.statSync(manifest).mtimeMs, listed, 'not compiled again');
      assert.equal(getUnpackCount(), unpacked, 'not unpacked again');
      assert.equal(await ensureBytecode(await ensureImage(wheel!, cacheDir), info), undefined, 'an image built without a Python has no bytecode');
      for (const pyc of a.slice(0, 20)) assert.match(pyc, new RegExp(`/__pycache__/[^/]+\\.${tag}\\.pyc$`));
      // The interpreter itself accepts the bytecode: importing from the image writes no new .pyc.
      const pycache = path.join(image.siteDir, 'pip', '__pycache__');
      const before = fs.readdirSync(pycache).map((n) => `${n}@${fs.statSync(path.join(pycache, n)).mtimeMs}`).sort();
      execFileSync(py.path, ['-c', 'import sys; sys.path.insert(0, sys.argv[1]); import pip._internal.cli.main', image.siteDir]);
      assert.deepEqual(fs.readdirSync(pycache).map((n) => `${n}@${fs.statSync(path.join(pycache, n)).mtimeMs}`).sort(), before);
    });
    test('no bytecode for other implementations; a free-threaded CPython shares its version\'s tag', async (t) => {
      const py = findPythons().at(-1);
      if (!py) return t.skip('no CPython found');
      const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-pyc-'));
      t.after(() => fs.rmSync(cacheDir, { recursive: true, force: true }));
      const info = await getInterpreterInfo(py.path, { cacheDir });
      assert.equal(bytecodeTag({ ...info, gilDisabled: true }), `cpython-${info.version[0]}${info.version[1]}`);
      assert.equal(bytecodeTag({ ...info, implementation: 'pypy' }), undefined);
    });
    test('a free-threaded build and the default build of one version load each other\'s bytecode from one image', async (t) => {
      const ft = findPythons().filter((p) => p.freeThreaded).at(-1);
      const gil = ft && findPythons().find((p) => !p.freeThreaded && p.version[0] === ft.version[0] && p.version[1] === ft.version[1]);
      if (!ft || !gil) return t.skip('needs a free-threaded CPython and a default build of the same version (scripts/build-cpython.sh)');
      const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-pyc-'));
      t.after(() => fs.rmSync(cacheDir, { recursive: true, force: true }));
      const [ftInfo, gilInfo] = await Promise.all([getInterpreterInfo(ft.path, { cacheDir }), getInterpreterInfo(gil.path, { cacheDir })]);
      const ftWheel = ftInfo.bundledWheels.find((w) => w.project === 'pip');
      if (!ftWheel) return t.skip('the free-threaded build bundles no pip');
      const image = await ensureImage(ftWheel, cacheDir, undefined, { info: ftInfo });
      const compiled = await ensureBytecode(image, ftInfo);
      assert.ok(compiled && compiled.length > 100, 'compiled by the free-threaded build');
      assert.deepEqual(await ensureBytecode(image, gilInfo), compiled, 'the default build reuses the list: one tag');
      const pycache = path.join(image.siteDir, 'pip', '__pycache__');
      const stamp = () => fs.readdirSync(pycache).map((n) => `${n}@${fs.statSync(path.join(pycache, n)).mtimeMs}`).sort();
      const before = stamp();
      for (const py of [gil, ft]) {
        execFileSync(py.path, ['-c', 'import sys; sys.path.insert(0, sys.argv[1]); import pip._internal.cli.main', image.siteDir]);
        assert.deepEqual(stamp(), before, `${py.label} accepted the bytecode: nothing recompiled`);
      }
    });
  });

  describe('Windows layout, built on Linux', () => {
    test('pip.exe, pip3.exe, pip3.X.exe = the wheel\'s t64.exe + shebang + zip; RECORD rows ../../Scripts/*.exe', async (t) => {
      const image = await ensureImage(wheel!, path.join(os.tmpdir(), `vm-nt-${process.pid}`));
      t.after(() => fs.rmSync(path.dirname(path.dirname(path.dirname(image.siteDir))), { recursive: true, force: true }));
      if (!image.launcherStubs['t64.exe']) return t.skip('this pip wheel ships no Windows launchers (a distro rebuild)');
      const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vm-ntenv-')));
      t.after(() => fs.rmSync(root, { recursive: true, force: true }));
      const site = path.join(root, 'Lib', 'site-packages');
      const bin = path.join(root, 'Scripts');
      fs.mkdirSync(site, { recursive: true });
      const stub = fs.readFileSync(path.join(image.siteDir, ...image.launcherStubs['t64.exe']!.split('/')));
      const envPython = 'C:\\envs\\my env\\Scripts\\python.exe';
      await installImage(image, image.scriptTemplate!, new Map([['t64.exe', stub]]), { sitePackages: site, binDir: bin, envPython, osName: 'nt', platform: 'win32', is64bit: true, version: [3, 13, 0], linkMode: 'copy' }, true);
      assert.deepEqual(fs.readdirSync(bin).sort(), ['pip.exe', 'pip3.13.exe', 'pip3.exe']);
      const exe = fs.readFileSync(path.join(bin, 'pip.exe'));
      assert.deepEqual(exe.subarray(0, stub.length), stub);
      assert.ok(exe.subarray(stub.length).toString('latin1').startsWith(`#!"${envPython}"\r\nPK\x03\x04`));
      const rows = new Map(parseRecord(fs.readFileSync(path.join(site, image.distInfo, 'RECORD'), 'utf8')).map((r) => [r[0], r]));
      assert.equal(rows.get('../../Scripts/pip.exe')?.[2], String(exe.length));
    });
  });

  describe('seedWheels', () => {
    test('pip, plus setuptools before 3.12, from what the interpreter bundles', async (t) => {
      const pythons = findPythons();
      if (pythons.length === 0) return t.skip('no CPython found');
      const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-seedwheels-'));
      t.after(() => fs.rmSync(cacheDir, { recursive: true, force: true }));
      for (const py of pythons) {
        const info = await getInterpreterInfo(py.path, { cacheDir });
        const projects = seedWheels(info).map((w) => w.project);
        const expected = info.bundledWheels.some((w) => w.project === 'setuptools') && py.version[1] < 12 ? ['setuptools', 'pip'] : ['pip'];
        if (info.bundledWheels.some((w) => w.project === 'pip')) assert.deepEqual(projects, expected, py.label);
        else assert.deepEqual(projects.filter((p) => p === 'pip'), [], py.label);
      }
      const fake = { bundledWheels: [{ project: 'setuptools', version: '1', path: '/x' }, { project: 'pip', version: '2', path: '/y' }, { project: 'wheel', version: '3', path: '/z' }] };
      assert.deepEqual(seedWheels({ ...(await getInterpreterInfo(pythons[0]!.path, { cacheDir })), ...fake, version: [3, 12, 0] }).map((w) => w.project), ['pip']);
      assert.deepEqual(seedWheels({ ...(await getInterpreterInfo(pythons[0]!.path, { cacheDir })), ...fake, version: [3, 11, 0] }).map((w) => w.project), ['setuptools', 'pip']);
    });
  });
}

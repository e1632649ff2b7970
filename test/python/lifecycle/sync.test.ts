// Sync and status: an env made to hold exactly what a pyproject.toml selection, a requirements file
// or a pylock.toml declares, all or nothing, and its drift read from its dist-info folders. Offline:
// wheels built here, PIP_NO_INDEX / PIP_FIND_LINKS, pylock url entries served from 127.0.0.1.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readRememberedSource, type DeclaredSource } from '../../../src/core/declared';
import { getInterpreterInfo } from '../../../src/core/interpreter';
import { environmentStatus, recoverEnvironment, recreateEnvironment, syncEnvironment } from '../../../src/core/lifecycle';
import { runCliAndKillAt } from '../../fixtures/killAt';
import { assertFailsLeavingEnvUnchanged, leftovers, makeEnv, makeWheelhouse, removeTempDir, snapshotTree, tempDir, testPython, usablePythons, type TestPython, type Wheelhouse } from '../../fixtures/lifecycle';
import { serveFiles, type FileServer } from '../../fixtures/fileServer';
import { buildWheel } from '../../fixtures/wheels';

const CLI = path.resolve(__dirname, '../../../../dist/cli.js');
let py: TestPython;
let work: string;
let wheels: Wheelhouse;
let files: FileServer | undefined;
let baseUrl: string;

before(async () => {
  py = await testPython();
  work = await tempDir('vm-sync-');
  wheels = await makeWheelhouse(path.join(work, 'wheels'));
  await buildWheel(wheels.dir, { name: 'delta', version: '4.0' });
  await buildWheel(wheels.dir, { name: 'gamma', version: '2.0' });
  files = await serveFiles([wheels.dir]);
  baseUrl = files.url;
});

after(async () => {
  await files?.close();
  await removeTempDir(work);
});

function python(envDir: string): string {
  return path.join(envDir, 'bin', 'python');
}

function pipInstall(envDir: string, ...reqs: string[]): void {
  execFileSync(python(envDir), ['-m', 'pip', 'install', '-q', ...reqs], { env: wheels.env, stdio: 'pipe' });
}

/** Normalised name -> version of what pip lists in the env. */
function pipList(envDir: string): Record<string, string> {
  const out = execFileSync(python(envDir), ['-m', 'pip', 'list', '--format', 'json', '--disable-pip-version-check'], { env: wheels.env, encoding: 'utf8' });
  return Object.fromEntries((JSON.parse(out) as { name: string; version: string }[]).map((d) => [d.name.toLowerCase(), d.version]));
}

async function project(label: string, files: Record<string, string>): Promise<{ dir: string; envDir: string }> {
  const dir = path.join(work, label);
  for (const [name, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), text);
  }
  const envDir = path.join(dir, '.venv');
  await makeEnv(envDir, py.path);
  return { dir, envDir };
}

const PYPROJECT = `[project]
name = "demo"
version = "0.1"
dependencies = ["alpha==1.0"]

[project.optional-dependencies]
fast = ["gamma==3.0"]

[dependency-groups]
test = ["delta>=4"]
dev = [{include-group = "test"}]
`;

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await fs.readFile(file)).digest('hex');
}

describe('sync and status from pyproject.toml', () => {
  test('installs the dependencies, extras and groups, removes what is not declared, keeps pip; remembers the choice', async () => {
    const { dir, envDir } = await project('pyproject', { 'pyproject.toml': PYPROJECT });
    pipInstall(envDir, 'gamma==2.0', 'needs-ghost==1.0', '--no-deps');
    const source: DeclaredSource = { kind: 'pyproject', file: path.join(dir, 'pyproject.toml'), extras: ['fast'], groups: ['dev'], project: false };
    const before = await environmentStatus(envDir, { source, exact: true });
    assert.equal(before.summary, 'out of sync with pyproject.toml: 2 missing, 1 other version, 1 not declared');
    const result = await syncEnvironment(envDir, { source, env: wheels.env, installer: 'pip' });
    assert.equal(result.changed, true);
    assert.deepEqual(result.removed, ['needs-ghost']);
    const have = pipList(envDir);
    assert.deepEqual({ alpha: have.alpha, beta: have.beta, gamma: have.gamma, delta: have.delta, ghost: have['needs-ghost'] }, { alpha: '1.0', beta: '2.0', gamma: '3.0', delta: '4.0', ghost: undefined });
    assert.ok(have.pip, 'pip stays');
    assert.deepEqual((await readRememberedSource(envDir))?.source, source);
    const after = await environmentStatus(envDir);
    assert.equal(after.inSync, true, after.summary);
    assert.equal(after.summary, 'in sync with pyproject.toml');
    assert.deepEqual(await leftovers(dir), []);

    // A no-op sync touches nothing at all.
    const tree = await snapshotTree(envDir);
    const again = await syncEnvironment(envDir, { env: wheels.env, installer: 'pip' });
    assert.equal(again.changed, false);
    assert.deepEqual(await snapshotTree(envDir), tree);

    // Installed from a terminal: drift; the source file changed: drift.
    pipInstall(envDir, 'needs-ghost==1.0', '--no-deps');
    assert.equal((await environmentStatus(envDir)).summary, 'out of sync with pyproject.toml: 1 not declared');
    await fs.writeFile(path.join(dir, 'pyproject.toml'), PYPROJECT.replace('alpha==1.0', 'alpha==1.0", "broken-ghost'));
    assert.equal((await environmentStatus(envDir)).summary, 'out of sync with pyproject.toml: 1 missing, 1 not declared');
  });

  test('a requirement pip cannot satisfy: the env is left byte for byte, nothing beside it', async () => {
    const { dir, envDir } = await project('unsatisfiable', { 'pyproject.toml': PYPROJECT.replace('delta>=4', 'delta>=5') });
    pipInstall(envDir, 'gamma==2.0');
    const source: DeclaredSource = { kind: 'pyproject', file: path.join(dir, 'pyproject.toml'), extras: [], groups: ['test'], project: false };
    await assertFailsLeavingEnvUnchanged(envDir, () => syncEnvironment(envDir, { source, env: wheels.env, installer: 'pip' }).then(() => undefined), (err) => {
      assert.equal(err.code, 'install-failed');
      assert.match(err.message, /delta>=5/);
    });
  });

  test('an unknown group is refused naming the file, before anything is touched', async () => {
    const { dir, envDir } = await project('unknown-group', { 'pyproject.toml': PYPROJECT });
    const source: DeclaredSource = { kind: 'pyproject', file: path.join(dir, 'pyproject.toml'), extras: [], groups: ['docs'], project: false };
    await assertFailsLeavingEnvUnchanged(envDir, () => syncEnvironment(envDir, { source, env: wheels.env }).then(() => undefined), (err) => {
      assert.equal(err.code, 'bad-source');
      assert.match(err.message, /pyproject\.toml: there is no group 'docs' in \[dependency-groups\] \(there are: test, dev\)/);
    });
  });

  test('the project itself, editable, with the setuptools backend (offline: a setuptools wheel from an interpreter or Debian)', async (t) => {
    const found = await setuptoolsWheel();
    if (!found) return t.skip('no interpreter here bundles a setuptools >= 64 wheel (with wheel)');
    const { dir, envDir } = await project('editable project', {
      'pyproject.toml': `${PYPROJECT}\n[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n\n[tool.setuptools]\npackages = ["demo"]\n`,
      'demo/__init__.py': 'VALUE = "from the source folder"\n',
    });
    // The env is made from the interpreter whose setuptools wheel builds the project, so the two fit.
    await removeTempDir(envDir);
    await makeEnv(envDir, found.python);
    const env = { ...wheels.env, PIP_FIND_LINKS: `${wheels.dir} ${found.dir}` };
    const source: DeclaredSource = { kind: 'pyproject', file: path.join(dir, 'pyproject.toml'), extras: ['fast'], groups: [], project: true };
    await syncEnvironment(envDir, { source, env, installer: 'pip' });
    assert.equal(execFileSync(python(envDir), ['-c', 'import demo; print(demo.VALUE)'], { encoding: 'utf8' }).trim(), 'from the source folder');
    await fs.writeFile(path.join(dir, 'demo/__init__.py'), 'VALUE = "edited"\n');
    assert.equal(execFileSync(python(envDir), ['-c', 'import demo; print(demo.VALUE)'], { encoding: 'utf8' }).trim(), 'edited', 'an editable install runs from the folder');
    const status = await environmentStatus(envDir, undefined, { env });
    assert.equal(status.summary, 'in sync with pyproject.toml', JSON.stringify(status.drift));
  });
});

/**
 * An interpreter that bundles a setuptools >= 64 wheel (PEP 660 editables, and the 'wheel' project it needs) for its ensurepip (its
 * own `_bundled` folder, or Debian's python3-setuptools-whl), and the folder holding that wheel.
 */
async function setuptoolsWheel(): Promise<{ python: string; dir: string } | undefined> {
  for (const p of await usablePythons()) {
    const info = await getInterpreterInfo(p.path);
    const wheel = info.bundledWheels.find((w) => w.project === 'setuptools' && Number(w.version.split('.')[0]) >= 64);
    // setuptools before 70.1 builds editables with the 'wheel' project: Debian ships it beside.
    const needsWheel = wheel && Number(wheel.version.split('.')[0]) < 71;
    if (wheel && (!needsWheel || (await fs.readdir(path.dirname(wheel.path))).some((f) => f.startsWith('wheel-')))) return { python: p.path, dir: path.dirname(wheel.path) };
  }
  return undefined;
}

describe('sync from pylock.toml', () => {
  async function lockFor(dir: string, entries: { name: string; version: string; marker?: string; via: 'path' | 'url' | 'stall'; sha256?: string }[]): Promise<string> {
    const parts = ['lock-version = "1.0"', 'requires-python = ">=3.8"', 'created-by = "venv-manager tests"', ''];
    for (const e of entries) {
      const file = path.join(wheels.dir, `${e.name}-${e.version}-py3-none-any.whl`);
      const size = (await fs.stat(file)).size;
      parts.push('[[packages]]', `name = "${e.name}"`, `version = "${e.version}"`);
      if (e.marker) parts.push(`marker = ${JSON.stringify(e.marker)}`);
      parts.push('[[packages.wheels]]', e.via === 'path' ? `path = ${JSON.stringify(path.relative(dir, file))}` : `url = "${baseUrl}/${e.via === 'stall' ? 'stall/' : ''}${path.basename(file)}"`, `size = ${size}`, `hashes = {sha256 = "${e.sha256 ?? (await sha256(file))}"}`, '');
    }
    const lock = path.join(dir, 'pylock.toml');
    await fs.writeFile(lock, parts.join('\n'));
    return lock;
  }

  test('installs exactly the lock (path and url entries, a marker-excluded package left out, no resolving), then is in sync', async () => {
    const { dir, envDir } = await project('lock', {});
    pipInstall(envDir, 'gamma==2.0');
    files!.served.length = 0;
    const lock = await lockFor(dir, [
      // alpha needs beta; the lock lists both, so nothing is resolved.
      { name: 'alpha', version: '1.0', via: 'path' },
      { name: 'beta', version: '2.0', via: 'url' },
      { name: 'gamma', version: '3.0', via: 'url' },
      { name: 'delta', version: '4.0', via: 'path', marker: "sys_platform == 'win32' or python_version < '3'" },
    ]);
    const progress: string[] = [];
    const result = await syncEnvironment(envDir, { source: { kind: 'pylock', file: lock, extras: [] }, env: wheels.env, installer: 'pip', onProgress: (m) => progress.push(m) });
    assert.equal(result.changed, true);
    const have = pipList(envDir);
    assert.deepEqual({ alpha: have.alpha, beta: have.beta, gamma: have.gamma, delta: have.delta }, { alpha: '1.0', beta: '2.0', gamma: '3.0', delta: undefined });
    assert.deepEqual(files!.served.sort(), ['/beta-2.0-py3-none-any.whl', '/gamma-3.0-py3-none-any.whl']);
    assert.ok(progress.some((m) => /^Downloading gamma-3\.0-py3-none-any\.whl: \d+%$/.test(m)), progress.join(' | '));
    assert.equal((await environmentStatus(envDir)).summary, 'in sync with pylock.toml');
  });

  test('a wrong sha256 or size is refused before anything is installed: the env byte for byte', async () => {
    const { dir, envDir } = await project('lock-hash', {});
    const lock = await lockFor(dir, [{ name: 'gamma', version: '3.0', via: 'url', sha256: 'ab'.repeat(32) }]);
    await assertFailsLeavingEnvUnchanged(envDir, () => syncEnvironment(envDir, { source: { kind: 'pylock', file: lock, extras: [] }, env: wheels.env }).then(() => undefined), (err) => {
      assert.equal(err.code, 'hash-mismatch');
      assert.match(err.message, /pylock\.toml: the sha256 of gamma-3\.0-py3-none-any\.whl \(gamma\) is [0-9a-f]{64}, the lock says (ab){32}\. Nothing was installed\./);
    });
    await fs.writeFile(lock, (await fs.readFile(lock, 'utf8')).replace(/size = \d+/, 'size = 7'));
    await assertFailsLeavingEnvUnchanged(envDir, () => syncEnvironment(envDir, { source: { kind: 'pylock', file: lock, extras: [] }, env: wheels.env }).then(() => undefined), (err) => {
      assert.equal(err.code, 'hash-mismatch');
      assert.match(err.message, /is \d+ bytes, the lock says 7/);
    });
  });

  test('a download cancelled half-way: nothing installed, the env byte for byte, nothing left beside it', async () => {
    const { dir, envDir } = await project('lock-cancel', {});
    const lock = await lockFor(dir, [{ name: 'gamma', version: '3.0', via: 'stall' }]);
    const controller = new AbortController();
    await assertFailsLeavingEnvUnchanged(envDir, () => syncEnvironment(envDir, {
      source: { kind: 'pylock', file: lock, extras: [] },
      env: wheels.env,
      signal: controller.signal,
      onProgress: (m) => { if (/^Downloading gamma-3\.0-py3-none-any\.whl: \d+%$/.test(m)) controller.abort(); },
    }).then(() => undefined), (err) => {
      assert.equal(err.code, 'cancelled');
      assert.match(err.message, /while downloading; nothing was installed/);
    });
  });

  test('recreate from a lock: a fresh env holding the lock, remembered for status', async () => {
    const { dir, envDir } = await project('lock-recreate', {});
    pipInstall(envDir, 'delta==4.0');
    const lock = await lockFor(dir, [{ name: 'gamma', version: '3.0', via: 'path' }]);
    await recreateEnvironment(envDir, { source: { kind: 'pylock', file: lock, extras: [] }, env: wheels.env, installer: 'pip' });
    const have = pipList(envDir);
    assert.equal(have.gamma, '3.0');
    assert.equal(have.delta, undefined);
    assert.equal((await environmentStatus(envDir)).inSync, true);
  });

  test('recreate --python another version: the lock is matched to that interpreter, not to the env being replaced', async (t) => {
    const other = (await usablePythons()).find((p) => p.version[1] !== py.version[1]);
    if (!other) return t.skip('only one CPython minor version on this machine');
    const { dir, envDir } = await project('lock-other-python', {});
    // gamma's only wheel is for the other interpreter's CPython (pip goes by the file name's tags).
    const tag = `cp${other.version[0]}${other.version[1]}`;
    const wheel = path.join(dir, `gamma-3.0-${tag}-none-any.whl`);
    await fs.copyFile(path.join(wheels.dir, 'gamma-3.0-py3-none-any.whl'), wheel);
    const lock = path.join(dir, 'pylock.toml');
    await fs.writeFile(lock, `lock-version = "1.0"\n[[packages]]\nname = "gamma"\nversion = "3.0"\n[[packages.wheels]]\npath = "${path.basename(wheel)}"\nhashes = {sha256 = "${await sha256(wheel)}"}\n`);
    const source: DeclaredSource = { kind: 'pylock', file: lock, extras: [] };
    await assertFailsLeavingEnvUnchanged(envDir, () => recreateEnvironment(envDir, { source, env: wheels.env, installer: 'pip' }), (err) => {
      assert.equal(err.code, 'no-wheel');
      assert.match(err.message, new RegExp(`no usable wheel for gamma 3\\.0: its wheels \\(gamma-3\\.0-${tag}-none-any\\.whl\\) do not fit Python ${py.version.join('\\.')}`));
    });
    await recreateEnvironment(envDir, { source, python: other.path, env: wheels.env, installer: 'pip' });
    assert.equal(pipList(envDir).gamma, '3.0');
    assert.equal((await environmentStatus(envDir)).summary, 'in sync with pylock.toml');
  });

  test('killed while the installer runs: recovery puts the env back byte for byte', async () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
    const { dir, envDir } = await project('lock-kill', {});
    const lock = await lockFor(dir, [{ name: 'gamma', version: '3.0', via: 'path' }]);
    const before = await snapshotTree(envDir);
    await runCliAndKillAt(CLI, ['sync', envDir, '--lock', lock, '--installer', 'pip'], 'sync:installer-started', wheels.env);
    assert.equal(await recoverEnvironment(envDir), 'rolled-back');
    assert.deepEqual(await snapshotTree(envDir), before);
    assert.deepEqual(await leftovers(dir), []);
  });
});

describe('the command line: sync and status', () => {
  test('status exits 3 out of sync and 0 in sync, with the JSON shape of docs/cli-json.md; 1 with no source; 2 for bad usage', async () => {
    const { dir, envDir } = await project('cli', { 'requirements.txt': 'alpha==1.0\n' });
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env: wheels.env, encoding: 'utf8', cwd: dir });
    const none = run('status', envDir);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /has no remembered source/);
    const given = run('status', envDir, '--requirements', 'requirements.txt', '--json');
    assert.equal(given.status, 3, given.stderr);
    const json = JSON.parse(given.stdout);
    assert.equal(json.format, 1);
    assert.equal(json.inSync, false);
    assert.deepEqual(json.missing, [{ name: 'alpha', wanted: 'alpha==1.0' }]);
    assert.equal(json.source.kind, 'requirements');
    const sync = run('sync', envDir, '-r', 'requirements.txt', '--installer', 'pip');
    assert.equal(sync.status, 0, sync.stderr);
    const ok = run('status', envDir);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /: in sync with requirements\.txt\n$/);
    pipInstall(envDir, 'gamma==3.0');
    const drifted = run('status', envDir);
    assert.equal(drifted.status, 3);
    assert.match(drifted.stdout, /out of sync with requirements\.txt: 1 not declared\n {2}not declared {3}gamma 3\.0\n/);
    assert.equal(run('status', envDir, '--no-exact').status, 0);
    assert.equal(run('sync', envDir, '--extra', 'x').status, 2);
    assert.equal(run('sync', envDir, '-r', 'a.txt', '--lock', 'b.toml').status, 2);
    const badToml = path.join(dir, 'pyproject.toml');
    await fs.writeFile(badToml, '[project\nname = "x"\n');
    const bad = run('sync', envDir, '--pyproject', badToml);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, new RegExp(`Error: ${badToml.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:\\d+: invalid TOML`));
  });
});

// Exporting an env's packages as pylock.toml through its own pip (`pip lock`), offline: wheels built
// here, PIP_NO_INDEX / PIP_FIND_LINKS. The lock reads back with our reader and Sync installs it into a
// fresh env holding the same set; every failure leaves the target as it was and no partial file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readPylock } from '../../../src/core/declared/pylock';
import { readTomlFile } from '../../../src/core/declared/toml';
import { LifecycleError, syncEnvironment } from '../../../src/core/lifecycle';
import { exportPylock, lockRequirementLine, readInstalledDistributions, sitePackagesOf, type InstalledDistribution } from '../../../src/core/packages';
import { makeEnv, makeWheelhouse, removeTempDir, tempDir, testPython, type TestPython, type Wheelhouse } from '../../fixtures/lifecycle';
import { envPip, writeEditableProject } from '../../fixtures/packages';
import { buildWheel } from '../../fixtures/wheels';

const CLI = path.resolve(__dirname, '../../../../dist/cli.js');
let py: TestPython;
let work: string;
let wheels: Wheelhouse;

before(async () => {
  py = await testPython();
  work = await tempDir('vm-pylock-export-');
  wheels = await makeWheelhouse(path.join(work, 'wheels'));
  await buildWheel(wheels.dir, { name: 'Foo_Bar', version: '1.2.3' });
  // A wheel kept apart from the find-links folder, installed by its path (direct_url.json, archive_info).
  await buildWheel(path.join(work, 'direct'), { name: 'direct-one', version: '0.5' });
});

after(() => removeTempDir(work));

/** name -> version of what an env holds, pip left out. */
function held(dists: readonly InstalledDistribution[]): Record<string, string> {
  return Object.fromEntries(dists.filter((d) => d.normalizedName !== 'pip').map((d) => [d.normalizedName, d.version]));
}

async function envWith(name: string, specs: string[]): Promise<string> {
  const envDir = path.join(work, name, '.venv');
  await makeEnv(envDir, py.path);
  if (specs.length) envPip(envDir, ['install', '-q', ...specs], wheels.env);
  return envDir;
}

async function listing(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).sort();
}

describe('export as pylock.toml', () => {
  test('every package pinned with a wheel and its sha256; reads back; Sync installs the same set into a fresh env', async () => {
    const envDir = await envWith('roundtrip', ['alpha==1.0', 'gamma', 'Foo_Bar', path.join(work, 'direct', 'direct_one-0.5-py3-none-any.whl')]);
    const before = held(await readInstalledDistributions(envDir));
    assert.deepEqual(before, { alpha: '1.0', beta: '2.0', gamma: '3.0', 'foo-bar': '1.2.3', 'direct-one': '0.5' });
    const target = path.join(work, 'roundtrip', 'pylock.toml');
    const progress: string[] = [];
    const result = await exportPylock(envDir, target, { env: wheels.env, onProgress: (m) => progress.push(m) });
    assert.equal(result.file, target);
    assert.equal(result.pinned, 5);
    assert.ok(progress.some((m) => /Resolving 5 packages/.test(m)), progress.join(' | '));
    // Only the lock is left in the folder: no partial file.
    assert.deepEqual(await listing(path.dirname(target)), ['.venv', 'pylock.toml']);

    const lock = await readPylock(target);
    assert.deepEqual(lock.packages.map((p) => p.key).sort(), ['alpha', 'beta', 'direct-one', 'foo-bar', 'gamma']);
    for (const p of lock.packages) {
      // From find-links: a wheel; installed from the wheel's path (direct_url.json): an archive.
      const source = p.key === 'direct-one' ? p.archive : p.wheels[0];
      assert.equal(p.wheels.length, p.key === 'direct-one' ? 0 : 1, p.name);
      assert.match(source?.sha256 ?? '', /^[0-9a-f]{64}$/, `${p.name} has a source with its sha256`);
    }
    assert.equal(lock.packages.find((p) => p.key === 'alpha')?.version, '1.0');

    const fresh = path.join(work, 'fresh', '.venv');
    await makeEnv(fresh, py.path);
    // The lock only: no index and no find-links.
    const offline: NodeJS.ProcessEnv = { ...wheels.env, PIP_FIND_LINKS: '' };
    await syncEnvironment(fresh, { source: { kind: 'pylock', file: target, extras: [] }, env: offline, installer: 'pip' });
    assert.deepEqual(held(await readInstalledDistributions(fresh)), before);
  });

  test('an editable install becomes a directory entry with editable = true, relative to the lock; Sync installs it editable again', async () => {
    const envDir = await envWith('editable', ['beta']);
    const project = await writeEditableProject(path.join(work, 'editable', 'my app'), 'My-App', '0.1');
    envPip(envDir, ['install', '-q', '--no-build-isolation', '-e', project], wheels.env);
    const app = (await readInstalledDistributions(envDir)).find((d) => d.normalizedName === 'my-app')!;
    assert.match(lockRequirementLine(app), /^-e file:\/\/.*my%20app$/);
    const target = path.join(work, 'editable', 'pylock.dev.toml');
    await exportPylock(envDir, target, { env: wheels.env });
    const doc = await readTomlFile(target);
    const entry = (doc.data.packages as { name: string; directory?: { path: string; editable?: boolean } }[]).find((p) => p.name === 'my-app');
    assert.deepEqual({ ...entry?.directory }, { path: 'my app', editable: true });
    const lock = await readPylock(target);
    assert.deepEqual(lock.packages.find((p) => p.key === 'my-app')?.directory, { path: project, editable: true });

    const fresh = path.join(work, 'editable', 'fresh');
    await makeEnv(fresh, py.path);
    await syncEnvironment(fresh, { source: { kind: 'pylock', file: target, extras: [] }, env: { ...wheels.env, PIP_FIND_LINKS: '' }, installer: 'pip' });
    const again = await readInstalledDistributions(fresh);
    assert.deepEqual(held(again), held(await readInstalledDistributions(envDir)));
    const appAgain = again.find((d) => d.normalizedName === 'my-app')!;
    assert.deepEqual([appAgain.editable, appAgain.sourceFolder], [true, project]);
  });

  test('an editable project outside the lock folder is refused before pip runs, the old file kept', async () => {
    const envDir = await envWith('outside', []);
    const project = await writeEditableProject(path.join(work, 'elsewhere', 'lib'), 'outside-lib', '1.0');
    envPip(envDir, ['install', '-q', '--no-build-isolation', '-e', project], wheels.env);
    const dir = path.join(work, 'outside', 'locks');
    await fs.mkdir(dir);
    const target = path.join(dir, 'pylock.toml');
    await fs.writeFile(target, 'old\n');
    await assert.rejects(exportPylock(envDir, target, { env: wheels.env }), (err: LifecycleError) => {
      assert.match(err.message, /outside-lib is installed from the folder .*elsewhere.lib, which is not inside .*locks/);
      return true;
    });
    assert.equal(await fs.readFile(target, 'utf8'), 'old\n');
    assert.deepEqual(await listing(dir), ['pylock.toml']);
  });

  test('pip cannot resolve the pins: a clear error, the old file kept, nothing partial left', async () => {
    const envDir = await envWith('unresolvable', []);
    envPip(envDir, ['install', '-q', '--no-deps', 'needs-ghost'], wheels.env);
    const target = path.join(work, 'unresolvable', 'pylock.toml');
    await fs.writeFile(target, 'old\n');
    await assert.rejects(exportPylock(envDir, target, { env: wheels.env }), (err: LifecycleError) => {
      assert.equal(err.code, 'install-failed');
      assert.match(err.message, /locking the packages of .* failed \(pip exited with code 1\)/i);
      assert.match(err.message, /ghost-project-nobody-has/);
      return true;
    });
    assert.equal(await fs.readFile(target, 'utf8'), 'old\n');
    assert.deepEqual(await listing(path.dirname(target)), ['.venv', 'pylock.toml']);
  });

  test('no pip, or a pip older than 25.1: refused before anything runs', async () => {
    const noPip = path.join(work, 'nopip', '.venv');
    await makeEnv(noPip, py.path, { withPip: false });
    const target = path.join(work, 'nopip', 'pylock.toml');
    await assert.rejects(exportPylock(noPip, target, { env: wheels.env }), /has no pip: writing pylock\.toml needs the env's pip 25\.1 or newer/);
    const old = await envWith('oldpip', []);
    // What the env says of its pip decides (nothing is run): make it say 24.0.
    const site = (await sitePackagesOf(old))!;
    const info = (await fs.readdir(site)).find((n) => /^pip-.*\.dist-info$/.test(n))!;
    const metadata = path.join(site, info, 'METADATA');
    // A new file, not an in-place write: a seeded env's pip files are hard links into the shared
    // seed cache, and writing through one would change pip in every env seeded from it.
    const text = await fs.readFile(metadata, 'utf8');
    await fs.rm(metadata);
    await fs.writeFile(metadata, text.replace(/^Version: .*$/m, 'Version: 24.0'));
    await assert.rejects(exportPylock(old, path.join(work, 'oldpip', 'pylock.toml'), { env: wheels.env }), /The pip of .* is 24\.0; writing pylock\.toml needs pip 25\.1 or newer/);
    await assert.rejects(fs.stat(target));
  });

  test('cancelled while pip runs: nothing written', async () => {
    const envDir = await envWith('cancel', ['gamma']);
    const target = path.join(work, 'cancel', 'pylock.toml');
    const controller = new AbortController();
    await assert.rejects(exportPylock(envDir, target, {
      env: wheels.env,
      signal: controller.signal,
      log: (line) => { if (line.startsWith('$ ')) controller.abort(); },
    }), (err: LifecycleError) => err.code === 'cancelled');
    assert.deepEqual(await listing(path.dirname(target)), ['.venv']);
  });
});

describe('venv-manager export', () => {
  const cli = (args: string[], cwd: string) => spawnSync(process.execPath, [CLI, 'export', ...args], { env: wheels.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd });

  test('requirements to stdout or a file; pylock with -o (JSON summary); bad usage exits 2; a failure exits 1 keeping the old file', async () => {
    const dir = path.join(work, 'cli $(x) é');
    const envDir = path.join(dir, '.venv');
    await makeEnv(envDir, py.path);
    envPip(envDir, ['install', '-q', 'alpha==1.0'], wheels.env);
    const plain = cli(['.venv'], dir);
    assert.equal(plain.status, 0, plain.stderr);
    assert.deepEqual(plain.stdout.split('\n').filter((l) => l && !l.startsWith('pip==')), ['alpha==1.0', 'beta==2.0']);
    const req = cli(['.venv', '-o', 'requirements.txt'], dir);
    assert.equal(req.status, 0, req.stderr);
    assert.equal(await fs.readFile(path.join(dir, 'requirements.txt'), 'utf8'), plain.stdout);

    const lock = cli(['.venv', '--format', 'pylock', '-o', 'pylock.toml', '--json'], dir);
    assert.equal(lock.status, 0, lock.stderr);
    assert.deepEqual(JSON.parse(lock.stdout), { format: 1, environment: envDir, kind: 'pylock', file: path.join(dir, 'pylock.toml'), packages: 2 });
    assert.match(lock.stderr, /Resolving 2 packages with pip lock/);
    assert.deepEqual((await readPylock(path.join(dir, 'pylock.toml'))).packages.map((p) => `${p.name}==${p.version}`), ['alpha==1.0', 'beta==2.0']);

    const noOutput = cli(['.venv', '--format', 'pylock'], dir);
    assert.equal(noOutput.status, 2);
    assert.match(noOutput.stderr, /needs -o FILE/);
    assert.equal(cli(['.venv', '--format', 'conda'], dir).status, 2);

    envPip(envDir, ['install', '-q', '--no-deps', 'needs-ghost'], wheels.env);
    const before = await fs.readFile(path.join(dir, 'pylock.toml'), 'utf8');
    const failed = cli(['.venv', '--format', 'pylock', '-o', 'pylock.toml'], dir);
    assert.equal(failed.status, 1);
    assert.match(failed.stderr, /ghost-project-nobody-has/);
    assert.equal(await fs.readFile(path.join(dir, 'pylock.toml'), 'utf8'), before);
    assert.deepEqual(await listing(dir), ['.venv', 'pylock.toml', 'requirements.txt']);
  });
});

// Sync from uv.lock (written here by hand: there is no uv on the test machines) and from pylock.toml
// entries that are not wheels (a local folder, editable or not; an sdist; an archive by url). Offline:
// wheels built here, projects with a tiny in-tree build backend, url entries served from 127.0.0.1.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readRememberedSource, type DeclaredSource } from '../../../src/core/declared';
import { environmentStatus, syncEnvironment } from '../../../src/core/lifecycle';
import { assertFailsLeavingEnvUnchanged, leftovers, lifecycleWorkspace, makeEnv, removeTempDir, type TestPython, type Wheelhouse } from '../../fixtures/lifecycle';
import { envPip, pipList, writeEditableProject } from '../../fixtures/packages';
import { serveFiles, type FileServer } from '../../fixtures/fileServer';
import { buildWheel } from '../../fixtures/wheels';

const CLI = path.resolve(__dirname, '../../../../dist/cli.js');
let py: TestPython;
let work: string;
let wheels: Wheelhouse;
let files: FileServer | undefined;
let baseUrl: string;
/** What the server serves, by file name. */
let servedDir: string;

before(async () => {
  ({ py, work, wheels } = await lifecycleWorkspace('vm-sync-locks-'));
  await buildWheel(wheels.dir, { name: 'delta', version: '4.0' });
  await buildWheel(wheels.dir, { name: 'gamma', version: '2.0' });
  servedDir = path.join(work, 'served');
  await fs.mkdir(servedDir);
  files = await serveFiles([servedDir, wheels.dir]);
  baseUrl = files.url;
});

after(async () => {
  await files?.close();
  await removeTempDir(work);
});

async function fileFacts(file: string): Promise<{ sha256: string; size: number }> {
  const data = await fs.readFile(file);
  return { sha256: createHash('sha256').update(data).digest('hex'), size: data.length };
}

/** A project folder (in-tree backend) with an env `.venv` in it. */
async function projectWithEnv(label: string, name: string): Promise<{ dir: string; envDir: string }> {
  const dir = path.join(work, label);
  await writeEditableProject(dir, name, '0.1');
  const envDir = path.join(dir, '.venv');
  await makeEnv(envDir, py.path);
  return { dir, envDir };
}

function installed(envDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, row] of pipList(envDir, wheels.env)) out[key] = row.version;
  return out;
}

/** A `wheels = [...]` entry of uv.lock for a test wheel: by path in the local registry `wheels`, or by url. */
async function uvWheel(file: string, via: 'path' | 'url'): Promise<string> {
  const { sha256, size } = await fileFacts(path.join(wheels.dir, file));
  return `wheels = [{ ${via === 'path' ? `path = "${file}"` : `url = "${baseUrl}/${file}"`}, hash = "sha256:${sha256}", size = ${size} }]`;
}

/**
 * demo (editable, the root) needs alpha (which needs beta) and, on Windows only, winonly; its extra
 * `fast` adds gamma 3.0; its group `dev` (uv's default) adds delta, its group `test` needs-ghost.
 */
async function writeUvLock(dir: string, extra = ''): Promise<string> {
  const registry = path.relative(dir, wheels.dir);
  const text = `version = 1
revision = 3
requires-python = ">=3.8"

[[package]]
name = "alpha"
version = "1.0"
source = { registry = "${registry}" }
dependencies = [
    { name = "beta" },
]
${await uvWheel('alpha-1.0-py3-none-any.whl', 'path')}

[[package]]
name = "beta"
version = "2.0"
source = { registry = "${baseUrl}/simple" }
${await uvWheel('beta-2.0-py3-none-any.whl', 'url')}

[[package]]
name = "delta"
version = "4.0"
source = { registry = "${registry}" }
${await uvWheel('delta-4.0-py3-none-any.whl', 'path')}

[[package]]
name = "demo"
version = "0.1"
source = { editable = "." }
dependencies = [
    { name = "alpha" },
    { name = "winonly", marker = "sys_platform == 'win32'" },
]

[package.optional-dependencies]
fast = [
    { name = "gamma", version = "3.0", source = { registry = "${registry}" } },
]

[package.dev-dependencies]
dev = [
    { name = "delta" },
]
test = [
    { name = "needs-ghost" },
]

[[package]]
name = "gamma"
version = "2.0"
source = { registry = "${registry}" }
${await uvWheel('gamma-2.0-py3-none-any.whl', 'path')}

[[package]]
name = "gamma"
version = "3.0"
source = { registry = "${registry}" }
${await uvWheel('gamma-3.0-py3-none-any.whl', 'path')}

[[package]]
name = "needs-ghost"
version = "1.0"
source = { registry = "${registry}" }
${await uvWheel('needs_ghost-1.0-py3-none-any.whl', 'path')}

[[package]]
name = "winonly"
version = "1.0"
source = { registry = "${registry}" }
wheels = [{ path = "winonly-1.0-py3-none-win_amd64.whl", hash = "sha256:${'0'.repeat(64)}" }]
${extra}`;
  const file = path.join(dir, 'uv.lock');
  await fs.writeFile(file, text);
  return file;
}

describe('sync from uv.lock', () => {
  test('installs what the root project reaches with the chosen extra and the default group, the project editable; drift and status read it', async () => {
    const { dir, envDir } = await projectWithEnv('uv', 'demo');
    envPip(envDir, ['install', '-q', 'gamma==2.0', 'needs-ghost==1.0', '--no-deps'], wheels.env);
    const lock = await writeUvLock(dir);
    const source: DeclaredSource = { kind: 'uvlock', file: lock, extras: ['fast'], project: true };
    const before = await environmentStatus(envDir, { source, exact: true });
    assert.equal(before.summary, 'out of sync with uv.lock: 4 missing, 1 other version, 1 not declared');
    files!.served.length = 0;
    const result = await syncEnvironment(envDir, { source, env: wheels.env, installer: 'pip' });
    assert.equal(result.changed, true);
    assert.deepEqual(result.removed, ['needs-ghost']);
    const have = installed(envDir);
    assert.deepEqual(
      { demo: have.demo, alpha: have.alpha, beta: have.beta, gamma: have.gamma, delta: have.delta, ghost: have['needs-ghost'], winonly: have.winonly },
      { demo: '0.1', alpha: '1.0', beta: '2.0', gamma: '3.0', delta: '4.0', ghost: undefined, winonly: undefined },
    );
    assert.equal(pipList(envDir, wheels.env).get('demo')?.editable_project_location, dir, 'the project is installed editable from its folder');
    assert.deepEqual(files!.served, ['/beta-2.0-py3-none-any.whl'], 'only the url wheel is downloaded; the Windows-only one is never fetched');
    assert.deepEqual((await readRememberedSource(envDir))?.source, source);
    assert.equal((await environmentStatus(envDir)).summary, 'in sync with uv.lock');
    assert.deepEqual(await leftovers(dir), []);
  });

  test('the command line: --uv-lock with --no-project and --group; status exits 3 then 0', async () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
    const { dir, envDir } = await projectWithEnv('uv cli', 'demo');
    await writeUvLock(dir);
    // Not spawnSync: the wheel server runs in this process.
    const run = (...args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [CLI, ...args], { env: wheels.env, encoding: 'utf8', cwd: dir }, (err, stdout, stderr) => resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }));
    });
    const drifted = await run('status', envDir, '--uv-lock', 'uv.lock', '--no-project', '--group', 'dev', '--json');
    assert.equal(drifted.status, 3, drifted.stderr);
    assert.deepEqual(JSON.parse(drifted.stdout).missing.map((m: { name: string }) => m.name).sort(), ['alpha', 'beta', 'delta']);
    const sync = await run('sync', envDir, '--uv-lock', 'uv.lock', '--no-project', '--group', 'dev', '--installer', 'pip');
    assert.equal(sync.status, 0, sync.stderr);
    const have = installed(envDir);
    assert.deepEqual({ demo: have.demo, alpha: have.alpha, beta: have.beta, delta: have.delta, gamma: have.gamma }, { demo: undefined, alpha: '1.0', beta: '2.0', delta: '4.0', gamma: undefined });
    const ok = await run('status', envDir);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /: in sync with uv\.lock\n$/);
    assert.equal((await run('sync', envDir, '--uv-lock', 'uv.lock', '--lock', 'pylock.toml')).status, 2);
  });

  test('refused naming the file and the package, the env byte for byte: an sdist-only or git package, a wrong hash, version 2, an unknown extra', async () => {
    const { dir, envDir } = await projectWithEnv('uv refused', 'demo');
    const sync = (lock: string, extras: string[] = []) => () => syncEnvironment(envDir, { source: { kind: 'uvlock', file: lock, extras, project: true }, env: wheels.env, installer: 'pip' }).then(() => undefined);
    let lock = await writeUvLock(dir, `
[[package]]
name = "srconly"
version = "1.0"
source = { registry = "https://example.invalid/simple" }
sdist = { url = "https://example.invalid/srconly-1.0.tar.gz", hash = "sha256:${'1'.repeat(64)}" }
`);
    await fs.writeFile(lock, (await fs.readFile(lock, 'utf8')).replace('{ name = "alpha" },\n    { name = "winonly"', '{ name = "alpha" },\n    { name = "srconly" },\n    { name = "winonly"'));
    await assertFailsLeavingEnvUnchanged(envDir, sync(lock), (err) => {
      assert.equal(err.code, 'no-wheel');
      assert.match(err.message, /uv\.lock:\d+:\d+: no usable wheel for srconly 1\.0: the lock gives no wheel for it, only an sdist, which Venv Manager does not install\./);
    });
    await fs.writeFile(lock, (await fs.readFile(lock, 'utf8')).replace(/source = \{ registry = "https:\/\/example\.invalid\/simple" \}\nsdist = .*\n/, 'source = { git = "https://example.invalid/srconly.git?rev=main#0123abcd" }\n'));
    await assertFailsLeavingEnvUnchanged(envDir, sync(lock), (err) => {
      assert.match(err.message, /no usable wheel for srconly 1\.0: the lock gives no wheel for it, only a git source \(https:\/\/example\.invalid\/srconly\.git\?rev=main#0123abcd\), which Venv Manager does not install\./);
    });
    lock = await writeUvLock(dir);
    await fs.writeFile(lock, (await fs.readFile(lock, 'utf8')).replace(/(name = "beta"\nversion[^]*?hash = "sha256:)[0-9a-f]{64}/, `$1${'ab'.repeat(32)}`));
    await assertFailsLeavingEnvUnchanged(envDir, sync(lock), (err) => {
      assert.equal(err.code, 'hash-mismatch');
      assert.match(err.message, /uv\.lock: the sha256 of beta-2\.0-py3-none-any\.whl \(beta\) is [0-9a-f]{64}, the lock says (ab){32}\. Nothing was installed\./);
    });
    await fs.writeFile(lock, (await fs.readFile(lock, 'utf8')).replace('version = 1\n', 'version = 2\n'));
    await assertFailsLeavingEnvUnchanged(envDir, sync(lock), (err) => {
      assert.equal(err.code, 'bad-source');
      assert.match(err.message, /uv\.lock:1:1: uv\.lock version 2 is not supported \(this version of Venv Manager reads version 1\)/);
    });
    lock = await writeUvLock(dir);
    await assertFailsLeavingEnvUnchanged(envDir, sync(lock, ['turbo']), (err) => {
      assert.match(err.message, /uv\.lock: the project has no extra 'turbo' \(it has: fast\)/);
    });
  });
});

/** A gzipped tar of a project (in-tree backend) as an sdist `name-version.tar.gz` in `dir`. */
async function sdistOf(dir: string, name: string, version: string): Promise<string> {
  const stem = `${name}-${version}`;
  const src = path.join(work, 'sdist-src', stem);
  await writeEditableProject(src, name, version);
  const file = path.join(dir, `${stem}.tar.gz`);
  execFileSync('tar', ['-czf', file, '-C', path.dirname(src), stem]);
  return file;
}

describe('pylock.toml entries that are not wheels', () => {
  test('a folder (editable and not), an sdist when no wheel fits, an archive by url: all checked, installed without resolving', async () => {
    const { dir, envDir } = await projectWithEnv('pylock dirs', 'app');
    await writeEditableProject(path.join(dir, 'libs', 'plain lib'), 'plainlib', '2.0');
    const sdist = await sdistOf(dir, 'fromsdist', '3.0');
    const archive = await sdistOf(servedDir, 'fromarchive', '4.0');
    const s = await fileFacts(sdist);
    const a = await fileFacts(archive);
    const lock = path.join(dir, 'pylock.toml');
    await fs.writeFile(lock, `lock-version = "1.0"
created-by = "venv-manager tests"

[[packages]]
name = "app"
directory = { path = ".", editable = true }

[[packages]]
name = "plainlib"
version = "2.0"
directory = { path = "libs/plain lib" }

[[packages]]
name = "fromsdist"
version = "3.0"
sdist = { path = "${path.basename(sdist)}", size = ${s.size}, hashes = { sha256 = "${s.sha256}" } }
wheels = [{ path = "fromsdist-3.0-cp27-cp27m-win32.whl", hashes = { sha256 = "${'0'.repeat(64)}" } }]

[[packages]]
name = "fromarchive"
version = "4.0"
archive = { url = "${baseUrl}/${path.basename(archive)}", size = ${a.size}, hashes = { sha256 = "${a.sha256}" } }
`);
    const source: DeclaredSource = { kind: 'pylock', file: lock, extras: [] };
    await syncEnvironment(envDir, { source, env: wheels.env, installer: 'pip' });
    const rows = pipList(envDir, wheels.env);
    assert.deepEqual(
      Object.fromEntries(['app', 'plainlib', 'fromsdist', 'fromarchive'].map((k) => [k, rows.get(k)?.version])),
      { app: '0.1', plainlib: '2.0', fromsdist: '3.0', fromarchive: '4.0' },
    );
    assert.equal(rows.get('app')?.editable_project_location, dir, 'editable = true: installed editable');
    assert.equal(rows.get('plainlib')?.editable_project_location, undefined, 'a folder without editable: a normal install');
    assert.equal((await environmentStatus(envDir)).summary, 'in sync with pylock.toml');

    // A changed archive (its hash no longer the lock's): refused before anything is installed.
    await fs.appendFile(archive, 'x');
    await fs.writeFile(lock, (await fs.readFile(lock, 'utf8')).replace('version = "4.0"', 'version = "4.1"'));
    await assertFailsLeavingEnvUnchanged(envDir, () => syncEnvironment(envDir, { source, env: wheels.env, installer: 'pip' }).then(() => undefined), (err) => {
      assert.equal(err.code, 'hash-mismatch');
      assert.match(err.message, /pylock\.toml: fromarchive-4\.0\.tar\.gz \(fromarchive\) is \d+ bytes, the lock says \d+\. Nothing was installed\./);
    });
  });
});

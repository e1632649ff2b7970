// The trap: every interpreter-looking file in this fake machine writes a marker when run. After
// discovery, inspection, the index, interpreter listing, spec resolution and the CLI's list /
// inspect / interpreters, the marker must not exist. At the end the trap is sprung on purpose, to
// prove it was armed.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import {
  EnvironmentIndex,
  findGlobalEnvironments,
  findInterpreters,
  findWorkspaceEnvironments,
  inspectEnvironment,
  resolvePythonSpec,
} from '../../../src/core/discovery';
import { fakeEnv, fakeInstall, tempDir, trapExecutable } from '../../fixtures/discovery';

function repoRoot(): string | undefined {
  for (const start of [__dirname, process.cwd()]) {
    let dir = start;
    for (;;) {
      const pkg = path.join(dir, 'package.json');
      if (existsSync(pkg) && /"name":\s*"venv-manager"/.test(readFileSync(pkg, 'utf8'))) return dir;
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return undefined;
}

describe('trap: nothing discovery finds is ever executed', () => {
  const t = tempDir('trap');
  const marker = path.join(t.dir, 'MARKER-interpreter-was-run');
  const home = path.join(t.dir, 'home');
  const ws = path.join(t.dir, 'workspace');
  const pathBin = path.join(t.dir, 'pathbin');
  let env: NodeJS.ProcessEnv;
  let trappedPython: string;

  before(() => {
    // The base install the workspace env points at: its python3.12 is a trap too.
    const base = fakeInstall(path.join(t.dir, 'base'), '3.12.1', marker, ['python3', 'python']);
    // The workspace: .venv/bin/python is the trap script itself, python3 links to it.
    const venv = fakeEnv(path.join(ws, '.venv'), `home = ${path.dirname(base)}\nversion = 3.12.1\nprompt = 'trap'\n`, { trapMarker: marker });
    trappedPython = path.join(venv, 'bin', 'python');
    symlinkSync('python', path.join(venv, 'bin', 'python3'));
    fakeEnv(path.join(ws, 'sub', 'env'), `home = ${path.dirname(base)}\nversion = 3.12.1\n`, { linkTo: base });
    // PATH and pyenv interpreters, and global envs, all traps.
    trapExecutable(path.join(pathBin, 'python3.13'), marker);
    symlinkSync('python3.13', path.join(pathBin, 'python3'));
    fakeInstall(path.join(home, '.pyenv', 'versions', '3.11.4'), '3.11.4', marker, ['python']);
    fakeEnv(path.join(home, '.virtualenvs', 'global-env'), `home = ${path.dirname(base)}\nversion = 3.12.1\n`, { trapMarker: marker });
    fakeEnv(path.join(home, '.pyenv', 'versions', '3.11.4', 'envs', 'pv'), `home = ${path.dirname(base)}\nversion = 3.12.1\n`, { trapMarker: marker });
    env = { HOME: home, PYENV_ROOT: path.join(home, '.pyenv'), PATH: `${pathBin}:${path.dirname(trappedPython)}` };
  });
  after(() => t.cleanup());

  test('library calls', async () => {
    const envs = await findWorkspaceEnvironments(ws, { env });
    assert.deepEqual(envs.map((e) => path.relative(ws, e.path)), ['.venv', 'sub/env']);
    assert.equal(envs[0].prompt, 'trap');
    assert.deepEqual(envs[0].health.problems, []);
    const global = await findGlobalEnvironments({ env });
    assert.deepEqual(global.map((e) => e.name).sort(), ['global-env', 'pv']);
    assert.ok(await inspectEnvironment(path.join(ws, '.venv'), 'workspace', 'workspace', { env }));
    const index = new EnvironmentIndex({ roots: [ws], global: { env }, env });
    await index.refresh();
    await index.refresh([path.join(ws, '.venv', 'bin', 'python'), path.join(ws, 'sub')]);
    assert.equal(index.environments.length, 4);
    const interpreters = await findInterpreters({ env, systemFolders: [] });
    assert.deepEqual(interpreters.map((i) => i.version), ['3.13', '3.11.4'], 'the env on PATH is not a base interpreter');
    assert.equal(await resolvePythonSpec('3.11', { env, systemFolders: [] }), path.join(home, '.pyenv', 'versions', '3.11.4', 'bin', 'python'));
    assert.equal(await resolvePythonSpec('python3', { env, systemFolders: [] }), path.join(pathBin, 'python3'));
    assert.ok(!existsSync(marker), 'an interpreter was executed');
  });

  test('CLI list / inspect / interpreters, in process', async () => {
    const out: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => out.push(s), cwd: ws, env };
    for (const argv of [['list'], ['list', '--json', '--global'], ['list', ws, '--global'], ['inspect', '.venv'], ['inspect', '--json', path.join(ws, '.venv')], ['interpreters'], ['interpreters', '--json']]) {
      assert.equal(await runCli(argv, io), 0, `${argv.join(' ')}: ${out.join('')}`);
    }
    assert.match(out.join(''), /\.venv/);
    assert.ok(!existsSync(marker), 'an interpreter was executed');
  });

  test('CLI list / inspect / interpreters, the built dist/cli.js', (ctx) => {
    const root = repoRoot();
    const cli = root && path.join(root, 'dist', 'cli.js');
    if (!cli || !existsSync(cli)) return ctx.skip('dist/cli.js is not built');
    for (const argv of [['list', '--global'], ['inspect', '.venv', '--json'], ['interpreters', '--json']]) {
      const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [cli!, ...argv], { cwd: ws, env: { ...env, PATH: `${env.PATH}:${path.dirname(process.execPath)}` }, encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 0, `${argv.join(' ')}: ${r.stderr}`);
    }
    assert.ok(!existsSync(marker), 'an interpreter was executed');
  });

  test('the trap was armed', () => {
    execFileSync(trappedPython);
    assert.ok(existsSync(marker), 'running the trap leaves the marker');
  });
});

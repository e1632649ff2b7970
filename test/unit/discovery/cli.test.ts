import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { fakeEnv, fakeInstall, fakeProcessEnv, tempDir, write } from '../../fixtures/discovery';

async function run(argv: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd, env });
  return { code, stdout, stderr };
}

describe('CLI: list, inspect, interpreters', () => {
  const t = tempDir('cli');
  const ws = path.join(t.dir, 'ws');
  const home = path.join(t.dir, 'home');
  let env: NodeJS.ProcessEnv;
  let baseBin: string;

  before(() => {
    const base = fakeInstall(path.join(t.dir, 'py'), '3.12.1', path.join(t.dir, 'RAN'), ['python3']);
    baseBin = path.dirname(base);
    fakeEnv(path.join(ws, '.venv'), `home = ${baseBin}\ninclude-system-site-packages = false\nversion = 3.12.1\nprompt = 'my app'\n`, { linkTo: base });
    fakeEnv(path.join(ws, 'broken'), 'home = /gone/bin\nversion = 3.9.0\nthis line has no equals\n', { linkTo: '/gone/bin/python3.9' });
    fakeEnv(path.join(ws, 'build', 'skipme'), `home = ${baseBin}\nversion = 3.12.1\n`, { linkTo: base });
    fakeEnv(path.join(home, '.virtualenvs', 'glob'), `home = ${baseBin}\nvirtualenv = 20.0.0\nversion_info = 3.12.1.final.0\n`, { linkTo: base });
    env = fakeProcessEnv(home, { PATH: baseBin });
  });
  after(() => t.cleanup());

  test('list: text, with problems under unhealthy envs', async () => {
    const r = await run(['list', '--exclude', 'build'], ws, env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0], new RegExp(`^ok +${ws}/\\.venv  venv 3\\.12\\.1  prompt 'my app'$`));
    assert.match(lines[1], new RegExp(`^BAD +${ws}/broken  venv 3\\.9\\.0$`));
    assert.ok(lines.slice(2).some((l) => /^ {6}base-missing: /.test(l)));
    assert.ok(lines.slice(2).some((l) => /^ {6}cfg-malformed: .*no '='/.test(l)));
    assert.ok(!r.stdout.includes('skipme'));
    assert.ok(!r.stdout.includes('glob'), 'global places only with --global');
  });

  test('list --json --global: the documented shape', async () => {
    const r = await run(['list', '--json', '--global', '--depth', '1'], ws, env);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.format, 1);
    assert.deepEqual(out.roots, [ws]);
    assert.deepEqual(out.unreadable, []);
    assert.deepEqual(out.environments.map((e: { name: string; scope: string; source: string }) => [e.name, e.scope, e.source]), [
      ['.venv', 'workspace', 'workspace'],
      ['broken', 'workspace', 'workspace'],
      ['glob', 'global', 'WORKON_HOME'],
    ]);
    const venv = out.environments[0];
    assert.deepEqual(Object.keys(venv).sort(), ['baseInterpreter', 'binDir', 'cfg', 'cfgPath', 'health', 'home', 'interpreterPath', 'kind', 'name', 'path', 'prompt', 'scope', 'sitePackages', 'source', 'version'].sort());
    assert.deepEqual(venv.cfg.values, { home: baseBin, 'include-system-site-packages': 'false', version: '3.12.1', prompt: "'my app'" });
    assert.deepEqual(venv.cfg.entries[0], { key: 'home', value: baseBin, line: 1 });
    assert.deepEqual(venv.health, { ok: true, problems: [] });
    assert.equal(out.environments[2].kind, 'virtualenv');
    const broken = out.environments[1];
    assert.equal(broken.health.ok, false);
    assert.deepEqual(broken.health.problems.map((p: { code: string }) => p.code).sort(), ['base-missing', 'cfg-malformed', 'python-dangling']);
  });

  test('list of several folders, relative to cwd', async () => {
    const r = await run(['list', '--json', '.venv', 'broken', '.venv'], ws, env);
    assert.deepEqual(JSON.parse(r.stdout).environments.map((e: { name: string }) => e.name), ['.venv', 'broken'], 'each env once');
  });

  test('inspect: text and JSON', async () => {
    const text = await run(['inspect', '.venv'], ws, env);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^path +.*\.venv$/m);
    assert.match(text.stdout, /^ +3: version = 3\.12\.1$/m);
    assert.match(text.stdout, /^health: ok$/m);
    const json = JSON.parse((await run(['inspect', '--json', 'broken'], ws, env)).stdout);
    assert.equal(json.format, 1);
    assert.equal(json.environment.source, 'cli');
    assert.deepEqual(json.environment.cfg.problems, ["line 3 has no '='"]);
    write(path.join(ws, 'condaenv', 'conda-meta', 'python-3.10.14-h2_0.json'), '{}');
    const conda = JSON.parse((await run(['inspect', '--json', 'condaenv'], ws, env)).stdout);
    assert.equal(conda.environment.kind, 'conda');
    assert.equal(conda.environment.version, '3.10.14');
    const missing = await run(['list', 'nowhere'], ws, env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nowhere does not exist/);
    const bad = await run(['inspect', 'nowhere'], ws, env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /is not a virtual environment: it holds no pyvenv\.cfg/);
  });

  test('interpreters: text and JSON', async () => {
    const r = await run(['interpreters', '--json'], ws, env);
    const out = JSON.parse(r.stdout);
    assert.equal(out.format, 1);
    const rows = out.interpreters.map((i: { path: string; version: string; source: string }) => [i.path, i.version, i.source]);
    // The machine's own /usr/bin pythons are listed too (system folders); ours is the only PATH one.
    assert.deepEqual(rows.filter((r: string[]) => r[2] === 'PATH'), [[path.join(baseBin, 'python3'), '3.12.1', 'PATH']]);
    assert.ok(rows.every((r: string[]) => r[2] === 'PATH' || r[2] === 'system'), JSON.stringify(rows));
    const text = await run(['interpreters'], ws, env);
    assert.match(text.stdout, /^cpython 3\.12\.1 +.*python3  \[PATH\]$/m);
  });

  test('usage errors exit 2 with a clear message', async () => {
    for (const [argv, message] of [
      [['list', '--depth', 'deep'], /--depth must be a whole number/],
      [['list', '--bogus'], /unknown option '--bogus' for list/],
      [['list', '--exclude'], /--exclude needs a value/],
      [['inspect'], /exactly one ENV_DIR/],
      [['interpreters', 'x'], /takes no arguments/],
    ] as const) {
      const r = await run([...argv], ws, env);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.stderr, message);
    }
    const help = await run(['list', '--help'], ws, env);
    assert.match(help.stdout, /usage: venv-manager list/);
  });
});

// `venv-manager create`, run in-process through the CLI dispatcher and as the built dist/cli.js.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { parsePyvenvCfg } from '../../../src/core/pyvenvCfg';
import { atLeast, findPythons } from '../../fixtures/pythons';

const pythons = findPythons();
const newest = pythons[pythons.length - 1];
let tmp: string;
let n = 0;

before(async () => {
  tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'vm-cli-create-')));
});
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['create', ...args], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: tmp,
    env: { ...process.env, XDG_CACHE_HOME: path.join(tmp, '.cache'), ...env },
  });
  return { code, stdout, stderr };
}

describe('venv-manager create', () => {
  test('--help documents every option', async () => {
    let help = '';
    const r = await runCli(['create', '--help'], { stdout: (t) => (help += t), stderr: () => undefined, cwd: tmp, env: process.env });
    assert.equal(r, 0);
    for (const flag of ['--python', '--system-site-packages', '--symlinks', '--copies', '--clear', '--upgrade', '--without-pip', '--prompt', '--upgrade-deps', '--without-scm-ignore-files', 'ENV_DIR']) {
      assert.ok(help.includes(flag), `help mentions ${flag}`);
    }
  });

  test('defaults follow python -m venv of that version: links, scm ignore file (3.13+), several dirs', async () => {
    const a = path.join(tmp, `${++n}-a`);
    const b = path.join(tmp, `${n}-b`);
    const r = await cli(['--python', newest.path, '--without-pip', a, b]);
    assert.equal(r.code, 0, r.stderr);
    for (const env of [a, b]) {
      assert.ok((await fs.lstat(path.join(env, 'bin', path.basename(newest.path)))).isSymbolicLink());
      const cfg = parsePyvenvCfg(await fs.readFile(path.join(env, 'pyvenv.cfg')));
      if (atLeast(newest, 3, 11)) assert.equal(cfg.values.get('command'), `${newest.path} -m venv --without-pip ${env}`);
      assert.equal((await fs.stat(path.join(env, '.gitignore')).catch(() => undefined)) !== undefined, atLeast(newest, 3, 13));
    }
  });

  test('--python takes a version spec', async () => {
    const py = pythons.find((p) => p.path.includes('.pyenv')) ?? newest;
    const spec = `${py.version[0]}.${py.version[1]}`;
    const env = path.join(tmp, `${++n}-spec`);
    const r = await cli(['--python', spec, '--without-pip', '--copies', '--prompt=hello world', env]);
    assert.equal(r.code, 0, r.stderr);
    const cfg = parsePyvenvCfg(await fs.readFile(path.join(env, 'pyvenv.cfg')));
    assert.equal(cfg.values.get('version')?.split('.').slice(0, 2).join('.'), spec);
    if (atLeast(py, 3, 8)) assert.equal(cfg.values.get('prompt'), "'hello world'");
    assert.ok((await fs.lstat(path.join(env, 'bin', 'python'))).isFile());
  });

  const errors: Array<[string, () => Promise<string[]>, RegExp, number]> = [
    ['--upgrade with --clear', async () => ['--upgrade', '--clear', path.join(tmp, 'x')], /^Error: you cannot supply --upgrade and --clear together\.\n$/, 1],
    [
      'target is a file',
      async () => {
        const f = path.join(tmp, `file-${++n}`);
        await fs.writeFile(f, 'keep');
        return ['--without-pip', f];
      },
      /^Error: Unable to create directory '.*file-\d+'\n$/,
      1,
    ],
    ['PATH separator', async () => ['--without-pip', path.join(tmp, 'a:b')], /^Error: Refusing to create a venv in .*a:b because it contains the PATH separator :\.\n$/, 1],
    [
      'no permission (a file as parent)',
      async () => {
        const f = path.join(tmp, `parent-file-${++n}`);
        await fs.writeFile(f, '');
        return ['--without-pip', path.join(f, 'env')];
      },
      /^Error: \[Errno 20\] Not a directory: '/,
      1,
    ],
    ['no ENV_DIR', async () => ['--without-pip'], /^Error: the following arguments are required: ENV_DIR\n$/, 2],
    ['unknown option', async () => ['--bogus', 'x'], /^Error: unrecognized arguments: --bogus\n$/, 2],
    ['--symlinks with --copies', async () => ['--symlinks', '--copies', 'x'], /^Error: argument --copies: not allowed with argument --symlinks\n$/, 2],
    ['--prompt without a value', async () => ['x', '--prompt'], /^Error: argument --prompt: expected one argument\n$/, 2],
    ['an unknown --python', async () => ['--python', path.join(tmp, 'no-python-here'), 'x'], /^Error: .*no-python-here/, 1],
  ];
  for (const [name, args, message, code] of errors) {
    test(`error: ${name}`, async () => {
      const argv = await args();
      const r = await cli(argv.includes('--python') ? argv : ['--python', newest.path, ...argv]);
      assert.equal(r.code, code);
      assert.match(r.stderr, message);
    });
  }

  test('flags the chosen version\'s venv does not have are refused', async (t) => {
    const old = pythons.find((p) => !atLeast(p, 3, 9));
    if (!old) return t.skip('no interpreter older than 3.9');
    const r = await cli(['--python', old.path, '--without-pip', '--upgrade-deps', path.join(tmp, `${++n}-old`)]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unrecognized arguments: --upgrade-deps/);
  });

  test('Ctrl-C while pip is being seeded: exits 1 and leaves no half-built env', async (t) => {
    const cliJs = path.resolve(__dirname, '..', '..', '..', '..', 'dist', 'cli.js');
    if (!(await fs.stat(cliJs).catch(() => undefined))) return t.skip('dist/cli.js not built');
    const env = path.join(tmp, `${++n}-interrupted`);
    // A cold cache makes seeding take long enough (unpacking the wheels) to be interrupted.
    const child = spawn(process.execPath, [cliJs, 'create', '--python', newest.path, env], {
      env: { ...process.env, XDG_CACHE_HOME: path.join(tmp, `cold-${n}`) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let sent = false;
    while (child.exitCode === null) {
      if (await fs.stat(path.join(env, 'pyvenv.cfg')).catch(() => undefined)) {
        child.kill('SIGINT');
        sent = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const code = await exited;
    assert.ok(sent, `the create finished before it could be interrupted (exit ${code})`);
    assert.equal(code, 1, stderr);
    // It says it is cancelling, then that it did and what it removed.
    assert.match(stderr, /^Interrupted: cancelling[^\n]*\nError: Cancelled\. Removed what this create had made in [^\n]*\n$/);
    assert.equal(await fs.stat(env).catch(() => undefined), undefined, 'the env dir was removed');
  });

  test('the built dist/cli.js: create, then a file target exits 1 with Error:', async (t) => {
    const cliJs = path.resolve(__dirname, '..', '..', '..', '..', 'dist', 'cli.js');
    if (!(await fs.stat(cliJs).catch(() => undefined))) return t.skip('dist/cli.js not built');
    const env = path.join(tmp, `${++n}-dist`);
    const ok = spawnSync(process.execPath, [cliJs, 'create', '--python', newest.path, '--without-pip', env], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, '');
    await fs.access(path.join(env, 'bin', 'python'));
    const bad = spawnSync(process.execPath, [cliJs, 'create', '--python', newest.path, '--without-pip', path.join(env, 'pyvenv.cfg')], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^Error: Unable to create directory '.*pyvenv\.cfg'\n$/);
  });

  test('the built dist/cli.js: create --without-pip loads neither fs/promises nor node:crypto, and starts no thread pool', async (t) => {
    const cliJs = path.resolve(__dirname, '..', '..', '..', '..', 'dist', 'cli.js');
    if (!(await fs.stat(cliJs).catch(() => undefined))) return t.skip('dist/cli.js not built');
    // A preload that writes, at exit, Node's list of the internal modules loaded.
    const probe = path.join(tmp, 'probe.js');
    const listed = path.join(tmp, 'modules.txt');
    await fs.writeFile(probe, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(listed)}, process.moduleLoadList.join('\\n')));\n`);
    const run = (args: string[]) => spawnSync(process.execPath, ['-r', probe, cliJs, ...args], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: path.join(tmp, '.cache') } });
    const env = path.join(tmp, `${++n}-modules`);
    const r = run(['create', '--python', newest.path, '--without-pip', env]);
    assert.equal(r.status, 0, r.stderr);
    await fs.access(path.join(env, 'pyvenv.cfg'));
    const modules = (await fs.readFile(listed, 'utf8')).split('\n');
    assert.ok(modules.includes('NativeModule vm'), 'the probe sees the modules the command loaded');
    for (const unwanted of ['NativeModule fs/promises', 'NativeModule crypto', 'NativeModule child_process']) assert.ok(!modules.includes(unwanted), `${unwanted} was loaded`);
    // The thread pool is libuv's: its first use loads nothing, so count threads instead (Linux only).
    if (process.platform === 'linux') {
      const threads = (args: string[]) => {
        const probeThreads = path.join(tmp, 'threads.js');
        writeFileSync(probeThreads, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(listed)}, String(require('fs').readdirSync('/proc/self/task').length)));\n`);
        const out = spawnSync(process.execPath, ['-r', probeThreads, ...args], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: path.join(tmp, '.cache') } });
        assert.equal(out.status, 0, out.stderr);
        return Number(readFileSync(listed, 'utf8'));
      };
      const baseline = threads(['-e', '0']);
      const pooled = threads(['-e', 'require("fs").stat("/", () => {})']);
      assert.ok(pooled > baseline, `a thread-pool call adds threads (${baseline} -> ${pooled}), so the count can tell`);
      assert.equal(threads([cliJs, 'create', '--python', newest.path, '--without-pip', path.join(tmp, `${++n}-threads`)]), baseline);
    }
  });
});

// The built command line loads only what the command it runs needs: dist/cli.js holds the
// dispatcher and the command table, each command module is its own bundle, required on use.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { commands } from '../../../src/cli/commands';
import { repoRoot } from '../../harness/paths';

const cliJs = path.join(repoRoot, 'dist', 'cli.js');

/** Runs dist/cli.js with `args` in a fresh node and returns the dist/ files it loaded, and its output. */
function loadedBy(args: string[]): { loaded: string[]; stdout: string } {
  const script = `
    process.argv = [process.argv[0], ${JSON.stringify(cliJs)}, ...${JSON.stringify(args)}];
    process.on('exit', () => process.stderr.write('\\n@@LOADED@@' + JSON.stringify(Object.keys(require.cache)) + '\\n'));
    require(${JSON.stringify(cliJs)});`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-cli-startup-'));
  try {
    const r = spawnSync(process.execPath, ['-e', script], { cwd: tmp, encoding: 'utf8' });
    const marker = r.stderr.lastIndexOf('@@LOADED@@');
    assert.ok(marker >= 0, `no list of loaded files: ${r.stderr}`);
    const loaded = (JSON.parse(r.stderr.slice(marker + '@@LOADED@@'.length)) as string[]).filter((f) => f.startsWith(path.join(repoRoot, 'dist')));
    return { loaded: loaded.map((f) => path.basename(f)).sort(), stdout: r.stdout };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

test('--help loads the dispatcher alone and lists every command with its summary', (t) => {
  if (!fs.existsSync(cliJs)) return t.skip('dist/cli.js is not built');
  const { loaded, stdout } = loadedBy(['--help']);
  assert.deepEqual(loaded, ['cli.js']);
  for (const c of commands) assert.match(stdout, new RegExp(`^  ${c.name} +${c.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
});

test('each command loads its own module and no other', (t) => {
  if (!fs.existsSync(cliJs)) return t.skip('dist/cli.js is not built');
  assert.deepEqual(loadedBy(['create', '--help']).loaded, ['cli-create.js', 'cli.js']);
  assert.deepEqual(loadedBy(['list', '--help']).loaded, ['cli-discovery.js', 'cli.js']);
  assert.deepEqual(loadedBy(['recover', '--help']).loaded, ['cli-lifecycle.js', 'cli.js']);
});

test('every entry of the command table loads a command with help and run', () => {
  assert.equal(new Set(commands.map((c) => c.name)).size, commands.length, 'names are unique');
  for (const c of commands) {
    const command = c.load();
    assert.equal(typeof command.run, 'function', c.name);
    assert.match(command.help, new RegExp(`^usage: venv-manager ${c.name}\\b`), c.name);
  }
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../harness/paths';

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));

test('the .vsix holds only what the extension needs at run time (vsce ls)', () => {
  const out = execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'vsce'), ['ls', '--no-dependencies'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  const files = out.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('npm warn'));
  assert.ok(files.includes('dist/extension.js'), `dist/extension.js is packaged: ${files.join(', ')}`);
  assert.ok(files.includes('dist/execa.js'), 'execa, loaded on first use, is packaged beside the bundle');
  assert.ok(files.includes('package.json'));
  assert.ok(files.includes('README.md'));
  assert.ok(files.includes('CHANGELOG.md'));
  const allowed = /^(package\.json|package\.nls\.json|dist\/extension\.js|dist\/execa\.js|media\/.+|syntaxes\/.+|language-configuration.*\.json|README\.md|CHANGELOG\.md|LICENSE)$/;
  const extra = files.filter((f) => !allowed.test(f));
  assert.deepEqual(extra, [], 'nothing outside the allow-list');
  assert.ok(!files.some((f) => f.endsWith('.map')), 'no source maps');
});

test('package.json declares what the foundation requires', () => {
  assert.equal(pkg.name, 'venv-manager');
  assert.equal(pkg.displayName, 'Venv Manager');
  assert.deepEqual(pkg.extensionKind, ['workspace']);
  assert.equal(pkg.main, './dist/extension.js');
  assert.equal(pkg.bin['venv-manager'], 'dist/cli.js');
  const [major, minor] = /^\^?(\d+)\.(\d+)/.exec(pkg.engines.vscode)!.slice(1).map(Number);
  assert.ok(major === 1 && minor <= 95, `engines.vscode ${pkg.engines.vscode} must allow VS Code 1.95`);
  for (const ev of ['workspaceContains:**/*.py', 'workspaceContains:**/pyvenv.cfg', 'onLanguage:python']) {
    assert.ok(pkg.activationEvents.includes(ev), ev);
  }
});

test('the built bundles exist and the library exports the core', () => {
  for (const f of ['dist/extension.js', 'dist/cli.js', 'dist/cli-create.js', 'dist/cli-discovery.js', 'dist/cli-lifecycle.js', 'dist/core.js', 'dist/execa.js']) assert.ok(fs.existsSync(path.join(repoRoot, f)), f);
  for (const f of ['dist/extension.js', 'dist/cli-create.js', 'dist/cli-lifecycle.js', 'dist/core.js']) {
    assert.match(fs.readFileSync(path.join(repoRoot, f), 'utf8'), /require\("\.\/execa\.js"\)/, `${f} loads execa from its own file`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const core = require(path.join(repoRoot, 'dist', 'core.js'));
  assert.equal(typeof core.parsePyvenvCfg, 'function');
  assert.equal(typeof core.EnvBuilder, 'function', 'dist/core.js exports EnvBuilder');
  assert.ok(!fs.readFileSync(path.join(repoRoot, 'dist', 'core.js'), 'utf8').includes('require("vscode")'));
});

test('test hooks stay out of the extension bundle: no pause hook, no test API switched on by an environment variable', () => {
  const extension = fs.readFileSync(path.join(repoRoot, 'dist/extension.js'), 'utf8');
  assert.doesNotMatch(extension, /VENV_MANAGER_PAUSE_AT/, 'an inherited VENV_MANAGER_PAUSE_AT must not be able to freeze the extension host');
  assert.doesNotMatch(extension, /VENV_MANAGER_TEST/, 'the test API is exposed by the extension mode only');
  assert.match(fs.readFileSync(path.join(repoRoot, 'dist/cli-lifecycle.js'), 'utf8'), /VENV_MANAGER_PAUSE_AT/, 'the CLI\'s lifecycle commands keep the crash tests\' hook');
});

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../harness/paths';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.[cm]?tsx?$/.test(e.name) ? [p] : [];
  });
}

const IMPORTS_VSCODE = /(?:from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\)|import\s+['"]vscode['"])/;

test('nothing under src/core or the CLI imports vscode', () => {
  const files = [...sources(path.join(repoRoot, 'src', 'core')), ...sources(path.join(repoRoot, 'src', 'cli')), path.join(repoRoot, 'src', 'cli.ts')];
  assert.ok(files.length > 0);
  const offenders = files.filter((f) => IMPORTS_VSCODE.test(fs.readFileSync(f, 'utf8')));
  assert.deepEqual(offenders.map((f) => path.relative(repoRoot, f)), []);
});

test('the import check recognises every form of importing vscode', () => {
  for (const line of ["import * as vscode from 'vscode';", 'const v = require("vscode");', "import { window } from 'vscode'", "await import('vscode')"]) {
    assert.match(line, IMPORTS_VSCODE, line);
  }
  assert.doesNotMatch("import * as path from 'node:path'; // vscode-like", IMPORTS_VSCODE);
});

test('the built CLI and library run without a vscode module', () => {
  for (const bundle of ['cli.js', 'core.js']) {
    const text = fs.readFileSync(path.join(repoRoot, 'dist', bundle), 'utf8');
    assert.doesNotMatch(text, /require\(["']vscode["']\)/, bundle);
  }
});

test('discovery reads what lifecycle leaves on disk through core/envFacts, never by importing lifecycle', () => {
  const files = sources(path.join(repoRoot, 'src', 'core', 'discovery'));
  assert.ok(files.length > 0);
  const offenders = files.filter((f) => /from\s+['"]\.\.\/lifecycle(\/|['"])/.test(fs.readFileSync(f, 'utf8')));
  assert.deepEqual(offenders.map((f) => path.relative(repoRoot, f)), []);
});

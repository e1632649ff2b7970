// The strings bundle (package.json "l10n": l10n/bundle.l10n.json) is what translators start from;
// it must hold every vscode.l10n.t message in src/ and nothing that is gone. `npm run l10n`
// regenerates it with @vscode/l10n-dev.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as vm from 'node:vm';
import { repoRoot } from '../../harness/paths';

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { l10n?: string };
const bundlePath = path.join(repoRoot, pkg.l10n ?? 'l10n', 'bundle.l10n.json');
const regenerate = 'run `npm run l10n` to regenerate l10n/bundle.l10n.json';

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const sources = sourceFiles(path.join(repoRoot, 'src')).map((file) => ({ file, text: fs.readFileSync(file, 'utf8') }));

function bundle(): Record<string, string | { message: string; comment: string[] }> {
  assert.equal(pkg.l10n, './l10n', 'package.json names the bundle folder');
  assert.ok(fs.existsSync(bundlePath), `${bundlePath} is missing: ${regenerate}`);
  return JSON.parse(fs.readFileSync(bundlePath, 'utf8'));
}

test('every vscode.l10n.t message in src/ is in the bundle (read from the sources, not by the tool that wrote it)', () => {
  const keys = new Set(Object.keys(bundle()));
  const literal = /vscode\.l10n\.t\(\s*('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")/g;
  let calls = 0;
  const missing: string[] = [];
  for (const { file, text } of sources) {
    const all = text.match(/vscode\.l10n\.t\(/g)?.length ?? 0;
    const found = [...text.matchAll(literal)];
    // A call whose message is not a plain string literal would escape this check (and the tool).
    assert.equal(found.length, all, `${path.relative(repoRoot, file)}: every vscode.l10n.t takes a string literal as its message`);
    calls += found.length;
    for (const m of found) {
      const message = vm.runInNewContext(m[1]!) as string;
      if (!keys.has(message)) missing.push(`${path.relative(repoRoot, file)}: ${JSON.stringify(message)}`);
    }
  }
  assert.ok(calls > 100, `the sources' localized messages were found (${calls})`);
  assert.deepEqual(missing, [], `messages missing from the bundle; ${regenerate}`);
});

test('the bundle is exactly what @vscode/l10n-dev extracts from src/ (nothing stale)', (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-l10n-'));
  t.after(() => fs.rmSync(out, { recursive: true, force: true }));
  execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'vscode-l10n-dev'), ['export', '--outDir', out, path.join(repoRoot, 'src')], { cwd: repoRoot, stdio: 'ignore', timeout: 120_000 });
  const expected = JSON.parse(fs.readFileSync(path.join(out, 'bundle.l10n.json'), 'utf8'));
  assert.deepEqual(bundle(), expected, regenerate);
});

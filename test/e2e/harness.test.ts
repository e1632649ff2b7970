import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../harness/paths';

test('the integration driver reports a failing suite as failed and leaves no server running', () => {
  const summary = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vm-self-')), 'summary.json');
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'out/test/harness/runIntegration.js'), '--summary', summary, 'harness-self-check'], { encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 1, `driver exits 1 on a failure:\n${r.stdout}\n${r.stderr}`);
  assert.deepEqual(JSON.parse(fs.readFileSync(summary, 'utf8')), { passed: 1, failed: 1, skipped: 1 });
  assert.match(r.stdout, /FAIL \[harness-self-check\] harness self-check fails on purpose/);
  assert.match(r.stdout, /deliberate failure/);
  const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
  assert.ok(!ps.split('\n').some((l) => l.includes('self-check') && l.includes('entry.js')), 'code-server of the run is stopped');
});

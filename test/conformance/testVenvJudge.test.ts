// Second judge: each interpreter's own Lib/test/test_venv.py, run with our EnvBuilder behind
// `venv.EnvBuilder.create` (test_venv_judge.py). A test counts for us only when it built its
// environments through create alone; tests that also exercise CPython's builder internals, run
// `python -m venv` in a child or create nothing are reported as not applicable, never as passed.
// The per-version table is printed and written to test-results/test_venv-judge.md.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { atLeast, findPythons, type FoundPython } from '../fixtures/pythons';

const root = path.resolve(__dirname, '..', '..', '..');
const harness = path.join(root, 'test', 'conformance', 'test_venv_judge.py');
const judge = path.join(root, 'out', 'test', 'conformance', 'judgeBuilder.js');
const pythons = findPythons().filter((p) => atLeast(p, 3, 8));

interface Outcome {
  test: string;
  outcome: 'passed' | 'failed' | 'skipped';
  judged: 'ours' | 'not applicable' | 'skipped';
  reason: string;
}

const tables: string[] = [];
let work: string;
before(() => {
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vm-judge-')));
});
after(() => {
  fs.rmSync(work, { recursive: true, force: true });
  if (tables.length === 0) return;
  const out = path.join(root, 'test-results', 'test_venv-judge.md');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `# CPython test_venv.py with our EnvBuilder behind venv\n\n${tables.join('\n')}`);
});

function hasTestVenv(py: FoundPython): boolean {
  return spawnSync(py.path, ['-c', 'import test.test_venv'], { stdio: 'ignore', env: { ...process.env, PYTHONHOME: '' } }).status === 0;
}

function table(py: FoundPython, results: Outcome[]): string {
  const count = (judged: Outcome['judged'], outcome?: Outcome['outcome']) => results.filter((r) => r.judged === judged && (!outcome || r.outcome === outcome)).length;
  const lines = [
    `## ${py.label}`,
    '',
    `judged on our builder: ${count('ours', 'passed')} passed, ${count('ours', 'failed')} failed; not applicable: ${count('not applicable')}; skipped by test_venv: ${count('skipped')}`,
    '',
    '| test | outcome | judged | why |',
    '|---|---|---|---|',
    ...results.map((r) => `| ${r.test.replace(/^test\.test_venv\./, '')} | ${r.outcome} | ${r.judged} | ${r.judged === 'ours' && r.outcome === 'passed' ? '' : r.reason.split('\n')[0].replace(/\|/g, '\\|').slice(0, 160)} |`),
    '',
  ];
  return lines.join('\n');
}

describe('CPython test_venv.py as a second judge', { concurrency: false }, () => {
  for (const py of pythons) {
    const available = hasTestVenv(py);
    test(py.label, { skip: available ? false : `${py.label} has no test.test_venv installed` }, (t) => {
      // test_venv reads PYTHONHOME="" itself; PIP_* and VIRTUAL_ENV of the caller must not leak in.
      const env: NodeJS.ProcessEnv = {};
      for (const [k, v] of Object.entries(process.env)) if (!/^(PIP_|PYTHON|VIRTUAL_ENV)/.test(k)) env[k] = v;
      const r = spawnSync(py.path, [harness, process.execPath, judge, path.join(work, 'cache')], {
        cwd: work,
        env,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: 20 * 60 * 1000,
      });
      const results = r.stdout
        .split('\n')
        .filter((l) => l.startsWith('@@RESULT@@'))
        .map((l) => JSON.parse(l.slice('@@RESULT@@'.length)) as Outcome);
      assert.ok(results.length > 0, `the harness reported nothing (exit ${r.status}): ${r.stderr.slice(-3000)}`);
      tables.push(table(py, results));
      const ours = results.filter((x) => x.judged === 'ours');
      t.diagnostic(`${ours.filter((x) => x.outcome === 'passed').length} passed on our builder, ${results.filter((x) => x.judged === 'not applicable').length} not applicable, ${results.filter((x) => x.judged === 'skipped').length} skipped`);
      assert.ok(ours.length > 0, 'some tests judged our builder');
      const failed = ours.filter((x) => x.outcome === 'failed');
      assert.deepEqual(
        failed.map((x) => `${x.test}: ${x.reason}`),
        [],
        'test_venv cases that fail on our builder',
      );
    });
  }
});

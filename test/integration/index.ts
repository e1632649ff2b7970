/**
 * Entry of the integration suites inside a real VS Code extension host (code-server through the
 * `payload` URL, or desktop VS Code through @vscode/test-electron). The extension host exits 0 even
 * when tests fail, so the result is written to the JSON file named by VENV_MANAGER_TEST_RESULT.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface IntegrationTestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

export interface IntegrationResultFile {
  passed: number;
  failed: number;
  skipped: number;
  tests: IntegrationTestResult[];
  fatal?: string;
}

function writeResult(result: IntegrationResultFile): void {
  const file = process.env.VENV_MANAGER_TEST_RESULT;
  if (file) fs.writeFileSync(file, JSON.stringify(result, null, 2));
}

export async function run(): Promise<void> {
  const wanted = (process.env.VENV_MANAGER_TEST_SUITES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const suiteDir = path.join(__dirname, 'suite');
  const files = fs.readdirSync(suiteDir)
    .filter((f) => f.endsWith('.test.js'))
    .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.test\.js$/, '')))
    .sort();
  const tests: IntegrationTestResult[] = [];
  try {
    if (wanted.length && files.length !== wanted.length) {
      throw new Error(`suites not found: ${wanted.filter((w) => !files.includes(`${w}.test.js`)).join(', ')}`);
    }
    const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
    for (const f of files) mocha.addFile(path.join(suiteDir, f));
    await mocha.loadFilesAsync();
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      // One line per event, so the driver can name the test that hangs when no result arrives.
      const progress = process.env.VENV_MANAGER_TEST_RESULT ? `${process.env.VENV_MANAGER_TEST_RESULT}.progress` : undefined;
      const note = (line: string) => { if (progress) fs.appendFileSync(progress, `${line}\n`); };
      runner.on('test', (t) => note(`start ${t.fullTitle()}`));
      runner.on('test end', (t) => note(`end   ${t.fullTitle()} (${t.state ?? 'unknown'}, ${t.duration ?? '?'} ms)`));
      runner.on('pass', (t) => tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
      runner.on('fail', (t, err: Error) => tests.push({ title: t.fullTitle(), state: 'failed', error: String(err?.stack ?? err) }));
      runner.on('pending', (t) => tests.push({ title: t.fullTitle(), state: 'pending' }));
    });
    writeResult(summarise(tests));
  } catch (err) {
    writeResult({ ...summarise(tests), fatal: String(err instanceof Error ? err.stack : err) });
    throw err;
  }
}

function summarise(tests: IntegrationTestResult[]): IntegrationResultFile {
  return {
    passed: tests.filter((t) => t.state === 'passed').length,
    failed: tests.filter((t) => t.state === 'failed').length,
    skipped: tests.filter((t) => t.state === 'pending').length,
    tests,
  };
}

/**
 * Runs every integration run (test/integration/runs.ts) in a real VS Code (code-server) and prints
 * each test's outcome. Usage: node out/test/harness/runIntegration.js [--summary FILE] [RUN_NAME ...]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { IntegrationResultFile } from '../integration/index';
import { runs } from '../integration/runs';
import { checkPrerequisites, MissingPrerequisite, openWorkbench, screenshot, sleep, startCodeServer } from './codeServer';
import { repoRoot } from './paths';

const RUN_TIMEOUT_MS = Number(process.env.VENV_MANAGER_RUN_TIMEOUT_MS ?? 8 * 60_000);

interface Totals { passed: number; failed: number; skipped: number }

async function runOne(run: (typeof runs)[number]): Promise<Totals> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `vm-it-${run.name}-`));
  const resultFile = path.join(tmp, 'result.json');
  const started = Date.now();
  let server: Awaited<ReturnType<typeof startCodeServer>> | undefined;
  let workbench: Awaited<ReturnType<typeof openWorkbench>> | undefined;
  try {
    const extensions = run.extensions?.() ?? { vsix: [] };
    if (typeof extensions === 'string') {
      console.log(`  skip [${run.name}] ${extensions}`);
      return { passed: 0, failed: 0, skipped: 1 };
    }
    const workspace = await run.prepare(tmp);
    server = await startCodeServer({
      vsix: extensions.vsix,
      workspace,
      trusted: run.trusted ?? true,
      settings: run.settings,
      env: {
        ...(typeof run.env === 'function' ? run.env(tmp) : run.env),
        VENV_MANAGER_TEST_RESULT: resultFile,
        VENV_MANAGER_TEST_SUITES: run.suites.join(','),
        VENV_MANAGER_TEST_TMP: tmp,
      },
    });
    workbench = await openWorkbench(server, { extensionTestsPath: path.join(repoRoot, 'out', 'test', 'integration', 'index.js') });
    const end = Date.now() + RUN_TIMEOUT_MS;
    while (!fs.existsSync(resultFile) && Date.now() < end) await sleep(250);
    if (!fs.existsSync(resultFile)) {
      const shot = await screenshot(workbench.page, `integration-${run.name}-timeout`).catch(() => '(no screenshot)');
      const progressFile = `${resultFile}.progress`;
      const progress = fs.existsSync(progressFile) ? fs.readFileSync(progressFile, 'utf8').trim().split('\n') : [];
      const last = progress.at(-1);
      const hung = last?.startsWith('start ') ? `\n  still running: ${last.slice(6)}` : '';
      throw new Error(`no result after ${RUN_TIMEOUT_MS} ms (screenshot ${shot})${hung}\n  progress:\n${indent(progress.join('\n'))}\n  code-server log tail:\n${server.logs().slice(-3000)}`);
    }
    await sleep(100);
    const result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as IntegrationResultFile;
    for (const t of result.tests) {
      const mark = t.state === 'passed' ? 'ok  ' : t.state === 'failed' ? 'FAIL' : 'skip';
      console.log(`  ${mark} [${run.name}] ${t.title}${t.durationMs !== undefined ? ` (${t.durationMs} ms)` : ''}`);
      if (t.error) console.log(indent(t.error));
    }
    if (result.fatal) {
      console.log(`  FAIL [${run.name}] suite could not run:\n${indent(result.fatal)}`);
      return { passed: result.passed, failed: result.failed + 1, skipped: result.skipped };
    }
    if (result.failed) {
      await screenshot(workbench.page, `integration-${run.name}-failed`).catch(() => undefined);
      console.log(`  [${run.name}] Venv Manager's log:\n${indent(extensionLog(server.stateDir).split('\n').slice(-80).join('\n'))}`);
    }
    if (result.tests.length === 0) {
      console.log(`  FAIL [${run.name}] ran no test`);
      return { passed: 0, failed: 1, skipped: 0 };
    }
    return { passed: result.passed, failed: result.failed, skipped: result.skipped };
  } catch (err) {
    console.log(`  FAIL [${run.name}] ${err instanceof Error ? err.message : String(err)}`);
    return { passed: 0, failed: 1, skipped: 0 };
  } finally {
    await workbench?.close();
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
    console.log(`  [${run.name}] finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

/** Our output channel's log file inside the server's user data folder ('' when there is none). */
function extensionLog(stateDir: string): string {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('Venv Manager.log')) found.push(p);
    }
  };
  try { walk(path.join(stateDir, 'user-data', 'logs')); } catch { /* no logs */ }
  return found.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}

function indent(text: string): string {
  return text.split('\n').map((l) => `        ${l}`).join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const summaryIndex = args.indexOf('--summary');
  const summaryFile = summaryIndex >= 0 ? args.splice(summaryIndex, 2)[1] : undefined;
  const selected = args.length ? runs.filter((r) => args.includes(r.name)) : runs.filter((r) => !r.onlyWhenNamed);
  const totals: Totals = { passed: 0, failed: 0, skipped: 0 };
  try {
    checkPrerequisites();
    for (const run of selected) {
      console.log(`integration run '${run.name}' (suites: ${run.suites.join(', ')})`);
      const t = await runOne(run);
      totals.passed += t.passed; totals.failed += t.failed; totals.skipped += t.skipped;
    }
  } catch (err) {
    if (!(err instanceof MissingPrerequisite)) throw err;
    console.log(`  FAIL integration tier cannot run: ${err.message}`);
    totals.failed += 1;
  }
  console.log(`integration: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  if (summaryFile) fs.writeFileSync(summaryFile, JSON.stringify(totals));
  process.exitCode = totals.failed ? 1 : 0;
}

void main();

/**
 * Runs the same integration suites in desktop VS Code through @vscode/test-electron. It downloads
 * VS Code, so it needs internet; `npm run test:electron` on a developer machine. Not part of CI here.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import type { IntegrationResultFile } from '../integration/index';
import { runs } from '../integration/runs';
import { repoRoot } from './paths';

async function main(): Promise<void> {
  let failed = 0;
  let passed = 0;
  for (const run of runs) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `vm-el-${run.name}-`));
    const resultFile = path.join(tmp, 'result.json');
    const workspace = await run.prepare(tmp);
    await runTests({
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(repoRoot, 'out', 'test', 'integration', 'index.js'),
      launchArgs: [workspace, '--disable-extensions', ...(run.trusted === false ? [] : ['--disable-workspace-trust'])],
      extensionTestsEnv: { ...(typeof run.env === 'function' ? run.env(tmp) : run.env), VENV_MANAGER_TEST_RESULT: resultFile, VENV_MANAGER_TEST_SUITES: run.suites.join(','), VENV_MANAGER_TEST_TMP: tmp },
    }).catch(() => undefined);
    const result: IntegrationResultFile = fs.existsSync(resultFile)
      ? JSON.parse(fs.readFileSync(resultFile, 'utf8'))
      : { passed: 0, failed: 1, skipped: 0, tests: [], fatal: 'no result file' };
    passed += result.passed;
    failed += result.failed + (result.fatal ? 1 : 0);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

void main();

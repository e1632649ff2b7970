// A person's view of Venv Manager next to the real Python extension (ms-python.python built from its
// public source, shared/vendor): its own status bar item shows the env made active in Venv Manager,
// "Run Python File in Terminal" runs that env's python, and "Show Python Used by Each Tool" shows the
// tools agreeing, disagreeing after a change made in the Python extension, and agreeing again after
// one pick. Screenshots: test-results/screenshots/e2e-python-*.png.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openWorkbench, screenshot, startCodeServer, type CodeServer, type Workbench } from '../harness/codeServer';
import { pythonExtensionVsix } from '../harness/paths';
import { escapeRegExp, newestCPython, runPaletteCommand, waitForTerminal } from './workbench';

const vsix = pythonExtensionVsix();
const skip = vsix ? false : 'the Python extension is not here: set VENV_MANAGER_PYTHON_VSIX to an ms-python.python .vsix (the workplace has one in shared/vendor/ms-python.python)';

describe('Venv Manager with the Python extension, as a person uses them', { skip }, () => {
  let server: CodeServer;
  let wb: Workbench;
  let ws: string;

  before(async () => {
    const python = await newestCPython();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-e2e-py-'));
    ws = path.join(tmp, 'project');
    fs.mkdirSync(ws, { recursive: true });
    fs.writeFileSync(path.join(ws, 'main.py'), 'import sys\nprint("PREFIX=" + sys.prefix)\n');
    execFileSync(python.path, ['-m', 'venv', '--without-pip', path.join(ws, '.venv')]);
    execFileSync(python.path, ['-m', 'venv', '--without-pip', '--prompt', 'alt', path.join(ws, 'alt')]);
    server = await startCodeServer({
      workspace: ws,
      vsix: [vsix as string],
      settings: {
        'terminal.integrated.defaultProfile.linux': 'bash',
        'workbench.colorTheme': 'Default Dark Modern',
        'python.locator': 'js',
        'python.languageServer': 'None',
        'python.experiments.enabled': false,
        'python.useEnvironmentsExtension': false,
        // Only ours to theirs: a change made in the Python extension stays a disagreement to show.
        'venvManager.python.shareActiveEnvironment': 'toPython',
      },
    });
    wb = await openWorkbench(server);
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
  });

  test('Set Active in Venv Manager: the Python extension\'s own status bar item shows that env', async () => {
    const page = wb.page;
    await runPaletteCommand(page, 'Go to File...');
    await page.locator('.quick-input-widget .quick-input-box input').fill('main.py');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'main.py' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.locator('.editor-instance .monaco-editor').first().waitFor({ state: 'visible', timeout: 30_000 });
    await runPaletteCommand(page, 'Venv Manager: Set Active Environment');
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    await rows.filter({ hasText: 'alt' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('.quick-input-widget .quick-input-box input').fill('alt');
    await page.keyboard.press('Enter');
    // The Python extension's item (not ours) names the interpreter it uses: e.g. "3.13.0 ('alt': venv)".
    const item = page.locator('#ms-python\\.python\\.python-interpreter, .statusbar-item[id*="ms-python.python"]', { hasText: /alt/ });
    await item.first().waitFor({ state: 'visible', timeout: 60_000 });
    await screenshot(page, 'e2e-python-1-status-bar');
    assert.match(await item.first().innerText(), /alt/);
  });

  test('"Python: Run Python File in Terminal" runs the env made active in Venv Manager', async () => {
    const page = wb.page;
    await page.locator('.editor-instance .monaco-editor').first().click();
    await runPaletteCommand(page, 'Python: Run Python File in Terminal');
    const terminal = page.locator('.terminal-wrapper.active .xterm-rows');
    await terminal.waitFor({ state: 'visible', timeout: 60_000 });
    const text = await waitForTerminal(page, terminal, (t) => /PREFIX=\S+/.test(t), 'the output of main.py', 'e2e-python-2-run-no-output', 90_000);
    await screenshot(page, 'e2e-python-2-run-in-terminal');
    assert.match(text, new RegExp(`PREFIX=${escapeRegExp(path.join(ws, 'alt'))}\\s*$`, 'm'), text);
  });

  async function showReport(shot: string): Promise<string> {
    const page = wb.page;
    await page.keyboard.press('Escape');
    await runPaletteCommand(page, 'Venv Manager: Show Python Used by Each Tool');
    const widget = page.locator('.quick-input-widget');
    await widget.locator('.monaco-list-row', { hasText: 'Python extension' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, shot);
    return widget.innerText();
  }

  test('Show Python Used by Each Tool: agree, then disagree after a change in the Python extension, then agree after one pick', async () => {
    const page = wb.page;
    let report = await showReport('e2e-python-3-report-agree');
    assert.match(report, /all tools agree/, report);
    await page.keyboard.press('Escape');

    await runPaletteCommand(page, 'Python: Select Interpreter');
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    const venvRow = rows.filter({ hasText: /\.venv/ }).filter({ hasNotText: /alt/ }).first();
    await venvRow.waitFor({ state: 'visible', timeout: 60_000 });
    await venvRow.click();
    await page.locator('.statusbar-item', { hasText: /\.venv/ }).first().waitFor({ state: 'visible', timeout: 60_000 });

    report = await showReport('e2e-python-4-report-disagree');
    assert.match(report, /the tools disagree/, report);
    const fix = page.locator('.quick-input-widget .monaco-list-row', { hasText: /Use \.venv everywhere/ }).first();
    await fix.waitFor({ state: 'visible', timeout: 10_000 });
    await fix.click();

    report = await showReport('e2e-python-5-report-agree-again');
    assert.match(report, /all tools agree/, report);
    await page.keyboard.press('Escape');
    await page.locator('.statusbar-item', { hasText: /\$?\.venv/ }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'e2e-python-6-status-after-fix');
  });
});

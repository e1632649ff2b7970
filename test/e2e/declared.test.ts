// A person's view of declared dependencies: Create Environment from a pyproject.toml with groups
// picked in a multi-select, the env marked out of sync after `pip install` in a terminal, and the
// inline Sync action bringing it back. Screenshots: test-results/screenshots/e2e-declared-*.png.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openWorkbench, screenshot, startCodeServer, type CodeServer, type Workbench } from '../harness/codeServer';
import { installedProjects, writeDeclaredProject } from '../fixtures/declaredProject';
import { contextMenuItem, runInlineAction, runPaletteCommand, treeRow, waitForTerminal } from './workbench';

describe('environments from what the project declares, as a person sees them', () => {
  let server: CodeServer;
  let wb: Workbench;
  let ws: string;

  before(async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-e2e-declared-'));
    ws = path.join(tmp, 'declared-project');
    const wheels = path.join(tmp, 'wheels');
    await writeDeclaredProject(ws, wheels, { name: 'stray-tool', version: '0.9' });
    server = await startCodeServer({
      workspace: ws,
      env: { PIP_NO_INDEX: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_FIND_LINKS: wheels },
      settings: { 'terminal.integrated.defaultProfile.linux': 'bash', 'workbench.colorTheme': 'Default Dark Modern' },
    });
    wb = await openWorkbench(server);
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
  });

  test('Create Environment: pyproject.toml offered first, extras and groups picked in a multi-select', async () => {
    const page = wb.page;
    const item = page.locator('.activitybar .action-item a[aria-label^="Venv Manager"]');
    await item.waitFor({ state: 'visible', timeout: 60_000 });
    await item.click();
    await runPaletteCommand(page, 'Venv Manager: Create Environment');
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    await rows.filter({ hasText: /Python 3\.\d+/ }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.waitForFunction(`document.querySelector('.quick-input-widget .quick-input-box input')?.value === '.venv'`, undefined, { timeout: 20_000 });
    await page.keyboard.press('Enter');
    await rows.filter({ hasText: 'pyproject.toml' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    assert.match(await rows.first().innerText(), /pyproject\.toml/);
    await screenshot(page, 'e2e-declared-1-sources');
    await page.keyboard.press('Enter');
    await rows.filter({ hasText: 'dependency group' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    for (const label of ['fast', 'dev']) await rows.filter({ hasText: new RegExp(`^${label}`) }).first().locator('.monaco-checkbox, input[type=checkbox]').first().click();
    await page.waitForTimeout(300);
    await screenshot(page, 'e2e-declared-2-groups-multiselect');
    await page.keyboard.press('Enter');
    await page.locator('.notifications-toasts', { hasText: /Created \.venv/ }).waitFor({ state: 'visible', timeout: 120_000 });
    assert.deepEqual(installedProjects(path.join(ws, '.venv')).filter((n) => n !== 'pip'), ['alpha', 'beta', 'delta', 'gamma']);
    const row = treeRow(page, '.venv').first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await row.click();
    await treeRow(page, /in sync with pyproject\.toml \(extra fast, group dev\)/).first().waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'e2e-declared-3-in-sync');
  });

  test('pip install in a terminal marks the env out of sync; the inline Sync action brings it back', async () => {
    const page = wb.page;
    await runPaletteCommand(page, 'Terminal: Create New Terminal');
    const terminal = page.locator('.terminal-wrapper.active .xterm-rows');
    await terminal.waitFor({ state: 'visible', timeout: 30_000 });
    await waitForTerminal(page, terminal, (text) => text.trim().length > 0, 'a shell prompt', 'e2e-declared-terminal-no-prompt');
    await page.locator('.terminal-wrapper.active .xterm-helper-textarea').focus();
    await page.keyboard.type('.venv/bin/python -m pip install stray-tool');
    await page.keyboard.press('Enter');
    const row = treeRow(page, '.venv').first();
    await page.waitForFunction(`[...document.querySelectorAll('.sidebar .monaco-list-row')].some((r) => /\\.venv/.test(r.textContent ?? '') && /out of sync/.test(r.textContent ?? ''))`, undefined, { timeout: 90_000 });
    await treeRow(page, /out of sync with pyproject\.toml: 1 not declared/).first().waitFor({ state: 'visible', timeout: 30_000 });
    await treeRow(page, /not declared: stray-tool 0\.9/).first().waitFor({ state: 'visible', timeout: 10_000 });
    await screenshot(page, 'e2e-declared-4-out-of-sync');
    const dialog = page.locator('.monaco-dialog-box');
    await runInlineAction(page, row, 'Sync Environment', dialog, 'e2e-declared-sync-not-started');
    assert.match(await dialog.innerText(), /Not declared, so removed: stray-tool 0\.9/);
    await screenshot(page, 'e2e-declared-5-sync-confirm');
    await dialog.locator('.monaco-button', { hasText: /^Sync$/ }).first().click();
    await page.locator('.notifications-toasts', { hasText: /is in sync with pyproject\.toml/ }).waitFor({ state: 'visible', timeout: 120_000 });
    await treeRow(page, /in sync with pyproject\.toml \(extra fast, group dev\)/).first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.mouse.move(150, 600);
    await page.waitForTimeout(400);
    await screenshot(page, 'e2e-declared-6-synced');
    assert.ok(!installedProjects(path.join(ws, '.venv')).includes('stray_tool'));
  });

  test('pyproject.toml\'s Explorer context menu offers Install Requirements into Environment', async () => {
    const page = wb.page;
    await page.keyboard.press('Control+Shift+E');
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^pyproject\.toml$/ }).first();
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    await contextMenuItem(page, row, 'Install Requirements into Environment', 'e2e-declared-menu-without-install');
    await page.waitForTimeout(300); // the menu fades in
    await screenshot(page, 'e2e-declared-7-pyproject-explorer-menu');
    await page.keyboard.press('Escape');
  });
});

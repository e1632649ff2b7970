// The empty state (welcome view with its Create Environment button) and Restricted Mode, as a
// person sees them. Screenshots: test-results/screenshots/e2e-welcome*.png, e2e-restricted*.png.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { findInterpreters } from '../../src/core';
import { openWorkbench, screenshot, startCodeServer } from '../harness/codeServer';
import { repoRoot } from '../harness/paths';

async function openOurView(page: Page): Promise<void> {
  const item = page.locator('.activitybar .action-item a[aria-label^="Venv Manager"]');
  await item.waitFor({ state: 'visible', timeout: 60_000 });
  await item.click();
}

describe('empty state and Restricted Mode', () => {
  test('a workspace without environments shows the welcome view with Create Environment', async () => {
    const ws = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vm-e2e-empty-')), 'fresh-project');
    fs.cpSync(path.join(repoRoot, 'examples', 'sample-workspace'), ws, { recursive: true });
    const server = await startCodeServer({ workspace: ws });
    const wb = await openWorkbench(server);
    try {
      await openOurView(wb.page);
      const welcome = wb.page.locator('.sidebar .welcome-view-content');
      await welcome.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(await welcome.innerText(), /No Python virtual environment in this workspace yet/);
      await welcome.locator('.monaco-button', { hasText: 'Create Environment' }).waitFor({ state: 'visible' });
      await screenshot(wb.page, 'e2e-welcome-empty-workspace');
    } finally {
      await wb.close();
      await server.stop();
    }
  });

  test('Restricted Mode: envs listed, creating explains why it is disabled', async () => {
    const [python] = (await findInterpreters()).filter((i) => (i.implementation ?? 'cpython') === 'cpython' && !i.freeThreaded && i.version?.startsWith('3.') && Number(i.version.split('.')[1]) >= 8);
    assert.ok(python);
    const ws = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vm-e2e-untrusted-')), 'untrusted-project');
    fs.cpSync(path.join(repoRoot, 'examples', 'sample-workspace'), ws, { recursive: true });
    execFileSync(python.path, ['-m', 'venv', '--without-pip', path.join(ws, '.venv')]);
    const entriesBefore = fs.readdirSync(ws).sort();
    const server = await startCodeServer({ workspace: ws, trusted: false });
    const wb = await openWorkbench(server);
    try {
      const page = wb.page;
      await openOurView(page);
      await page.locator('.sidebar .monaco-list-row', { hasText: '.venv' }).first().waitFor({ state: 'visible', timeout: 60_000 })
        .catch(async (err) => { await screenshot(page, 'e2e-restricted-failed'); throw err; });
      await screenshot(page, 'e2e-restricted-view');
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 20_000 });
      await input.fill('>Venv Manager: Create Environment');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Create Environment' }).first().waitFor({ state: 'visible' });
      await page.keyboard.press('Enter');
      const toast = page.locator('.notifications-toasts', { hasText: /disabled in Restricted Mode/ });
      await toast.waitFor({ state: 'visible', timeout: 20_000 });
      await page.waitForTimeout(500); // let the toast finish fading in
      await screenshot(page, 'e2e-restricted-create-disabled');
      assert.equal(fs.existsSync(path.join(ws, '.venv-1')), false);
      assert.deepEqual(fs.readdirSync(ws).sort(), entriesBefore, 'nothing was created in the untrusted workspace');
    } finally {
      await wb.close();
      await server.stop();
    }
  });
});

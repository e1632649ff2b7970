// A person's view of an environment's packages in a real VS Code (code-server in Chromium): the
// Packages node, Install Package from the palette, Uninstall from the context menu, Check for
// Updates from the node's inline action with `current -> latest` shown, and Find Package Across
// Environments. Wheels come from folders the test builds (offline). Screenshots:
// test-results/screenshots/e2e-packages-*.png.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openWorkbench, screenshot, startCodeServer, type CodeServer, type Workbench } from '../harness/codeServer';
import { repoRoot } from '../harness/paths';
import { testPython } from '../fixtures/lifecycle';
import { buildWheel } from '../fixtures/wheels';
import { contextMenuItem, expandRow, runInlineAction, runPaletteCommand, treeRow } from './workbench';

describe('packages, as a person sees them', () => {
  let server: CodeServer;
  let wb: Workbench;
  let ws: string;

  before(async () => {
    const python = await testPython();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-e2e-pkg-'));
    ws = path.join(tmp, 'sample-workspace');
    fs.cpSync(path.join(repoRoot, 'examples', 'sample-workspace'), ws, { recursive: true });
    const wheels = path.join(tmp, 'wheels');
    const newer = path.join(tmp, 'newer');
    await buildWheel(wheels, { name: 'alpha', version: '1.0', requires: ['beta>=2'] });
    await buildWheel(wheels, { name: 'beta', version: '2.0' });
    await buildWheel(wheels, { name: 'gamma', version: '3.0' });
    await buildWheel(newer, { name: 'alpha', version: '2.0', requires: ['beta>=2'] });
    execFileSync(python.path, ['-m', 'venv', path.join(ws, '.venv')]);
    const pipEnv = { ...process.env, PIP_CONFIG_FILE: os.devNull, PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheels };
    execFileSync(path.join(ws, '.venv', 'bin', 'python'), ['-m', 'pip', 'install', '-q', 'alpha==1.0'], { env: pipEnv, stdio: 'pipe' });
    // A second env holding alpha too, for Find Package.
    execFileSync(python.path, ['-m', 'venv', path.join(ws, 'tools', 'env')]);
    execFileSync(path.join(ws, 'tools', 'env', 'bin', 'python'), ['-m', 'pip', 'install', '-q', 'alpha==1.0'], { env: pipEnv, stdio: 'pipe' });
    server = await startCodeServer({
      workspace: ws,
      env: { PIP_NO_INDEX: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_CONFIG_FILE: os.devNull, PIP_FIND_LINKS: `${wheels} ${newer}` },
      settings: { 'workbench.colorTheme': 'Default Dark Modern' },
    });
    wb = await openWorkbench(server);
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
  });

  test('the Packages node of .venv lists alpha (asked for) and beta (a dependency)', async () => {
    const page = wb.page;
    const item = page.locator('.activitybar .action-item a[aria-label^="Venv Manager"]');
    await item.waitFor({ state: 'visible', timeout: 60_000 });
    await item.click();
    await treeRow(page, /^\.venv/).first().waitFor({ state: 'visible', timeout: 30_000 });
    await expandRow(page, treeRow(page, /^\.venv/).first(), 'e2e-packages-venv-not-expanded');
    const packages = treeRow(page, /^Packages \(\d+\)/).first();
    await packages.waitFor({ state: 'visible', timeout: 15_000 });
    await expandRow(page, packages, 'e2e-packages-node-not-expanded');
    await treeRow(page, /^alpha/).first().waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await treeRow(page, /^beta/).first().innerText(), /2\.0 · dependency/);
    await screenshot(page, 'e2e-packages-1-node');
  });

  test('Install Package... from the palette: gamma appears under Packages', async () => {
    const page = wb.page;
    await runPaletteCommand(page, 'Venv Manager: Install Package...');
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    await rows.filter({ hasText: '.venv' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.fill(path.join(ws, '.venv'));
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget', { hasText: /Package name or name==version/ }).waitFor({ state: 'visible', timeout: 20_000 });
    await input.fill('gamma==3.0');
    await screenshot(page, 'e2e-packages-2-install-input');
    await page.keyboard.press('Enter');
    await page.locator('.notifications-toasts', { hasText: /Installed gamma==3\.0 into \.venv\./ }).waitFor({ state: 'visible', timeout: 60_000 });
    await treeRow(page, /^gamma/).first().waitFor({ state: 'visible', timeout: 20_000 });
    assert.match(await treeRow(page, /^gamma/).first().innerText(), /3\.0/);
    await page.mouse.move(900, 500);
    await screenshot(page, 'e2e-packages-3-installed');
  });

  test('Uninstall Package from the context menu, confirmed: gamma leaves the tree', async () => {
    const page = wb.page;
    const item = await contextMenuItem(page, treeRow(page, /^gamma/).first(), 'Uninstall Package', 'e2e-packages-4a-menu-without-uninstall');
    await page.waitForTimeout(300); // the menu fades in
    await screenshot(page, 'e2e-packages-4a-context-menu');
    await item.click();
    const dialog = page.locator('.monaco-dialog-box', { hasText: /Uninstall gamma 3\.0/ });
    await dialog.waitFor({ state: 'visible', timeout: 20_000 });
    await screenshot(page, 'e2e-packages-4b-uninstall-confirm');
    await dialog.locator('.monaco-button', { hasText: /^Uninstall$/ }).click();
    await page.locator('.notifications-toasts', { hasText: /Uninstalled gamma from \.venv\./ }).waitFor({ state: 'visible', timeout: 60_000 });
    await treeRow(page, /^gamma/).first().waitFor({ state: 'detached', timeout: 20_000 });
  });

  test('Check for Updates (inline on the Packages node) shows alpha 1.0 -> 2.0', async () => {
    const page = wb.page;
    const packages = treeRow(page, /^Packages \(\d+\)/).first();
    const outdatedRow = treeRow(page, /1\.0 -> 2\.0/).first();
    // Its progress or its result shows that the check ran.
    const started = page.locator('.notifications-toasts', { hasText: /for updates|Outdated in/ }).or(outdatedRow).first();
    await runInlineAction(page, packages, 'Check for Updates', started, 'e2e-packages-5-check-not-started');
    await outdatedRow.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await treeRow(page, /^alpha/).first().innerText(), /1\.0 -> 2\.0/);
    assert.match(await packages.innerText(), /1 outdated · checked just now/);
    await screenshot(page, 'e2e-packages-5-outdated');
  });

  test('Find Package Across Environments lists both envs holding alpha', async () => {
    const page = wb.page;
    await runPaletteCommand(page, 'Venv Manager: Find Package Across Environments');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await page.locator('.quick-input-widget', { hasText: /any spelling/ }).waitFor({ state: 'visible', timeout: 20_000 });
    await input.fill('ALPHA');
    await page.keyboard.press('Enter');
    const rows = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'alpha 1.0' });
    await rows.nth(1).waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await rows.count(), 2);
    await screenshot(page, 'e2e-packages-6-find');
    await page.keyboard.press('Escape');
  });
});

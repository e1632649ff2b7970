// A person's view of Venv Manager in a real VS Code (code-server in Chromium): the Environments view,
// an expanded env, Create Environment from the palette, an activated terminal, and Recreate with its
// progress notification. Screenshots go to test-results/screenshots/e2e-*.png.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openWorkbench, screenshot, startCodeServer, type CodeServer, type Workbench } from '../harness/codeServer';
import { runCliAndKillAt } from '../fixtures/killAt';
import { repoRoot } from '../harness/paths';
import { contextMenuItem, escapeRegExp, expandRow, hoverUntilTooltip, newestCPython, runInlineAction, runPaletteCommand, treeRow, waitForTerminal } from './workbench';

describe('Venv Manager as a person uses it', () => {
  let server: CodeServer;
  let wb: Workbench;
  let ws: string;
  let python: { path: string; version: string };
  let interrupted: string;

  before(async () => {
    python = await newestCPython();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-e2e-'));
    ws = path.join(tmp, 'sample-workspace');
    fs.cpSync(path.join(repoRoot, 'examples', 'sample-workspace'), ws, { recursive: true });
    execFileSync(python.path, ['-m', 'venv', '--without-pip', path.join(ws, '.venv')]);
    execFileSync(python.path, ['-m', 'venv', '--without-pip', '--prompt', 'tools', path.join(ws, 'tools', 'env')]);
    // A broken env: its base interpreter is gone.
    const old = path.join(ws, 'old-env');
    execFileSync(python.path, ['-m', 'venv', '--without-pip', old]);
    const cfg = path.join(old, 'pyvenv.cfg');
    fs.writeFileSync(cfg, fs.readFileSync(cfg, 'utf8').replace(/^home = .*$/m, `home = ${path.join(tmp, 'removed-python', 'bin')}`));
    // An env a crash left half-done: the command line clears it and is killed before the commit.
    interrupted = path.join(ws, 'interrupted-env');
    execFileSync(python.path, ['-m', 'venv', '--without-pip', interrupted]);
    fs.writeFileSync(path.join(interrupted, 'before-the-crash.txt'), 'kept\n');
    await runCliAndKillAt(path.join(repoRoot, 'dist', 'cli.js'), ['clear', interrupted], 'clear:built');
    server = await startCodeServer({
      workspace: ws,
      env: { PIP_NO_INDEX: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' },
      settings: { 'terminal.integrated.defaultProfile.linux': 'bash', 'workbench.colorTheme': 'Default Dark Modern' },
    });
    wb = await openWorkbench(server);
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
  });

  test('the Environments view lists the workspace envs with version, kind and the active mark', async () => {
    const page = wb.page;
    const item = page.locator('.activitybar .action-item a[aria-label^="Venv Manager"]');
    await item.waitFor({ state: 'visible', timeout: 60_000 });
    await item.click();
    const venvRow = treeRow(page, '.venv');
    await venvRow.first().waitFor({ state: 'visible', timeout: 30_000 });
    await treeRow(page, 'tools/env').first().waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await treeRow(page, 'old-env').first().innerText(), /broken/);
    const text = await venvRow.first().innerText();
    assert.match(text, new RegExp(`${python.version.replace(/\./g, '\\.')} · venv · active`));
    await treeRow(page, 'Global').first().waitFor({ state: 'visible' });
    await screenshot(page, 'e2e-1-environments-view');
    await hoverUntilTooltip(page, treeRow(page, 'old-env').first(), /Broken/, 'e2e-1b-broken-tooltip-missing');
    await screenshot(page, 'e2e-1b-broken-tooltip');
    await page.mouse.move(900, 500);
  });

  test('an env a crash left incomplete is marked, and its inline Recover action puts it back', async () => {
    const page = wb.page;
    const row = treeRow(page, 'interrupted-env').first();
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    assert.match(await row.innerText(), /broken/);
    await hoverUntilTooltip(page, row, /Recover Interrupted Operation/, 'e2e-1c-interrupted-tooltip-missing');
    await screenshot(page, 'e2e-1c-interrupted-tooltip');
    await runInlineAction(page, row, 'Recover Interrupted Operation', page.locator('.notifications-toasts', { hasText: /Recovering interrupted-env|back as it was before the interrupted operation/ }), 'e2e-1c-recover-not-started');
    // Down into the empty part of the view, not across the hover (which would keep it open).
    await page.mouse.move(150, 600);
    await page.locator('.notifications-toasts', { hasText: /back as it was before the interrupted operation/ }).waitFor({ state: 'visible', timeout: 30_000 });
    await page.waitForFunction(`![...document.querySelectorAll('.sidebar .monaco-list-row')].some((r) => /interrupted-env/.test(r.textContent ?? '') && /broken/.test(r.textContent ?? ''))`, undefined, { timeout: 15_000 });
    await page.locator('.monaco-hover, .workbench-hover', { hasText: /Recover Interrupted Operation/ }).first().waitFor({ state: 'hidden', timeout: 10_000 });
    await page.waitForTimeout(400); // the toast slides in
    await screenshot(page, 'e2e-1d-recovered');
    assert.equal(fs.readFileSync(path.join(interrupted, 'before-the-crash.txt'), 'utf8'), 'kept\n');
    assert.deepEqual(fs.readdirSync(ws).filter((n) => n.includes('venv-manager')), []);
  });

  test('expanding an env shows its parsed pyvenv.cfg, interpreter and site-packages', async () => {
    const page = wb.page;
    await expandRow(page, treeRow(page, '.venv').first(), 'e2e-2-env-not-expanded');
    for (const key of ['home', 'include-system-site-packages', 'version', 'interpreter', 'site-packages']) {
      await treeRow(page, new RegExp(`^${key}`)).first().waitFor({ state: 'visible', timeout: 10_000 });
    }
    await screenshot(page, 'e2e-2-env-expanded');
    await treeRow(page, /^version/).first().click();
    await page.locator('.editor-instance .view-line', { hasText: 'version' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await screenshot(page, 'e2e-3-cfg-key-opened');
    await treeRow(page, '.venv').first().click();
  });

  test('Create Environment from the command palette: interpreter, name, requirements, progress, new env in the tree', async () => {
    const page = wb.page;
    await runPaletteCommand(page, 'Venv Manager: Create Environment');
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    await rows.filter({ hasText: /Python 3\.\d+/ }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'e2e-4-create-interpreter-pick');
    const firstLabel = await rows.first().innerText();
    assert.match(firstLabel, new RegExp(`Python ${python.version.replace(/\./g, '\\.')}`), 'newest first');
    await page.keyboard.press('Enter');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await page.waitForFunction(`document.querySelector('.quick-input-widget .quick-input-box input')?.value === '.venv'`, undefined, { timeout: 20_000 });
    await input.fill('e2e-env');
    await page.keyboard.press('Enter');
    await rows.filter({ hasText: 'Do not install requirements' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await screenshot(page, 'e2e-5-create-requirements-pick');
    await input.fill('Do not install');
    await page.keyboard.press('Enter');
    await page.locator('.notifications-toasts', { hasText: /Created e2e-env/ }).waitFor({ state: 'visible', timeout: 60_000 });
    await treeRow(page, 'e2e-env').first().waitFor({ state: 'visible', timeout: 20_000 });
    await screenshot(page, 'e2e-6-created');
    assert.ok(fs.existsSync(path.join(ws, 'e2e-env', 'pyvenv.cfg')));
    assert.ok(!fs.existsSync(path.join(ws, '.venv-1')));
  });

  test('a new terminal has .venv activated; deactivate works', async () => {
    const page = wb.page;
    await runPaletteCommand(page, 'Terminal: Create New Terminal');
    const terminal = page.locator('.terminal-wrapper.active .xterm-rows');
    await terminal.waitFor({ state: 'visible', timeout: 30_000 });
    // Type only once the shell has printed its prompt and the screen has settled.
    await waitForTerminal(page, terminal, (text) => text.trim().length > 0, 'a shell prompt', 'e2e-7-terminal-no-prompt');
    // Keys go to the focused element: make sure that is the terminal, not a notification or the tree.
    // xterm.js takes keys through its helper textarea.
    await page.locator('.terminal-wrapper.active .xterm-helper-textarea').focus();
    await page.keyboard.type('echo "VE=$VIRTUAL_ENV"; command -v python; deactivate; echo "after=${VIRTUAL_ENV-unset}"');
    await page.keyboard.press('Enter');
    // The output line is "after=" followed by what is left; wait for it, then say what it was.
    const text = await waitForTerminal(page, terminal, (t) => /^after=\S*/m.test(t), 'the output of the typed command', 'e2e-7-terminal-no-output');
    await screenshot(page, 'e2e-7-terminal');
    assert.match(text, /^after=unset\s*$/m, `deactivate unset VIRTUAL_ENV; the terminal showed:\n${text}`);
    assert.match(text, new RegExp(`VE=${escapeRegExp(path.join(ws, '.venv'))}`), text);
    assert.match(text, new RegExp(escapeRegExp(path.join(ws, '.venv', 'bin', 'python'))), text);
  });

  test('Recreate from requirements.txt shows a progress notification and replaces the env', async () => {
    const page = wb.page;
    const marker = path.join(ws, '.venv', 'old-env-marker');
    fs.writeFileSync(marker, '');
    await runPaletteCommand(page, 'Venv Manager: Recreate Environment from Requirements');
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout: 20_000 });
    await page.locator('.quick-input-widget .quick-input-box input').fill(path.join(ws, '.venv'));
    await rows.filter({ hasText: '.venv' }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    await rows.filter({ hasText: 'requirements.txt' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await page.keyboard.press('Enter');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 20_000 });
    assert.match(await dialog.innerText(), new RegExp(escapeRegExp(path.join(ws, '.venv'))));
    await screenshot(page, 'e2e-8-recreate-confirm');
    await dialog.locator('.monaco-button', { hasText: 'Recreate' }).first().click();
    await page.locator('.notifications-toasts', { hasText: /Recreating/ }).waitFor({ state: 'visible', timeout: 20_000 });
    await screenshot(page, 'e2e-9-recreate-progress');
    await page.locator('.notifications-toasts', { hasText: /Recreated/ }).waitFor({ state: 'visible', timeout: 120_000 });
    await screenshot(page, 'e2e-10-recreated');
    assert.ok(!fs.existsSync(marker), 'the env was replaced');
    assert.ok(fs.existsSync(path.join(ws, '.venv', 'bin', 'pip')));
  });

  test('a requirements file\'s Explorer context menu installs it into the active environment', async () => {
    const page = wb.page;
    await page.keyboard.press('Control+Shift+E');
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^requirements\.txt$/ }).first();
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    const item = await contextMenuItem(page, row, 'Install Requirements into Environment', 'e2e-10-menu-without-install');
    await page.waitForTimeout(300); // the menu fades in
    await screenshot(page, 'e2e-10b-explorer-install-menu');
    await item.click();
    await page.locator('.notifications-toasts', { hasText: /Installed requirements\.txt into / }).waitFor({ state: 'visible', timeout: 60_000 });
    await page.waitForTimeout(400);
    await screenshot(page, 'e2e-10c-explorer-installed');
    assert.deepEqual(fs.readdirSync(ws).filter((n) => n.startsWith('..venv.venv-manager')), [], 'no snapshot, lock or journal left beside .venv');
  });

  test('pip requirements files are highlighted by our grammar', async () => {
    const page = wb.page;
    const file = path.join(ws, 'extra', 'requirements-grammar.txt');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, [
      '# pinned and ranged',
      'requests[socks,security]>=2.31,<3  # comment after a requirement',
      'numpy==1.26.4; python_version < "3.13" and sys_platform != "win32"',
      '-r requirements.txt',
      '--index-url https://pypi.org/simple',
      'mypkg @ https://example.org/mypkg-1.0.tar.gz',
      '-e ./local/package',
      'flask ~= 3.0 --hash=sha256:0123abcd',
      '',
    ].join('\n'));
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    await input.fill('requirements-grammar.txt');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'requirements-grammar.txt' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await page.keyboard.press('Enter');
    await page.locator('.editor-instance .view-line', { hasText: 'numpy' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    const language = page.locator('.statusbar-item', { hasText: 'pip requirements' });
    await language.first().waitFor({ state: 'visible', timeout: 10_000 });
    await screenshot(page, 'e2e-11-requirements-grammar');
  });
});

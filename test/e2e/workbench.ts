// What the e2e tests do in the workbench as a person would (not a test file: no .test.ts).
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { findInterpreters } from '../../src/core';
import { screenshot } from '../harness/codeServer';

export async function newestCPython(): Promise<{ path: string; version: string }> {
  const found = (await findInterpreters()).filter((i) => (i.implementation ?? 'cpython') === 'cpython' && !i.freeThreaded && i.version && Number(i.version.split('.')[1]) >= 8 && i.version.startsWith('3.'));
  assert.ok(found.length > 0, 'a CPython >= 3.8 on this machine');
  return { path: found[0].path, version: found[0].version! };
}

export async function runPaletteCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor({ state: 'visible', timeout: 20_000 });
  await page.keyboard.press('Enter');
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Polls the terminal's rendered rows (the DOM renderer: gpuAcceleration is off in the harness) until
 * `done` holds for three reads in a row 300 ms apart, so the text has settled. On timeout it saves a
 * screenshot and fails with what the terminal showed, instead of a bare timeout.
 */
export async function waitForTerminal(page: Page, rows: ReturnType<Page['locator']>, done: (text: string) => boolean, what: string, shot: string, timeoutMs = 45_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let settled = 0;
  while (Date.now() < deadline) {
    const text = (await rows.innerText().catch(() => '')).replace(/\u00a0/g, ' ');
    settled = done(text) && text === last ? settled + 1 : 0;
    if (settled >= 2) return text;
    last = text;
    await page.waitForTimeout(300);
  }
  await screenshot(page, shot);
  assert.fail(`waited ${timeoutMs / 1000} s for ${what}; the terminal showed:\n${last}`);
}

export function treeRow(page: Page, text: string | RegExp) {
  return page.locator('.sidebar .monaco-list-row', { hasText: text });
}

/**
 * Hovers `row` until the hover widget showing `text` is visible. A tree row re-rendered while the
 * pointer rests on it (discovery settling, a watcher firing) loses the pending hover, and a pointer
 * that does not move does not start a new one; a person would move the mouse off and back. So:
 * move off, hover, wait; up to `attempts` times. Fails with a screenshot if the hover never shows.
 */
export async function hoverUntilTooltip(page: Page, row: ReturnType<Page['locator']>, text: RegExp, shot: string, attempts = 4): Promise<void> {
  const tooltip = page.locator('.monaco-hover, .workbench-hover', { hasText: text }).first();
  for (let attempt = 1; attempt <= attempts; attempt++) {
    await page.mouse.move(150, 600);
    await row.hover();
    if (await tooltip.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false)) return;
  }
  await screenshot(page, shot);
  assert.fail(`hovered the row ${attempts} times; no hover showing ${text} appeared`);
}

/**
 * Runs a row's inline action (`label`, shown while the row is hovered) and waits for `started`, a
 * sign that the command ran (its progress, dialog or result). A click that lands while the tree
 * redraws the row selects the row instead, so the click is repeated, up to `attempts` times, while
 * nothing has started; a command that did start is never clicked twice.
 */
export async function runInlineAction(page: Page, row: ReturnType<Page['locator']>, label: string, started: ReturnType<Page['locator']>, shot: string, attempts = 3): Promise<void> {
  const action = row.locator(`.action-label[aria-label="${label}"]`);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    await row.hover();
    await action.click({ timeout: 20_000 }).catch(() => undefined);
    if (await started.waitFor({ state: 'visible', timeout: 15_000 }).then(() => true, () => false)) return;
  }
  await screenshot(page, shot);
  assert.fail(`clicked "${label}" ${attempts} times; nothing showed that it ran`);
}

/**
 * Expands a tree row: clicks it and waits for the row to say it is expanded (aria-expanded), and
 * clicks again only if it does not (a click that landed while the row was redrawn); never clicks an
 * expanded row, which would collapse it.
 */
export async function expandRow(page: Page, row: ReturnType<Page['locator']>, shot: string, attempts = 3): Promise<void> {
  const expanded = async () => (await row.getAttribute('aria-expanded', { timeout: 10_000 }).catch(() => null)) === 'true';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (await expanded()) return;
    await row.click();
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (await expanded()) return;
      await page.waitForTimeout(200);
    }
  }
  await screenshot(page, shot);
  assert.fail(`clicked the row ${attempts} times; it did not expand`);
}

/**
 * Opens `row`'s context menu and returns its item `label`, visible. A right-click that lands while
 * the tree redraws can open the menu of the row that was there a moment before (without the item):
 * that menu is closed with Escape and the row right-clicked again, up to `attempts` times, so no
 * stray menu is left to block what comes next.
 */
export async function contextMenuItem(page: Page, row: ReturnType<Page['locator']>, label: string, shot: string, attempts = 3): Promise<ReturnType<Page['locator']>> {
  const item = page.locator('.monaco-menu .action-item', { hasText: label }).first();
  for (let attempt = 1; attempt <= attempts; attempt++) {
    await row.click({ button: 'right' });
    if (await item.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false)) return item;
    await screenshot(page, `${shot}-${attempt}`);
    await page.keyboard.press('Escape');
    await page.locator('.context-view .monaco-menu').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
  }
  assert.fail(`right-clicked the row ${attempts} times; its menu never showed "${label}"`);
}

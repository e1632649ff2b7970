import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openWorkbench, screenshot, startCodeServer, type CodeServer, type Workbench } from '../harness/codeServer';
import { repoRoot } from '../harness/paths';

describe('the Venv Manager view container, as a person sees it', () => {
  let server: CodeServer;
  let wb: Workbench;

  before(async () => {
    server = await startCodeServer({ workspace: path.join(repoRoot, 'examples', 'sample-workspace') });
    wb = await openWorkbench(server);
  });
  after(async () => {
    await wb?.close();
    await server?.stop();
  });

  test('appears in the activity bar and opens the Environments view', async () => {
    const item = wb.page.locator('.activitybar .action-item a[aria-label^="Venv Manager"]');
    await item.waitFor({ state: 'visible', timeout: 60_000 });
    await item.click();
    const header = wb.page.locator('.sidebar .composite.title h2', { hasText: /venv manager/i });
    await header.waitFor({ state: 'visible', timeout: 20_000 });
    // With a single view VS Code hides the pane header, but the pane is there.
    const view = wb.page.locator('.sidebar .pane-header[aria-label="Environments Section"]');
    await view.waitFor({ state: 'attached', timeout: 20_000 });
    const file = await screenshot(wb.page, 'activity-bar-venv-manager');
    assert.ok(file.endsWith('.png'));
    assert.equal(await item.getAttribute('aria-label').then((l) => /Venv Manager/.test(l ?? '')), true);
  });
});

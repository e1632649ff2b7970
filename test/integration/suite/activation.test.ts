import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ourExtensionId } from './extensionId';

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('activation in a workspace with Python files', () => {
  it('the workspace folder is the one prepared', () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1);
    assert.match(folders[0].uri.fsPath, /python project$/);
  });

  it('activates on workspaceContains:**/*.py without anything opened', async () => {
    const ext = vscode.extensions.getExtension(ourExtensionId());
    assert.ok(ext, `extension ${ourExtensionId()} is loaded`);
    assert.ok(await waitFor(() => ext.isActive, 15_000), 'extension became active');
  });

  it('contributes the Venv Manager view container and Environments view', async () => {
    const ext = vscode.extensions.getExtension(ourExtensionId())!;
    const containers = ext.packageJSON.contributes.viewsContainers.activitybar as { id: string; title: string }[];
    assert.deepEqual(containers.map((c) => [c.id, c.title]), [['venvManager', 'Venv Manager']]);
    await vscode.commands.executeCommand('workbench.view.extension.venvManager');
    const views = ext.packageJSON.contributes.views.venvManager as { id: string }[];
    assert.ok(views.some((v) => v.id === 'venvManager.environments'));
  });
});

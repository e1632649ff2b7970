import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ourExtensionId } from './extensionId';

describe('no activation in a workspace without Python', () => {
  it('stays inactive while no Python file or pyvenv.cfg is around', async () => {
    const ext = vscode.extensions.getExtension(ourExtensionId());
    assert.ok(ext, 'extension is installed');
    // Give workspaceContains activation time to happen if it (wrongly) would.
    await new Promise((r) => setTimeout(r, 4000));
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'data.txt'));
    await vscode.window.showTextDocument(doc);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(ext.isActive, false);
  });

  it('does activate once a Python document is opened (onLanguage:python)', async () => {
    const ext = vscode.extensions.getExtension(ourExtensionId())!;
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: 'print(1)\n' });
    await vscode.window.showTextDocument(doc);
    const end = Date.now() + 15_000;
    while (!ext.isActive && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    assert.equal(ext.isActive, true);
  });
});

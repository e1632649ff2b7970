import assert from 'node:assert/strict';
import * as vscode from 'vscode';

// Run only by test/e2e/harness.test.ts, which expects exactly one pass, one failure and one skip.
describe('harness self-check', () => {
  it('passes inside a real extension host', () => {
    assert.equal(typeof vscode.version, 'string');
    assert.ok(vscode.workspace.workspaceFolders?.length);
  });
  it('fails on purpose', () => {
    assert.equal(1 + 1, 3, 'deliberate failure');
  });
  it.skip('is skipped on purpose', () => undefined);
});

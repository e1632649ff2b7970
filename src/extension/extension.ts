import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Venv Manager', { log: true });
  context.subscriptions.push(log);
  log.info('Venv Manager activated');
}

export function deactivate(): void {}

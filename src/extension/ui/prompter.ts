import * as vscode from 'vscode';

/**
 * Every question a command asks goes through a Prompter, each with a stable `id`. Users get VS
 * Code's quick picks, input boxes and modals; integration tests install their own Prompter (through
 * the test API) to answer by id and to read what was asked.
 */
export interface Prompter {
  pick<T extends vscode.QuickPickItem>(id: string, items: T[], options: { title: string; placeHolder?: string }): Promise<T | undefined>;
  /** A multi-select (items with `picked` start checked); undefined when dismissed, [] when none is checked. */
  pickMany<T extends vscode.QuickPickItem>(id: string, items: T[], options: { title: string; placeHolder?: string }): Promise<T[] | undefined>;
  input(id: string, options: { title: string; prompt?: string; value?: string; validate?: (value: string) => string | undefined }): Promise<string | undefined>;
  /** A modal question; resolves to the chosen action's label or undefined when dismissed. */
  ask(id: string, message: string, options: { detail?: string; actions: string[] }): Promise<string | undefined>;
  /** A non-modal notification with optional buttons; resolves to the button pressed. */
  notify(id: string, kind: 'info' | 'warning' | 'error', message: string, actions?: string[]): Promise<string | undefined>;
}

export const windowPrompter: Prompter = {
  async pick(_id, items, options) {
    return vscode.window.showQuickPick(items, { title: options.title, placeHolder: options.placeHolder, ignoreFocusOut: true, matchOnDescription: true, matchOnDetail: true });
  },
  async pickMany(_id, items, options) {
    return vscode.window.showQuickPick(items, { title: options.title, placeHolder: options.placeHolder, ignoreFocusOut: true, canPickMany: true });
  },
  async input(_id, options) {
    return vscode.window.showInputBox({
      title: options.title,
      prompt: options.prompt,
      value: options.value,
      ignoreFocusOut: true,
      validateInput: options.validate,
    });
  },
  async ask(_id, message, options) {
    return vscode.window.showWarningMessage(message, { modal: true, detail: options.detail }, ...options.actions);
  },
  async notify(_id, kind, message, actions = []) {
    if (kind === 'error') return vscode.window.showErrorMessage(message, ...actions);
    if (kind === 'warning') return vscode.window.showWarningMessage(message, ...actions);
    return vscode.window.showInformationMessage(message, ...actions);
  },
};

/** Holder so the test API can swap the Prompter while commands keep one reference. */
export class PrompterHolder {
  current: Prompter = windowPrompter;
}

/**
 * The extension's words for the codes of core's errors (src/core/errors.ts), localized, and the one
 * way a command shows a failure: its summary and core's detail in a notification, the installer's
 * output in the log, and the actions of failureView.ts (Open File at the line of a bad TOML or
 * requirements file, Show Log).
 */
import * as vscode from 'vscode';
import type { ErrorCode } from '../../core/errors';
import { failureView, type FailureView } from './failureView';
import type { PrompterHolder } from './prompter';

/** Each code's sentence ('' where core's message says it all: a plain failure, a cancel, venv's own refusals). */
export function errorSummaries(): Record<ErrorCode, string> {
  return {
    'not-an-env': vscode.l10n.t('This folder is not a virtual environment.'),
    'unsafe-path': vscode.l10n.t('Venv Manager refuses to change this folder.'),
    symlink: vscode.l10n.t('The environment is a symbolic link; use the folder it points to.'),
    locked: vscode.l10n.t('Another operation is using this environment; try again when it is done.'),
    'read-only': vscode.l10n.t('The environment cannot be written.'),
    'no-requirements': vscode.l10n.t('The file to install from cannot be read.'),
    'no-interpreter': vscode.l10n.t('No Python interpreter to build it with was found; recreate it with another interpreter.'),
    'bad-interpreter': vscode.l10n.t('The Python interpreter does not work; choose another one.'),
    'needs-recreate': vscode.l10n.t('The new Python is another minor version: recreate the environment instead.'),
    'install-failed': vscode.l10n.t("The installer failed; its output is in the log."),
    'build-failed': vscode.l10n.t('Building the new environment failed.'),
    'create-failed': '',
    'uv-missing': vscode.l10n.t('uv is not installed: install it, or set venvManager.installer to pip.'),
    'bad-source': vscode.l10n.t('The file cannot be used as written.'),
    'no-wheel': vscode.l10n.t('The lock file has no wheel this environment can install.'),
    'hash-mismatch': vscode.l10n.t('A downloaded file is not the one the lock file names; nothing was installed.'),
    'download-failed': vscode.l10n.t('A file the lock file names could not be downloaded.'),
    cancelled: '',
    failed: '',
  };
}

/** The view of a failure with the extension's localized summaries. */
export function viewOf(err: unknown): FailureView {
  return failureView(err, errorSummaries());
}

/** The notification text: `{what} failed: {summary} {detail}` (or `{prefix} {detail}` for callers with their own lead). */
export function failureText(view: FailureView, what: string): string {
  return view.summary ? vscode.l10n.t('{0} failed: {1} {2}', what, view.summary, view.detail) : vscode.l10n.t('{0} failed: {1}', what, view.detail);
}

/**
 * Shows `message` for a failure as an error notification (question id `id`) with the view's actions,
 * and runs the one chosen: the installer's output is already in `log`.
 */
export async function showFailure(prompter: PrompterHolder, log: vscode.LogOutputChannel, id: string, message: string, view: FailureView): Promise<void> {
  const labels = { openFile: vscode.l10n.t('Open File'), showLog: vscode.l10n.t('Show Log') };
  const answer = await prompter.current.notify(id, 'error', message, view.actions.map((a) => labels[a]));
  if (answer === labels.showLog) log.show();
  else if (answer === labels.openFile && view.location) {
    const at = new vscode.Position(Math.max(0, (view.location.line ?? 1) - 1), Math.max(0, (view.location.column ?? 1) - 1));
    await vscode.window.showTextDocument(vscode.Uri.file(view.location.file), { selection: new vscode.Range(at, at) });
  }
}

/**
 * What the extension shows for a failure core reported (src/core/errors.ts): a summary for its code
 * in the extension's words (localized by errorMessages.ts, which passes the table in), core's own
 * message as the detail, and the actions that help: open the file at the line a TOML or
 * requirements error names, show the log that holds an installer's output. No 'vscode' here, so the
 * mapping is tested under plain Node (test/unit/extension/failureView.test.ts).
 */
import { describeFailure, type ErrorCode, type ErrorLocation } from '../../core/errors';

export type FailureAction = 'openFile' | 'showLog';

export interface FailureView {
  readonly code: ErrorCode | undefined;
  /** The extension's sentence for the code; '' when core's message says it all (and for anything unknown). */
  readonly summary: string;
  /** Core's message: the facts (paths, the lock's holder, the line of a file). */
  readonly detail: string;
  readonly output?: string;
  readonly location?: ErrorLocation;
  /** Most useful first. */
  readonly actions: readonly FailureAction[];
}

/** The view of `err`; `summaries` holds the extension's text for each code (errorMessages.ts). */
export function failureView(err: unknown, summaries: Readonly<Record<ErrorCode, string>>): FailureView {
  const failure = describeFailure(err);
  const summary = failure.code === undefined ? '' : (summaries[failure.code] ?? '');
  const actions: FailureAction[] = failure.location ? ['openFile', 'showLog'] : ['showLog'];
  return { code: failure.code, summary, detail: failure.message, actions, ...(failure.output ? { output: failure.output } : {}), ...(failure.location ? { location: failure.location } : {}) };
}

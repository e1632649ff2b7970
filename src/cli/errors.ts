/**
 * How the command line reports a failure core reported (src/core/errors.ts): core's message after
 * `Error: `, then, for some codes, what to do next in the command line's own words (its flags and
 * commands), and the exit status. Anything that is not a core error is reported as `Error: <message>`,
 * exit status 1.
 */
import { describeFailure, type ErrorCode } from '../core/errors';

export interface CliWords {
  /** A next step, in the command line's terms; none when core's message says all there is. */
  readonly hint?: string;
  readonly exitCode: number;
}

/** Exit status 1 for every failure (2 stays for bad usage, 3 for `status` out of sync). */
export const CLI_ERRORS: Readonly<Record<ErrorCode, CliWords>> = {
  'not-an-env': { exitCode: 1 },
  'unsafe-path': { exitCode: 1 },
  symlink: { hint: 'Give the real folder the link points to.', exitCode: 1 },
  locked: { exitCode: 1 },
  'read-only': { exitCode: 1 },
  'no-requirements': { exitCode: 1 },
  'no-interpreter': { hint: 'Give one with --python SPEC (a version such as 3.12, a command or a path); `venv-manager interpreters` lists those found.', exitCode: 1 },
  'bad-interpreter': { hint: 'Give another with --python SPEC; `venv-manager interpreters` lists those found.', exitCode: 1 },
  'needs-recreate': { hint: 'Run `venv-manager recreate --python SPEC --requirements FILE ENV_DIR`.', exitCode: 1 },
  'install-failed': { hint: "Run again with --verbose to see the installer's output.", exitCode: 1 },
  'build-failed': { exitCode: 1 },
  'create-failed': { exitCode: 1 },
  'uv-missing': { hint: 'Install uv, or pass --installer pip.', exitCode: 1 },
  'bad-source': { exitCode: 1 },
  'no-wheel': { exitCode: 1 },
  'hash-mismatch': { exitCode: 1 },
  'download-failed': { exitCode: 1 },
  cancelled: { exitCode: 1 },
  failed: { exitCode: 1 },
};

/** The text (ending in a newline) and exit status for a failure. */
export function cliFailure(err: unknown, opts: { verbose?: boolean } = {}): { text: string; exitCode: number } {
  const failure = describeFailure(err);
  const words = failure.code === undefined ? undefined : CLI_ERRORS[failure.code];
  // The installer's output was already printed as it ran with --verbose; its hint says so otherwise.
  const hint = words?.hint && !(failure.code === 'install-failed' && opts.verbose) ? `\n${words.hint}` : '';
  return { text: `Error: ${failure.message}${hint}\n`, exitCode: words?.exitCode ?? 1 };
}

/** What a CLI command gets: its arguments and where to write. Kept abstract so tests can capture output. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Reads one line from the terminal for a confirmation; undefined when stdin is not interactive. */
  readonly ask?: (question: string) => Promise<string | undefined>;
}

/** A subcommand's module; its name and summary are in the table of src/cli/commands.ts. */
export interface CliCommand {
  /** Full help text for `venv-manager NAME --help`. */
  readonly help: string;
  /** Returns the process exit code. Throw `CliError` for a user-facing error. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** An error whose message is shown as `Error: <message>` with exit code 1, without a stack trace. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * Recognises a CliError by name rather than by class: each command runs from its own bundle (see
 * src/cli/commands.ts), which has its own copy of the class.
 */
export function isCliError(err: unknown): err is CliError {
  return err instanceof Error && err.name === 'CliError' && typeof (err as CliError).exitCode === 'number';
}

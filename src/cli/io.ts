/** What a CLI command gets: its arguments and where to write. Kept abstract so tests can capture output. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Reads one line from the terminal for a confirmation; undefined when stdin is not interactive. */
  readonly ask?: (question: string) => Promise<string | undefined>;
}

export interface CliCommand {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
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

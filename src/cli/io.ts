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

/**
 * Runs `run` with Ctrl-C (SIGINT) and SIGTERM turned into a cancel of its signal; a second one
 * exits at once (130). Listeners stay registered for the whole run (`on`, not `once`): while a
 * child process runs, execa's exit hook re-raises a signal that finds no other listener.
 */
export async function withInterrupts<T>(io: CliIo, messages: { first: string; again: string }, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) {
      io.stderr(`${messages.again}\n`);
      process.exit(130);
    }
    io.stderr(`${messages.first}\n`);
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}

/**
 * Text for a terminal: control characters (C0, DEL, C1) and the bidirectional-override marks a
 * folder name can hold are shown escaped (`\x1b`, `\u202e`), so a name cannot move the cursor,
 * recolour or rewrite the screen. For human output only; JSON keeps every string exact.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

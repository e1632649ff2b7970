/**
 * The one error model of core: every failure a user should read is a CoreError with a `code` (what
 * kind of failure, for the caller to react to), a `message` (core's own facts: the path, the holder
 * of a lock, the line of a file — plain English, no front end's wording: no command names, flags or
 * buttons), the `cause`, an installer's or interpreter's full `output`, and the `location` in a file
 * the user wrote when there is one. The extension turns the code into localized text and an action
 * (src/extension/ui/errorMessages.ts), the command line into its own words and an exit code
 * (src/cli/errors.ts).
 */

/** Every code core reports. A front end has text for each one (tests check it) and a fallback. */
export const ERROR_CODES = [
  'not-an-env', // no pyvenv.cfg, or not a directory
  'unsafe-path', // root, home, workspace root, too shallow, a mount point inside
  'symlink', // the env path itself is a symlink
  'locked', // another operation holds the env's lock
  'read-only', // the env or its parent folder cannot be written
  'no-requirements', // the requirements file is missing or unreadable
  'no-interpreter', // the base interpreter cannot be found, or none matches a spec
  'bad-interpreter', // the interpreter given does not run or does not answer like a Python
  'needs-recreate', // upgrade across minor versions
  'install-failed', // the installer exited non-zero
  'build-failed', // creating the new env failed
  'create-failed', // creating an environment failed (venv's own refusals and file errors)
  'uv-missing', // installer 'uv' asked for but not on PATH
  'bad-source', // a pyproject.toml / pylock.toml / requirements file that cannot be used as written
  'no-wheel', // a pylock.toml package without a wheel this env can install
  'hash-mismatch', // a pylock.toml file whose size or sha256 is not what the lock says
  'download-failed', // a pylock.toml url that could not be fetched
  'cancelled',
  'failed',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** A place in a file the user wrote (1-based line and column), for "open it there". */
export interface ErrorLocation {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

export interface CoreErrorOptions {
  readonly output?: string;
  readonly cause?: unknown;
  readonly location?: ErrorLocation;
}

export class CoreError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  /** The installer's or interpreter's full output, when a program it ran failed. */
  readonly output?: string;
  readonly location?: ErrorLocation;

  constructor(code: C, message: string, options?: CoreErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CoreError';
    this.code = code;
    if (options?.output !== undefined) this.output = options.output;
    if (options?.location !== undefined) this.location = options.location;
  }
}

const CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/**
 * The code of a core error, recognised by its shape rather than its class (the command line's
 * commands are bundles of their own, each with its own copy of the class); undefined for anything
 * else (a bug, a file-system error core did not expect).
 */
export function errorCodeOf(err: unknown): ErrorCode | undefined {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && CODES.has(code) && err instanceof Error && ['CoreError', 'LifecycleError', 'VenvError', 'PythonNotFoundError'].includes(err.name) ? (code as ErrorCode) : undefined;
}

/** What every front end needs of a failure: the code (or undefined), core's message, output and location. */
export function describeFailure(err: unknown): { code: ErrorCode | undefined; message: string; output?: string; location?: ErrorLocation } {
  const code = errorCodeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code === undefined) return { code, message };
  const { output, location } = err as CoreError;
  return { code, message, ...(typeof output === 'string' && output.trim() !== '' ? { output } : {}), ...(location ? { location } : {}) };
}

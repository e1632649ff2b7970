/**
 * The one error type lifecycle operations throw. `code` lets callers (the extension, the CLI) react
 * without parsing text; `output` carries an installer's full output when an install failed.
 */
export type LifecycleErrorCode =
  | 'not-an-env'        // no pyvenv.cfg, or not a directory
  | 'unsafe-path'       // root, home, workspace root, too shallow
  | 'symlink'           // the env path itself is a symlink
  | 'locked'            // another operation holds the env's lock
  | 'read-only'         // the env or its parent folder cannot be written
  | 'no-requirements'   // the requirements file is missing or unreadable
  | 'no-interpreter'    // the base interpreter cannot be found
  | 'needs-recreate'    // upgrade across minor versions
  | 'install-failed'    // the installer exited non-zero
  | 'build-failed'      // creating the new env failed
  | 'uv-missing'        // installer 'uv' asked for but not on PATH
  | 'bad-source'        // a pyproject.toml / pylock.toml / requirements file that cannot be used as written
  | 'no-wheel'          // a pylock.toml package without a wheel this env can install
  | 'hash-mismatch'     // a pylock.toml file whose size or sha256 is not what the lock says
  | 'download-failed'   // a pylock.toml url that could not be fetched
  | 'cancelled'
  | 'failed';

export class LifecycleError extends Error {
  readonly code: LifecycleErrorCode;
  readonly output?: string;

  constructor(code: LifecycleErrorCode, message: string, options?: { output?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LifecycleError';
    this.code = code;
    if (options?.output !== undefined) this.output = options.output;
  }
}

/** Turns a file-system error on `path` into a LifecycleError with a message a user can act on. */
export function fsFailure(err: unknown, what: string, path: string): LifecycleError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (process.platform === 'win32' && (code === 'EPERM' || code === 'EBUSY')) {
    // Windows refuses to rename or delete a folder while a program runs from it.
    return new LifecycleError('failed', `Cannot ${what} ${path}: it is in use (close terminals and programs running its Python, then retry).`, { cause: err });
  }
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return new LifecycleError('read-only', `Cannot ${what} ${path}: ${code === 'EROFS' ? 'the file system is read-only' : 'permission denied'}.`, { cause: err });
  }
  if (code === 'EBUSY') {
    return new LifecycleError('failed', `Cannot ${what} ${path}: it is busy (a mount point, or in use).`, { cause: err });
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new LifecycleError('failed', `Cannot ${what} ${path}: ${detail}`, { cause: err });
}

import { CoreError, type CoreErrorOptions, type ErrorCode } from '../errors';

/**
 * The error lifecycle operations throw: a CoreError (src/core/errors.ts) whose code is one of the
 * lifecycle's. `code` lets callers react without parsing text; `output` carries an installer's full
 * output when an install failed; `location` the line of a requirements/pyproject/lock file.
 */
export type LifecycleErrorCode = Exclude<ErrorCode, 'create-failed' | 'bad-interpreter'>;

export class LifecycleError extends CoreError<LifecycleErrorCode> {
  constructor(code: LifecycleErrorCode, message: string, options?: CoreErrorOptions) {
    super(code, message, options);
    this.name = 'LifecycleError';
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

import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Venv Manager's cache folder (interpreter facts, seed images, the command line's code cache):
 * %LOCALAPPDATA%\venv-manager\Cache on Windows, else $XDG_CACHE_HOME/venv-manager (when absolute)
 * or ~/.cache/venv-manager. A module of its own so that the command line's entry can use it without
 * loading the interpreter code.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'win32' && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, 'venv-manager', 'Cache');
  const xdg = env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'venv-manager');
}

import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root (out/test/harness/*.js and test/harness/*.ts both sit three levels down). */
export const repoRoot = path.resolve(__dirname, '..', '..', __dirname.includes(`${path.sep}out${path.sep}`) ? '..' : '');

export const CODE_SERVER_VERSION = process.env.CODE_SERVER_VERSION ?? '4.99.4';

export function cacheDir(): string {
  return process.env.VENV_MANAGER_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'venv-manager');
}

export function codeServerDir(): string {
  return path.join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
}

export const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');

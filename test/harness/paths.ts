import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root: the nearest folder above this (bundled) file whose package.json is ours. */
function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'venv-manager') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no venv-manager package.json above ${start}`);
  }
}

export const repoRoot = findRepoRoot(__dirname);

export const CODE_SERVER_VERSION = process.env.CODE_SERVER_VERSION ?? '4.99.4';

export function cacheDir(): string {
  return process.env.VENV_MANAGER_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'venv-manager');
}

export function codeServerDir(): string {
  return path.join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
}

export const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');

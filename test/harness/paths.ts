import { execFileSync } from 'node:child_process';
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

/**
 * The Python extension (ms-python.python) built from its public source, for the suites that run next
 * to it: VENV_MANAGER_PYTHON_VSIX, else the workplace's shared/vendor folder beside this clone (or
 * beside the repository it was cloned from). Undefined when there is none: those suites then skip.
 */
export function pythonExtensionVsix(): string | undefined {
  const fromEnv = process.env.VENV_MANAGER_PYTHON_VSIX;
  if (fromEnv) return fs.existsSync(fromEnv) ? fromEnv : undefined;
  const roots = [repoRoot];
  try {
    const origin = execFileSync('git', ['-C', repoRoot, 'config', '--get', 'remote.origin.url'], { encoding: 'utf8' }).trim();
    if (origin && path.isAbsolute(origin)) roots.push(origin);
  } catch { /* not a clone of a local repository */ }
  for (const root of roots) {
    for (let dir = path.dirname(root); ; dir = path.dirname(dir)) {
      const vendor = path.join(dir, 'shared', 'vendor', 'ms-python.python');
      const vsix = fs.existsSync(vendor) ? fs.readdirSync(vendor).filter((f) => f.endsWith('.vsix')).sort().pop() : undefined;
      if (vsix) return path.join(vendor, vsix);
      if (path.dirname(dir) === dir) break;
    }
  }
  return undefined;
}

/**
 * The stand-in for Python Environments (its real discovery is a native binary that cannot be built
 * offline), packaged with vsce into a .vsix in a new temporary folder.
 */
export function pythonEnvironmentsStandInVsix(): string {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-standin-'));
  fs.cpSync(path.join(repoRoot, 'test', 'fixtures', 'python-envs-standin'), path.join(work, 'src'), { recursive: true });
  const vsix = path.join(work, 'python-envs-standin.vsix');
  execFileSync(process.execPath, [path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', vsix], { cwd: path.join(work, 'src'), stdio: 'pipe' });
  return vsix;
}

/**
 * Where conda keeps environments, read from files only (conda itself is never run): its list
 * `~/.conda/environments.txt`, and every folder holding a `conda-meta` folder inside the envs
 * folders it is configured with (`envs_dirs` in a condarc, CONDA_ENVS_PATH / CONDA_ENVS_DIRS,
 * `~/.conda/envs`). The second catches environments made with `--prefix`-style folders or missing
 * from a stale list.
 */
import { fsp as fs } from '../asyncFs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readRegularFileHead } from './safeRead';

const MAX_CONFIG_BYTES = 256 * 1024;

function homeOf(env: NodeJS.ProcessEnv): string {
  return env.HOME || env.USERPROFILE || os.homedir();
}

/** conda expands `~` and environment variables (`$NAME`, `${NAME}`, `%NAME%`) in configured paths. */
export function expandCondaPath(value: string, env: NodeJS.ProcessEnv): string {
  const home = homeOf(env);
  let p = value.replace(/\$\{(\w+)\}|\$(\w+)|%(\w+)%/g, (m, a: string, b: string, c: string) => env[a ?? b ?? c] ?? m);
  if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) p = path.join(home, p.slice(1));
  return p;
}

/** The `envs_dirs` list of a condarc (YAML block or flow list); [] when absent. */
export function parseEnvsDirs(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const out: string[] = [];
  const clean = (v: string) => v.replace(/\s+#.*$/, '').trim().replace(/^(['"])(.*)\1$/, '$2');
  for (let i = 0; i < lines.length; i++) {
    const m = /^envs_dirs\s*:\s*(.*)$/.exec(lines[i]);
    if (!m) continue;
    const rest = m[1].replace(/\s+#.*$/, '').trim();
    if (rest.startsWith('[')) {
      out.push(...rest.replace(/^\[|\]$/g, '').split(',').map(clean).filter(Boolean));
      continue;
    }
    for (let j = i + 1; j < lines.length; j++) {
      const item = /^\s*-\s+(.+)$/.exec(lines[j]);
      if (item) out.push(clean(item[1]));
      else if (lines[j].trim() === '' || /^\s+#/.test(lines[j])) continue;
      else break;
    }
  }
  return out.filter(Boolean);
}

/** The folders conda creates named environments in, as configured for this user. */
export async function condaEnvsDirs(env: NodeJS.ProcessEnv): Promise<string[]> {
  const home = homeOf(env);
  const dirs: string[] = [];
  for (const variable of ['CONDA_ENVS_PATH', 'CONDA_ENVS_DIRS']) {
    for (const p of (env[variable] ?? '').split(path.delimiter)) if (p.trim()) dirs.push(expandCondaPath(p.trim(), env));
  }
  const xdgConfig = env.XDG_CONFIG_HOME || path.join(home, '.config');
  const condarcs = [env.CONDARC, path.join(home, '.condarc'), path.join(xdgConfig, 'conda', '.condarc'), path.join(xdgConfig, 'conda', 'condarc'), path.join(home, '.conda', '.condarc'), path.join(home, '.conda', 'condarc')];
  for (const file of condarcs) {
    if (!file) continue;
    const head = await readRegularFileHead(file, MAX_CONFIG_BYTES);
    if (head) dirs.push(...parseEnvsDirs(head.bytes.toString('utf8')).map((d) => expandCondaPath(d, env)));
  }
  dirs.push(path.join(home, '.conda', 'envs'));
  return [...new Set(dirs.filter((d) => path.isAbsolute(d)).map((d) => path.resolve(d)))];
}

/** Environments conda knows of: its list plus every conda env in its envs folders. */
export async function condaEnvironmentDirs(env: NodeJS.ProcessEnv): Promise<string[]> {
  const listed = await readRegularFileHead(path.join(homeOf(env), '.conda', 'environments.txt'), MAX_CONFIG_BYTES);
  const fromList = listed
    ? listed.bytes.toString('utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#') && path.isAbsolute(l))
    : [];
  const inEnvsDirs = await Promise.all(
    (await condaEnvsDirs(env)).map(async (dir) => {
      const names = await fs.readdir(dir).catch(() => [] as string[]);
      const found = await Promise.all(names.map(async (n) => ((await fs.stat(path.join(dir, n, 'conda-meta')).catch(() => undefined))?.isDirectory() ? path.join(dir, n) : undefined)));
      return found.filter((d): d is string => d !== undefined);
    }),
  );
  return [...new Set([...fromList, ...inEnvsDirs.flat()].map((d) => path.resolve(d)))];
}

/**
 * Environments in a workspace and in the places tools keep them (virtualenvwrapper, pyenv, pipenv,
 * poetry, hatch, uv tools, conda, folders named in a setting). All paths come from the environment
 * variables passed in, so tests use a fake HOME. Nothing is executed.
 */
import { fsp as fs } from '../asyncFs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspectEnvironment, type BaseFactsCache, type InspectOptions } from './inspect';
import { mapLimited } from '../mapLimited';
import { condaEnvironmentDirs } from './conda';
import { scanForEnvironments, type ScanOptions, type ScanResult } from './scanner';
import type { DiscoveredEnvironment, EnvKind } from './types';

/** Inspects found folders (bounded parallelism), dropping those that turned out not to be environments. */
export async function inspectAll(
  dirs: readonly { dir: string; kind?: EnvKind; name?: string; source: string }[],
  scope: 'workspace' | 'global',
  opts: Pick<InspectOptions, 'env' | 'platform'> = {},
): Promise<DiscoveredEnvironment[]> {
  const cache: BaseFactsCache = new Map();
  const found = await mapLimited(dirs, 64, (d) =>
    inspectEnvironment(d.dir, scope, d.source, {
      ...(d.kind ? { kind: d.kind } : {}),
      ...(d.name ? { name: d.name } : {}),
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.platform ? { platform: opts.platform } : {}),
      baseFactsCache: cache,
    }),
  );
  return found.filter((e): e is DiscoveredEnvironment => e !== undefined);
}

/**
 * Every environment (folder holding a pyvenv.cfg) under `root`, at most `maxDepth` folders deep,
 * sorted by path. Skips node_modules, .git, site-packages, __pycache__ and `exclude` globs.
 * Environments are inspected while the walk goes on (at most 64 at a time).
 */
export async function findWorkspaceEnvironments(
  root: string,
  opts: ScanOptions & { env?: NodeJS.ProcessEnv } = {},
): Promise<DiscoveredEnvironment[]> {
  return (await scanWorkspace(root, opts)).environments;
}

/** findWorkspaceEnvironments, with the folders the walk could not read. */
export async function scanWorkspace(
  root: string,
  opts: ScanOptions & { env?: NodeJS.ProcessEnv; baseFactsCache?: BaseFactsCache } = {},
): Promise<{ environments: DiscoveredEnvironment[]; unreadable: ScanResult['unreadable'] }> {
  const baseFactsCache: BaseFactsCache = opts.baseFactsCache ?? new Map();
  const inspections: Promise<DiscoveredEnvironment | undefined>[] = [];
  const waiting: (() => void)[] = [];
  let running = 0;
  const inspect = async (dir: string): Promise<DiscoveredEnvironment | undefined> => {
    // A finishing inspection hands its slot straight to a waiting one.
    if (running >= 64) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await inspectEnvironment(dir, 'workspace', 'workspace', { baseFactsCache, ...(opts.env ? { env: opts.env } : {}) });
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
  const { unreadable } = await scanForEnvironments(root, {
    ...opts,
    onFound: (dir) => {
      inspections.push(inspect(dir));
      opts.onFound?.(dir);
    },
  });
  const envs = (await Promise.all(inspections)).filter((e): e is DiscoveredEnvironment => e !== undefined);
  return { environments: envs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), unreadable };
}

export interface GlobalSearchOptions {
  env?: NodeJS.ProcessEnv;
  /** Folders named in a setting (`~/.venvs`): environments in them and one level below. */
  extraFolders?: string[];
  signal?: AbortSignal;
  /** Whose conventions for the default folders (Library/Caches on macOS, AppData on Windows). Default: this OS. */
  platform?: NodeJS.Platform;
}

/** A folder tools keep environments in, and how deep below it they sit. */
export interface GlobalPlace {
  folder: string;
  source: string;
  depth: number;
  kind?: EnvKind;
}

function expandHome(p: string, home: string): string {
  return p === '~' || p.startsWith('~/') || p.startsWith('~\\') ? path.join(home, p.slice(1)) : p;
}

/** Where each tool keeps its environments, from the environment variables given (documented defaults otherwise). */
export function globalPlaces(opts: GlobalSearchOptions = {}): GlobalPlace[] {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const home = env.HOME || env.USERPROFILE || os.homedir();
  const windows = platform === 'win32';
  const mac = platform === 'darwin';
  const localAppData = env.LOCALAPPDATA || path.join(home, 'AppData', 'Local');
  // platformdirs (hatch, poetry) ignores XDG variables on macOS and Windows; pipenv and uv use XDG on every POSIX system.
  const xdgData = env.XDG_DATA_HOME || path.join(home, '.local', 'share');
  const platformData = windows ? localAppData : mac ? path.join(home, 'Library', 'Application Support') : xdgData;
  const platformCache = windows ? localAppData : mac ? path.join(home, 'Library', 'Caches') : env.XDG_CACHE_HOME || path.join(home, '.cache');
  const pyenvRoot = env.PYENV_ROOT || (windows ? path.join(home, '.pyenv', 'pyenv-win') : path.join(home, '.pyenv'));

  const places: GlobalPlace[] = [];
  // virtualenvwrapper; pipenv also uses WORKON_HOME when it is set.
  places.push({ folder: env.WORKON_HOME ? expandHome(env.WORKON_HOME, home) : path.join(home, '.virtualenvs'), source: 'WORKON_HOME', depth: 1 });
  places.push({ folder: path.join(pyenvRoot, 'versions'), source: 'pyenv', depth: 1, kind: 'pyenv' });
  // pipenv on Windows uses ~/.virtualenvs, the WORKON_HOME place above.
  if (!windows) places.push({ folder: path.join(xdgData, 'virtualenvs'), source: 'pipenv', depth: 1 });
  const poetryDir = env.POETRY_VIRTUALENVS_PATH
    ? expandHome(env.POETRY_VIRTUALENVS_PATH, home)
    : path.join(env.POETRY_CACHE_DIR ? expandHome(env.POETRY_CACHE_DIR, home) : windows ? path.join(localAppData, 'pypoetry', 'Cache') : path.join(platformCache, 'pypoetry'), 'virtualenvs');
  places.push({ folder: poetryDir, source: 'poetry', depth: 1 });
  // hatch: <data>/env/virtual/<project>/<project id>/<env name>
  const hatchData = env.HATCH_DATA_DIR ? expandHome(env.HATCH_DATA_DIR, home) : path.join(platformData, 'hatch');
  places.push({ folder: path.join(hatchData, 'env', 'virtual'), source: 'hatch', depth: 3 });
  // uv keeps one environment per installed tool.
  const uvData = windows ? path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'uv', 'data') : path.join(xdgData, 'uv');
  const uvTools = env.UV_TOOL_DIR ? expandHome(env.UV_TOOL_DIR, home) : path.join(uvData, 'tools');
  places.push({ folder: uvTools, source: 'uv', depth: 1 });
  for (const extra of opts.extraFolders ?? []) places.push({ folder: path.resolve(expandHome(extra, home)), source: 'extra', depth: 2 });
  return places;
}

/** pyenv-virtualenv keeps envs in `versions/<python>/envs/<name>` and links `versions/<name>` to them. */
async function pyenvVirtualenvDirs(versionsDir: string): Promise<{ dir: string; name: string }[]> {
  let versions: string[];
  try {
    versions = await fs.readdir(versionsDir);
  } catch {
    return [];
  }
  const perVersion = await Promise.all(
    versions.map(async (v) => {
      try {
        const names = await fs.readdir(path.join(versionsDir, v, 'envs'));
        return names.map((name) => ({ dir: path.join(versionsDir, v, 'envs', name), name }));
      } catch {
        return [];
      }
    }),
  );
  return perVersion.flat();
}

/**
 * Environments outside the workspace, in the places listed by `globalPlaces` plus pyenv-virtualenv
 * envs and conda environments (read-only, kind 'conda'). De-duplicated by real path (pyenv's
 * `versions/<name>` links), sorted by source then name.
 */
export async function findGlobalEnvironments(opts: GlobalSearchOptions = {}): Promise<DiscoveredEnvironment[]> {
  const env = opts.env ?? process.env;
  const places = globalPlaces(opts);
  const pyenvPlace = places.find((p) => p.source === 'pyenv')!;
  const [scanned, pyenvEnvs, condaDirs] = await Promise.all([
    Promise.all(
      places.map(async (place) => {
        const scan = await scanForEnvironments(place.folder, { maxDepth: place.depth, ...(opts.signal ? { signal: opts.signal } : {}) });
        return scan.envDirs.map((dir) => ({ dir, source: place.source, ...(place.kind ? { kind: place.kind } : {}) }));
      }),
    ),
    pyenvVirtualenvDirs(pyenvPlace.folder),
    condaEnvironmentDirs(env),
  ]);
  const candidates = [
    ...scanned.flat(),
    ...pyenvEnvs.map((e) => ({ dir: e.dir, name: e.name, source: 'pyenv', kind: 'pyenv' as const })),
    ...condaDirs.map((dir) => ({ dir, source: 'conda', kind: 'conda' as const })),
  ];
  const envs = await inspectAll(candidates, 'global', { env, ...(opts.platform ? { platform: opts.platform } : {}) });
  const realPaths = await Promise.all(envs.map((e) => fs.realpath(e.path).catch(() => e.path)));
  const byReal = new Map<string, DiscoveredEnvironment>();
  envs.forEach((e, i) => {
    if (!byReal.has(realPaths[i])) byReal.set(realPaths[i], e);
  });
  return [...byReal.values()].sort((a, b) => a.source.localeCompare(b.source) || a.name.localeCompare(b.name) || a.path.localeCompare(b.path));
}

/**
 * execa, loaded on first use. The product bundles keep execa in its own file (dist/execa.js), so
 * activating the extension or loading the library does not parse ~100 KB that is only needed once a
 * Python process is actually started (creating, seeding, upgrading). A plain require (not import())
 * keeps this working in every extension host, which loads extensions as CommonJS.
 */
export type Execa = typeof import('execa').execa;

let loaded: Execa | undefined;

export async function loadExeca(): Promise<Execa> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= (require('execa') as typeof import('execa')).execa;
  return loaded;
}

/**
 * The environment a program of the env at `envDir` runs in, as venv gives its own pip call:
 * VIRTUAL_ENV set, and PYTHONHOME, PYTHONPATH and `__PYVENV_LAUNCHER__` (meant for another Python)
 * removed. `base` is the caller's environment (an operation's `env` option, else process.env).
 */
export function envProcessEnv(base: NodeJS.ProcessEnv, envDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, VIRTUAL_ENV: envDir, ...extra };
  delete env.PYTHONHOME;
  delete env.PYTHONPATH;
  delete env.__PYVENV_LAUNCHER__;
  return env;
}

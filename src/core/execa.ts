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

/**
 * Kills a program started in a process group of its own (execa's `detached: true` on POSIX) together
 * with everything it started (pip's build back-ends, a wrapper's children): SIGKILL to the group.
 * Windows has no process groups: `taskkill /T /F` ends the process tree. `fallback` runs when the
 * group is already gone or cannot be signalled (it may throw: that is ignored too).
 */
export function killProcessGroup(pid: number | undefined, fallback: () => void): void {
  try {
    if (pid === undefined) fallback();
    else if (process.platform === 'win32') {
      void loadExeca()
        .then((execa) => execa('taskkill', ['/pid', String(pid), '/T', '/F'], { reject: false, stdin: 'ignore', windowsHide: true }))
        .catch(() => undefined);
    } else process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      fallback();
    } catch {
      // already gone
    }
  }
}

import type { PyvenvCfg } from '../pyvenvCfg';

/** What made an environment: read from its pyvenv.cfg and where it lives, never by running it. */
export type EnvKind = 'venv' | 'virtualenv' | 'uv' | 'conda' | 'pyenv';

export type EnvHealthCode = 'base-missing' | 'version-mismatch' | 'python-dangling' | 'cfg-unreadable' | 'cfg-malformed' | 'incomplete' | 'busy';

export interface EnvHealthProblem {
  code: EnvHealthCode;
  message: string;
}

export interface DiscoveredEnvironment {
  /** Absolute path of the environment folder (as found, not realpath'd). */
  path: string;
  /** Folder name, or for pyenv-virtualenv the name pyenv knows it by. */
  name: string;
  kind: EnvKind;
  /** Python version the environment was made with (`version` / `version_info` in pyvenv.cfg). */
  version?: string;
  /**
   * Made from a free-threaded build: its site-packages is `lib/python3.14t/` (POSIX), or its
   * Scripts hold `python3.14t.exe` (Windows).
   */
  freeThreaded?: boolean;
  /** `home` from pyvenv.cfg: the folder of the base interpreter. */
  home?: string;
  /** `home` + the environment's interpreter name: the base interpreter the env was made from. */
  baseInterpreter?: string;
  prompt?: string;
  cfg?: PyvenvCfg;
  cfgPath?: string;
  /** The environment's own interpreter (`bin/python`, `Scripts\python.exe`). Never executed here. */
  interpreterPath: string;
  binDir: string;
  sitePackages?: string;
  scope: 'workspace' | 'global';
  /** Where it was found: 'workspace', 'WORKON_HOME', 'pyenv', 'pipenv', 'poetry', 'hatch', 'conda', 'uv', 'extra'. */
  source: string;
  health: { ok: boolean; problems: EnvHealthProblem[] };
}

/** A Python installation environments can be made from. */
export interface BaseInterpreter {
  /** The path to invoke, as found (a venv made from it takes `home` and its primary name from this path). */
  path: string;
  /** From the file system only: '3.12.1' when a full version is known, '3.12' when only major.minor is. */
  version?: string;
  /** 'PATH', 'pyenv', 'system', 'registry', 'py-launcher', 'uv' */
  source: string;
  /** 'cpython', 'pypy', ... */
  implementation?: string;
  /** `realpath(path)`: interpreters are de-duplicated by it. */
  realPath?: string;
  /** A free-threaded build (`python3.13t`, pyenv `3.13.0t`). */
  freeThreaded?: boolean;
  /** Pointer width when known without running it (PEP 514 `SysArchitecture`). */
  bits?: 32 | 64;
  /** PEP 514 company/tag, for `-V:Company/Tag` specs. */
  company?: string;
  tag?: string;
}

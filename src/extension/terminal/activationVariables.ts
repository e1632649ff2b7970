/**
 * The variables that activate an environment in a new terminal, computed without 'vscode' so unit
 * tests can check them (and run the deactivate function in a real bash).
 */
import * as path from 'node:path';

import type { DiscoveredEnvironment } from '../../core';

import { fishVariables } from './fishStartup';
import { shVariables } from './shStartup';
import { zshVariables } from './zshStartup';

export interface ActivationTarget {
  /** Environment folder (VIRTUAL_ENV). */
  envPath: string;
  /** Its bin (POSIX) or Scripts (Windows) folder. */
  binDir: string;
  /** The prompt the env was made with, already unquoted; the folder name when absent. */
  prompt?: string;
  /** Folder holding our zsh `.zshenv` (see zshStartup.ts), once written; zsh gets `deactivate` then. */
  zshStartupDir?: string;
  /** The user's own ZDOTDIR, handed back by our .zshenv. */
  userZdotdir?: string;
  /** Folder holding our fish vendor_conf.d script (see fishStartup.ts), once written. */
  fishDataDir?: string;
  /** The user's own XDG_DATA_DIRS, handed back by that script. */
  userXdgDataDirs?: string;
  /** Our file for ENV (see shStartup.ts), once written; dash, ksh and other POSIX shells get `deactivate` then. */
  shEnvFile?: string;
  /** The user's own ENV, handed back by that file. */
  userEnv?: string;
  /** Where `~` and `$NAME` in the user's ENV are looked up; default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface ActivationVariables {
  /** Variables set to a value. An empty value stands for "removed": Python ignores an empty PYTHONHOME. */
  replace: Record<string, string>;
  /** Variables to which a value is prepended (PATH). */
  prepend: Record<string, string>;
}

/** Name of the environment variable from which bash imports an exported function. */
export const BASH_DEACTIVATE_VARIABLE = 'BASH_FUNC_deactivate%%';

/**
 * The target of a discovered environment. Its `prompt` is already decoded from pyvenv.cfg by
 * discovery; decoding it again would turn a prompt of `'x'` (cfg `prompt = "'x'"`) into `x`.
 */
export function activationTargetOf(env: Pick<DiscoveredEnvironment, 'path' | 'binDir' | 'prompt'>): Pick<ActivationTarget, 'envPath' | 'binDir' | 'prompt'> {
  return { envPath: env.path, binDir: env.binDir, ...(env.prompt !== undefined ? { prompt: env.prompt } : {}) };
}

export function activationVariables(target: ActivationTarget, platform: NodeJS.Platform = process.platform): ActivationVariables {
  const delimiter = platform === 'win32' ? ';' : ':';
  const prompt = target.prompt && target.prompt.trim() !== '' ? target.prompt : path.basename(target.envPath);
  const replace: Record<string, string> = {
    VIRTUAL_ENV: target.envPath,
    VIRTUAL_ENV_PROMPT: prompt,
    PYTHONHOME: '',
  };
  if (platform !== 'win32') {
    replace[BASH_DEACTIVATE_VARIABLE] = bashDeactivateFunction(target.binDir);
    if (target.zshStartupDir) Object.assign(replace, zshVariables(target.zshStartupDir, target.binDir, target.userZdotdir));
    if (target.fishDataDir) Object.assign(replace, fishVariables(target.fishDataDir, target.binDir, target.userXdgDataDirs));
    // The shell expands parameters and commands in ENV's value: a path that would expand is not used.
    if (target.shEnvFile && !/[$`\\]/.test(target.shEnvFile)) Object.assign(replace, shVariables(target.shEnvFile, target.binDir, target.userEnv, target.env));
  }
  return { replace, prepend: { PATH: target.binDir + delimiter } };
}

/** Quotes a string for a POSIX shell: single quotes, with embedded ones closed, escaped and reopened. */
export function shellSingleQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The value of BASH_FUNC_deactivate%%: bash defines `deactivate` from it at startup (and passes it on
 * to child bash shells). It undoes what the variables did: drops the env's bin folder from PATH
 * (every occurrence: VS Code prepends it at process creation and again after the rc files ran),
 * unsets VIRTUAL_ENV / VIRTUAL_ENV_PROMPT and the emptied PYTHONHOME, forgets hashed commands, and
 * removes itself. Like venv's own, `deactivate nondestructive` (called by a sourced activate script)
 * keeps the function. The bin path is embedded single-quoted and matched literally, so no character
 * in a folder name can run code or act as a glob.
 */
export function bashDeactivateFunction(binDir: string): string {
  return [
    '() {',
    `local _venv_manager_bin=${shellSingleQuote(binDir)};`,
    'PATH=":${PATH}:";',
    'while [[ "$PATH" == *:"$_venv_manager_bin":* ]]; do PATH="${PATH//:"$_venv_manager_bin":/:}"; done;',
    'PATH="${PATH#:}";',
    'PATH="${PATH%:}";',
    'export PATH;',
    'unset VIRTUAL_ENV VIRTUAL_ENV_PROMPT;',
    'if [ -z "${PYTHONHOME-unset}" ]; then unset PYTHONHOME; fi;',
    'hash -r 2>/dev/null;',
    'if [ "${1-}" != nondestructive ]; then unset -f deactivate; fi;',
    '}',
  ].join(' ');
}

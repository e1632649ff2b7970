/**
 * `deactivate` for POSIX shells: dash (Debian's and Ubuntu's sh), ksh, mksh, busybox ash and bash in
 * POSIX mode. An interactive POSIX shell reads the file named by `ENV` at start-up, so new terminals
 * get `ENV` pointing at a file of ours; it puts the user's `ENV` back (and reads that file, as the
 * shell would have), then defines `deactivate` in plain POSIX sh. No user file is edited.
 * This module does not import 'vscode' (unit tests run it in a real dash).
 */
import * as path from 'node:path';
import { writeStartupFile } from './startupFile';
import { BIN_VARIABLE } from './zshStartup';

/** Carries the user's ENV (when they had one) past ours, as written (it is given back as it was). */
export const USER_ENV_VARIABLE = 'VENV_MANAGER_USER_ENV';
/** The file the user's ENV names, expanded as the shell would (see expandEnvPath), to read. */
export const USER_ENV_FILE_VARIABLE = 'VENV_MANAGER_USER_ENV_FILE';

export const SH_ENV_TEXT = `# Written by the Venv Manager extension for terminals it activates; see docs/terminal-activation.md.
# Interactive POSIX shells read the file named by ENV. Hand ENV back to the user first, and note
# which file of theirs the shell would have read instead of this one.
if [ -n "\${${USER_ENV_VARIABLE}-}" ]; then
  ENV=$${USER_ENV_VARIABLE}
  export ENV
  _venv_manager_rc=\${${USER_ENV_FILE_VARIABLE}-}
else
  unset ENV
  # Without ENV, ksh93 and mksh read a default file of their own.
  case \${KSH_VERSION-} in
    *MIRBSD*) _venv_manager_rc=$HOME/.mkshrc ;;
    *93*) _venv_manager_rc=$HOME/.kshrc ;;
    *) _venv_manager_rc= ;;
  esac
fi
unset ${USER_ENV_VARIABLE} ${USER_ENV_FILE_VARIABLE}
if [ -n "\${${BIN_VARIABLE}+set}" ]; then
  _venv_manager_bin=$${BIN_VARIABLE}
  unset ${BIN_VARIABLE}
fi
if [ -n "\${_venv_manager_bin-}" ]; then
  deactivate() {
    # Rebuild PATH entry by entry, leaving out every copy of the env's bin folder (compared as a
    # string: no character in the folder name is special here).
    _venv_manager_rest=$PATH:
    _venv_manager_path=
    _venv_manager_first=yes
    while [ -n "$_venv_manager_rest" ]; do
      _venv_manager_entry=\${_venv_manager_rest%%:*}
      _venv_manager_rest=\${_venv_manager_rest#*:}
      if [ "$_venv_manager_entry" != "$_venv_manager_bin" ]; then
        if [ -n "$_venv_manager_first" ]; then
          _venv_manager_path=$_venv_manager_entry
          _venv_manager_first=
        else
          _venv_manager_path=$_venv_manager_path:$_venv_manager_entry
        fi
      fi
    done
    PATH=$_venv_manager_path
    export PATH
    unset _venv_manager_rest _venv_manager_path _venv_manager_first _venv_manager_entry
    unset VIRTUAL_ENV VIRTUAL_ENV_PROMPT
    if [ -z "\${PYTHONHOME-unset}" ]; then unset PYTHONHOME; fi
    hash -r 2>/dev/null
    if [ "\${1-}" != nondestructive ]; then
      unset -f deactivate
      unset _venv_manager_bin
    fi
  }
fi
if [ -n "$_venv_manager_rc" ] && [ -r "$_venv_manager_rc" ]; then
  . "$_venv_manager_rc"
fi
unset _venv_manager_rc
`;

/**
 * What an interactive shell makes of an ENV value: `~` at the start and `$NAME` / `${NAME}` are
 * expanded (from `env`); anything else is taken literally. (dash would also run command
 * substitutions; a value needing that is taken literally and, not existing, not read.)
 */
export function expandEnvPath(value: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME ?? '';
  const expanded = value.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a: string | undefined, b: string | undefined) => env[(a ?? b)!] ?? '');
  return expanded === '~' ? home : expanded.startsWith('~/') ? `${home}${expanded.slice(1)}` : expanded;
}

/** Writes `<dir>/env.sh` when missing or outdated; returns the file's path, the value for ENV. */
export async function installShStartup(dir: string): Promise<string> {
  const file = path.join(dir, 'env.sh');
  await writeStartupFile(file, SH_ENV_TEXT);
  return file;
}

/**
 * The variables that make an interactive POSIX shell read our file, given the user's ENV (if any).
 * A user ENV that already names our file (inherited from a terminal we activated) is no ENV of
 * theirs: reading it again would define `deactivate` a second time without the env's folder.
 */
export function shVariables(shEnvFile: string, binDir: string, userEnv: string | undefined, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const vars: Record<string, string> = { ENV: shEnvFile, [BIN_VARIABLE]: binDir };
  if (userEnv && path.resolve(expandEnvPath(userEnv, env)) !== path.resolve(shEnvFile)) {
    vars[USER_ENV_VARIABLE] = userEnv;
    vars[USER_ENV_FILE_VARIABLE] = expandEnvPath(userEnv, env);
  }
  return vars;
}

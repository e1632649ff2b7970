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

/** Carries the user's ENV (when they had one) past ours. */
export const USER_ENV_VARIABLE = 'VENV_MANAGER_USER_ENV';

export const SH_ENV_TEXT = `# Written by the Venv Manager extension for terminals it activates; see docs/terminal-activation.md.
# Interactive POSIX shells read the file named by ENV. Hand ENV back to the user first.
if [ -n "\${${USER_ENV_VARIABLE}-}" ]; then
  ENV=\${${USER_ENV_VARIABLE}}
  export ENV
else
  unset ENV
fi
unset ${USER_ENV_VARIABLE}
_venv_manager_bin=\${${BIN_VARIABLE}-}
unset ${BIN_VARIABLE}
if [ -n "$_venv_manager_bin" ]; then
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
# The shell expands parameters in ENV before reading the file; do the same for the user's.
if [ -n "\${ENV-}" ]; then
  case $ENV in
    *'$'*) eval "_venv_manager_env=\\"$ENV\\"" ;;
    *) _venv_manager_env=$ENV ;;
  esac
  if [ -r "$_venv_manager_env" ]; then
    . "$_venv_manager_env"
  fi
  unset _venv_manager_env
fi
`;

/** Writes `<dir>/env.sh` when missing or outdated; returns the file's path, the value for ENV. */
export async function installShStartup(dir: string): Promise<string> {
  const file = path.join(dir, 'env.sh');
  await writeStartupFile(file, SH_ENV_TEXT);
  return file;
}

/** The variables that make an interactive POSIX shell read our file, given the user's ENV (if any). */
export function shVariables(shEnvFile: string, binDir: string, userEnv: string | undefined): Record<string, string> {
  const vars: Record<string, string> = { ENV: shEnvFile, [BIN_VARIABLE]: binDir };
  if (userEnv) vars[USER_ENV_VARIABLE] = userEnv;
  return vars;
}

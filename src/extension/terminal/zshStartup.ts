/**
 * `deactivate` for zsh. zsh cannot import functions from the environment as bash does, so new
 * terminals get ZDOTDIR pointing at a folder of ours whose only file, `.zshenv`, first puts the
 * user's ZDOTDIR back (so zsh goes on to read the user's own .zshenv, .zprofile, .zshrc and
 * .zlogin as always), sources the user's .zshenv, and defines `deactivate`. No user file is edited.
 * This module does not import 'vscode' (unit tests run it in a real zsh).
 */
import * as path from 'node:path';
import { writeStartupFile } from './startupFile';

/** Carries the user's ZDOTDIR (when they had one) past ours. */
export const USER_ZDOTDIR_VARIABLE = 'VENV_MANAGER_USER_ZDOTDIR';
/** The env's bin folder, for zsh's `deactivate`. */
export const BIN_VARIABLE = 'VENV_MANAGER_BIN';

export const ZSHENV_TEXT = `# Written by the Venv Manager extension for terminals it activates; see docs/terminal-activation.md.
# Give ZDOTDIR back to the user first: zsh reads every later start-up file from it. Without one of
# their own it becomes HOME (zsh's default) rather than unset, because VS Code's zsh integration
# reads the user's files from whatever ZDOTDIR is when this file returns.
if [[ -n "\${${USER_ZDOTDIR_VARIABLE}-}" ]]; then
  ZDOTDIR="\${${USER_ZDOTDIR_VARIABLE}}"
else
  ZDOTDIR="$HOME"
fi
unset ${USER_ZDOTDIR_VARIABLE}
typeset -g _venv_manager_bin="\${${BIN_VARIABLE}-}"
unset ${BIN_VARIABLE}
if [[ -n "$_venv_manager_bin" ]]; then
  deactivate() {
    local entry
    local -a kept
    for entry in "\${path[@]}"; do
      [[ "$entry" == "$_venv_manager_bin" ]] || kept+=("$entry")
    done
    path=("\${kept[@]}")
    export PATH
    unset VIRTUAL_ENV VIRTUAL_ENV_PROMPT
    if [[ -z "\${PYTHONHOME-unset}" ]]; then unset PYTHONHOME; fi
    rehash
    if [[ "\${1-}" != nondestructive ]]; then
      unfunction deactivate
      unset _venv_manager_bin
    fi
  }
fi
if [[ -r "$ZDOTDIR/.zshenv" ]]; then
  source "$ZDOTDIR/.zshenv"
fi
`;

/** Writes `<dir>/.zshenv` when it is missing or outdated; returns the folder to use as ZDOTDIR. */
export async function installZshStartup(dir: string): Promise<string> {
  await writeStartupFile(path.join(dir, '.zshenv'), ZSHENV_TEXT);
  return dir;
}

/** The variables that route zsh through our .zshenv, given the ZDOTDIR the user has (if any). */
export function zshVariables(zshStartupDir: string, binDir: string, userZdotdir: string | undefined): Record<string, string> {
  const vars: Record<string, string> = { ZDOTDIR: zshStartupDir, [BIN_VARIABLE]: binDir };
  // A ZDOTDIR that is already ours (inherited from a terminal we activated) is no ZDOTDIR of the
  // user's: our .zshenv would read itself again.
  if (userZdotdir && path.resolve(userZdotdir) !== path.resolve(zshStartupDir)) vars[USER_ZDOTDIR_VARIABLE] = userZdotdir;
  return vars;
}

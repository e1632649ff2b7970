/**
 * `deactivate` for fish. fish reads `<dir>/fish/vendor_conf.d/*.fish` for every `<dir>` in
 * XDG_DATA_DIRS at start-up, so new terminals get our folder first in XDG_DATA_DIRS; our script puts
 * XDG_DATA_DIRS back as the user had it and defines `deactivate`. No user file is edited.
 * This module does not import 'vscode' (unit tests run it in a real fish).
 */
import * as path from 'node:path';
import { writeStartupFile } from './startupFile';
import { BIN_VARIABLE } from './zshStartup';

/** XDG_DATA_DIRS as the user had it; empty when it was unset. */
export const USER_XDG_DATA_DIRS_VARIABLE = 'VENV_MANAGER_USER_XDG_DATA_DIRS';
/** What XDG_DATA_DIRS means when unset (XDG Base Directory spec). */
const XDG_DATA_DIRS_DEFAULT = '/usr/local/share:/usr/share';

export const FISH_VENDOR_CONF_TEXT = `# Written by the Venv Manager extension for terminals it activates; see docs/terminal-activation.md.
if set -q ${USER_XDG_DATA_DIRS_VARIABLE}
    if test -n "$${USER_XDG_DATA_DIRS_VARIABLE}"
        set -gx XDG_DATA_DIRS "$${USER_XDG_DATA_DIRS_VARIABLE}"
    else
        set -e XDG_DATA_DIRS
    end
    set -e ${USER_XDG_DATA_DIRS_VARIABLE}
end
set -g _venv_manager_bin "$${BIN_VARIABLE}"
set -e ${BIN_VARIABLE}
if test -n "$_venv_manager_bin"
    function deactivate
        set -l kept
        for entry in $PATH
            if test "$entry" != "$_venv_manager_bin"
                set -a kept $entry
            end
        end
        set -gx PATH $kept
        set -e VIRTUAL_ENV
        set -e VIRTUAL_ENV_PROMPT
        if set -q PYTHONHOME; and test -z "$PYTHONHOME"
            set -e PYTHONHOME
        end
        if test "$argv[1]" != nondestructive
            functions -e deactivate
            set -e _venv_manager_bin
        end
    end
end
`;

/** Writes `<dir>/fish/vendor_conf.d/venv_manager.fish` when missing or outdated; returns `<dir>`. */
export async function installFishStartup(dir: string): Promise<string> {
  await writeStartupFile(path.join(dir, 'fish', 'vendor_conf.d', 'venv_manager.fish'), FISH_VENDOR_CONF_TEXT);
  return dir;
}

/** The variables that let fish find our script, given the user's XDG_DATA_DIRS (if any). */
export function fishVariables(fishDataDir: string, binDir: string, inherited: string | undefined): Record<string, string> {
  // Our folder in an XDG_DATA_DIRS inherited from a terminal we activated is not the user's.
  const kept = inherited?.split(':').filter((d) => d !== '' && path.resolve(d) !== path.resolve(fishDataDir)).join(':');
  const userXdgDataDirs = inherited === undefined ? undefined : kept || undefined;
  return {
    XDG_DATA_DIRS: `${fishDataDir}:${userXdgDataDirs || XDG_DATA_DIRS_DEFAULT}`,
    [USER_XDG_DATA_DIRS_VARIABLE]: userXdgDataDirs ?? '',
    [BIN_VARIABLE]: binDir,
  };
}

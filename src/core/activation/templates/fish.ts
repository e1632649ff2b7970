/**
 * `activate.fish`. Values are pasted with fish single quoting. The prompt label is printed by a
 * wrapper around the user's `fish_prompt` with `printf %s`, so it is never evaluated.
 */
export function fishActivate(label: string): string {
  return `# Activates this virtual environment in the current fish shell.
# Source it, do not run it:  source <venv>/bin/activate.fish
# Undo with: deactivate

function deactivate --description 'Leave the virtual environment'
    if set -q _OLD_VIRTUAL_PATH
        set -gx PATH $_OLD_VIRTUAL_PATH
        set -e _OLD_VIRTUAL_PATH
    end
    if set -q _OLD_VIRTUAL_PYTHONHOME
        set -gx PYTHONHOME $_OLD_VIRTUAL_PYTHONHOME
        set -e _OLD_VIRTUAL_PYTHONHOME
    end
    if functions -q _venv_saved_fish_prompt
        functions -e fish_prompt
        functions -c _venv_saved_fish_prompt fish_prompt
        functions -e _venv_saved_fish_prompt
        functions -e _venv_return_status
    end
    set -e VIRTUAL_ENV
    set -e VIRTUAL_ENV_PROMPT
    set -e _VIRTUAL_ENV_PROMPT_LABEL
    if test "$argv[1]" != nondestructive
        functions -e deactivate
    end
end

# Leave any environment that is active now, keeping the function defined.
deactivate nondestructive

set -gx VIRTUAL_ENV __VENV_DIR__

set -g _OLD_VIRTUAL_PATH $PATH
set -gx PATH "$VIRTUAL_ENV/"__VENV_BIN_NAME__ $PATH

set -gx VIRTUAL_ENV_PROMPT __VENV_PROMPT__

# A PYTHONHOME pointing elsewhere would make the environment's python load another stdlib.
if set -q PYTHONHOME
    set -g _OLD_VIRTUAL_PYTHONHOME $PYTHONHOME
    set -e PYTHONHOME
end

if test -z "$VIRTUAL_ENV_DISABLE_PROMPT"; and functions -q fish_prompt
    set -g _VIRTUAL_ENV_PROMPT_LABEL ${label}
    functions -c fish_prompt _venv_saved_fish_prompt

    # Lets the saved prompt see the exit status of the user's last command.
    function _venv_return_status
        return $argv[1]
    end

    function fish_prompt
        set -l last_status $status
        printf '%s' $_VIRTUAL_ENV_PROMPT_LABEL
        _venv_return_status $last_status
        _venv_saved_fish_prompt
    end
end
`;
}

/**
 * `activate.csh` for csh and tcsh. Values are pasted with csh quoting (`!` and newline escaped
 * outside the single quotes). `deactivate` is an alias, as csh has no functions; each step is
 * guarded with `test $?name` so csh never substitutes an undefined variable.
 */
export function cshActivate(label: string): string {
  const steps = [
    'test $?_OLD_VIRTUAL_PATH != 0 && setenv PATH "$_OLD_VIRTUAL_PATH:q" && unset _OLD_VIRTUAL_PATH',
    'test $?_OLD_VIRTUAL_PYTHONHOME != 0 && setenv PYTHONHOME "$_OLD_VIRTUAL_PYTHONHOME:q" && unset _OLD_VIRTUAL_PYTHONHOME',
    'test $?_OLD_VIRTUAL_PROMPT != 0 && set prompt="$_OLD_VIRTUAL_PROMPT:q" && unset _OLD_VIRTUAL_PROMPT',
    'unsetenv VIRTUAL_ENV',
    'unsetenv VIRTUAL_ENV_PROMPT',
    'rehash',
    'test "\\!:*" != nondestructive && unalias deactivate && unalias pydoc',
  ];
  return `# Activates this virtual environment in the current csh or tcsh.
# Source it, do not run it:  source <venv>/bin/activate.csh
# Undo with: deactivate

alias deactivate '${steps.join('; ')}'

# Leave any environment that is active now, keeping the alias defined.
deactivate nondestructive

setenv VIRTUAL_ENV __VENV_DIR__

set _OLD_VIRTUAL_PATH="$PATH:q"
setenv PATH "$VIRTUAL_ENV:q/"__VENV_BIN_NAME__":$PATH:q"

setenv VIRTUAL_ENV_PROMPT __VENV_PROMPT__

# A PYTHONHOME pointing elsewhere would make the environment's python load another stdlib.
if ($?PYTHONHOME) then
    set _OLD_VIRTUAL_PYTHONHOME="$PYTHONHOME:q"
    unsetenv PYTHONHOME
endif

set _venv_show_label = 1
if ($?VIRTUAL_ENV_DISABLE_PROMPT) then
    if ("$VIRTUAL_ENV_DISABLE_PROMPT:q" != "") then
        set _venv_show_label = 0
    endif
endif
# Non-interactive csh has no prompt to change.
if ($?prompt && $_venv_show_label) then
    set _OLD_VIRTUAL_PROMPT="$prompt:q"
    set prompt = ${label}"$prompt:q"
endif
unset _venv_show_label

alias pydoc python -m pydoc

rehash
`;
}

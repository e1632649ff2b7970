/**
 * `bin/activate` for bash, zsh, dash and other POSIX shells. Values are pasted by
 * substitutePlaceholders with POSIX single quoting, always outside double quotes.
 *
 * The prompt label is never put into PS1 as text that the shell expands again: bash (promptvars),
 * zsh (promptsubst) and dash expand `$(...)` and backticks in PS1 every time they draw it, but not
 * inside the value of a parameter PS1 refers to. Where the shell does no such expansion the label is
 * written literally, with bash's backslash and zsh's percent escapes doubled.
 */
export function posixActivate(label: string, osName: 'posix' | 'nt'): string {
  // Git Bash / MSYS / Cygwin on Windows need the env path in their own form.
  const setVirtualEnv =
    osName === 'nt'
      ? `case "$(uname 2>/dev/null || true)" in
    CYGWIN*|MSYS*|MINGW*) VIRTUAL_ENV=$(cygpath __VENV_DIR__) ;;
    *) VIRTUAL_ENV=__VENV_DIR__ ;;
esac`
      : 'VIRTUAL_ENV=__VENV_DIR__';
  return `# Activates this virtual environment in the current shell (bash, zsh, dash, ksh, ...).
# Source it, do not run it:  . ${osName === 'nt' ? 'Scripts' : 'bin'}/activate
# Undo with: deactivate

deactivate () {
    if [ -n "\${_OLD_VIRTUAL_PATH+set}" ]; then
        PATH=$_OLD_VIRTUAL_PATH
        export PATH
        unset _OLD_VIRTUAL_PATH
    fi
    if [ -n "\${_OLD_VIRTUAL_PYTHONHOME+set}" ]; then
        PYTHONHOME=$_OLD_VIRTUAL_PYTHONHOME
        export PYTHONHOME
        unset _OLD_VIRTUAL_PYTHONHOME
    fi
    if [ -n "\${_OLD_VIRTUAL_PS1+set}" ]; then
        PS1=$_OLD_VIRTUAL_PS1
        unset _OLD_VIRTUAL_PS1
    fi
    unset VIRTUAL_ENV VIRTUAL_ENV_PROMPT _VIRTUAL_ENV_PS1_LABEL
    # Forget command locations remembered while the environment was active.
    hash -r 2>/dev/null || true
    if [ "\${1-}" != nondestructive ]; then
        unset -f deactivate
    fi
}

# Leave any environment that is active now, keeping the function defined.
deactivate nondestructive

${setVirtualEnv}
export VIRTUAL_ENV

_OLD_VIRTUAL_PATH=\${PATH-}
PATH="$VIRTUAL_ENV/"__VENV_BIN_NAME__"\${PATH:+:$PATH}"
export PATH

VIRTUAL_ENV_PROMPT=__VENV_PROMPT__
export VIRTUAL_ENV_PROMPT

# A PYTHONHOME pointing elsewhere would make the environment's python load another stdlib.
if [ -n "\${PYTHONHOME+set}" ]; then
    _OLD_VIRTUAL_PYTHONHOME=$PYTHONHOME
    unset PYTHONHOME
fi

if [ -z "\${VIRTUAL_ENV_DISABLE_PROMPT-}" ]; then
    _OLD_VIRTUAL_PS1=\${PS1-}
    _VIRTUAL_ENV_PS1_LABEL=${label}
    if [ -n "\${ZSH_VERSION-}" ]; then
        _VIRTUAL_ENV_PS1_LABEL=\${_VIRTUAL_ENV_PS1_LABEL//\\%/%%}
        if [[ -o promptsubst ]]; then
            PS1='\${_VIRTUAL_ENV_PS1_LABEL}'"\${PS1-}"
        else
            PS1="\${_VIRTUAL_ENV_PS1_LABEL}\${PS1-}"
        fi
    elif [ -n "\${BASH_VERSION-}" ] && ! shopt -q promptvars; then
        PS1="\${_VIRTUAL_ENV_PS1_LABEL//\\\\/\\\\\\\\}\${PS1-}"
    else
        PS1='\${_VIRTUAL_ENV_PS1_LABEL}'"\${PS1-}"
    fi
fi

hash -r 2>/dev/null || true
`;
}

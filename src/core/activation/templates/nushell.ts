/**
 * `activate.nu` for nushell (our addition; CPython ships none). Used as an overlay, so `deactivate`
 * (= `overlay hide activate`) reverts every environment change nushell tracked for it. Values are
 * pasted as raw strings `r#'...'#`, which have no escapes at all.
 */
export function nushellActivate(label: string): string {
  return `# Activates this virtual environment in nushell:  overlay use <venv>/bin/activate.nu  (Scripts on Windows)
# Undo with: deactivate

export-env {
    let venv_dir = __VENV_DIR__
    let bin_dir = ($venv_dir | path join __VENV_BIN_NAME__)
    # Windows spells the variable Path; nushell keys are case-sensitive.
    let path_name = if ('Path' in ($env | columns)) { 'Path' } else { 'PATH' }
    let old_path = ($env | get $path_name)
    let old_list = if (($old_path | describe) == 'string') { $old_path | split row (char esep) } else { $old_path }
    let label = ${label}

    # A PYTHONHOME pointing elsewhere would make the environment's python load another stdlib.
    hide-env --ignore-errors PYTHONHOME

    # Environment changes are made at this level only (load-env), not inside if-blocks.
    let disabled = (($env.VIRTUAL_ENV_DISABLE_PROMPT? | default '') != '')
    let old_prompt = ($env.PROMPT_COMMAND? | default '')
    let prompt = if $disabled {
        {}
    } else if (($old_prompt | describe) =~ '^closure') {
        { PROMPT_COMMAND: {|| $label + (do $old_prompt) } }
    } else {
        { PROMPT_COMMAND: {|| $label + $old_prompt } }
    }

    load-env ({ VIRTUAL_ENV: $venv_dir, VIRTUAL_ENV_PROMPT: __VENV_PROMPT__ } | insert $path_name ($old_list | prepend $bin_dir) | merge $prompt)
}

export alias deactivate = overlay hide activate
`;
}

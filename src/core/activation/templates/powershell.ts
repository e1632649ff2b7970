/**
 * `Activate.ps1` for Windows PowerShell and PowerShell 7 (also on Linux/macOS). Values are pasted as
 * single-quoted (verbatim) strings. The prompt label is written with Write-Host, never evaluated.
 */
export function powershellActivate(label: string): string {
  return `# Activates this virtual environment in the current PowerShell session.
# Dot-source it:  . <venv>/bin/Activate.ps1  (Scripts on Windows)
# Undo with: deactivate

function global:deactivate ([switch] $NonDestructive) {
    if (Test-Path -LiteralPath Variable:_OLD_VIRTUAL_PATH) {
        $env:PATH = $global:_OLD_VIRTUAL_PATH
        Remove-Variable -Name _OLD_VIRTUAL_PATH -Scope Global
    }
    if (Test-Path -LiteralPath Variable:_OLD_VIRTUAL_PYTHONHOME) {
        $env:PYTHONHOME = $global:_OLD_VIRTUAL_PYTHONHOME
        Remove-Variable -Name _OLD_VIRTUAL_PYTHONHOME -Scope Global
    }
    if (Test-Path -LiteralPath Variable:_VIRTUAL_ENV_SAVED_PROMPT) {
        # The global prompt is the one visible here, so Set-Item replaces it (not a local copy).
        Set-Item -LiteralPath Function:prompt -Value $global:_VIRTUAL_ENV_SAVED_PROMPT
        Remove-Variable -Name _VIRTUAL_ENV_SAVED_PROMPT -Scope Global
    }
    if (Test-Path -LiteralPath Variable:_VIRTUAL_ENV_PROMPT_LABEL) {
        Remove-Variable -Name _VIRTUAL_ENV_PROMPT_LABEL -Scope Global
    }
    Remove-Item -LiteralPath Env:VIRTUAL_ENV -ErrorAction SilentlyContinue
    Remove-Item -LiteralPath Env:VIRTUAL_ENV_PROMPT -ErrorAction SilentlyContinue
    if (-not $NonDestructive) {
        Remove-Item -LiteralPath Function:deactivate
    }
}

# Leave any environment that is active now, keeping the function defined.
deactivate -NonDestructive

$env:VIRTUAL_ENV = __VENV_DIR__

$global:_OLD_VIRTUAL_PATH = $env:PATH
$env:PATH = (Join-Path -Path $env:VIRTUAL_ENV -ChildPath __VENV_BIN_NAME__) + [IO.Path]::PathSeparator + $env:PATH

$env:VIRTUAL_ENV_PROMPT = __VENV_PROMPT__

# A PYTHONHOME pointing elsewhere would make the environment's python load another stdlib.
if (Test-Path -LiteralPath Env:PYTHONHOME) {
    $global:_OLD_VIRTUAL_PYTHONHOME = $env:PYTHONHOME
    Remove-Item -LiteralPath Env:PYTHONHOME
}

if (-not $env:VIRTUAL_ENV_DISABLE_PROMPT) {
    $global:_VIRTUAL_ENV_PROMPT_LABEL = ${label}
    # Kept in a global variable so it survives when the script was run instead of dot-sourced.
    $global:_VIRTUAL_ENV_SAVED_PROMPT = $function:prompt
    function global:prompt {
        Write-Host -NoNewline -ForegroundColor Green $global:_VIRTUAL_ENV_PROMPT_LABEL
        & $global:_VIRTUAL_ENV_SAVED_PROMPT
    }
}
`;
}

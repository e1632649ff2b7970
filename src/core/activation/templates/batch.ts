/**
 * `activate.bat` / `deactivate.bat` for cmd.exe (CRLF line endings are added by the caller).
 * Every value sits inside `set "NAME=value"`, where cmd treats `&|<>^()` literally; the batch
 * quoting doubles `%` and `"`. The code page is switched to UTF-8 while the script runs so that
 * non-ASCII paths read from this UTF-8 file stay intact, then restored.
 */
export function batchActivate(labelAssignment: string): string {
  return `@echo off
rem Activates this virtual environment in the current cmd.exe session.
rem Undo with: deactivate

for /f "tokens=2 delims=:." %%a in ('"%SystemRoot%\\System32\\chcp.com"') do set "_VENV_OLD_CODEPAGE=%%a"
"%SystemRoot%\\System32\\chcp.com" 65001 >nul

set "VIRTUAL_ENV=__VENV_DIR__"

if defined _OLD_VIRTUAL_PROMPT (
    set "PROMPT=%_OLD_VIRTUAL_PROMPT%"
) else (
    if not defined PROMPT set "PROMPT=$P$G"
)
if defined _OLD_VIRTUAL_PYTHONHOME set "PYTHONHOME=%_OLD_VIRTUAL_PYTHONHOME%"
if defined _OLD_VIRTUAL_PATH set "PATH=%_OLD_VIRTUAL_PATH%"

set "VIRTUAL_ENV_PROMPT=__VENV_PROMPT__"
if not defined VIRTUAL_ENV_DISABLE_PROMPT (
    ${labelAssignment}
)
rem The prompt is saved only when it is changed: with VIRTUAL_ENV_DISABLE_PROMPT set, deactivate
rem must keep whatever PROMPT the user set meanwhile (gh-109940).
if not defined VIRTUAL_ENV_DISABLE_PROMPT (
    set "_OLD_VIRTUAL_PROMPT=%PROMPT%"
    rem In PROMPT a literal $ is written $$.
    set "PROMPT=%_VENV_LABEL:$=$$%%PROMPT%"
)
set "_VENV_LABEL="

if defined PYTHONHOME (
    set "_OLD_VIRTUAL_PYTHONHOME=%PYTHONHOME%"
    set "PYTHONHOME="
)

if not defined _OLD_VIRTUAL_PATH set "_OLD_VIRTUAL_PATH=%PATH%"
set "PATH=%VIRTUAL_ENV%\\__VENV_BIN_NAME__;%_OLD_VIRTUAL_PATH%"

if defined _VENV_OLD_CODEPAGE "%SystemRoot%\\System32\\chcp.com" %_VENV_OLD_CODEPAGE% >nul
set "_VENV_OLD_CODEPAGE="
`;
}

export const BATCH_DEACTIVATE = `@echo off
rem Leaves the virtual environment activated by activate.bat.

if defined _OLD_VIRTUAL_PROMPT (
    set "PROMPT=%_OLD_VIRTUAL_PROMPT%"
)
set "_OLD_VIRTUAL_PROMPT="

if defined _OLD_VIRTUAL_PYTHONHOME (
    set "PYTHONHOME=%_OLD_VIRTUAL_PYTHONHOME%"
)
set "_OLD_VIRTUAL_PYTHONHOME="

if defined _OLD_VIRTUAL_PATH (
    set "PATH=%_OLD_VIRTUAL_PATH%"
)
set "_OLD_VIRTUAL_PATH="

set "VIRTUAL_ENV="
set "VIRTUAL_ENV_PROMPT="
`;

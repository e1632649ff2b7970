/**
 * Activation scripts: our own templates for bash/zsh/sh, fish, csh/tcsh, PowerShell, cmd and
 * nushell, the per-shell quoting of the values pasted into them, and the file set CPython's venv of
 * a given version installs (spec §4).
 */
import { quoteBatch, quoteCsh, quoteFish, quoteNushell, quotePosix, quotePowerShell } from './quoting';
import { posixActivate } from './templates/posix';
import { fishActivate } from './templates/fish';
import { cshActivate } from './templates/csh';
import { powershellActivate } from './templates/powershell';
import { batchActivate, BATCH_DEACTIVATE } from './templates/batch';
import { nushellActivate } from './templates/nushell';

export { quoteBatch, quoteCsh, quoteFish, quoteNushell, quotePosix, quotePowerShell } from './quoting';

export type ScriptQuoting = 'posix' | 'fish' | 'csh' | 'powershell' | 'batch' | 'nushell' | 'none';

export interface PlaceholderValues {
  VENV_DIR: string;
  VENV_NAME: string;
  /** context.prompt of the target version: `(name) ` for 3.6-3.12, the bare prompt for 3.13+. */
  VENV_PROMPT: string;
  VENV_BIN_NAME: string;
  VENV_PYTHON: string;
}

export interface ActivationScript {
  /** Path inside bin/ (Scripts\ on Windows), `/`-separated. */
  relPath: string;
  /** Template text with placeholders and final line endings. */
  text: string;
}

/**
 * The quoting a script needs, from its file name, as CPython decides it by suffix; anything that
 * is not a known other shell is a POSIX shell script (`activate`).
 */
export function quotingForScript(fileName: string): ScriptQuoting {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.ps1')) return 'powershell';
  if (lower.endsWith('.bat') || lower.endsWith('.cmd')) return 'batch';
  if (lower.endsWith('.fish')) return 'fish';
  if (lower.endsWith('.csh') || lower.endsWith('.tcsh')) return 'csh';
  if (lower.endsWith('.nu')) return 'nushell';
  return 'posix';
}

const QUOTE: Record<ScriptQuoting, (value: string) => string> = {
  posix: quotePosix,
  fish: quoteFish,
  csh: quoteCsh,
  powershell: quotePowerShell,
  batch: quoteBatch,
  nushell: quoteNushell,
  none: (value) => value,
};

const PLACEHOLDER = /__VENV_(DIR|NAME|PROMPT|BIN_NAME|PYTHON)__/g;

/**
 * Replaces every placeholder with its quoted value in one left-to-right pass over the template, so
 * text coming from a value (a directory named `x__VENV_BIN_NAME__y`) is never substituted again.
 */
export function substitutePlaceholders(text: string, values: PlaceholderValues, quoting: ScriptQuoting): string {
  const quote = QUOTE[quoting];
  return text.replace(PLACEHOLDER, (_match, key: string) => quote(values[`VENV_${key}` as keyof PlaceholderValues]));
}

type Version = [number, number, number];

function atLeast(version: Version, major: number, minor: number): boolean {
  return version[0] > major || (version[0] === major && version[1] >= minor);
}

/**
 * The prompt label as an expression in each shell. 3.6-3.12 pass `(name) ` as VENV_PROMPT, 3.13+
 * the bare name, so the 3.13+ templates add the parentheses: both show `(name) `.
 */
function labels(parenthesised: boolean) {
  const wrap = (open: string, close: string) => (parenthesised ? '__VENV_PROMPT__' : `${open}__VENV_PROMPT__${close}`);
  return {
    posix: wrap(`'('`, `') '`),
    fish: wrap(`'('`, `') '`),
    csh: wrap(`'('`, `') '`),
    powershell: wrap(`'(' + `, ` + ') '`),
    batch: parenthesised ? 'set "_VENV_LABEL=__VENV_PROMPT__"' : 'set "_VENV_LABEL=(__VENV_PROMPT__) "',
    nushell: wrap(`('(' + `, ` + ') ')`),
  };
}

const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

/**
 * The activation scripts CPython's venv of `target.version` installs on `target.osName` (table in
 * spec §4.1), written by us, plus `activate.nu`. Texts still hold the placeholders.
 */
export function builtinActivationScripts(target: { osName: 'posix' | 'nt'; version: Version }): ActivationScript[] {
  const { osName, version } = target;
  const label = labels(!atLeast(version, 3, 13));
  const scripts: ActivationScript[] = [{ relPath: 'activate', text: posixActivate(label.posix, osName) }];
  if (osName === 'posix') {
    scripts.push({ relPath: 'activate.csh', text: cshActivate(label.csh) });
    scripts.push({ relPath: 'activate.fish', text: fishActivate(label.fish) });
    if (atLeast(version, 3, 8)) scripts.push({ relPath: 'Activate.ps1', text: powershellActivate(label.powershell) });
  } else {
    scripts.push({ relPath: 'activate.bat', text: crlf(batchActivate(label.batch)) });
    scripts.push({ relPath: 'deactivate.bat', text: crlf(BATCH_DEACTIVATE) });
    scripts.push({ relPath: 'Activate.ps1', text: powershellActivate(label.powershell) });
    if (atLeast(version, 3, 13)) scripts.push({ relPath: 'activate.fish', text: fishActivate(label.fish) });
  }
  scripts.push({ relPath: 'activate.nu', text: nushellActivate(label.nushell) });
  return scripts;
}

/**
 * Per-shell literal quoting for the values pasted into activation scripts. Each function returns a
 * word that the target shell reads back as exactly the given string, with no expansion of any kind,
 * so that a directory name or prompt can never run code when the script is sourced (CVE-2024-9287).
 */

/** Characters POSIX shells never treat specially in an unquoted word (ASCII only, as shlex). */
const POSIX_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** sh/bash/zsh/dash/ksh: single quotes protect everything; a `'` is closed, escaped and reopened. */
export function quotePosix(value: string): string {
  if (value === '') return "''";
  if (POSIX_SAFE.test(value)) return value;
  return `'${value.replace(/'/g, `'"'"'`)}'`;
}

/** fish: inside single quotes only `\\` and `\'` are escapes. */
export function quoteFish(value: string): string {
  if (value === '') return "''";
  if (POSIX_SAFE.test(value)) return value;
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/**
 * csh/tcsh: single quotes protect everything except `!` (history substitution happens even inside
 * quotes, also when a file is sourced) and newline. `!` is written outside the quotes, escaped with
 * a backslash (`'a'\!'b'`); a newline stays inside, escaped as `\` + newline.
 */
export function quoteCsh(value: string): string {
  if (value === '') return "''";
  if (POSIX_SAFE.test(value)) return value;
  const body = value
    .replace(/'/g, `'\\''`)
    .replace(/!/g, `'\\!'`)
    .replace(/\n/g, '\\\n');
  return `'${body}'`;
}

/**
 * PowerShell: a single-quoted string is verbatim; a quote is escaped by doubling it. PowerShell
 * also accepts the typographic single quotes U+2018..U+201B as quote characters, so those are
 * doubled too.
 */
export function quotePowerShell(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (c) => c + c)}'`;
}

/**
 * cmd.exe: the templates always write `set "NAME=value"`; inside those quotes `&|<>^()` are inert.
 * `%` still expands in a batch file, so it is doubled. A `"` would end the quoted region and let
 * what follows run, so it is doubled too, which keeps cmd inside the quotes (the value then holds
 * `""`; Windows paths cannot contain `"`, only a prompt can). A line break would end the command,
 * so CR/LF become spaces. `!` is literal unless the user enabled delayed expansion, and even then
 * it only expands variables, never commands.
 */
export function quoteBatch(value: string): string {
  return value.replace(/%/g, '%%').replace(/"/g, '""').replace(/\r\n|\r|\n/g, ' ');
}

/**
 * nushell: a raw string `r#'...'#` has no escapes at all; it ends at the first `'` followed by as
 * many `#` as it opened with, so one more `#` than the longest such run in the value is used.
 */
export function quoteNushell(value: string): string {
  let longest = 0;
  for (const run of value.matchAll(/'(#*)/g)) longest = Math.max(longest, run[1]!.length);
  const hashes = '#'.repeat(longest + 1);
  return `r${hashes}'${value}'${hashes}`;
}

/**
 * pyvenv.cfg: a tolerant reader (never throws, whatever the bytes) and an exact writer that
 * produces the same bytes CPython's venv writes (`key = value` lines, LF on POSIX, CRLF on Windows).
 */

export interface PyvenvCfgEntry {
  /** Key as written, trimmed (case kept). */
  readonly key: string;
  /** Value as written, trimmed. */
  readonly value: string;
  /** 1-based line number in the file. */
  readonly line: number;
}

export interface PyvenvCfg {
  /** Every `key = value` line in file order, duplicates included. */
  readonly entries: readonly PyvenvCfgEntry[];
  /** Lower-cased key -> value. Like `site.venv()`, a later duplicate overrides an earlier one. */
  readonly values: ReadonlyMap<string, string>;
  /** Human-readable notes on what was odd: lines without `=`, duplicate keys, a BOM, binary data. */
  readonly problems: readonly string[];
}

/** Files larger than this are only read this far; a real pyvenv.cfg is a few hundred bytes. */
export const PYVENV_CFG_MAX_BYTES = 64 * 1024;

export function parsePyvenvCfg(input: string | Uint8Array): PyvenvCfg {
  const problems: string[] = [];
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    let bytes = input;
    if (bytes.length > PYVENV_CFG_MAX_BYTES) {
      problems.push(`file is ${bytes.length} bytes; only the first ${PYVENV_CFG_MAX_BYTES} were read`);
      bytes = bytes.subarray(0, PYVENV_CFG_MAX_BYTES);
    }
    text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
    if (text.includes('\uFFFD')) problems.push('file is not valid UTF-8');
  }
  if (text.charCodeAt(0) === 0xfeff) {
    problems.push('file starts with a byte order mark');
    text = text.slice(1);
  }
  if (text.includes('\0')) problems.push('file contains NUL bytes');

  const entries: PyvenvCfgEntry[] = [];
  const values = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  lines.forEach((raw, index) => {
    if (raw.trim() === '' || /^\s*[#;]/.test(raw)) return;
    const eq = raw.indexOf('=');
    if (eq < 0) {
      problems.push(`line ${index + 1} has no '='`);
      return;
    }
    const key = raw.slice(0, eq).trim();
    const value = raw.slice(eq + 1).trim();
    const lower = key.toLowerCase();
    if (values.has(lower)) problems.push(`key '${lower}' appears more than once (line ${index + 1})`);
    entries.push({ key, value, line: index + 1 });
    values.set(lower, value);
  });
  return { entries, values, problems };
}

/** Writes `key = value` lines exactly as CPython's venv does. */
export function serializePyvenvCfg(pairs: ReadonlyArray<readonly [string, string]>, eol: '\n' | '\r\n' = '\n'): string {
  return pairs.map(([k, v]) => `${k} = ${v}${eol}`).join('');
}

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python's `repr()` of a str, which venv uses for the `prompt` value. */
export function pythonStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
      if (cp < 0x100) out += '\\x' + cp.toString(16).padStart(2, '0');
      else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
      else out += '\\U' + cp.toString(16).padStart(8, '0');
    } else out += ch;
  }
  return out + quote;
}

/**
 * Reads a `prompt` value back. venv writes `repr(prompt)`; uv and virtualenv write it bare.
 * Undoes one pair of surrounding quotes and the escapes `repr` produces.
 */
export function readPromptValue(value: string): string {
  const m = /^(['"])(.*)\1$/s.exec(value);
  if (!m) return value;
  return m[2].replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_all, esc: string) => {
    switch (esc[0]) {
      case 't': return '\t';
      case 'n': return '\n';
      case 'r': return '\r';
      case 'x': case 'u': case 'U': return String.fromCodePoint(parseInt(esc.slice(1), 16));
      default: return esc;
    }
  });
}

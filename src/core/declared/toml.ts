/**
 * Reading the TOML files a project declares its dependencies in, with errors that name the file,
 * line and column. TOML parsing is smol-toml's (TOML 1.0 complete, no dependencies, and its errors
 * carry line and column).
 */
import { fsp as fs } from '../asyncFs';
import { parse as parseToml, TomlError } from 'smol-toml';
import { LifecycleError } from '../lifecycle/errors';

export interface TomlDocument {
  readonly file: string;
  readonly text: string;
  readonly data: Record<string, unknown>;
}

/** 1-based line and column of the first place `needle` appears (searched after `from`, if found). */
export function positionOf(text: string, needle: string, from?: string): { line: number; column: number } | undefined {
  let start = 0;
  if (from !== undefined) {
    const at = text.indexOf(from);
    if (at >= 0) start = at;
  }
  const index = text.indexOf(needle, start);
  if (index < 0) return undefined;
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}

/** A 'bad-source' error `FILE:LINE:COLUMN: message` (the position of `needle` when it is found). */
export function sourceError(doc: { file: string; text: string }, message: string, needle?: string, from?: string, code: 'bad-source' | 'no-wheel' = 'bad-source'): LifecycleError {
  const where = needle !== undefined ? positionOf(doc.text, needle, from) : undefined;
  return new LifecycleError(code, `${doc.file}${where ? `:${where.line}:${where.column}` : ''}: ${message}`, { location: { file: doc.file, ...where } });
}

export async function readTomlFile(file: string): Promise<TomlDocument> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new LifecycleError('no-requirements', `${file} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (err as Error).message})`}.`, { cause: err });
  }
  return parseTomlText(file, text);
}

export function parseTomlText(file: string, text: string): TomlDocument {
  try {
    return { file, text, data: parseToml(text) as Record<string, unknown> };
  } catch (err) {
    if (err instanceof TomlError) {
      const first = err.message.split('\n')[0].replace(/^Invalid TOML document:\s*/, '');
      throw new LifecycleError('bad-source', `${file}:${err.line}:${err.column}: invalid TOML: ${first}`, { cause: err, location: { file, line: err.line, column: err.column } });
    }
    throw err;
  }
}

export function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

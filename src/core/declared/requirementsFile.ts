/**
 * The named requirements of a pip requirements file, for the drift check: `-r` includes followed,
 * options, constraints and comments skipped. Lines pip accepts that name no project (a bare path,
 * an editable folder without `#egg=`) are counted, not guessed.
 */
import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import { LifecycleError } from '../lifecycle/errors';
import { parseRequirement, Pep508Error, type Requirement } from './pep508';

export interface RequirementsFileContents {
  readonly requirements: readonly Requirement[];
  /** Lines that install something without naming it (paths, URLs, editables). */
  readonly unnamed: readonly string[];
}

function logicalLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const physical = text.split(/\r?\n/);
  for (let i = 0; i < physical.length; i++) {
    const start = i;
    let line = physical[i];
    while (line.endsWith('\\') && i + 1 < physical.length) line = line.slice(0, -1) + physical[++i];
    out.push({ text: line.replace(/(^|\s)#.*$/, '').trim(), line: start + 1 });
  }
  return out;
}

export async function readRequirementsFile(file: string, env: NodeJS.ProcessEnv = process.env, seen = new Set<string>()): Promise<RequirementsFileContents> {
  const abs = path.resolve(file);
  if (seen.has(abs)) return { requirements: [], unnamed: [] };
  seen.add(abs);
  let text: string;
  try {
    text = await fs.readFile(abs, 'utf8');
  } catch (err) {
    throw new LifecycleError('no-requirements', `The requirements file ${file} does not exist or cannot be read.`, { cause: err });
  }
  const requirements: Requirement[] = [];
  const unnamed: string[] = [];
  for (const { text: raw, line } of logicalLines(text)) {
    const entry = raw.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => env[name] ?? '');
    if (!entry) continue;
    const include = /^(?:-r|--requirement)(?:\s*=?\s*)(.+)$/.exec(entry);
    if (include) {
      const nested = await readRequirementsFile(path.resolve(path.dirname(abs), include[1].trim()), env, seen);
      requirements.push(...nested.requirements);
      unnamed.push(...nested.unnamed);
      continue;
    }
    const editable = /^(?:-e|--editable)(?:\s*=?\s*)(.+)$/.exec(entry);
    if (editable) {
      const egg = /#egg=([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(editable[1]);
      if (egg) requirements.push(parseRequirement(egg[1]));
      else unnamed.push(editable[1]);
      continue;
    }
    if (entry.startsWith('-')) continue; // -c, -i, --hash-only lines and other options
    const spec = entry.replace(/\s+--?[a-z][a-z-]*(=\S+|\s+\S+)?/gi, '').trim();
    if (/^(\.|\/|~|[A-Za-z][A-Za-z0-9+.-]*:\/\/)/.test(spec) || /\.(whl|zip|tar\.gz|tgz)$/i.test(spec)) {
      unnamed.push(spec);
      continue;
    }
    try {
      requirements.push(parseRequirement(spec));
    } catch (err) {
      if (err instanceof Pep508Error) throw new LifecycleError('bad-source', `${abs}:${line}:${err.offset + 1}: '${spec}' is not a valid requirement: ${err.message}.`, { location: { file: abs, line, column: err.offset + 1 } });
      throw err;
    }
  }
  return { requirements, unnamed };
}

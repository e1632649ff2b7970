/**
 * Turns a declared source into one installer call: the requirements file to give pip or uv and
 * the options it needs. A requirements file goes as it is; a pyproject selection becomes a
 * generated file (the project editable with its extras, then the groups); a lock becomes its
 * checked wheel files, installed with --no-deps so nothing is resolved.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PlannedWheel } from './pylock';
import type { DeclaredSet, DeclaredSource } from './sources';
import { fetchWheels } from './wheels';

export interface PreparedInstall {
  readonly requirements: string;
  readonly args: string[];
  /** For progress: `pyproject.toml (group dev)`. */
  readonly label: string;
}

export interface PrepareOptions {
  /** A folder the caller owns and removes afterwards (generated files, downloads). */
  readonly workDir: string;
  readonly label: string;
  /** Lock sources: only these packages' wheels (normalised names); default all. */
  readonly onlyPackages?: ReadonlySet<string>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (message: string) => void;
}

/** undefined when there is nothing to install (an empty selection, or a lock with nothing to change). */
export async function prepareInstall(source: DeclaredSource, declared: DeclaredSet, opts: PrepareOptions): Promise<PreparedInstall | undefined> {
  if (source.kind === 'requirements') return { requirements: source.file, args: [], label: opts.label };
  const generated = path.join(opts.workDir, 'requirements.txt');
  if (declared.kind === 'pylock') {
    const wanted: PlannedWheel[] = declared.plan.wheels.filter((w) => !opts.onlyPackages || opts.onlyPackages.has(w.pkg.key));
    if (wanted.length === 0) return undefined;
    opts.onProgress?.(`Checking ${wanted.length} wheel${wanted.length === 1 ? '' : 's'} from ${path.basename(source.file)}`);
    const local = await fetchWheels(wanted, {
      lockFile: source.file,
      downloadDir: opts.workDir,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    const lines = local.map((l) => `${l.planned.pkg.name} @ ${pathToFileURL(l.file).href}`);
    await fs.writeFile(generated, `${lines.join('\n')}\n`);
    return { requirements: generated, args: ['--no-deps'], label: opts.label };
  }
  const lines: string[] = [];
  if (declared.project) {
    const extras = declared.project.extras.length ? `[${declared.project.extras.join(',')}]` : '';
    // pip splits option lines as a POSIX shell would: quoted, a folder name with spaces, quotes or $ stays whole.
    lines.push(`-e "${`${declared.project.dir}${extras}`.replace(/["\\$`]/g, (c) => `\\${c}`)}"`);
  }
  lines.push(...declared.roots.map((r) => r.text));
  if (lines.length === 0) return undefined;
  await fs.writeFile(generated, `${lines.join('\n')}\n`);
  return { requirements: generated, args: [], label: opts.label };
}

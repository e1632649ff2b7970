/**
 * Turns a declared source into one installer call: the requirements file to give pip or uv and
 * the options it needs. A requirements file goes as it is; a pyproject selection becomes a
 * generated file (the project editable with its extras, then the groups); a lock becomes its
 * checked files (wheels; sdists and archives pip builds) and local folders, installed with
 * --no-deps so nothing is resolved.
 */
import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LifecycleError } from '../lifecycle/errors';
import type { PlannedPackage } from './pylock';
import type { DeclaredSet, DeclaredSource } from './sources';
import { fetchLockFiles, type PlannedFile } from './wheels';

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
  if (declared.kind === 'lock') {
    const wanted: PlannedPackage[] = declared.plan.packages.filter((w) => !opts.onlyPackages || opts.onlyPackages.has(w.pkg.key));
    if (wanted.length === 0) return undefined;
    const files = wanted.filter((w): w is PlannedPackage & PlannedFile => w.kind !== 'directory');
    opts.onProgress?.(`Checking ${files.length} file${files.length === 1 ? '' : 's'} from ${path.basename(source.file)}`);
    const local = new Map((await fetchLockFiles(files, {
      lockFile: source.file,
      downloadDir: opts.workDir,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    })).map((l) => [l.planned.pkg, l.file]));
    const lines: string[] = [];
    for (const w of wanted) {
      if (w.kind !== 'directory') {
        lines.push(`${w.pkg.name} @ ${pathToFileURL(local.get(w.pkg)!).href}`);
        continue;
      }
      const isDir = await fs.stat(w.directory.path).then((st) => st.isDirectory(), () => false);
      if (!isDir) throw new LifecycleError('no-requirements', `${source.file}: the folder ${w.directory.path} of ${w.pkg.name} does not exist. Nothing was installed.`);
      lines.push(w.directory.editable ? editableLine(w.directory.path) : `${w.pkg.name} @ ${pathToFileURL(w.directory.path).href}`);
    }
    await fs.writeFile(generated, `${lines.join('\n')}\n`);
    return { requirements: generated, args: ['--no-deps'], label: opts.label };
  }
  const lines: string[] = [];
  if (declared.project) {
    const extras = declared.project.extras.length ? `[${declared.project.extras.join(',')}]` : '';
    lines.push(editableLine(`${declared.project.dir}${extras}`));
  }
  lines.push(...declared.roots.map((r) => r.text));
  if (lines.length === 0) return undefined;
  await fs.writeFile(generated, `${lines.join('\n')}\n`);
  return { requirements: generated, args: [], label: opts.label };
}

/** `-e "DIR"`: pip splits option lines as a POSIX shell would, so a folder with spaces, quotes or $ stays whole quoted. */
function editableLine(dir: string): string {
  return `-e "${dir.replace(/["\\$`]/g, (c) => `\\${c}`)}"`;
}

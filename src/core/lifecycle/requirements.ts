import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import { LifecycleError } from './errors';

/** Folders never searched: other tools' trees, caches, and VCS data. */
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'site-packages', '__pypackages__']);

/** requirements.txt, requirements-dev.txt, dev-requirements.txt, requirements.in ... */
export function isRequirementsFileName(name: string): boolean {
  return /^([\w.-]*[-_.])?requirements([-_.][\w.-]*)?\.(txt|in)$/i.test(name);
}

export interface FindRequirementsOptions {
  /** How deep below `root` to look (root's own files are depth 0). */
  maxDepth?: number;
  signal?: AbortSignal;
}

/**
 * Requirements files of a workspace folder: the top-level `requirements*.txt` first
 * (`requirements.txt` before the rest), then the others found below, nearest first. Never looks
 * inside an env (a folder holding pyvenv.cfg), node_modules or VCS folders, nor inside another
 * repository below the root (a git submodule or nested clone: a folder holding `.git`), and follows
 * no links.
 */
export async function findRequirementsFiles(root: string, opts: FindRequirementsOptions = {}): Promise<string[]> {
  const found = await walkProjectFiles(root, opts);
  const rank = (f: (typeof found)[number]) => (f.depth === 0 && /\.txt$/i.test(f.file) ? (path.basename(f.file).toLowerCase() === 'requirements.txt' ? 0 : 1) : 2);
  found.sort((a, b) => rank(a) - rank(b) || a.depth - b.depth || a.file.localeCompare(b.file));
  return found.map((f) => f.file);
}

/**
 * The requirements files below `root` (as findRequirementsFiles describes), plus the files whose
 * name `alsoMatch` accepts (`requirements` false for those), unsorted.
 */
export async function walkProjectFiles(root: string, opts: FindRequirementsOptions = {}, alsoMatch?: (name: string) => boolean): Promise<{ file: string; depth: number; requirements: boolean }[]> {
  const maxDepth = opts.maxDepth ?? 3;
  const base = path.resolve(root);
  const found: { file: string; depth: number; requirements: boolean }[] = [];
  const visit = async (dir: string, depth: number, inRequirementsFolder: boolean): Promise<void> => {
    if (opts.signal?.aborted) return;
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.name === 'pyvenv.cfg' && !e.isDirectory())) return;
    // A submodule has a .git file, a nested clone a .git folder: their requirements are theirs.
    if (depth > 0 && entries.some((e) => e.name === '.git')) return;
    const subdirs: { path: string; requirementsFolder: boolean }[] = [];
    for (const entry of entries) {
      const p = path.join(dir, entry.name);
      if (entry.isFile()) {
        const matches = isRequirementsFileName(entry.name) || (inRequirementsFolder && /\.(txt|in)$/i.test(entry.name));
        if (matches) found.push({ file: p, depth, requirements: true });
        else if (alsoMatch?.(entry.name)) found.push({ file: p, depth, requirements: false });
      } else if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith('.')) {
        subdirs.push({ path: p, requirementsFolder: /^requirements?$/i.test(entry.name) });
      }
    }
    if (depth >= maxDepth) return;
    for (const sub of subdirs) await visit(sub.path, depth + 1, sub.requirementsFolder);
  };
  await visit(base, 0, false);
  return found;
}

/** The absolute path of a requirements file that exists and can be read, or a 'no-requirements' error. */
export async function readableRequirements(file: string): Promise<string> {
  const requirements = path.resolve(file);
  try {
    const st = await fs.stat(requirements);
    if (!st.isFile()) throw new Error('not a file');
    await fs.access(requirements, fs.constants.R_OK);
  } catch {
    throw new LifecycleError('no-requirements', `The requirements file ${file} does not exist or cannot be read.`);
  }
  return requirements;
}

/**
 * What to rescan for paths the workspace watcher reported as created. Kept free of 'vscode' so unit
 * tests can run it under plain Node.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { mapLimited } from '../../core/mapLimited';

/** More new folders than this in one burst (a checkout, an unpacked archive): one rescan instead. */
export const CREATED_FOLDERS_LIMIT = 200;
/** Created paths collected between two flushes; past this, one rescan instead (a build, a storm). */
export const CREATED_COLLECT_LIMIT = 5000;

/** Reduces paths to the outermost ones: a folder created with its contents needs one scan, not one per file. */
export function outermostPaths(created: Iterable<string>): string[] {
  // Shortest first, so every ancestor is kept before any path below it is looked at.
  const sorted = [...new Set([...created].map((p) => path.resolve(p)))].sort((a, b) => a.length - b.length);
  const kept = new Set<string>();
  for (const p of sorted) {
    let covered = false;
    for (let dir = path.dirname(p); ; dir = path.dirname(dir)) {
      if (kept.has(dir)) {
        covered = true;
        break;
      }
      if (path.dirname(dir) === dir) break;
    }
    if (!covered) kept.add(p);
  }
  return [...kept];
}

/**
 * The new folders to rescan among created paths: the outermost ones that are folders (a new file
 * in an existing folder cannot hold an environment of its own; a new pyvenv.cfg has its own
 * watcher). 'rescan' when there are too many to be worth scanning one by one.
 */
export async function planCreatedPaths(created: ReadonlySet<string>, limit = CREATED_FOLDERS_LIMIT): Promise<string[] | 'rescan'> {
  if (created.size >= CREATED_COLLECT_LIMIT) return 'rescan';
  const outer = outermostPaths(created);
  const isFolder = await mapLimited(outer, 16, (p) => fs.lstat(p).then((st) => st.isDirectory(), () => false));
  const folders = outer.filter((_p, i) => isFolder[i]);
  return folders.length > limit ? 'rescan' : folders;
}

/**
 * What to rescan for paths the workspace watcher reported as created. Kept free of 'vscode' so unit
 * tests can run it under plain Node.
 */
import * as path from 'node:path';

/** More new folders than this in one burst (a checkout, an unpacked archive): one rescan instead. */
export const CREATED_PATHS_LIMIT = 200;

/**
 * Reduces created paths to the outermost ones: a folder created together with its contents needs
 * one subtree scan, not one per file. Returns 'rescan' when even the outermost ones are too many
 * to be worth scanning one by one.
 */
export function planCreatedPaths(created: Iterable<string>, limit = CREATED_PATHS_LIMIT): string[] | 'rescan' {
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
    if (covered) continue;
    kept.add(p);
    if (kept.size > limit) return 'rescan';
  }
  return [...kept];
}

import * as path from 'node:path';

/**
 * Whether `child` is `parent` or lies below it, by path alone (no file system access; resolve
 * links first where they matter). Both are resolved, so trailing separators and `..` segments do
 * not matter; a folder merely named `..x` is inside, and on Windows another drive is outside.
 */
export function isSameOrInside(child: string, parent: string): boolean {
  const rel = path.relative(path.resolve(parent), path.resolve(child));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** Whether `child` lies below `parent` and is not `parent` itself (see isSameOrInside). */
export function isStrictlyInside(child: string, parent: string): boolean {
  return isSameOrInside(child, parent) && path.resolve(child) !== path.resolve(parent);
}

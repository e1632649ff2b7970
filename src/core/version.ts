/** Python version texts as pyvenv.cfg, file names and `--python` specs write them. */

/** Version parts that are known; `[3]` for `python3`, `[3, 12]` for `python3.12`. */
export type VersionParts = number[];

/**
 * The leading numeric parts of a version text, at most three: '3.12.1' → [3, 12, 1], '3.14.0rc1' →
 * [3, 14, 0], '3' → [3]; leading blanks are ignored; undefined when it does not start with a number.
 * The one parser of versions: discovery (any number of parts) and the lifecycle (major.minor at least)
 * read the same texts the same way.
 */
export function parseVersion(text: string): VersionParts | undefined {
  const m = /^\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return [m[1], m[2], m[3]].filter((p): p is string => p !== undefined).map(Number);
}

/**
 * Reading a wheel (a zip): entries are streamed out with yauzl, which rejects absolute and `..`
 * names; every destination is checked once more against the target directory (zip-slip).
 */
import { createWriteStream } from 'node:fs';
import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import type * as Yauzl from 'yauzl';
import { createSha256 } from '../hashing';
import { isStrictlyInside } from '../paths';

export interface UnpackedEntry {
  /** `/`-separated path inside the wheel. */
  name: string;
  /** The zip marks it executable (pip keeps the x bits of such files). */
  executable: boolean;
}

// yauzl (with zlib and streams) is loaded on the first unpack, a cache miss, not by every create.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadYauzl = () => require('yauzl') as typeof Yauzl;

function openZip(file: string): Promise<Yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    loadYauzl().open(file, { lazyEntries: true, autoClose: true, strictFileNames: true, validateEntrySizes: true }, (err, zip) =>
      err ? reject(err) : resolve(zip!),
    ),
  );
}

function openEntry(zip: Yauzl.ZipFile, entry: Yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream!))));
}

/** Resolves `name` under `root`, refusing anything that would land outside it. */
export function safeJoin(root: string, name: string): string {
  const dest = path.resolve(root, ...name.split('/'));
  if (!isStrictlyInside(dest, root)) {
    throw new Error(`The wheel entry '${name}' would be written outside ${root}`);
  }
  return dest;
}

/** Extracts every file entry of `wheel` under `destDir` (which must exist) and lists them. */
export async function unpackWheel(wheel: string, destDir: string, signal?: AbortSignal): Promise<UnpackedEntry[]> {
  const zip = await openZip(wheel);
  const entries: UnpackedEntry[] = [];
  const made = new Set<string>();
  return new Promise<UnpackedEntry[]>((resolve, reject) => {
    const fail = (err: unknown) => {
      zip.close();
      reject(err);
    };
    zip.on('error', fail);
    zip.on('end', () => resolve(entries));
    zip.on('entry', (entry: Yauzl.Entry) => {
      (async () => {
        signal?.throwIfAborted();
        if (entry.fileName.endsWith('/')) return;
        const dest = safeJoin(destDir, entry.fileName);
        const dir = path.dirname(dest);
        if (!made.has(dir)) {
          await fs.mkdir(dir, { recursive: true });
          made.add(dir);
        }
        // Unix mode bits live in the high half of the external attributes.
        const unixMode = (entry.externalFileAttributes >>> 16) & 0o777;
        const executable = (unixMode & 0o111) !== 0;
        const { pipeline } = require('node:stream/promises') as typeof import('node:stream/promises'); // eslint-disable-line @typescript-eslint/no-require-imports
        await pipeline(await openEntry(zip, entry), createWriteStream(dest, { mode: executable ? 0o755 : 0o644 }));
        entries.push({ name: entry.fileName, executable });
      })().then(() => zip.readEntry(), fail);
    });
    zip.readEntry();
  });
}

/** One row of a RECORD file: path, hash (`sha256=...` or empty), size (or empty). */
export type RecordRow = [string, string, string];

/** Parses RECORD as Python's csv module reads it (quotes, doubled quotes, CRLF or LF). */
export function parseRecord(text: string): RecordRow[] {
  const rows: RecordRow[] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  let i = 0;
  const endRow = () => {
    row.push(field);
    field = '';
    if (row.length > 1 || row[0] !== '') rows.push([row[0] ?? '', row[1] ?? '', row[2] ?? '']);
    row = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i += 1;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' || c === '\n') {
      endRow();
      if (c === '\r' && text[i + 1] === '\n') i += 1;
    } else field += c;
    i += 1;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Writes RECORD rows the way pip does: sorted, csv with CRLF line ends. */
export function formatRecord(rows: RecordRow[]): string {
  const sorted = [...rows].sort(compareTuples);
  return sorted.map((r) => r.map(csvField).join(',') + '\r\n').join('');
}

/** Python's tuple-of-str ordering (by code point). */
function compareTuples(a: RecordRow, b: RecordRow): number {
  for (let k = 0; k < 3; k++) {
    const d = compareCodePoints(a[k] ?? '', b[k] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Python's str ordering (by code point) of two JavaScript strings, without splitting them into code
 * points: at the first code unit that differs, a surrogate (half of a code point above U+FFFF) sorts
 * after any other unit, though U+E000..U+FFFF are larger units; otherwise the units' order is the
 * code points' order.
 */
function compareCodePoints(x: string, y: string): number {
  const n = Math.min(x.length, y.length);
  for (let j = 0; j < n; j++) {
    const a = x.charCodeAt(j);
    const b = y.charCodeAt(j);
    if (a === b) continue;
    const surrogateA = a >= 0xd800 && a <= 0xdfff;
    const surrogateB = b >= 0xd800 && b <= 0xdfff;
    if (surrogateA !== surrogateB) return surrogateA ? 1 : -1;
    return a - b;
  }
  return x.length - y.length;
}

/** `sha256=<urlsafe base64 without padding>` and the size, as pip's `rehash`. */
export function recordHash(bytes: Uint8Array): { hash: string; size: string } {
  const digest = createSha256().update(bytes).digest('base64url');
  return { hash: `sha256=${digest}`, size: String(bytes.length) };
}

/** `[section]` -> name -> value, as importlib.metadata reads entry_points.txt. */
export function parseEntryPoints(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1]!.trim(), current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0 || !current) continue;
    current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return sections;
}

/**
 * The files a lock names (wheels, sdists, archives), made local and checked: `path` entries are read
 * where they are, `url` entries downloaded (progress, cancel) into a folder the caller owns. Size and
 * sha256 are checked before anything is installed; a mismatch is refused naming the lock and the file.
 */
import { createReadStream } from 'node:fs';
import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSha256 } from '../hashing';
import { LifecycleError } from '../lifecycle/errors';
import type { LockFile, LockPackage } from './pylock';

/** A file to fetch and check, and the package it belongs to. */
export interface PlannedFile {
  readonly pkg: LockPackage;
  readonly file: LockFile;
}

export interface LocalFile {
  readonly planned: PlannedFile;
  /** Absolute path of the checked file. */
  readonly file: string;
}

export interface FetchOptions {
  readonly lockFile: string;
  /** Where downloads go (the caller removes it). */
  readonly downloadDir: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (message: string) => void;
}

function check(opts: FetchOptions, planned: PlannedFile, size: number, sha256: string): void {
  const { file: entry, pkg } = planned;
  if (entry.size !== undefined && entry.size !== size) {
    throw new LifecycleError('hash-mismatch', `${opts.lockFile}: ${entry.fileName} (${pkg.name}) is ${size} bytes, the lock says ${entry.size}. Nothing was installed.`);
  }
  if (entry.sha256 !== undefined && entry.sha256 !== sha256) {
    throw new LifecycleError('hash-mismatch', `${opts.lockFile}: the sha256 of ${entry.fileName} (${pkg.name}) is ${sha256}, the lock says ${entry.sha256}. Nothing was installed.`);
  }
}

async function hashFile(file: string, signal?: AbortSignal): Promise<{ size: number; sha256: string }> {
  const hash = createSha256();
  let size = 0;
  for await (const chunk of createReadStream(file, signal ? { signal } : {})) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}

async function download(url: string, dest: string, label: string, opts: FetchOptions): Promise<{ size: number; sha256: string }> {
  let response: Response;
  try {
    response = await fetch(url, opts.signal ? { signal: opts.signal } : {});
  } catch (err) {
    if (opts.signal?.aborted) throw new LifecycleError('cancelled', 'Cancelled while downloading; nothing was installed.', { cause: err });
    throw new LifecycleError('download-failed', `${opts.lockFile}: cannot download ${url}: ${(err as Error).message}. Nothing was installed.`, { cause: err });
  }
  if (!response.ok || !response.body) {
    throw new LifecycleError('download-failed', `${opts.lockFile}: downloading ${url} failed: HTTP ${response.status} ${response.statusText}. Nothing was installed.`);
  }
  const total = Number(response.headers.get('content-length') ?? 0);
  const hash = createSha256();
  const handle = await fs.open(dest, 'w');
  let size = 0;
  let lastShown: number | undefined;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      size += chunk.length;
      await handle.write(chunk);
      const pct = total > 0 ? Math.floor((size / total) * 10) * 10 : -1;
      if (pct !== lastShown) {
        lastShown = pct;
        opts.onProgress?.(total > 0 ? `Downloading ${label}: ${pct}%` : `Downloading ${label}`);
      }
    }
  } catch (err) {
    if (opts.signal?.aborted) throw new LifecycleError('cancelled', 'Cancelled while downloading; nothing was installed.', { cause: err });
    throw new LifecycleError('download-failed', `${opts.lockFile}: downloading ${url} broke off: ${(err as Error).message}. Nothing was installed.`, { cause: err });
  } finally {
    await handle.close();
  }
  return { size, sha256: hash.digest('hex') };
}

/** Every planned file as a checked local file, in plan order. */
export async function fetchLockFiles(planned: readonly PlannedFile[], opts: FetchOptions): Promise<LocalFile[]> {
  const out: LocalFile[] = [];
  for (const p of planned) {
    opts.signal?.throwIfAborted();
    const { file: entry } = p;
    let file: string;
    let facts: { size: number; sha256: string };
    const fileUrl = entry.url?.startsWith('file:') ? fileURLToPath(entry.url) : undefined;
    if (entry.path || fileUrl) {
      file = (entry.path ?? fileUrl)!;
      try {
        facts = await hashFile(file, opts.signal);
      } catch (err) {
        if (opts.signal?.aborted) throw new LifecycleError('cancelled', 'Cancelled; nothing was installed.', { cause: err });
        throw new LifecycleError('no-wheel', `${opts.lockFile}: the file ${file} of ${p.pkg.name} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Nothing was installed.`, { cause: err });
      }
    } else {
      file = path.join(opts.downloadDir, path.basename(entry.fileName));
      facts = await download(entry.url!, file, entry.fileName, opts);
    }
    check(opts, p, facts.size, facts.sha256);
    out.push({ planned: p, file });
  }
  return out;
}

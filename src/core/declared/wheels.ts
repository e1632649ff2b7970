/**
 * The wheel files a pylock.toml names, made local and checked: `path` entries are read where they
 * are, `url` entries downloaded (progress, cancel) into a folder the caller owns. Size and sha256
 * are checked before anything is installed; a mismatch is refused naming the lock and the file.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LifecycleError } from '../lifecycle/errors';
import type { PlannedWheel } from './pylock';

export interface LocalWheel {
  readonly planned: PlannedWheel;
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

function check(opts: FetchOptions, planned: PlannedWheel, size: number, sha256: string): void {
  const { wheel, pkg } = planned;
  if (wheel.size !== undefined && wheel.size !== size) {
    throw new LifecycleError('hash-mismatch', `${opts.lockFile}: ${wheel.fileName} (${pkg.name}) is ${size} bytes, the lock says ${wheel.size}. Nothing was installed.`);
  }
  if (wheel.sha256 !== undefined && wheel.sha256 !== sha256) {
    throw new LifecycleError('hash-mismatch', `${opts.lockFile}: the sha256 of ${wheel.fileName} (${pkg.name}) is ${sha256}, the lock says ${wheel.sha256}. Nothing was installed.`);
  }
}

async function hashFile(file: string, signal?: AbortSignal): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
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
  const hash = createHash('sha256');
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

/** Every planned wheel as a checked local file, in plan order. */
export async function fetchWheels(planned: readonly PlannedWheel[], opts: FetchOptions): Promise<LocalWheel[]> {
  const out: LocalWheel[] = [];
  for (const p of planned) {
    opts.signal?.throwIfAborted();
    const { wheel } = p;
    let file: string;
    let facts: { size: number; sha256: string };
    const fileUrl = wheel.url?.startsWith('file:') ? fileURLToPath(wheel.url) : undefined;
    if (wheel.path || fileUrl) {
      file = (wheel.path ?? fileUrl)!;
      try {
        facts = await hashFile(file, opts.signal);
      } catch (err) {
        if (opts.signal?.aborted) throw new LifecycleError('cancelled', 'Cancelled; nothing was installed.', { cause: err });
        throw new LifecycleError('no-wheel', `${opts.lockFile}: the wheel ${file} of ${p.pkg.name} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Nothing was installed.`, { cause: err });
      }
    } else {
      file = path.join(opts.downloadDir, path.basename(wheel.fileName));
      facts = await download(wheel.url!, file, wheel.fileName, opts);
    }
    check(opts, p, facts.size, facts.sha256);
    out.push({ planned: p, file });
  }
  return out;
}

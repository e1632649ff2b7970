/**
 * Hashes and random names without loading node:crypto where no cryptographic strength is needed:
 * loading that module (OpenSSL bindings, streams) costs a short command line about 3% of Node's
 * start-up, and `create --without-pip` needs no real hash at all.
 */
import type { Hash } from 'node:crypto';

/** A SHA-256 hash object; node:crypto is loaded on first use. */
export function createSha256(): Hash {
  return (require('node:crypto') as typeof import('node:crypto')).createHash('sha256'); // eslint-disable-line @typescript-eslint/no-require-imports
}

/**
 * `bytes` random bytes as lowercase hex, for names that must not collide with another process's
 * (temporary files, siblings, lock tokens), never for secrets: Math.random, which V8 seeds for each
 * process from the system's entropy.
 */
export function randomHex(bytes: number): string {
  let out = '';
  for (let i = 0; i < bytes; i++) out += Math.floor(Math.random() * 256).toString(16).padStart(2, '0');
  return out;
}

/**
 * FNV-1a over the UTF-16 code units of `text`, 64 bits as 16 hex digits: a file name for a key
 * that the file also holds in full and is compared on read (so a collision is only a cache miss).
 */
export function nameHash(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

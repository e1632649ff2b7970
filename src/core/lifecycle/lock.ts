import { createSha256, randomHex } from '../hashing';
import { fsp as fs } from '../asyncFs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeHolder, isStale, lockPathFor, readLock, type LockInfo } from '../envFacts';
import { processStartTime } from '../processes';
import { LifecycleError, fsFailure } from './errors';

export interface EnvLock {
  readonly path: string;
  readonly info: LockInfo;
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

async function createExclusive(lockPath: string, content: string): Promise<boolean> {
  // Write the whole content under a private name, then hard-link it into place: link() fails with
  // EEXIST if a lock exists, and a reader never sees a half-written lock.
  const tmp = `${lockPath}.${process.pid}.${randomHex(4)}.tmp`;
  try {
    // Inside the try: a write that fails half-way (disk full) must not leave the temp file behind.
    await fs.writeFile(tmp, content, { flag: 'wx' });
    await fs.link(tmp, lockPath);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
    // File systems without hard links: O_EXCL create. A reader may briefly see it empty; isStale
    // gives such a lock a grace period before it counts as abandoned.
    try {
      await fs.writeFile(lockPath, content, { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    await fs.unlink(tmp).catch(() => undefined);
  }
}

/**
 * Takes the env's lock or throws LifecycleError('locked') naming the holder. A lock left by a
 * process that no longer runs on this host is taken over.
 */
export async function acquireEnvLock(envDir: string, operation: string): Promise<EnvLock> {
  const lockPath = await lockPathFor(envDir);
  const info: LockInfo = {
    pid: process.pid,
    host: os.hostname(),
    started: new Date().toISOString(),
    ...(processStartTime(process.pid) !== undefined ? { pidStart: processStartTime(process.pid) } : {}),
    operation,
    token: randomHex(12),
  };
  const content = `${JSON.stringify(info, null, 2)}\n`;
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await createExclusive(lockPath, content)) return makeLock(lockPath, info);
      const holder = await readLock(lockPath);
      if (holder === undefined) continue; // released meanwhile: try again
      if (!isStale(holder)) {
        throw new LifecycleError('locked', `${envDir} is busy: another operation holds its lock, ${describeHolder(holder)}. Wait for it to finish (lock file ${lockPath}).`);
      }
      if (await replaceStale(lockPath, holder, content, 0)) return makeLock(lockPath, info);
    }
  } catch (err) {
    if (err instanceof LifecycleError) throw err;
    throw fsFailure(err, 'create the lock file in', path.dirname(lockPath));
  }
  throw new LifecycleError('locked', `${envDir} is busy: could not take its lock ${lockPath}.`);
}

/** The file whose exclusive creation gives the right to replace the lock at `target` that holds `token`. */
function claimPathFor(target: string, token: string): string {
  return `${target}.takeover-${createSha256().update(token).digest('hex').slice(0, 16)}`;
}

/**
 * Replaces the stale lock at `target` with `content`, as a compare-and-swap: true when the lock on
 * disk was `stale` and is now ours, false when someone else got there first.
 *
 * Moving a stale lock aside and creating a new one is two steps, and a process that moved a lock
 * taken a moment ago cannot put it back before a third process creates its own: two winners. So
 * the right to replace one particular stale lock is itself a lock, a claim file named after the
 * stale token and created exclusively. Only the claim's holder may replace that lock, and no one
 * else can create a lock while it is there, so after checking that `target` still holds the stale
 * token the holder renames its claim over it: one atomic step that both installs the new lock and
 * frees the claim name (anyone who wins the name later finds a different token and backs off).
 * A claim whose holder died is stale in turn and taken over the same way, one level down.
 */
async function replaceStale(target: string, stale: LockInfo, content: string, depth: number): Promise<boolean> {
  if (depth > 3) return false;
  const claim = claimPathFor(target, stale.token);
  let claimed = false;
  for (let attempt = 0; attempt < 3 && !claimed; attempt++) {
    if (await createExclusive(claim, content)) {
      claimed = true;
      break;
    }
    const holder = await readLock(claim);
    if (holder === undefined) continue; // the claim was used or dropped meanwhile: try again
    if (!isStale(holder)) return false; // someone alive is taking this lock over right now
    claimed = await replaceStale(claim, holder, content, depth + 1);
    if (!claimed) return false;
  }
  if (!claimed) return false;
  const current = await readLock(target);
  if (current?.token !== stale.token) {
    // The stale lock was replaced before we got its claim; the claim is ours, drop it.
    await fs.unlink(claim).catch(() => undefined);
    return false;
  }
  await fs.rename(claim, target);
  return true;
}

function makeLock(lockPath: string, info: LockInfo): EnvLock {
  let released = false;
  return {
    path: lockPath,
    info,
    async release() {
      if (released) return;
      released = true;
      const current = await readLock(lockPath);
      if (current?.token === info.token) await fs.unlink(lockPath).catch(() => undefined);
    },
  };
}

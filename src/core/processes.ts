import { readFileSync } from 'node:fs';

/**
 * The kernel's start time of a process (Linux: field 22 of /proc/PID/stat, in clock ticks since
 * boot). Stored next to a pid so a recycled pid is not mistaken for the original process.
 * undefined where /proc is not available.
 */
export function processStartTime(pid: number): string | undefined {
  // This process's own start time never changes, and reading /proc/PID/stat of a large process is
  // not free (about 1-2 ms each on a busy machine; a lock is taken and released per create).
  if (pid === process.pid && ownStart !== null) return ownStart;
  const start = readStartTime(pid);
  if (pid === process.pid) ownStart = start;
  return start;
}

/** This process's start time once read (undefined: no /proc); null: not read yet. */
let ownStart: string | undefined | null = null;

function readStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a running process that is still the one that was recorded with `startTime`. */
export function isSameProcessAlive(pid: number, startTime?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (startTime === undefined) return true;
  const now = processStartTime(pid);
  if (now === undefined) return true;
  // A zombie (exited, not yet reaped) still has a stat entry but holds nothing.
  if (isZombie(pid)) return false;
  return now === startTime;
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

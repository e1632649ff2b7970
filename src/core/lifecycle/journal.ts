import { randomHex } from '../hashing';
import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import { INCOMPLETE_CFG_LINE } from '../envFacts';

/**
 * What an operation in flight has done, written beside the env before each step that moves
 * folders, so a later run can finish or undo it after a crash. Names are basenames inside the
 * env's parent folder.
 */
export interface JournalRecord {
  readonly operation: 'recreate' | 'clear' | 'upgrade' | 'install' | 'sync';
  /** The env's own basename. */
  readonly env: string;
  /** Where the old env waits while the new one is built (recreate, clear), or its snapshot (install). */
  readonly aside?: string;
  /** Upgrade: a copy of the files upgrade rewrites, to put back on failure. */
  readonly backup?: string;
  /** An installer started by the operation (process-group leader on POSIX). */
  readonly installerPid?: number;
  readonly installerStart?: string;
  readonly started: string;
}

export async function readJournal(journalPath: string): Promise<JournalRecord | undefined> {
  let text: string;
  try {
    text = await fs.readFile(journalPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as JournalRecord;
  } catch {
    // A journal is written by rename, so a torn one means someone else wrote it: ignore it.
    return undefined;
  }
}

/** Writes atomically (temp file, fsync, rename) so a crash leaves the old or the new record. */
export async function writeJournal(journalPath: string, record: JournalRecord): Promise<void> {
  const tmp = `${journalPath}.${randomHex(4)}.tmp`;
  const handle = await fs.open(tmp, 'wx');
  try {
    await handle.writeFile(`${JSON.stringify(record, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, journalPath);
  await syncDir(path.dirname(journalPath));
}

export async function removeJournal(journalPath: string): Promise<void> {
  await fs.unlink(journalPath).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  await syncDir(path.dirname(journalPath));
}

/** Makes renames in `dir` durable; a no-op where directories cannot be opened (Windows). */
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  let handle;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

/** Rewrites the cfg without INCOMPLETE_CFG_LINE, atomically (temp file + rename). */
export async function removeIncompleteCfgLine(cfgPath: string): Promise<void> {
  const text = await fs.readFile(cfgPath, 'utf8');
  const kept = text.split(/(?<=\n)/).filter((line) => line.trimEnd() !== INCOMPLETE_CFG_LINE).join('');
  const tmp = `${cfgPath}.venv-manager-tmp`;
  const mode = (await fs.stat(cfgPath)).mode & 0o7777;
  await fs.writeFile(tmp, kept, { encoding: 'utf8', mode });
  await fs.rename(tmp, cfgPath);
}

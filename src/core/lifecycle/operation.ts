import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import { binDirOf, isInterpreterEntryName, INCOMPLETE_MARKER, isSiblingOf, journalPathFor, siblingName, isStale, readLock } from '../envFacts';
import { isSameProcessAlive, processStartTime } from '../processes';
import { killProcessGroup } from '../execa';
import { lexists } from '../fsUtil';
import { checkpoint } from './checkpoint';
import { LifecycleError, fsFailure } from './errors';
import { readJournal, removeIncompleteCfgLine, removeJournal, syncDir, writeJournal, type JournalRecord } from './journal';
import { acquireEnvLock } from './lock';
import { checkEnvDir, checkEnvPath, removeEnvTree, removeTree, type CheckedEnv } from './safety';

export interface LifecycleOptions {
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  log?: (line: string) => void;
  /** Environment for installers (PIP_* variables reach pip). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Interpreter-facts and seed cache of the EnvBuilder. */
  cacheDir?: string;
  /** The workspace folder the request came from; it (and its ancestors) are never touched. */
  workspaceRoot?: string;
}

/** What an operation body gets: the checked env and where its sibling files live. */
export interface OperationContext {
  readonly checked: CheckedEnv;
  /** `<real parent>/<name>`: the path every rename uses. */
  readonly envPath: string;
  readonly realParent: string;
  readonly name: string;
  readonly journalPath: string;
  readonly env: NodeJS.ProcessEnv;
  readonly opts: LifecycleOptions;
  readonly progress: (message: string) => void;
  readonly log: (line: string) => void;
}

/**
 * What recovery did: nothing to do; put the previous env back; kept the finished new one (removing
 * the old copy); or found the env never changed (an install killed while taking its snapshot) and
 * removed only what the operation had left beside it.
 */
export type RecoveryResult = 'none' | 'rolled-back' | 'completed' | 'unchanged';

/** True when the folder is a half-built env left by an interrupted recreate/clear. */
export async function isIncompleteEnvironment(envDir: string): Promise<boolean> {
  return lexists(path.join(envDir, INCOMPLETE_MARKER));
}

async function locate(envDirInput: string, opts: LifecycleOptions) {
  const envDir = await checkEnvPath(envDirInput, opts);
  const name = path.basename(envDir);
  let realParent: string;
  try {
    realParent = await fs.realpath(path.dirname(envDir));
  } catch {
    throw new LifecycleError('not-an-env', `${envDirInput} does not exist (its parent folder is missing).`);
  }
  const journalPath = journalPathFor(realParent, name);
  return { envDir, name, realParent, envPath: path.join(realParent, name), journalPath };
}

/**
 * Runs one lifecycle operation on an env: path refusals, the env's lock, recovery of an earlier
 * interrupted operation, then the full env check, then `body`. The lock is released however it ends.
 */
export async function runLocked<T>(envDirInput: string, operation: string, opts: LifecycleOptions, body: (ctx: OperationContext) => Promise<T>): Promise<T> {
  const where = await locate(envDirInput, opts);
  if (!(await lexists(where.envPath)) && !(await lexists(where.journalPath))) {
    throw new LifecycleError('not-an-env', `${envDirInput} does not exist.`);
  }
  const log = (line: string) => opts.log?.(line);
  const progress = (message: string) => {
    opts.onProgress?.(message);
    log(message);
  };
  const lock = await acquireEnvLock(where.envPath, operation);
  try {
    const recovered = await recoverLocked(where.realParent, where.name, log);
    if (recovered === 'rolled-back') progress('Restored the environment an interrupted operation had moved aside');
    if (recovered === 'completed') progress('Finished an interrupted operation');
    if (recovered === 'unchanged') progress('Removed what an interrupted operation left beside the environment (it had not changed it)');
    const checked = await checkEnvDir(envDirInput, opts);
    // Deleting a half-built env (a create that was killed) is what its message suggests; nothing else runs on one.
    if (operation !== 'delete' && (await isIncompleteEnvironment(checked.envDir))) {
      throw new LifecycleError('failed', `${envDirInput} is a half-built environment and the previous one is gone; delete it or recreate it from a requirements file.`);
    }
    return await body({ ...where, checked, env: opts.env ?? process.env, opts, progress, log });
  } finally {
    await lock.release();
  }
}

/**
 * Finishes or rolls back an operation that was interrupted (process killed), under the env's lock.
 * Executes nothing except killing an installer the dead operation had started.
 */
export async function recoverEnvironment(envDirInput: string, opts: LifecycleOptions = {}): Promise<RecoveryResult> {
  const where = await locate(envDirInput, opts);
  const lock = await acquireEnvLock(where.envPath, 'recover');
  try {
    return await recoverLocked(where.realParent, where.name, (l) => opts.log?.(l));
  } finally {
    await lock.release();
  }
}

async function killOrphanInstaller(record: JournalRecord, log: (line: string) => void): Promise<void> {
  const pid = record.installerPid;
  if (pid === undefined) return;
  // Where start times exist we always record one; a pid without it is not ours to kill.
  if (record.installerStart === undefined && processStartTime(process.pid) !== undefined) return;
  if (!isSameProcessAlive(pid, record.installerStart)) return;
  log(`Stopping installer process ${pid} left running by an interrupted operation`);
  killProcessGroup(pid, () => process.kill(pid, 'SIGKILL'));
  for (let i = 0; i < 100 && isSameProcessAlive(pid, record.installerStart); i++) await new Promise((r) => setTimeout(r, 50));
}

async function sweepTrash(realParent: string, name: string, log: (line: string) => void): Promise<void> {
  const prefix = `.${name}.venv-manager-trash-`;
  const quoted = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // A journal being written when its process was killed: under the lock no writer is alive.
  const journalTemp = new RegExp(`^\\.${quoted}\\.venv-manager\\.journal\\.[0-9a-f]{8}\\.tmp$`);
  // A lock being taken when its process was killed: its pid is in the name.
  const lockTemp = new RegExp(`^\\.${quoted}\\.venv-manager\\.lock\\.(\\d+)\\.[0-9a-f]{8}\\.tmp$`);
  // A claim to take a stale lock over, left by a process killed in the middle of it.
  const lockClaim = new RegExp(`^\\.${quoted}\\.venv-manager\\.lock(\\.takeover-[0-9a-f]{16})+$`);
  let entries: string[];
  try {
    entries = await fs.readdir(realParent);
  } catch {
    return;
  }
  for (const entry of entries) {
    try {
      if (entry.startsWith(prefix)) await removeTree(path.join(realParent, entry));
      else if (journalTemp.test(entry)) await fs.unlink(path.join(realParent, entry));
      else if (lockClaim.test(entry)) {
        const claim = await readLock(path.join(realParent, entry));
        if (claim !== undefined && isStale(claim)) await fs.unlink(path.join(realParent, entry));
      }
      else {
        const pid = lockTemp.exec(entry)?.[1];
        if (pid !== undefined && Number(pid) !== process.pid && !isSameProcessAlive(Number(pid))) await fs.unlink(path.join(realParent, entry));
      }
    } catch (err) {
      log(`Could not remove ${entry}: ${(err as Error).message}`);
    }
  }
}

async function recoverLocked(realParent: string, name: string, log: (line: string) => void): Promise<RecoveryResult> {
  const journalPath = journalPathFor(realParent, name);
  const record = await readJournal(journalPath);
  let result: RecoveryResult = 'none';
  if (record) {
    await killOrphanInstaller(record, log);
    const envPath = path.join(realParent, name);
    // The journal is a file anyone who can write the parent folder may have put there (a cloned
    // repository, say): only the sibling names our own operations make are followed, so recovery
    // never renames or removes anything outside this env's hidden siblings.
    for (const [field, kind] of [['aside', 'old'], ['backup', 'backup']] as const) {
      if (record[field] !== undefined && !isSiblingOf(name, kind, record[field])) {
        log(`Ignoring ${field} = ${JSON.stringify(record[field])} in ${journalPath}: not a folder this environment's operations make`);
      }
    }
    if (isSiblingOf(name, 'old', record.aside)) {
      const asidePath = path.join(realParent, record.aside);
      if (await lexists(asidePath)) {
        const newIsComplete = (await lexists(envPath)) && !(await isIncompleteEnvironment(envPath)) && (await lexists(path.join(envPath, 'pyvenv.cfg')));
        // An install changes the env only once its installer runs (its pid is journalled first):
        // killed before that, the copy aside is a partial snapshot and the env was never touched.
        const untouched = record.operation === 'install' && record.installerPid === undefined;
        if (newIsComplete) {
          log(untouched ? `Removing ${asidePath}, the snapshot an interrupted install was taking; the environment was not changed` : `Removing ${asidePath}, the environment a finished ${record.operation} replaced`);
          await discardReplaced(realParent, name, asidePath, log);
          result = untouched ? 'unchanged' : 'completed';
        } else {
          log(`Rolling back an interrupted ${record.operation}: restoring ${envPath} from ${asidePath}`);
          await restoreAside(realParent, name, asidePath, log);
          result = 'rolled-back';
        }
      }
    }
    if (isSiblingOf(name, 'backup', record.backup)) {
      const backupPath = path.join(realParent, record.backup);
      // Upgrade marks the env incomplete before saving anything and unmarks it once the new files
      // are in place: marked means roll back, unmarked means only the cleanup was cut short.
      const uncommitted = await isIncompleteEnvironment(envPath);
      if (await lexists(backupPath)) {
        if (uncommitted) {
          log(`Rolling back an interrupted ${record.operation}: restoring files from ${backupPath}`);
          await restoreBackup(envPath, backupPath);
          result = 'rolled-back';
        } else {
          log(`Removing ${backupPath}, the files a finished ${record.operation} replaced`);
          await removeTree(backupPath);
          result = 'completed';
        }
      }
      if (uncommitted) {
        // Interrupted before anything was saved, or after the saved files went back: only the mark is left.
        await fs.rm(path.join(envPath, INCOMPLETE_MARKER), { force: true });
        result = 'rolled-back';
      }
    }
    await removeJournal(journalPath);
  }
  await sweepTrash(realParent, name, log);
  await sweepAbandonedTrash(realParent, name, log);
  return result;
}

/**
 * Trash of other envs in the same folder (a delete killed mid-removal leaves `.<name>...-trash-*`
 * and no env of that name, so no later operation on that name would come): removed when that
 * name has no journal (nothing to recover) and its lock can be taken (nobody is working on it).
 */
async function sweepAbandonedTrash(realParent: string, current: string, log: (line: string) => void): Promise<void> {
  const names = new Set<string>();
  for (const entry of await fs.readdir(realParent).catch(() => [] as string[])) {
    const m = /^\.(.+)\.venv-manager-trash-[0-9a-f]{8}$/.exec(entry);
    if (m && m[1] !== current) names.add(m[1]);
  }
  for (const name of names) {
    if (await lexists(journalPathFor(realParent, name))) continue;
    let lock: Awaited<ReturnType<typeof acquireEnvLock>> | undefined;
    try {
      lock = await acquireEnvLock(path.join(realParent, name), 'sweep');
    } catch {
      continue; // busy: its own operation removes its trash
    }
    try {
      await sweepTrash(realParent, name, log);
    } finally {
      await lock.release();
    }
  }
}

/** Puts the old env back at its path, moving whatever is there now out of the way first. */
export async function restoreAside(realParent: string, name: string, asidePath: string, log: (line: string) => void): Promise<void> {
  const envPath = path.join(realParent, name);
  let trash: string | undefined;
  if (await lexists(envPath)) {
    trash = path.join(realParent, siblingName(name, 'trash'));
    // Make the half-built env stop looking like one before it is moved, in case we die right here.
    await fs.writeFile(path.join(envPath, INCOMPLETE_MARKER), '').catch(() => undefined);
    await fs.rename(envPath, trash);
  }
  try {
    await fs.rename(asidePath, envPath);
  } catch (err) {
    throw new LifecycleError('failed', `Could not put the previous environment back: ${(err as Error).message}. It is kept, unchanged, at ${asidePath}; rename it to ${envPath}.`, { cause: err });
  }
  await syncDir(realParent);
  if (trash) {
    await removeEnvTree(trash).catch((err: Error) => log(`Could not remove ${trash}: ${err.message}; it is removed by the next operation.`));
  }
}

/**
 * Records a running installer's pid (and start time) in the journal, so recovery after a crash can
 * stop it, then passes the `<operation>:installer-started` checkpoint.
 */
export async function journalInstaller(ctx: OperationContext, record: JournalRecord, pid: number): Promise<void> {
  const start = processStartTime(pid);
  await writeJournal(ctx.journalPath, { ...record, installerPid: pid, ...(start !== undefined ? { installerStart: start } : {}) });
  checkpoint(`${record.operation}:installer-started`, ctx.env);
}

/**
 * Names the hidden copy an operation sets the env aside as, and writes the journal that lets a
 * later recovery find it, before anything is moved. `record` is the journal's content (more fields
 * are added to it as the operation goes on).
 */
export async function beginJournal(ctx: OperationContext, operation: JournalRecord['operation']): Promise<{ asidePath: string; record: JournalRecord }> {
  const aside = siblingName(ctx.name, 'old');
  const record: JournalRecord = { operation, env: ctx.name, aside, started: new Date().toISOString() };
  try {
    await writeJournal(ctx.journalPath, record);
  } catch (err) {
    throw fsFailure(err, 'write the recovery journal in', ctx.realParent);
  }
  return { asidePath: path.join(ctx.realParent, aside), record };
}

/**
 * Recreate and clear: the old env is renamed aside and the new one is built AT THE REAL PATH, so
 * every absolute path baked into it (VIRTUAL_ENV in the activate scripts, console-script shebangs,
 * pyvenv.cfg) is already right and nothing has to be rewritten. A marker file inside the new env
 * says "incomplete" until `build` has finished; removing it is the commit point. Any failure
 * (or cancellation) puts the old env back by rename, untouched; a crash leaves the journal that
 * the next operation's recovery follows.
 */
export async function replaceEnvironment(ctx: OperationContext, operation: 'recreate' | 'clear', build: (recordInstaller: (pid: number) => Promise<void>) => Promise<void>): Promise<void> {
  const { asidePath, record } = await beginJournal(ctx, operation);
  checkpoint(`${operation}:journal-written`, ctx.env);
  try {
    await fs.rename(ctx.envPath, asidePath);
  } catch (err) {
    await removeJournal(ctx.journalPath).catch(() => undefined);
    throw fsFailure(err, 'move aside', ctx.checked.envDir);
  }
  await syncDir(ctx.realParent);
  checkpoint(`${operation}:old-moved-aside`, ctx.env);
  try {
    await fs.mkdir(ctx.envPath);
    await fs.writeFile(path.join(ctx.envPath, INCOMPLETE_MARKER), `Venv Manager is building this environment (${operation}); until this file is gone it is incomplete.\n`);
    await build(async (pid) => {
      await journalInstaller(ctx, record, pid);
    });
    checkpoint(`${operation}:built`, ctx.env);
    await removeIncompleteCfgLine(path.join(ctx.envPath, 'pyvenv.cfg'));
    await fs.unlink(path.join(ctx.envPath, INCOMPLETE_MARKER));
    await syncDir(ctx.envPath);
  } catch (err) {
    ctx.progress('Putting the previous environment back');
    await restoreAside(ctx.realParent, ctx.name, asidePath, ctx.log);
    await removeJournal(ctx.journalPath).catch(() => undefined);
    throw err;
  }
  checkpoint(`${operation}:committed`, ctx.env);
  ctx.progress('Removing the previous environment');
  await discardReplaced(ctx.realParent, ctx.name, asidePath, ctx.log);
  checkpoint(`${operation}:old-removed`, ctx.env);
  await removeJournal(ctx.journalPath);
}

/**
 * Removes the env a committed operation replaced. If something in it cannot be removed (an
 * immutable file, a busy mount), what is left becomes a trash sibling that every later
 * operation on this env tries again to remove, instead of blocking them.
 */
export async function discardReplaced(realParent: string, name: string, asidePath: string, log: (line: string) => void): Promise<void> {
  try {
    await removeEnvTree(asidePath);
  } catch (err) {
    log(`Could not remove all of the previous environment at ${asidePath}: ${(err as Error).message}; later operations retry.`);
    await fs.rename(asidePath, path.join(realParent, siblingName(name, 'trash'))).catch(() => undefined);
  }
}

/** Written into an upgrade backup once everything upgrade replaces has been saved. */
export const BACKUP_COMPLETE = '.venv-manager-backup-complete';

/**
 * Upgrade's undo: files saved under `backupPath` (same relative paths) go back into the env, and
 * interpreter entries the upgrade added to bin/Scripts (names the backup does not have) are removed.
 */
export async function restoreBackup(envPath: string, backupPath: string): Promise<void> {
  if (!(await lexists(backupPath))) return;
  const binName = path.basename(binDirOf(envPath));
  // Only once every interpreter entry was saved can the builder have run and added new ones.
  if (await lexists(path.join(backupPath, BACKUP_COMPLETE))) {
    const savedBin = new Set(await fs.readdir(path.join(backupPath, binName)).catch(() => [] as string[]));
    for (const entry of await fs.readdir(path.join(envPath, binName)).catch(() => [] as string[])) {
      if (isInterpreterEntryName(entry) && !savedBin.has(entry)) await fs.rm(path.join(envPath, binName, entry), { force: true });
    }
    await fs.unlink(path.join(backupPath, BACKUP_COMPLETE));
  }
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await fs.readdir(path.join(backupPath, rel))) {
      const relEntry = path.join(rel, entry);
      const src = path.join(backupPath, relEntry);
      const st = await fs.lstat(src);
      if (st.isDirectory()) {
        await fs.mkdir(path.join(envPath, relEntry), { recursive: true });
        await walk(relEntry);
        continue;
      }
      const dst = path.join(envPath, relEntry);
      await fs.rm(dst, { force: true });
      await fs.rename(src, dst);
    }
  };
  await walk('');
  await syncDir(path.join(envPath, binName));
  await removeTree(backupPath);
}

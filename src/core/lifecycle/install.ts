import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { checkpoint } from './checkpoint';
import { LifecycleError, fsFailure } from './errors';
import { installerChoice, installForOperation, type InstallerChoice } from './installer';
import { INCOMPLETE_MARKER, removeJournal, siblingName, syncDir, writeJournal, type JournalRecord } from './journal';
import { discardReplaced, journalInstaller, restoreAside, runLocked, type LifecycleOptions } from './operation';
import { readableRequirements } from './requirements';
import { removeTree } from './safety';
import { detachFiles, snapshotEnvironment } from './snapshot';

export interface InstallOptions extends LifecycleOptions {
  /** The requirements file to install. */
  requirements: string;
  installer?: InstallerChoice;
}

/**
 * Installs a requirements file into an existing environment, all or nothing. A snapshot of the env
 * (hard links, so it costs one link per file) is taken beside it first; the env is marked
 * incomplete while the installer runs. If the install fails, is cancelled or the process is killed,
 * the snapshot is put back and the env is exactly what it was; once the installer succeeded, the
 * mark is removed (the commit point) and the snapshot deleted.
 */
export async function installIntoEnvironment(envDir: string, opts: InstallOptions): Promise<void> {
  const requirements = await readableRequirements(opts.requirements);
  const installer = installerChoice(opts.installer);
  await runLocked(envDir, 'install', opts, async (ctx) => {
    const aside = siblingName(ctx.name, 'old');
    const asidePath = path.join(ctx.realParent, aside);
    const record: JournalRecord = { operation: 'install', env: ctx.name, aside, started: new Date().toISOString() };
    try {
      await writeJournal(ctx.journalPath, record);
    } catch (err) {
      throw fsFailure(err, 'write the recovery journal in', ctx.realParent);
    }
    ctx.progress(`Taking a snapshot of ${ctx.checked.envDir} to return to if the install fails`);
    let shared: string[];
    try {
      const snapshot = await snapshotEnvironment(ctx.envPath, asidePath, opts.signal);
      shared = snapshot.shared;
      ctx.log(`Snapshot: ${snapshot.files} files, ${snapshot.copied} of them copied, the rest hard-linked`);
      await syncDir(ctx.realParent);
    } catch (err) {
      // The env was not touched; only the partial snapshot goes. If it cannot be removed now, the
      // journal stays and the next operation on this env removes it.
      if (await discardPartialSnapshot(ctx.realParent, ctx.name, asidePath)) await removeJournal(ctx.journalPath).catch(() => undefined);
      if (opts.signal?.aborted) throw new LifecycleError('cancelled', 'Cancelled; the environment is unchanged.', { cause: err });
      throw fsFailure(err, 'take a snapshot of', ctx.checked.envDir);
    }
    checkpoint('install:snapshot-taken', ctx.env);
    const marker = path.join(ctx.envPath, INCOMPLETE_MARKER);
    try {
      await fs.writeFile(marker, 'Venv Manager is installing into this environment; until this file is gone it is incomplete.\n');
      // From here on the env may change: files an installer could edit in place stop sharing
      // their inode with the snapshot.
      await detachFiles(shared);
      await installForOperation(ctx, requirements, installer, (pid) => journalInstaller(ctx, record, pid));
      checkpoint('install:installed', ctx.env);
      await fs.unlink(marker);
      await syncDir(ctx.envPath);
    } catch (err) {
      ctx.progress('Putting the environment back as it was');
      try {
        await restoreAside(ctx.realParent, ctx.name, asidePath, ctx.log);
      } catch (restoreErr) {
        // Say both: why the install stopped, and where the untouched copy waits.
        throw new LifecycleError('failed', `${(restoreErr as Error).message} The install had failed: ${(err as Error).message}`, { cause: err });
      }
      await removeJournal(ctx.journalPath).catch(() => undefined);
      throw err;
    }
    checkpoint('install:committed', ctx.env);
    await discardReplaced(ctx.realParent, ctx.name, asidePath, ctx.log);
    await removeJournal(ctx.journalPath);
    ctx.progress(`Installed ${path.basename(requirements)} into ${ctx.checked.envDir}`);
  });
}

/** Removes a snapshot that was not completed, or renames it to a trash sibling that later operations sweep. */
async function discardPartialSnapshot(realParent: string, name: string, asidePath: string): Promise<boolean> {
  try {
    await removeTree(asidePath);
    return true;
  } catch {
    return fs.rename(asidePath, path.join(realParent, siblingName(name, 'trash'))).then(() => true, () => false);
  }
}

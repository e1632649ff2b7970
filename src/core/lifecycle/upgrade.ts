import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import { envProcessEnv, loadExeca } from '../execa';
import { getInterpreterInfo } from '../interpreter';
import { binDirOf, envPythonOf, isInterpreterEntryName, readEnvSettings, INCOMPLETE_MARKER, siblingName } from '../envFacts';
import { checkpoint } from './checkpoint';
import { LifecycleError, fsFailure } from './errors';
import { removeIncompleteCfgLine, removeJournal, syncDir, writeJournal } from './journal';
import { BACKUP_COMPLETE, restoreBackup, runLocked, type LifecycleOptions } from './operation';
import { baseInterpreterFor, createInOperation, rebuildOptions } from './rebuild';
import { removeTree } from './safety';

export interface UpgradeOptions extends LifecycleOptions {
  /** A Python spec or path of the (same minor version) base; default the env's own base. */
  python?: string;
  /** Also upgrade pip (and setuptools below 3.12), as venv's --upgrade-deps. Needs an index. */
  upgradeDeps?: boolean;
}

/**
 * venv's --upgrade for a base Python that was upgraded in place (a new patch release): the env's
 * interpreter links/copies are made afresh (a link is re-pointed, not kept as venv would keep it)
 * and pyvenv.cfg is rewritten; installed packages stay. Across minor versions it refuses with
 * 'needs-recreate'. The files it replaces are saved first and put back on any failure.
 */
export async function upgradeEnvironment(envDir: string, opts: UpgradeOptions = {}): Promise<void> {
  await runLocked(envDir, 'upgrade', opts, async (ctx) => {
    const settings = await readEnvSettings(ctx.checked.envDir, ctx.checked.cfg);
    const python = await baseInterpreterFor(ctx, settings, opts.python);
    let info;
    try {
      info = await getInterpreterInfo(python, { env: ctx.env, ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
    } catch (err) {
      throw new LifecycleError('no-interpreter', `Cannot use ${python}: ${(err as Error).message}`, { cause: err });
    }
    const [major, minor] = info.version;
    const had = settings.version;
    if (had && (had[0] !== major || had[1] !== minor)) {
      const old = `${had[0]}.${had[1]}`;
      const now = `${major}.${minor}`;
      throw new LifecycleError(
        'needs-recreate',
        `${ctx.checked.envDir} was made with Python ${had.join('.')} but ${python} is Python ${info.versionString}. ` +
          `An upgrade can only follow patch releases of ${old}: the installed packages live in lib/python${old} and their compiled ` +
          `extension modules are built for the ${old} ABI (cpython-${had[0]}${had[1]}), which Python ${now} cannot load. ` +
          'Recreate the environment from a requirements file instead.',
      );
    }

    const options = { ...(await rebuildOptions(ctx, python, settings, false)), upgrade: true, upgradeDeps: opts.upgradeDeps ?? false, interpreterInfo: info };
    const backupName = siblingName(ctx.name, 'backup');
    const backupPath = path.join(ctx.realParent, backupName);
    try {
      await writeJournal(ctx.journalPath, { operation: 'upgrade', env: ctx.name, backup: backupName, started: new Date().toISOString() });
    } catch (err) {
      throw fsFailure(err, 'write the recovery journal in', ctx.realParent);
    }
    // Until this marker is gone the env is mid-upgrade: discovery reports it as incomplete (not just
    // broken) and recovery puts the saved files back. Removing it is the commit point.
    const marker = path.join(ctx.envPath, INCOMPLETE_MARKER);
    const undo = async () => {
      await restoreBackup(ctx.envPath, backupPath);
      await fs.rm(marker, { force: true });
      await removeJournal(ctx.journalPath);
    };
    try {
      await fs.writeFile(marker, 'Venv Manager is upgrading this environment; until this file is gone it is incomplete.\n');
      checkpoint('upgrade:marked', ctx.env);
      await saveReplacedFiles(ctx.envPath, backupPath);
    } catch (err) {
      await undo();
      throw fsFailure(err, 'prepare the upgrade of', ctx.checked.envDir);
    }
    checkpoint('upgrade:backed-up', ctx.env);
    ctx.progress(`Upgrading ${ctx.checked.envDir} to Python ${info.versionString}`);
    try {
      await createInOperation(ctx, options);
      await checkEnvPythonRuns(ctx.envPath, ctx.env, opts.signal);
      checkpoint('upgrade:built', ctx.env);
      await removeIncompleteCfgLine(path.join(ctx.envPath, 'pyvenv.cfg'));
      await fs.unlink(marker);
      await syncDir(ctx.envPath);
    } catch (err) {
      ctx.progress('Putting the previous interpreter files back');
      await undo();
      if (opts.signal?.aborted) throw new LifecycleError('cancelled', 'Cancelled; the environment is unchanged.', { cause: err });
      throw err instanceof LifecycleError ? err : new LifecycleError('failed', `Upgrade failed, the environment is unchanged: ${(err as Error).message}`, { cause: err });
    }
    checkpoint('upgrade:committed', ctx.env);
    await removeTree(backupPath);
    await removeJournal(ctx.journalPath);
    ctx.progress(`Upgraded ${ctx.checked.envDir} to Python ${info.versionString}`);
  });
}

/**
 * Saves what upgrade rewrites: pyvenv.cfg and .gitignore are moved and copied back; the interpreter entries of
 * bin/Scripts are MOVED into the backup, so the builder makes them afresh (re-pointing links).
 */
async function saveReplacedFiles(envPath: string, backupPath: string): Promise<void> {
  const binName = path.basename(binDirOf(envPath));
  await fs.mkdir(path.join(backupPath, binName), { recursive: true });
  for (const file of ['pyvenv.cfg', '.gitignore']) {
    const src = path.join(envPath, file);
    const st = await fs.lstat(src).catch(() => undefined);
    if (!st?.isFile()) continue;
    // The original (inode, mode, times) goes into the backup; the env keeps working on a copy.
    await fs.rename(src, path.join(backupPath, file));
    await fs.copyFile(path.join(backupPath, file), src);
  }
  for (const entry of await fs.readdir(binDirOf(envPath)).catch(() => [] as string[])) {
    if (isInterpreterEntryName(entry)) await fs.rename(path.join(binDirOf(envPath), entry), path.join(backupPath, binName, entry));
  }
  await fs.writeFile(path.join(backupPath, BACKUP_COMPLETE), '');
}

/** The rebuilt env's python starts as an env's python, in the operation's environment and cancel signal. */
async function checkEnvPythonRuns(envPath: string, env: NodeJS.ProcessEnv, signal: AbortSignal | undefined): Promise<void> {
  const execa = await loadExeca();
  const result = await execa(envPythonOf(envPath), ['-c', 'import sys; sys.exit(0 if sys.prefix != sys.base_prefix else 3)'], {
    env: envProcessEnv(env, envPath),
    extendEnv: false,
    all: true,
    reject: false,
    timeout: 60_000,
    ...(signal ? { cancelSignal: signal } : {}),
  });
  if (result.isCanceled) throw new LifecycleError('cancelled', 'Cancelled; the environment is unchanged.');
  if (result.exitCode !== 0) {
    const output = (result.all ?? '').trim();
    throw new LifecycleError('failed', `The upgraded environment's python does not run as an environment (${result.shortMessage}).${output ? `\n${output}` : ''}`);
  }
}

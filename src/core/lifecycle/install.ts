import { fsp as fs } from '../asyncFs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepareInstall, type PreparedInstall } from '../declared/prepare';
import { describeSource, isLockSource, loadDeclared, resolveSource, writeRememberedSource, type DeclaredSet, type DeclaredSource } from '../declared/sources';
import { targetFactsOf, type TargetFacts } from '../declared/target';
import { INCOMPLETE_MARKER, siblingName } from '../envFacts';
import { checkpoint } from './checkpoint';
import { LifecycleError, fsFailure } from './errors';
import { checkPackageSpecs, installerChoice, installForOperation, installPackageSpecs, operationRequest, uninstallDistributions, type InstallerChoice } from './installer';
import { removeJournal, syncDir } from './journal';
import { beginJournal, discardReplaced, journalInstaller, restoreAside, runLocked, type LifecycleOptions, type OperationContext } from './operation';
import { readableRequirements } from './requirements';
import { removeTree } from './safety';
import { detachFiles, snapshotEnvironment } from './snapshot';

export interface InstallOptions extends LifecycleOptions {
  /** The requirements file to install (or give `source`). */
  requirements?: string;
  /** A declared source (requirements file, pyproject selection, pylock.toml); remembered in the env. */
  source?: DeclaredSource;
  installer?: InstallerChoice;
}

/**
 * Installs a requirements file or a declared source into an existing environment, all or nothing
 * (see changeInPlace). A declared source is remembered in the env for the next sync or recreate.
 */
export async function installIntoEnvironment(envDir: string, opts: InstallOptions): Promise<void> {
  const source = await sourceFromOptions(opts);
  const installer = installerChoice(opts.installer);
  await runLocked(envDir, 'install', opts, async (ctx) => {
    await withPreparedSource(ctx, source, {}, async (prepared) => {
      await changeInPlace(ctx, 'install', async (recordInstaller) => {
        if (prepared) await installForOperation(ctx, prepared.requirements, installer, recordInstaller, { args: prepared.args, label: prepared.label });
        checkpoint('install:installed', ctx.env);
        if (opts.source) await writeRememberedSource(ctx.envPath, { source, exact: true });
      });
    });
    ctx.progress(`Installed ${describeSource(source)} into ${ctx.checked.envDir}`);
  });
}

export interface ChangePackagesOptions extends LifecycleOptions {
  /** Package specs to install (`name`, `name==1.0`), with `upgrade` to upgrade them; or: */
  packages?: readonly string[];
  upgrade?: boolean;
  /** Distributions to uninstall. Exactly one of `packages` and `uninstall`. */
  uninstall?: readonly string[];
  installer?: InstallerChoice;
}

/**
 * Installs, upgrades or uninstalls named packages in an existing environment, all or nothing like
 * a requirements install (the same lock, journal and snapshot; see changeInPlace).
 */
export async function changePackages(envDir: string, opts: ChangePackagesOptions): Promise<void> {
  if ((opts.packages === undefined) === (opts.uninstall === undefined)) throw new LifecycleError('failed', 'Name packages to install or to uninstall (one of the two).');
  checkPackageSpecs(opts.packages ?? opts.uninstall!);
  const installer = installerChoice(opts.installer);
  const what = opts.uninstall ? `Uninstalled ${opts.uninstall.join(', ')}` : `${opts.upgrade ? 'Upgraded' : 'Installed'} ${opts.packages!.join(', ')}`;
  await runLocked(envDir, 'install', opts, async (ctx) => {
    await changeInPlace(ctx, 'install', async (recordInstaller) => {
      const req = operationRequest(ctx, installer, recordInstaller);
      if (opts.uninstall) await uninstallDistributions({ ...req, names: opts.uninstall });
      else await installPackageSpecs({ ...req, packages: opts.packages!, upgrade: opts.upgrade === true });
      checkpoint('install:installed', ctx.env);
    });
    ctx.progress(`${what} in ${ctx.checked.envDir}`);
  });
}

/** The source an install or recreate was given: `source`, or `requirements` as a requirements source. */
export async function sourceFromOptions(opts: { requirements?: string; source?: DeclaredSource }): Promise<DeclaredSource> {
  if (opts.source) return resolveSource(opts.source);
  if (!opts.requirements) throw new LifecycleError('no-requirements', 'No requirements file or declared source was given.');
  return { kind: 'requirements', file: await readableRequirements(opts.requirements) };
}

/**
 * Reads the source for the env (its interpreter facts from pyvenv.cfg), makes its files local and
 * checked (a lock's wheels: downloaded, size and sha256 compared) in a temporary folder, and runs
 * `body` with the installer call; all of it before the env is touched, so a bad source changes nothing.
 */
export async function withPreparedSource<T>(ctx: OperationContext, source: DeclaredSource, sel: { onlyPackages?: ReadonlySet<string>; declared?: DeclaredSet; target?: TargetFacts }, body: (prepared: PreparedInstall | undefined, declared: DeclaredSet) => Promise<T>): Promise<T> {
  const target = sel.target ?? (await targetFactsOf(ctx.envPath));
  if (!target && isLockSource(source)) throw new LifecycleError('failed', `The Python version of ${ctx.checked.envDir} is unknown (its pyvenv.cfg names none), so ${path.basename(source.file)} cannot be matched to it.`);
  const declared = sel.declared ?? (await loadDeclared(source, target ?? UNKNOWN_TARGET, ctx.env));
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'venv-manager-'));
  try {
    const prepared = await prepareInstall(source, declared, {
      workDir,
      label: describeSource(source),
      ...(sel.onlyPackages ? { onlyPackages: sel.onlyPackages } : {}),
      ...(ctx.opts.signal ? { signal: ctx.opts.signal } : {}),
      onProgress: ctx.progress,
    });
    return await body(prepared, declared);
  } finally {
    await fs.rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Only pyvenv.cfg-less envs reach this: requirements and pyproject sources need no facts to install. */
const UNKNOWN_TARGET: TargetFacts = { version: [3, 0, 0], implementation: 'cpython', freeThreaded: false, platform: process.platform, machine: os.machine() };

/**
 * Changes an existing environment in place, all or nothing. A snapshot of the env (hard links, so
 * it costs one link per file) is taken beside it first; the env is marked incomplete while `body`
 * runs. If it fails, is cancelled or the process is killed, the snapshot is put back and the env
 * is exactly what it was; once `body` succeeded, the mark is removed (the commit point) and the
 * snapshot deleted.
 */
export async function changeInPlace(ctx: OperationContext, operation: 'install' | 'sync', body: (recordInstaller: (pid: number) => Promise<void>) => Promise<void>): Promise<void> {
  const { asidePath, record } = await beginJournal(ctx, operation);
  ctx.progress(`Taking a snapshot of ${ctx.checked.envDir} to return to if the ${operation} fails`);
  let shared: string[];
  try {
    const snapshot = await snapshotEnvironment(ctx.envPath, asidePath, ctx.opts.signal);
    shared = snapshot.shared;
    ctx.log(`Snapshot: ${snapshot.files} files, ${snapshot.copied} of them copied, the rest hard-linked`);
    await syncDir(ctx.realParent);
  } catch (err) {
    // The env was not touched; only the partial snapshot goes. If it cannot be removed now, the
    // journal stays and the next operation on this env removes it.
    if (await discardPartialSnapshot(ctx.realParent, ctx.name, asidePath)) await removeJournal(ctx.journalPath).catch(() => undefined);
    if (ctx.opts.signal?.aborted) throw new LifecycleError('cancelled', 'Cancelled; the environment is unchanged.', { cause: err });
    throw fsFailure(err, 'take a snapshot of', ctx.checked.envDir);
  }
  checkpoint(`${operation}:snapshot-taken`, ctx.env);
  const marker = path.join(ctx.envPath, INCOMPLETE_MARKER);
  try {
    await fs.writeFile(marker, `Venv Manager is changing this environment (${operation}); until this file is gone it is incomplete.\n`);
    // From here on the env may change: files an installer could edit in place stop sharing
    // their inode with the snapshot.
    await detachFiles(shared);
    await body((pid) => journalInstaller(ctx, record, pid));
    await fs.unlink(marker);
    await syncDir(ctx.envPath);
  } catch (err) {
    ctx.progress('Putting the environment back as it was');
    try {
      await restoreAside(ctx.realParent, ctx.name, asidePath, ctx.log);
    } catch (restoreErr) {
      // Say both: why the change stopped, and where the untouched copy waits.
      throw new LifecycleError('failed', `${(restoreErr as Error).message} The ${operation} had failed: ${(err as Error).message}`, { cause: err });
    }
    await removeJournal(ctx.journalPath).catch(() => undefined);
    throw err;
  }
  checkpoint(`${operation}:committed`, ctx.env);
  await discardReplaced(ctx.realParent, ctx.name, asidePath, ctx.log);
  await removeJournal(ctx.journalPath);
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

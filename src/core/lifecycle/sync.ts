import { normalizeName } from '../declared/pep508';
import { computeDrift, describeDrift, isInSync, type Drift } from '../declared/drift';
import { describeSource, loadDeclared, readRememberedSource, resolveSource, writeRememberedSource, type DeclaredSet, type DeclaredSource, type RememberedSource } from '../declared/sources';
import { markerEnvironment, targetFactsOf, type TargetFacts } from '../declared/target';
import { readInstalledDistributions, type DistributionCache } from '../packages';
import { checkpoint } from './checkpoint';
import { LifecycleError } from './errors';
import { changeInPlace, withPreparedSource } from './install';
import { installerChoice, installForOperation, operationRequest, uninstallDistributions, type InstallerChoice } from './installer';
import { runLocked, type LifecycleOptions } from './operation';
import { checkEnvDir } from './safety';

export interface EnvStatus {
  readonly envDir: string;
  readonly source: DeclaredSource;
  readonly exact: boolean;
  readonly drift: Drift;
  readonly inSync: boolean;
  /** "out of sync with pyproject.toml: 2 missing, 1 other version, 3 not declared" */
  readonly summary: string;
  /** Lines of a requirements file that install something unnamed (not checked). */
  readonly unchecked: readonly string[];
}

async function factsOrFail(envDir: string): Promise<TargetFacts> {
  const target = await targetFactsOf(envDir);
  if (!target) throw new LifecycleError('failed', `The Python version of ${envDir} is unknown: its pyvenv.cfg names none and it has no lib/pythonX.Y folder.`);
  return target;
}

/** The drift of an env's installed distributions against a loaded declaration. */
export async function driftOf(envDir: string, declared: DeclaredSet, target: TargetFacts, signal?: AbortSignal, cache?: DistributionCache): Promise<Drift> {
  const installed = await readInstalledDistributions(envDir, { ...(signal ? { signal } : {}), ...(cache ? { cache } : {}) });
  return computeDrift(declared, installed, markerEnvironment(target));
}

/**
 * How the env at `envDir` stands against `remembered` (default: the source remembered in it).
 * Reads files only: pyvenv.cfg, the source, the env's dist-info folders. Throws 'no-requirements'
 * when no source is given or remembered.
 */
export async function environmentStatus(envDir: string, remembered?: RememberedSource, opts: { env?: NodeJS.ProcessEnv; signal?: AbortSignal; cache?: DistributionCache } = {}): Promise<EnvStatus> {
  const checked = await checkEnvDir(envDir, {});
  const chosen = remembered ?? (await readRememberedSource(checked.envDir));
  if (!chosen) throw new LifecycleError('no-requirements', `${envDir} has no remembered source: sync it once from a requirements file, pyproject.toml, pylock.toml or uv.lock.`);
  const source = await resolveSource(chosen.source);
  const target = await factsOrFail(checked.envDir);
  const declared = await loadDeclared(source, target, opts.env ?? process.env);
  const drift = await driftOf(checked.envDir, declared, target, opts.signal, opts.cache);
  return {
    envDir: checked.envDir,
    source,
    exact: chosen.exact,
    drift,
    inSync: isInSync(drift, chosen.exact),
    summary: describeDrift(drift, source, chosen.exact),
    unchecked: declared.kind === 'lock' ? [] : declared.unnamed,
  };
}

export interface SyncOptions extends LifecycleOptions {
  /** Default: the source remembered in the env. */
  source?: DeclaredSource;
  /** Remove what the source does not declare (default true; pip and setuptools always stay). */
  exact?: boolean;
  installer?: InstallerChoice;
}

export interface SyncResult {
  /** false when the env already matched and nothing was touched. */
  readonly changed: boolean;
  readonly installed: number;
  readonly removed: readonly string[];
  readonly status: EnvStatus;
}

/**
 * Makes the env hold exactly what its source declares: installs what is missing or at another
 * version, and (exact) removes what nothing declared needs. All or nothing, like install: a snapshot
 * is put back on failure, cancellation or a kill. An env already in sync is not touched at all.
 */
export async function syncEnvironment(envDir: string, opts: SyncOptions = {}): Promise<SyncResult> {
  const installer = installerChoice(opts.installer);
  return runLocked(envDir, 'sync', opts, async (ctx) => {
    const remembered = await readRememberedSource(ctx.envPath);
    const given = opts.source ?? remembered?.source;
    if (!given) throw new LifecycleError('no-requirements', `${ctx.checked.envDir} has no remembered source: name a requirements file, pyproject.toml, pylock.toml or uv.lock to sync from.`);
    const source = await resolveSource(given);
    const exact = opts.exact ?? remembered?.exact ?? true;
    const target = await factsOrFail(ctx.envPath);
    const declared = await loadDeclared(source, target, ctx.env);
    const before = await driftOf(ctx.envPath, declared, target, opts.signal);
    const sameMemory = remembered !== undefined && remembered.exact === exact && JSON.stringify(remembered.source) === JSON.stringify(source);
    const status = (drift: Drift): EnvStatus => ({ envDir: ctx.checked.envDir, source, exact, drift, inSync: isInSync(drift, exact), summary: describeDrift(drift, source, exact), unchecked: declared.kind === 'lock' ? [] : declared.unnamed });
    if (isInSync(before, exact) && sameMemory) {
      ctx.progress(`${ctx.checked.envDir} is already in sync with ${describeSource(source)}`);
      return { changed: false, installed: 0, removed: [], status: status(before) };
    }
    const needsInstall = before.missing.length > 0 || before.otherVersion.length > 0;
    // A lock installs only the wheels that change; pip resolves the others' requirements itself.
    const onlyPackages = declared.kind === 'lock' ? new Set([...before.missing, ...before.otherVersion].map((d) => normalizeName(d.name))) : undefined;
    let removed: string[] = [];
    let after = before;
    await withPreparedSource(ctx, source, { declared, ...(onlyPackages ? { onlyPackages } : {}) }, async (prepared) => {
      await changeInPlace(ctx, 'sync', async (recordInstaller) => {
        if (needsInstall && prepared) {
          await installForOperation(ctx, prepared.requirements, installer, recordInstaller, { args: prepared.args, label: prepared.label });
        }
        checkpoint('sync:installed', ctx.env);
        after = await driftOf(ctx.envPath, declared, target, opts.signal);
        if (exact && after.notDeclared.length > 0) {
          removed = after.notDeclared.map((d) => d.name);
          ctx.progress(`Removing ${removed.length} not declared: ${removed.join(', ')}`);
          await uninstallDistributions({ ...operationRequest(ctx, installer, recordInstaller), names: removed });
          after = await driftOf(ctx.envPath, declared, target, opts.signal);
        }
        if (!isInSync(after, exact)) {
          throw new LifecycleError('install-failed', `After installing, ${ctx.checked.envDir} is still ${describeDrift(after, source, exact)} (${[...after.missing.map((m) => `missing ${m.wanted}`), ...after.otherVersion.map((o) => `${o.name} ${o.installed} is not ${o.wanted}`)].join('; ')}). The environment was put back as it was.`);
        }
        await writeRememberedSource(ctx.envPath, { source, exact });
      });
    });
    ctx.progress(`Synced ${ctx.checked.envDir} with ${describeSource(source)}${removed.length ? `; removed ${removed.join(', ')}` : ''}`);
    return { changed: true, installed: before.missing.length + before.otherVersion.length, removed, status: status(after) };
  });
}

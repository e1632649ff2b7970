import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import { resolvePythonSpec } from '../discovery';
import { EnvBuilder, type EnvBuilderOptions } from '../envBuilder';
import { findBaseInterpreter, type EnvSettings } from '../envFacts';
import { LifecycleError } from './errors';
import type { OperationContext } from './operation';

/** The base interpreter to build from: --python SPEC when given, else the one the env was made from. */
export async function baseInterpreterFor(ctx: OperationContext, settings: EnvSettings, pythonSpec: string | undefined): Promise<string> {
  if (pythonSpec) {
    try {
      return await resolvePythonSpec(pythonSpec, { env: ctx.env });
    } catch (err) {
      throw new LifecycleError('no-interpreter', (err as Error).message, { cause: err });
    }
  }
  const base = await findBaseInterpreter(ctx.checked.envDir, ctx.checked.cfg, settings.version);
  if (!base) {
    const home = ctx.checked.cfg.values.get('home');
    throw new LifecycleError('no-interpreter', `The base interpreter of ${ctx.checked.envDir} is gone (home = ${home ?? 'not set'}).`);
  }
  return base;
}

/** EnvBuilder options that rebuild an env the way it was: prompt, system site packages, links, .gitignore. */
export async function rebuildOptions(ctx: OperationContext, python: string, settings: EnvSettings, withPip: boolean): Promise<EnvBuilderOptions> {
  const hasGitignore = await fs.lstat(path.join(ctx.checked.envDir, '.gitignore')).then((s) => s.isFile(), () => false);
  return {
    python,
    systemSitePackages: settings.systemSitePackages,
    symlinks: settings.symlinks,
    withPip,
    ...(settings.prompt !== undefined ? { prompt: settings.prompt } : {}),
    scmIgnoreFiles: hasGitignore ? ['git'] : [],
    env: ctx.env,
    ...(ctx.opts.cacheDir ? { cacheDir: ctx.opts.cacheDir } : {}),
    ...(ctx.opts.signal ? { signal: ctx.opts.signal } : {}),
    onProgress: ctx.progress,
    log: ctx.log,
  };
}

/**
 * Builds into the fresh folder replaceEnvironment made, under the lock runLocked holds; the env
 * stays marked incomplete (marker file and cfg line) for replaceEnvironment's commit, after the
 * requirements are in. The folder holds nothing to clear.
 */
class InProgressEnvBuilder extends EnvBuilder {
  protected override async lockEnvironment(): Promise<{ release(): Promise<void> }> {
    return { release: async () => undefined };
  }

  protected override commitsItself(): boolean {
    return false;
  }

  protected override async clearExisting(): Promise<void> {
    // replaceEnvironment has just made the folder: there is nothing of the user's in it.
  }
}

/**
 * Builds (or, with `upgrade`, rebuilds in place) the env at `ctx.envPath` inside an operation that
 * holds its lock and commits itself: the env stays marked incomplete for that commit.
 */
export async function createInOperation(ctx: OperationContext, options: EnvBuilderOptions): Promise<void> {
  await new InProgressEnvBuilder(options).create(ctx.envPath);
}

/** Creates the env at `ctx.envPath`, marked incomplete, turning the builder's error into a LifecycleError. */
export async function buildEnvironment(ctx: OperationContext, options: EnvBuilderOptions): Promise<void> {
  try {
    await createInOperation(ctx, options);
  } catch (err) {
    if (ctx.opts.signal?.aborted) throw new LifecycleError('cancelled', 'Cancelled while creating the environment.', { cause: err });
    throw new LifecycleError('build-failed', `Creating the new environment failed: ${(err as Error).message}`, { cause: err });
  }
}


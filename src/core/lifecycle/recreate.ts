import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import { readEnvSettings } from '../envFacts';
import { LifecycleError } from './errors';
import { installerChoice, installForOperation, type InstallerChoice } from './installer';
import { replaceEnvironment, runLocked, type LifecycleOptions } from './operation';
import { baseInterpreterFor, buildEnvironment, rebuildOptions } from './rebuild';
import { sourceFromOptions, withPreparedSource } from './install';
import { describeSource, isLockSource, writeRememberedSource, type DeclaredSource } from '../declared/sources';
import { targetFactsFromInterpreter, type TargetFacts } from '../declared/target';
import { getInterpreterInfo } from '../interpreter';
import { isStrictlyInside } from '../paths';

export interface RecreateOptions extends LifecycleOptions {
  /** The requirements file to install into the new env (or give `source`). */
  requirements?: string;
  /** A declared source (requirements file, pyproject selection, pylock.toml); remembered in the new env. */
  source?: DeclaredSource;
  /** A Python spec or path; default the interpreter the env was made from. */
  python?: string;
  installer?: InstallerChoice;
}

async function interpreterFacts(python: string, env: NodeJS.ProcessEnv, opts: RecreateOptions): Promise<TargetFacts> {
  try {
    return targetFactsFromInterpreter(await getInterpreterInfo(python, { env, ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}), ...(opts.signal ? { signal: opts.signal } : {}) }));
  } catch (err) {
    throw new LifecycleError('no-interpreter', (err as Error).message, { cause: err });
  }
}

/**
 * Replaces an env with a fresh one holding the packages of a requirements file. The old env is
 * kept, byte for byte, until the new one is complete; any failure or cancellation puts it back.
 */
export async function recreateEnvironment(envDir: string, opts: RecreateOptions): Promise<void> {
  const source = await sourceFromOptions(opts);
  const realRequirements = await fs.realpath(source.file);
  const realEnv = await fs.realpath(envDir).catch(() => path.resolve(envDir));
  if (isStrictlyInside(realRequirements, realEnv)) {
    throw new LifecycleError('no-requirements', `The requirements file ${source.file} is inside the environment being replaced; copy it out of ${envDir} first.`);
  }
  const installer = installerChoice(opts.installer);
  await runLocked(envDir, 'recreate', opts, async (ctx) => {
    const settings = await readEnvSettings(ctx.checked.envDir, ctx.checked.cfg);
    const python = await baseInterpreterFor(ctx, settings, opts.python);
    const options = await rebuildOptions(ctx, python, settings, true);
    ctx.progress(`Recreating ${ctx.checked.envDir} from ${describeSource(source)}`);
    // The source is read and its files checked before anything moves: against the facts of the
    // interpreter named with --python (asked once, cached), else the current env's own.
    // Only a lock needs them; for anything else the interpreter is first asked by the build.
    const target = opts.python && isLockSource(source) ? await interpreterFacts(python, ctx.env, opts) : undefined;
    await withPreparedSource(ctx, source, target ? { target } : {}, async (prepared) => {
      await replaceEnvironment(ctx, 'recreate', async (recordInstaller) => {
        await buildEnvironment(ctx, options);
        if (prepared) await installForOperation(ctx, prepared.requirements, installer, recordInstaller, { args: prepared.args, label: prepared.label });
        if (opts.source) await writeRememberedSource(ctx.envPath, { source, exact: true });
      });
    });
    ctx.progress(`Recreated ${ctx.checked.envDir}`);
  });
}

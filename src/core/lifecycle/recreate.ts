import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LifecycleError } from './errors';
import { envPythonOf, readEnvSettings } from './envFacts';
import { installRequirements, type InstallerChoice } from './installer';
import { replaceEnvironment, runLocked, type LifecycleOptions } from './operation';
import { baseInterpreterFor, buildEnvironment, rebuildOptions } from './rebuild';
import { readableRequirements } from './requirements';

export interface RecreateOptions extends LifecycleOptions {
  /** The requirements file to install into the new env. */
  requirements: string;
  /** A Python spec or path; default the interpreter the env was made from. */
  python?: string;
  installer?: InstallerChoice;
}

/**
 * Replaces an env with a fresh one holding the packages of a requirements file. The old env is
 * kept, byte for byte, until the new one is complete; any failure or cancellation puts it back.
 */
export async function recreateEnvironment(envDir: string, opts: RecreateOptions): Promise<void> {
  const requirements = await readableRequirements(opts.requirements);
  const realRequirements = await fs.realpath(requirements);
  const realEnv = await fs.realpath(envDir).catch(() => path.resolve(envDir));
  if (realRequirements.startsWith(realEnv + path.sep)) {
    throw new LifecycleError('no-requirements', `The requirements file ${opts.requirements} is inside the environment being replaced; copy it out of ${envDir} first.`);
  }
  const installer = opts.installer ?? 'auto';
  if (!['auto', 'pip', 'uv'].includes(installer)) throw new LifecycleError('failed', `Unknown installer '${installer}': use auto, pip or uv.`);
  await runLocked(envDir, 'recreate', opts, async (ctx) => {
    const settings = await readEnvSettings(ctx.checked.envDir, ctx.checked.cfg);
    const python = await baseInterpreterFor(ctx, settings, opts.python);
    const options = await rebuildOptions(ctx, python, settings, true);
    ctx.progress(`Recreating ${ctx.checked.envDir} from ${requirements}`);
    await replaceEnvironment(ctx, 'recreate', async (recordInstaller) => {
      await buildEnvironment(ctx, options);
      ctx.progress(`Installing the requirements from ${path.basename(requirements)}`);
      const result = await installRequirements({
        envDir: ctx.envPath,
        envPython: envPythonOf(ctx.envPath),
        requirements,
        installer,
        env: ctx.env,
        ...(opts.signal ? { signal: opts.signal } : {}),
        onProgress: ctx.progress,
        log: ctx.log,
        onSpawn: recordInstaller,
      });
      ctx.log(`Installed with ${result.tool}`);
    });
    ctx.progress(`Recreated ${ctx.checked.envDir}`);
  });
}

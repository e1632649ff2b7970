import type { EnvBuilderOptions } from '../envBuilder';
import { readEnvSettings } from '../envFacts';
import { replaceEnvironment, runLocked, type LifecycleOptions } from './operation';
import { baseInterpreterFor, buildEnvironment, rebuildOptions } from './rebuild';

/**
 * venv's --clear, without its dangers: only an env folder (pyvenv.cfg) passes the refusals, links
 * are removed and never followed, and the env is rebuilt with its own options (base interpreter,
 * prompt, system site packages, links or copies, pip or not). The old contents stay until the new
 * env is complete, so a failed clear loses nothing.
 */
export async function clearEnvironment(envDir: string, opts: LifecycleOptions = {}): Promise<void> {
  await runLocked(envDir, 'clear', opts, async (ctx) => {
    const settings = await readEnvSettings(ctx.checked.envDir, ctx.checked.cfg);
    const python = await baseInterpreterFor(ctx, settings, undefined);
    const options = await rebuildOptions(ctx, python, settings, settings.withPip);
    ctx.progress(`Clearing ${ctx.checked.envDir}`);
    await replaceEnvironment(ctx, 'clear', async () => {
      await buildEnvironment(ctx, options);
    });
    ctx.progress(`Cleared ${ctx.checked.envDir}`);
  });
}

/**
 * Replaces an environment with a new one built from `builder` (Create Environment's "Replace": a
 * new interpreter or fresh options). Same refusals, lock and journal as clear: the old env is set
 * aside and put back unchanged if the build fails or is cancelled.
 */
export async function replaceWithNewEnvironment(envDir: string, builder: EnvBuilderOptions, opts: LifecycleOptions = {}): Promise<void> {
  await runLocked(envDir, 'clear', opts, async (ctx) => {
    ctx.progress(`Replacing ${ctx.checked.envDir}`);
    await replaceEnvironment(ctx, 'clear', async () => {
      await buildEnvironment(ctx, {
        ...builder,
        clear: builder.clear ?? false,
        upgrade: false,
        env: ctx.env,
        ...(ctx.opts.cacheDir ? { cacheDir: ctx.opts.cacheDir } : {}),
        ...(ctx.opts.signal ? { signal: ctx.opts.signal } : {}),
        onProgress: ctx.progress,
        log: ctx.log,
      });
    });
  });
}

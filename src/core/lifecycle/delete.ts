import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import { siblingName } from '../envFacts';
import { checkpoint } from './checkpoint';
import { fsFailure } from './errors';
import { syncDir } from './journal';
import { runLocked, type LifecycleOptions } from './operation';
import { removeEnvTree } from './safety';

/**
 * Removes an env after the same refusals as clear. The folder is first renamed to a hidden
 * `.<name>.venv-manager-trash-*` sibling (one atomic step), so a crash mid-removal never leaves a
 * half-deleted env at the env's path; leftovers are swept by the next operation in that folder.
 */
export async function deleteEnvironment(envDir: string, opts: LifecycleOptions = {}): Promise<void> {
  await runLocked(envDir, 'delete', opts, async (ctx) => {
    const trash = path.join(ctx.realParent, siblingName(ctx.name, 'trash'));
    ctx.progress(`Deleting ${ctx.checked.envDir}`);
    try {
      await fs.rename(ctx.envPath, trash);
    } catch (err) {
      throw fsFailure(err, 'delete', ctx.checked.envDir);
    }
    await syncDir(ctx.realParent);
    checkpoint('delete:moved-aside', ctx.env);
    try {
      await removeEnvTree(trash);
    } catch (err) {
      ctx.log(`Could not remove everything of ${trash}: ${(err as Error).message}; the next operation on ${ctx.name} retries.`);
    }
    ctx.progress(`Deleted ${ctx.checked.envDir}`);
  });
}

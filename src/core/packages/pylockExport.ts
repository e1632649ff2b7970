/**
 * The packages of an environment as a PEP 751 lock file (`pylock.toml`), written by the env's own
 * pip (`pip lock`, pip 25.1 or newer): every installed distribution pinned to the version it has,
 * resolved through the user's PIP_* settings and index configuration, so each package gets a source
 * with its sha256. Editable installs become `directory` entries with `editable = true`; installs
 * from a local archive, folder or VCS keep that source. The file appears whole or not at all.
 */
import { fsp as fs } from '../asyncFs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { lt as pep440Lt } from '@renovatebot/pep440';
import { readPylock, type Pylock } from '../declared/pylock';
import { envPythonOf } from '../envFacts';
import { randomHex } from '../hashing';
import { LifecycleError } from '../lifecycle/errors';
import { pipLock } from '../lifecycle/installer';
import { readInstalledDistributions, type InstalledDistribution } from './distributions';

/** The oldest pip with `pip lock`. */
export const PIP_LOCK_MIN_VERSION = '25.1';

export interface ExportPylockOptions {
  /** The environment pip runs with; the user's PIP_* variables in it are honoured. */
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  log?: (line: string) => void;
}

export interface ExportPylockResult {
  /** The lock file written (absolute). */
  file: string;
  /** The lock as our reader reads it back. */
  lock: Pylock;
  /** The distributions asked for (pip itself left out). */
  pinned: number;
}

/** Left out of the lock like `pip freeze` leaves it out: the tool that installs the lock, in every env venv makes. */
const LEFT_OUT = new Set(['pip']);

function isUnder(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The requirement line that reproduces one installed distribution: `-e URL` for an editable
 * install, `name @ URL` for one from a direct URL (a local archive or folder, a VCS commit),
 * else `name==version`.
 */
export function lockRequirementLine(d: InstalledDistribution): string {
  const direct = d.directUrl;
  if (d.editable && d.sourceFolder) return `-e ${pathToFileURL(d.sourceFolder).href}`;
  if (direct?.vcs && direct.commitId) return `${d.name} @ ${direct.vcs}+${direct.url}@${direct.commitId}`;
  if (direct && !direct.editable) return `${d.name} @ ${direct.url}`;
  return `${d.name}==${d.version}`;
}

/**
 * Writes the env's installed distributions to `target` as a pylock.toml. Throws a LifecycleError,
 * leaving `target` as it was, when the env's pip is missing or older than 25.1, a local folder
 * install lies outside the lock's folder (pip writes those paths relative to the lock), pip cannot
 * resolve the pins, or the call is cancelled.
 */
export async function exportPylock(envDir: string, target: string, opts: ExportPylockOptions): Promise<ExportPylockResult> {
  const file = path.resolve(target);
  const lockDir = path.dirname(file);
  if (!/\.toml$/i.test(file)) throw new LifecycleError('failed', `${file}: a lock file's name ends in .toml (pylock.toml or pylock.<name>.toml).`);
  if (!(await fs.stat(lockDir).then((s) => s.isDirectory(), () => false))) throw new LifecycleError('failed', `${lockDir} is not an existing folder: the lock file cannot be written there.`);
  const dists = await readInstalledDistributions(envDir, opts.signal ? { signal: opts.signal } : {});
  const pip = dists.find((d) => d.normalizedName === 'pip');
  if (!pip) throw new LifecycleError('failed', `${envDir} has no pip: writing pylock.toml needs the env's pip ${PIP_LOCK_MIN_VERSION} or newer (pip lock). Install pip into it first.`);
  if (pep440Lt(pip.version, PIP_LOCK_MIN_VERSION)) {
    throw new LifecycleError('failed', `The pip of ${envDir} is ${pip.version}; writing pylock.toml needs pip ${PIP_LOCK_MIN_VERSION} or newer (pip lock). Upgrade pip in this environment first.`);
  }
  const pinned = dists.filter((d) => d.version !== '' && !LEFT_OUT.has(d.normalizedName));
  for (const d of pinned) {
    const folder = d.editable ? d.sourceFolder : d.directUrl?.localPath;
    if (!folder || !(await fs.stat(folder).then((s) => s.isDirectory(), () => false))) continue;
    if (!isUnder(folder, lockDir)) {
      throw new LifecycleError('failed', `${d.name} is installed from the folder ${folder}, which is not inside ${lockDir}: a pylock.toml names such folders relative to itself, so write it in a folder that holds ${folder}.`);
    }
  }
  opts.signal?.throwIfAborted();
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'venv-manager-lock-'));
  // pip writes into the lock's own folder (relative paths come out right), under a temporary name.
  const partial = path.join(lockDir, `pylock.venv-manager-partial-${process.pid}-${randomHex(4)}.toml`);
  try {
    const requirements = path.join(scratch, 'requirements.txt');
    await fs.writeFile(requirements, pinned.map((d) => `${lockRequirementLine(d)}\n`).join(''));
    opts.onProgress?.(`Resolving ${pinned.length} packages with pip lock`);
    await pipLock({
      envDir,
      envPython: envPythonOf(envDir),
      env: opts.env,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    }, requirements, partial, lockDir);
    let lock: Pylock;
    try {
      lock = await readPylock(partial);
    } catch (err) {
      throw new LifecycleError('failed', `pip wrote a lock file Venv Manager cannot read: ${(err as Error).message}`, { cause: err });
    }
    opts.signal?.throwIfAborted();
    await fs.rename(partial, file);
    return { file, lock: { ...lock, file }, pinned: pinned.length };
  } catch (err) {
    if (opts.signal?.aborted && !(err instanceof LifecycleError && err.code === 'cancelled')) throw new LifecycleError('cancelled', 'Cancelled: nothing was written.', { cause: err });
    throw err;
  } finally {
    await fs.rm(partial, { force: true }).catch(() => undefined);
    await fs.rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Which installed packages have a newer release, as the env's own index configuration sees it:
 * `pip list --outdated` (or `uv pip list --outdated` when uv is used), with the user's PIP_*
 * settings. This asks an index, so it is never done implicitly: callers run it on request and keep
 * the dated result.
 */
import { envPythonOf } from '../envFacts';
import { LifecycleError } from '../lifecycle/errors';
import { installerChoice, listOutdatedJson, type InstallerChoice } from '../lifecycle/installer';
import { normalizeProjectName } from './distributions';

export interface OutdatedPackage {
  name: string;
  normalizedName: string;
  /** The installed version. */
  version: string;
  /** The newest version the index offers. */
  latest: string;
}

export interface OutdatedReport {
  /** When the index was asked (ISO 8601). */
  checkedAt: string;
  tool: 'pip' | 'uv';
  packages: OutdatedPackage[];
}

export interface CheckOutdatedOptions {
  /** The environment the tool runs with; the user's PIP_* variables in it are honoured. */
  env: NodeJS.ProcessEnv;
  installer?: InstallerChoice;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** Asks the env's installer which of its packages are outdated. Throws a LifecycleError on failure or cancel. */
export async function checkOutdated(envDir: string, opts: CheckOutdatedOptions): Promise<OutdatedReport> {
  const result = await listOutdatedJson({
    envDir,
    envPython: envPythonOf(envDir),
    installer: installerChoice(opts.installer),
    env: opts.env,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  return { checkedAt: new Date().toISOString(), tool: result.tool, packages: parseOutdatedJson(result.stdout) };
}

/** The JSON `pip list --outdated --format=json` and `uv pip list --outdated --format=json` print. */
export function parseOutdatedJson(text: string): OutdatedPackage[] {
  let rows: unknown;
  try {
    rows = JSON.parse(text.trim() === '' ? '[]' : text);
  } catch {
    throw new LifecycleError('failed', `The installer's list of outdated packages is not JSON: ${text.slice(0, 200)}`);
  }
  if (!Array.isArray(rows)) throw new LifecycleError('failed', 'The installer\'s list of outdated packages is not a JSON array.');
  const out: OutdatedPackage[] = [];
  for (const row of rows as { name?: unknown; version?: unknown; latest_version?: unknown }[]) {
    if (typeof row?.name !== 'string' || typeof row.version !== 'string' || typeof row.latest_version !== 'string') continue;
    out.push({ name: row.name, normalizedName: normalizeProjectName(row.name), version: row.version, latest: row.latest_version });
  }
  return out.sort((a, b) => (a.normalizedName < b.normalizedName ? -1 : a.normalizedName > b.normalizedName ? 1 : 0));
}

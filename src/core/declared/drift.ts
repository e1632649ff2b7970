/**
 * Drift: how an env's installed distributions differ from what its source declares, computed
 * in-process from the env's `*.dist-info` (never by running Python): declared projects that are
 * missing or at a version the declaration does not allow, and installed projects nothing declared
 * needs. What a declared project needs (its `Requires-Dist`, with the extras asked for) counts as
 * declared, so dependencies are never reported as strays.
 */
import * as path from 'node:path';
import { evaluateMarker, parseRequirement, versionSatisfies, type MarkerEnvironment, type Requirement } from './pep508';
import type { DeclaredSet, DeclaredSource } from './sources';
import { withSets } from './target';

/** The fields of an installed distribution the drift check reads. */
export interface InstalledForDrift {
  readonly normalizedName: string;
  readonly version: string;
  readonly requires: readonly string[];
  readonly editable?: boolean;
}

/** Seeds venv puts into an env: never reported as strays, never removed by a sync. */
export const SEED_PROJECTS: ReadonlySet<string> = new Set(['pip', 'setuptools']);

export interface Drift {
  /** Declared (or needed by something declared) and not installed. */
  readonly missing: readonly { readonly name: string; readonly wanted: string }[];
  readonly otherVersion: readonly { readonly name: string; readonly installed: string; readonly wanted: string }[];
  /** Installed, not declared nor needed (seeds excluded). */
  readonly notDeclared: readonly { readonly name: string; readonly version: string }[];
}

export function isInSync(drift: Drift, exact: boolean): boolean {
  return drift.missing.length === 0 && drift.otherVersion.length === 0 && (!exact || drift.notDeclared.length === 0);
}

/** "out of sync with pyproject.toml: 2 missing, 1 other version, 3 not declared", or "in sync with ...". */
export function describeDrift(drift: Drift, source: DeclaredSource, exact: boolean): string {
  const name = path.basename(source.file);
  if (isInSync(drift, exact)) return `in sync with ${name}`;
  const parts: string[] = [];
  if (drift.missing.length) parts.push(`${drift.missing.length} missing`);
  if (drift.otherVersion.length) parts.push(`${drift.otherVersion.length} other version${drift.otherVersion.length === 1 ? '' : 's'}`);
  if (exact && drift.notDeclared.length) parts.push(`${drift.notDeclared.length} not declared`);
  return `out of sync with ${name}: ${parts.join(', ')}`;
}

function parseLoose(text: string): Requirement | undefined {
  try {
    return parseRequirement(text);
  } catch {
    return undefined;
  }
}

/** The drift of `installed` against `declared`, with the env's marker values `markers`. */
export function computeDrift(declared: DeclaredSet, installed: readonly InstalledForDrift[], markers: Record<string, string>): Drift {
  const byName = new Map<string, InstalledForDrift>();
  for (const d of installed) if (!byName.has(d.normalizedName)) byName.set(d.normalizedName, d);
  const missing: { name: string; wanted: string }[] = [];
  const otherVersion: { name: string; installed: string; wanted: string }[] = [];
  const needed = new Set<string>();

  if (declared.kind === 'lock') {
    for (const { pkg } of declared.plan.packages) {
      needed.add(pkg.key);
      const have = byName.get(pkg.key);
      const wanted = pkg.version ? `==${pkg.version}` : '';
      if (!have) missing.push({ name: pkg.name, wanted: `${pkg.name}${wanted}` });
      else if (pkg.version && !versionSatisfies(have.version, wanted)) otherVersion.push({ name: pkg.name, installed: have.version, wanted: pkg.version });
    }
  } else {
    const base = withSets(markers, {});
    // One marker environment per set of extras (most requirements ask for none), not one per visit.
    const envs = new Map<string, MarkerEnvironment>([['', base]]);
    const envFor = (extras: readonly string[]): MarkerEnvironment => {
      const key = extras.join(',');
      let env = envs.get(key);
      if (!env) envs.set(key, (env = withSets(markers, { extras })));
      return env;
    };
    // Extras already followed per project, so a dependency cycle ends.
    const visited = new Map<string, Set<string>>();
    const reported = new Set<string>();
    const visit = (req: Requirement, env: MarkerEnvironment): void => {
      if (req.marker && !evaluateMarker(req.marker, env)) return;
      const have = byName.get(req.key);
      needed.add(req.key);
      if (!have) {
        if (!reported.has(req.key)) missing.push({ name: req.name, wanted: req.text });
        reported.add(req.key);
        return;
      }
      if (req.specifier && !versionSatisfies(have.version, req.specifier) && !reported.has(req.key)) {
        otherVersion.push({ name: req.name, installed: have.version, wanted: req.specifier });
        reported.add(req.key);
      }
      const done = visited.get(req.key) ?? new Set<string>();
      const extras = req.extras.filter((e) => !done.has(e));
      if (visited.has(req.key) && extras.length === 0) return;
      const fresh = !visited.has(req.key);
      visited.set(req.key, new Set([...done, ...req.extras]));
      // Each Requires-Dist with the extras asked for this project (first visit: the base ones too).
      const depEnv = envFor(fresh ? req.extras : extras);
      for (const line of have.requires) {
        const dep = parseLoose(line);
        if (!dep) continue;
        if (!fresh && !(dep.marker && evaluateMarker(dep.marker, depEnv) && !evaluateMarker(dep.marker, base))) continue;
        visit(dep, depEnv);
      }
    };
    if (declared.project) visit(parseRequirement(declared.project.extras.length ? `${declared.project.key}[${declared.project.extras.join(',')}]` : declared.project.key), base);
    for (const root of declared.roots) visit(root, base);
  }
  const notDeclared = [...byName.values()]
    .filter((d) => !needed.has(d.normalizedName) && !SEED_PROJECTS.has(d.normalizedName))
    .map((d) => ({ name: d.normalizedName, version: d.version }));
  return { missing, otherVersion, notDeclared };
}

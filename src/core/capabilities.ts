/**
 * What Venv Manager may do to a discovered environment, and why not where it may not: one answer
 * for the CLI's refusals, the extension's command pickers and the tree's menu tokens. The lifecycle
 * operations still check the folder itself (path refusals, pyvenv.cfg, symlinks, the lock); this is
 * what can be told from discovery alone, before anything runs.
 */
import type { DiscoveredEnvironment, EnvKind } from './discovery/types';

export type EnvOperation = 'clear' | 'upgrade' | 'recreate' | 'install' | 'delete' | 'recover';

export const ENV_OPERATIONS: readonly EnvOperation[] = ['clear', 'upgrade', 'recreate', 'install', 'delete', 'recover'];

export type Capability = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

export type Capabilities = { readonly [op in EnvOperation]: Capability };

/** Kinds only listed: their folders belong to another tool, which should change them. */
const OWNED_BY_OTHER_TOOLS: ReadonlySet<EnvKind> = new Set(['conda', 'pyenv']);

const ALLOWED: Capability = { allowed: true };

export function capabilities(env: Pick<DiscoveredEnvironment, 'path' | 'kind' | 'cfgPath' | 'health'>): Capabilities {
  let managed: Capability = ALLOWED;
  if (env.cfgPath === undefined) managed = { allowed: false, reason: `${env.path} has no pyvenv.cfg, so it is not a virtual environment Venv Manager can change.` };
  else if (OWNED_BY_OTHER_TOOLS.has(env.kind)) managed = { allowed: false, reason: `${env.path} is a ${env.kind} environment; change it with ${env.kind} itself.` };
  const problems = env.health.problems.filter((p) => p.code !== 'busy');
  const interrupted = problems.some((p) => p.code === 'incomplete');
  const install: Capability = !managed.allowed
    ? managed
    : problems.length > 0
      ? { allowed: false, reason: `${env.path} is broken (${problems[0]!.message}), so its pip cannot run. ${interrupted ? 'Recover it' : 'Upgrade or recreate it'} first.` }
      : ALLOWED;
  const recover: Capability = !managed.allowed ? managed : interrupted ? ALLOWED : { allowed: false, reason: `Nothing to recover in ${env.path}: no operation on it was interrupted.` };
  return { clear: managed, upgrade: managed, recreate: managed, delete: managed, install, recover };
}

/** The reason `operation` is refused for `env`, or undefined when it is allowed. */
export function refusal(env: Parameters<typeof capabilities>[0], operation: EnvOperation): string | undefined {
  const c = capabilities(env)[operation];
  return c.allowed ? undefined : c.reason;
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capabilities, ENV_OPERATIONS, refusal } from '../../../src/core/capabilities';
import type { DiscoveredEnvironment, EnvHealthProblem } from '../../../src/core/discovery/types';

function env(kind: DiscoveredEnvironment['kind'], problems: EnvHealthProblem[] = [], cfg = true) {
  return { path: '/w/.venv', kind, ...(cfg ? { cfgPath: '/w/.venv/pyvenv.cfg' } : {}), health: { ok: problems.length === 0, problems } };
}

test('a healthy venv: everything but recover, which has nothing to do', () => {
  const can = capabilities(env('venv'));
  for (const op of ENV_OPERATIONS.filter((o) => o !== 'recover')) assert.deepEqual(can[op], { allowed: true }, op);
  assert.match(refusal(env('venv'), 'recover')!, /Nothing to recover/);
});

test('conda and pyenv environments are only listed, and the reason names the tool that owns them', () => {
  for (const kind of ['conda', 'pyenv'] as const) {
    for (const op of ENV_OPERATIONS) assert.match(refusal(env(kind), op) ?? '', new RegExp(`${kind} environment; change it with ${kind}`), `${kind} ${op}`);
  }
});

test('no pyvenv.cfg: nothing may change it', () => {
  for (const op of ENV_OPERATIONS) assert.match(refusal(env('venv', [], false), op) ?? '', /has no pyvenv\.cfg/, op);
});

test('broken: its pip cannot run, so install is refused; the fixes (upgrade, recreate) and clear, delete stay', () => {
  const broken = env('venv', [{ code: 'base-missing', message: 'the base interpreter is gone' }]);
  assert.match(refusal(broken, 'install')!, /is broken \(the base interpreter is gone\).*Upgrade or recreate it first/);
  for (const op of ['clear', 'upgrade', 'recreate', 'delete'] as const) assert.equal(refusal(broken, op), undefined, op);
});

test('interrupted: recover applies, and install says to recover first', () => {
  const interrupted = env('venv', [{ code: 'incomplete', message: 'an operation was interrupted' }]);
  assert.equal(refusal(interrupted, 'recover'), undefined);
  assert.match(refusal(interrupted, 'install')!, /Recover it first/);
});

test('busy is not a refusal: the lock names the holder when the operation runs', () => {
  assert.equal(refusal(env('venv', [{ code: 'busy', message: 'busy' }]), 'install'), undefined);
});

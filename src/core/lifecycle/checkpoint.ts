import { writeSync } from 'node:fs';

/**
 * Fault-injection point for the crash tests: when the environment variable
 * VENV_MANAGER_PAUSE_AT names this step, the process announces it on stderr and freezes (blocking,
 * so no timer or I/O of ours runs), waiting to be killed. Costs one lookup otherwise.
 */
export function checkpoint(step: string, env: NodeJS.ProcessEnv = process.env): void {
  if (env.VENV_MANAGER_PAUSE_AT !== step) return;
  writeSync(2, `venv-manager: paused at ${step}\n`);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(cell, 0, 0);
}

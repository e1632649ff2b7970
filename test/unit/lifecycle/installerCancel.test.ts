// A cancelled install stops the installer with everything it started (pip's build back-ends, a
// compiler): the installer runs in its own process group and the whole group is killed. The
// "installer" here is a shell script standing in for the env's python: it starts a grandchild that
// would outlive a kill of the script alone.
import assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { installPackageSpecs, LifecycleError } from '../../../src/core/lifecycle';

/** Alive and not a zombie (a killed grandchild may wait to be reaped by whoever adopted it). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('cancelling an install kills the installer\'s whole process group, a grandchild included', { skip: process.platform === 'win32' && 'process groups are POSIX' }, async () => {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'vm-installer-cancel-')));
  const pidFile = path.join(dir, 'grandchild.pid');
  const script = path.join(dir, 'python');
  // The grandchild's output goes elsewhere, so only the kill (not a pipe held open) decides its fate.
  await fs.writeFile(script, `#!/bin/sh\nsleep 1000 >/dev/null 2>&1 </dev/null &\necho $! > '${pidFile}'\necho started-grandchild\nwait\n`, { mode: 0o755 });
  const controller = new AbortController();
  let grandchild: number | undefined;
  try {
    const install = installPackageSpecs({
      envDir: dir,
      envPython: script,
      installer: 'pip',
      packages: ['alpha'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      signal: controller.signal,
      log: (line) => {
        if (line !== 'started-grandchild') return;
        grandchild = Number(readFileSync(pidFile, 'utf8').trim());
        controller.abort();
      },
    });
    await assert.rejects(install, (err: unknown) => err instanceof LifecycleError && err.code === 'cancelled');
    assert.ok(grandchild && grandchild > 0, 'the script started its grandchild');
    // A SIGKILLed process dies when next scheduled: on a loaded machine that can take a while (bounded).
    const deadline = Date.now() + 20_000;
    while (running(grandchild) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(running(grandchild), false, `the installer's grandchild ${grandchild} was killed with it`);
  } finally {
    if (grandchild && running(grandchild)) process.kill(grandchild, 'SIGKILL');
    await fs.rm(dir, { recursive: true, force: true });
  }
});

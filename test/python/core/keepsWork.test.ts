// Issue 14 ("Keeps your work, for real"): defects an adversarial run found in create and in
// interpreter handling. Each test failed on the code before its fix.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { getInterpreterInfo } from '../../../src/core/interpreter';

let tmp: string;

before(async () => {
  tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'vm-keeps-')));
});
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function script(name: string, body: string): Promise<string> {
  const file = path.join(tmp, name);
  await fs.writeFile(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

test('defect 3: an interpreter whose child keeps stdout open cannot hang the facts lookup past its timeout', { skip: process.platform === 'win32', timeout: 120_000 }, async () => {
  // The shell is the direct child; `sleep` inherits its stdout and outlives a kill of the shell alone.
  const python = await script('python-that-hangs', 'sleep 100000 &\nwait');
  await assert.rejects(getInterpreterInfo(python, { cacheDir: path.join(tmp, 'cache'), timeoutMs: 1000 }), /did not answer within 1 second/);
});

test('defect 4: only interpreter names in bin/ are taken for the base interpreter, never another link', { skip: process.platform === 'win32' }, async () => {
  const { findBaseInterpreter } = await import('../../../src/core/envFacts');
  const { parsePyvenvCfg } = await import('../../../src/core/pyvenvCfg');
  const evil = await script('evil.sh', `touch ${JSON.stringify(path.join(tmp, 'evil-ran'))}`);
  for (const entry of ['a-helper', 'python']) {
    const env = path.join(tmp, `env-${entry}`);
    await fs.mkdir(path.join(env, 'bin'), { recursive: true });
    await fs.symlink(evil, path.join(env, 'bin', entry));
    const cfg = parsePyvenvCfg(Buffer.from(`home = ${path.join(tmp, 'gone')}\nversion = 3.12.1\n`));
    assert.equal(await findBaseInterpreter(env, cfg, [3, 12, 1]), undefined, `bin/${entry} -> evil.sh is not an interpreter`);
  }
});

/** Two interpreters of different minor versions whose binaries (shared-build launchers) have the same size. */
async function sameSizeLaunchers(): Promise<[string, string] | undefined> {
  const { findPythons } = await import('../../fixtures/pythons');
  const bySize = new Map<number, { real: string; minor: string }[]>();
  for (const py of findPythons()) {
    const real = await fs.realpath(py.path);
    const size = (await fs.stat(real)).size;
    if (size > 256 * 1024) continue;
    bySize.set(size, [...(bySize.get(size) ?? []), { real, minor: `${py.version[0]}.${py.version[1]}` }]);
  }
  for (const list of bySize.values()) {
    const other = list.find((p) => p.minor !== list[0]!.minor);
    if (other) return [list[0]!.real, other.real];
  }
  return undefined;
}

test('defect 9: an interpreter written over in place with its mtime kept, or a new libpython beside it, is asked again', { skip: process.platform === 'win32' }, async (t) => {
  const { getIntrospectionCount } = await import('../../../src/core/interpreter');
  const pair = await sameSizeLaunchers();
  if (!pair) return t.skip('no two interpreters of different versions with launchers of one size here');
  const prefix = path.join(tmp, 'replaced-in-place');
  await fs.mkdir(path.join(prefix, 'bin'), { recursive: true });
  await fs.mkdir(path.join(prefix, 'lib'));
  const python = path.join(prefix, 'bin', 'python3');
  await fs.copyFile(pair[0], python);
  await fs.chmod(python, 0o755);
  await fs.writeFile(path.join(prefix, 'lib', 'libpython3.so'), 'one');
  const cacheDir = path.join(tmp, 'facts-9');
  const first = await getInterpreterInfo(python, { cacheDir });
  const st = await fs.stat(python, { bigint: true });
  // Same inode, same size, mtime put back to the nanosecond (`touch -r`): only the contents (and ctime) changed.
  await fs.copyFile(python, `${python}.ref`);
  execFileSync('touch', ['-r', python, `${python}.ref`]);
  await fs.writeFile(python, await fs.readFile(pair[1]));
  execFileSync('touch', ['-r', `${python}.ref`, python]);
  const now = await fs.stat(python, { bigint: true });
  assert.deepEqual([now.size, now.mtimeNs, now.ino], [st.size, st.mtimeNs, st.ino]);
  const second = await getInterpreterInfo(python, { cacheDir });
  assert.notDeepEqual(second.version.slice(0, 2), first.version.slice(0, 2), 'the facts are of the binary now there');
  const asked = getIntrospectionCount();
  await fs.writeFile(path.join(prefix, 'lib', 'libpython3.so'), 'two');
  await getInterpreterInfo(python, { cacheDir });
  assert.equal(getIntrospectionCount(), asked + 1, 'a changed libpython beside the install means asking again');
});

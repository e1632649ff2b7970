// core/asyncFs: the same answers and the same errors whether the calls run on the thread pool or inline
// (and discovery's own file-head reads, which have both forms too).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as nodeFs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fsp, inlineFileSystem, useInlineFileSystem } from '../../../src/core/asyncFs';
import { readListedFileStart, readRegularFileHead } from '../../../src/core/discovery/safeRead';

let tmp: string;
before(() => {
  tmp = nodeFs.realpathSync(nodeFs.mkdtempSync(path.join(os.tmpdir(), 'vm-asyncfs-')));
});
after(() => {
  useInlineFileSystem(false);
  nodeFs.rmSync(tmp, { recursive: true, force: true });
});

/** Every call core makes, on a fresh folder; what each returned, in a comparable form. */
async function exercise(dir: string): Promise<unknown[]> {
  const out: unknown[] = [];
  out.push(path.relative(dir, (await fsp.mkdir(path.join(dir, 'a', 'b'), { recursive: true }))!));
  await fsp.writeFile(path.join(dir, 'a', 'f.txt'), 'héllo\n');
  out.push(await fsp.readFile(path.join(dir, 'a', 'f.txt'), 'utf8'));
  out.push((await fsp.readFile(path.join(dir, 'a', 'f.txt'))).length);
  out.push((await fsp.stat(path.join(dir, 'a', 'f.txt'))).size);
  await fsp.symlink('f.txt', path.join(dir, 'a', 'l'));
  out.push(await fsp.readlink(path.join(dir, 'a', 'l')));
  out.push((await fsp.lstat(path.join(dir, 'a', 'l'))).isSymbolicLink());
  out.push(path.relative(dir, await fsp.realpath(path.join(dir, 'a', 'l'))));
  await fsp.link(path.join(dir, 'a', 'f.txt'), path.join(dir, 'a', 'hard'));
  out.push((await fsp.stat(path.join(dir, 'a', 'hard'))).nlink);
  await fsp.copyFile(path.join(dir, 'a', 'f.txt'), path.join(dir, 'a', 'copy'));
  await fsp.chmod(path.join(dir, 'a', 'copy'), 0o750);
  out.push((await fsp.stat(path.join(dir, 'a', 'copy'))).mode & 0o777);
  await fsp.utimes(path.join(dir, 'a', 'copy'), 1_000_000, 2_000_000);
  out.push((await fsp.stat(path.join(dir, 'a', 'copy'))).mtimeMs);
  await fsp.rename(path.join(dir, 'a', 'copy'), path.join(dir, 'a', 'moved'));
  await fsp.access(path.join(dir, 'a', 'moved'));
  out.push((await fsp.readdir(path.join(dir, 'a'), { withFileTypes: true })).map((e) => `${e.name}:${e.isDirectory() ? 'd' : e.isSymbolicLink() ? 'l' : 'f'}`).sort());
  out.push(path.basename(await fsp.mkdtemp(path.join(dir, 'tmp-'))).length);
  await fsp.unlink(path.join(dir, 'a', 'hard'));
  await fsp.rmdir(path.join(dir, 'a', 'b'));
  out.push((await fsp.readdir(path.join(dir, 'a'))).sort());
  const handle = await fsp.open(path.join(dir, 'a', 'f.txt'), 'r');
  out.push((await handle.stat()).size);
  await handle.close();
  await fsp.rm(path.join(dir, 'a'), { recursive: true });
  out.push(nodeFs.existsSync(path.join(dir, 'a')));
  // Failures: the same code, syscall and path, and a message in the same form.
  for (const call of [() => fsp.stat(path.join(dir, 'missing')), () => fsp.readFile(path.join(dir, 'missing')), () => fsp.mkdir(path.join(dir, 'no', 'parent')), () => fsp.realpath(path.join(dir, 'missing'))]) {
    const err = (await call().then(() => assert.fail('expected a failure'), (e: unknown) => e)) as NodeJS.ErrnoException;
    assert.ok(err instanceof Error);
    out.push([err.code, err.syscall, path.relative(dir, err.path ?? ''), err.message.replace(dir, 'DIR')]);
  }
  return out;
}

describe('core/asyncFs', () => {
  test('thread pool and inline give the same results and the same errors', async () => {
    useInlineFileSystem(false);
    assert.equal(inlineFileSystem(), false);
    const pooled = await exercise(nodeFs.mkdtempSync(path.join(tmp, 'pool-')));
    useInlineFileSystem(true);
    assert.equal(inlineFileSystem(), true);
    const inline = await exercise(nodeFs.mkdtempSync(path.join(tmp, 'inline-')));
    useInlineFileSystem(false);
    assert.deepEqual(inline, pooled);
    assert.equal(pooled.length, 19);
  });

  test('an inline call is done when it returns, before its promise is awaited', async () => {
    const dir = nodeFs.mkdtempSync(path.join(tmp, 'when-'));
    useInlineFileSystem(true);
    const pending = fsp.writeFile(path.join(dir, 'inline'), 'x');
    assert.ok(nodeFs.existsSync(path.join(dir, 'inline')), 'written before the promise is awaited');
    await pending;
    const failing = fsp.stat(path.join(dir, 'missing'));
    useInlineFileSystem(false);
    // Inline, a failure is a rejected promise like on the thread pool, never a throw from the call.
    await assert.rejects(failing, { code: 'ENOENT', syscall: 'stat' });
  });

  test('the flag is one per process, shared by every copy of the module (each CLI bundle has its own)', () => {
    useInlineFileSystem(true);
    assert.equal((globalThis as Record<symbol, unknown>)[Symbol.for('venv-manager.fs.inline')], true);
    useInlineFileSystem(false);
    assert.equal(inlineFileSystem(), false);
  });
});

describe('discovery/safeRead under both modes', () => {
  test('a file head, a FIFO, a folder and a missing path read the same inline and on the thread pool', async (t) => {
    if (process.platform === 'win32') return t.skip('FIFOs are POSIX');
    const dir = nodeFs.mkdtempSync(path.join(tmp, 'heads-'));
    nodeFs.writeFileSync(path.join(dir, 'pyvenv.cfg'), 'home = /usr/bin\nversion = 3.13.0\n');
    nodeFs.mkdirSync(path.join(dir, 'folder'));
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    const read = async () => {
      const out: unknown[] = [];
      for (const name of ['pyvenv.cfg', 'fifo', 'folder', 'missing']) {
        const head = await readRegularFileHead(path.join(dir, name), 8);
        out.push(head && [head.bytes.toString('utf8'), head.size]);
        for (const listed of [true, false]) {
          if (listed && name !== 'pyvenv.cfg') continue; // listedAsFile is only said of what a listing called a file
          const start = await readListedFileStart(path.join(dir, name), 4, 64, (b) => !b.includes('\n'.charCodeAt(0)), listed);
          out.push(start?.toString('utf8'));
        }
      }
      return out;
    };
    useInlineFileSystem(false);
    const pooled = await read();
    useInlineFileSystem(true);
    const inline = await read();
    useInlineFileSystem(false);
    assert.deepEqual(inline, pooled);
    // The head is cut at 8 bytes. The start of a listed file is read in growing chunks (4, then 16
    // bytes) until one holds a line end; unlisted, the first chunk is fstat-checked, then the whole is read.
    const whole = 'home = /usr/bin\nversion = 3.13.0\n';
    assert.deepEqual(pooled.slice(0, 3), [['home = /', whole.length], 'home = /usr/bin\n', whole]);
    assert.deepEqual(pooled.slice(3), [undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});

// One rule for "executable" and one for which PATH folders count (src/core/pathLookup.ts), used by
// discovery, interpreter introspection and the installer's uv lookup; and one version parser.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { parseMajorMinor } from '../../../src/core/envFacts';
import { findOnPath, isExecutableFile, pathEntries, withPathExt } from '../../../src/core/pathLookup';
import { parseVersion } from '../../../src/core/version';

let dir: string;
before(async () => {
  dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'vm-path-lookup-')));
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function file(rel: string, mode: number): Promise<string> {
  const p = path.join(dir, rel);
  await fs.mkdir(path.dirname(p), { recursive: true });
  await fs.writeFile(p, '#!/bin/sh\nexit 0\n', { mode });
  await fs.chmod(p, mode);
  return p;
}

test('executable: a regular file this process may run, links followed; under Windows rules any regular file', { skip: process.platform === 'win32' && 'POSIX permissions' }, async () => {
  const runnable = await file('x/runnable', 0o755);
  const plain = await file('x/plain', 0o644);
  await fs.symlink(runnable, path.join(dir, 'x', 'link'));
  await fs.symlink(path.join(dir, 'x', 'nowhere'), path.join(dir, 'x', 'dangling'));
  assert.equal(await isExecutableFile(runnable, false), true);
  assert.equal(await isExecutableFile(path.join(dir, 'x', 'link'), false), true, 'a link to a program');
  assert.equal(await isExecutableFile(plain, false), false, 'no execute permission');
  assert.equal(await isExecutableFile(path.join(dir, 'x', 'dangling'), false), false);
  assert.equal(await isExecutableFile(path.join(dir, 'x'), false), false, 'a folder is not a program');
  assert.equal(await isExecutableFile(plain, true), true, 'Windows decides by extension, not permission bits');
  assert.equal(await isExecutableFile(path.join(dir, 'x'), true), false);
});

test('PATH: absolute folders only, in order; the first folder with any of the names wins, then name order', { skip: process.platform === 'win32' && 'POSIX paths' }, async () => {
  await file('rel/tool', 0o755);
  await file('a/tool', 0o644);
  await fs.mkdir(path.join(dir, 'b', 'tool'), { recursive: true });
  const inC = await file('c/tool', 0o755);
  const alsoInC = await file('c/tool.alt', 0o755);
  const inD = await file('d/tool', 0o755);
  const relative = path.relative(process.cwd(), path.join(dir, 'rel'));
  const env = { PATH: ['', '.', relative, path.join(dir, 'a'), path.join(dir, 'b'), path.join(dir, 'c'), path.join(dir, 'd')].join(':') };
  assert.deepEqual(pathEntries(env, false), [path.join(dir, 'a'), path.join(dir, 'b'), path.join(dir, 'c'), path.join(dir, 'd')], 'relative and empty entries are skipped');
  // From inside the folder that holds it, a relative entry would have found rel/tool: it is not searched.
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    assert.equal(await findOnPath(['tool'], { PATH: `rel:${path.join(dir, 'd')}` }, false), inD);
  } finally {
    process.chdir(cwd);
  }
  assert.equal(await findOnPath(['tool'], env, false), inC, 'a file without permission and a folder are passed over');
  assert.equal(await findOnPath(['tool.alt', 'tool'], env, false), alsoInC);
  assert.equal(await findOnPath(['missing'], env, false), undefined);
  assert.equal(await findOnPath(['tool'], {}, false), undefined, 'no PATH, nothing found');
  assert.deepEqual(withPathExt('uv', { PATHEXT: '.COM;.EXE;' }, true), ['uv.COM', 'uv.EXE']);
  assert.deepEqual(withPathExt('uv', {}, true, '.EXE;.CMD'), ['uv.EXE', 'uv.CMD']);
  assert.deepEqual(withPathExt('uv', { PATHEXT: '.EXE' }, false), ['uv']);
});

test('one version parser: leading numeric parts; the lifecycle needs major.minor', () => {
  assert.deepEqual(parseVersion('3.12.1'), [3, 12, 1]);
  assert.deepEqual(parseVersion(' 3.14.0rc1'), [3, 14, 0]);
  assert.deepEqual(parseVersion('3'), [3]);
  assert.equal(parseVersion('python3'), undefined);
  assert.deepEqual(parseMajorMinor('3.12.1'), [3, 12, 1]);
  assert.deepEqual(parseMajorMinor('3.13'), [3, 13]);
  assert.equal(parseMajorMinor('3'), undefined);
  assert.equal(parseMajorMinor(undefined), undefined);
});

import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { InstallImage } from '../../../src/core/seed/cache';
import { installImage } from '../../../src/core/seed/install';

let tmp: string;
before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vm-seed-install-'));
});
after(() => fs.rm(tmp, { recursive: true, force: true }));

test('a placement that fails stops the install, which rejects only once the placements already running are done', async () => {
  const siteDir = path.join(tmp, 'image', 'site');
  await fs.mkdir(path.join(siteDir, 'pkg'), { recursive: true });
  const files = Array.from({ length: 1000 }, (_, i) => `pkg/m${i}.py`);
  await Promise.all(files.map((f) => fs.writeFile(path.join(siteDir, f), '')));
  const image: InstallImage = {
    project: 'fake', version: '1.0', siteDir, distInfo: 'fake-1.0.dist-info',
    // The first file is not in the image: its placement fails at once.
    files: ['pkg/missing.py', ...files],
    dirs: ['pkg'], record: [], consoleScripts: [], guiScripts: [], launcherStubs: {},
  };
  const site = path.join(tmp, 'env', 'site-packages');
  const target = { sitePackages: site, binDir: path.join(tmp, 'env', 'bin'), envPython: path.join(tmp, 'env', 'bin', 'python'), osName: 'posix' as const, platform: 'linux', is64bit: true, version: [3, 12, 0] as [number, number, number], linkMode: 'hardlink' as const };
  await assert.rejects(installImage(image, '', new Map(), target, false), { code: 'ENOENT' });
  const atReject = (await fs.readdir(path.join(site, 'pkg'))).length;
  // File-system round trips in which placements still running after the rejection would land.
  for (let i = 0; i < 50; i++) await fs.stat(site);
  assert.equal((await fs.readdir(path.join(site, 'pkg'))).length, atReject, 'files were still being placed after the install rejected');
  assert.ok(atReject < files.length, `placed ${atReject} of ${files.length} files after the first placement failed`);
});

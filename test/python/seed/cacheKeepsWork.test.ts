// Issue 14: the seed cache under stress. A published image never changes, not even while cold
// creates race (defect 5); a damaged image is noticed and rebuilt, never linked into a new env
// (defect 8); what killed builders left behind is swept (defect 15).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { createEnvironment } from '../../../src/core/envBuilder';
import { removeTempDir, tempDir, testPython, type TestPython } from '../../fixtures/lifecycle';

const CORE = path.resolve(__dirname, '../../../../dist/core.js');

let py: TestPython;
let work: string;

before(async () => {
  py = await testPython();
  work = await tempDir('vm-seed-keeps-');
});
after(() => removeTempDir(work));

/** Every file and folder under `dir`, with sizes: what "unchanged" means here. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      out.push(e.isDirectory() ? `${r}/` : `${r} ${fs.lstatSync(p).size}`);
      if (e.isDirectory()) walk(p, r);
    }
  };
  walk(dir, '');
  return out.sort();
}

function images(cacheDir: string): string[] {
  const seed = path.join(cacheDir, 'seed');
  return fs.existsSync(seed) ? fs.readdirSync(seed).filter((n) => !n.startsWith('.')).map((n) => path.join(seed, n)) : [];
}

function pipWorks(envDir: string): boolean {
  try {
    execFileSync(path.join(envDir, 'bin', 'python'), ['-m', 'pip', '--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

const create = (envDir: string, cacheDir: string) => createEnvironment(envDir, { python: py.path, withPip: true, symlinks: true, cacheDir });

test('defect 5: an image, once it appears in the cache, never changes while cold creates race', { timeout: 600_000 }, async () => {
  const cacheDir = path.join(work, 'race-cache');
  const script = (envDir: string) =>
    `require(${JSON.stringify(CORE)}).createEnvironment(${JSON.stringify(envDir)}, { python: ${JSON.stringify(py.path)}, withPip: true, symlinks: true, cacheDir: ${JSON.stringify(cacheDir)} }).then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); })`;
  const children = Array.from({ length: 4 }, (_, i) => {
    const child = spawn(process.execPath, ['-e', script(path.join(work, 'race', `env${i}`))], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    return new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('close', (code) => resolve({ code, stderr })));
  });
  let running = children.length;
  for (const c of children) void c.then(() => running--);
  const firstSeen = new Map<string, string[]>();
  // Each image is listed the moment it is first seen, published.
  while (running > 0) {
    for (const dir of images(cacheDir)) if (!firstSeen.has(dir)) firstSeen.set(dir, listing(dir));
    await new Promise((r) => setImmediate(r));
  }
  for (const r of await Promise.all(children)) assert.equal(r.code, 0, r.stderr);
  assert.ok(firstSeen.size > 0, 'an image was seen');
  for (const [dir, seen] of firstSeen) assert.deepEqual(listing(dir), seen, `${dir} changed after it was published`);
  for (let i = 0; i < 4; i++) assert.ok(pipWorks(path.join(work, 'race', `env${i}`)), `env${i} has a working pip`);
});

test('defect 8: a truncated or deleted file in the cached image is noticed; the next env gets whole files', { timeout: 300_000 }, async () => {
  const cacheDir = path.join(work, 'damage-cache');
  await create(path.join(work, 'damage', 'first'), cacheDir);
  const [image] = images(cacheDir).filter((d) => path.basename(d).startsWith('pip-'));
  assert.ok(image, 'a pip image');
  const init = path.join(image, 'site', 'pip', '__init__.py');
  const size = fs.statSync(init).size;
  // Written through: the first env shares this file (a hard link), as the README says.
  fs.truncateSync(init, 10);
  await create(path.join(work, 'damage', 'after-truncate'), cacheDir);
  assert.equal(fs.statSync(path.join(work, 'damage', 'after-truncate', 'lib', `python${py.version[0]}.${py.version[1]}`, 'site-packages', 'pip', '__init__.py')).size, size);
  assert.ok(pipWorks(path.join(work, 'damage', 'after-truncate')));
  const [again] = images(cacheDir).filter((d) => path.basename(d).startsWith('pip-'));
  fs.rmSync(path.join(again!, 'site', 'pip', '__main__.py'));
  await create(path.join(work, 'damage', 'after-delete'), cacheDir);
  assert.ok(pipWorks(path.join(work, 'damage', 'after-delete')));
});

test('defect 8: torn or wrong-shaped JSON in the cached image is noticed and the image rebuilt', { timeout: 300_000 }, async () => {
  const cacheDir = path.join(work, 'json-cache');
  await create(path.join(work, 'json', 'first'), cacheDir);
  // Wrong-shaped: valid JSON where a list of files is expected; torn: cut off mid-way.
  const damages: Record<string, (text: string) => string> = {
    'wrong-shaped': (text) => {
      const data = JSON.parse(text) as { image?: { bytecode?: unknown } };
      if (!data.image) return '{}';
      data.image.bytecode = {};
      return JSON.stringify(data);
    },
    torn: (text) => text.slice(0, Math.floor(text.length / 2)),
  };
  for (const [name, damage] of Object.entries(damages)) {
    for (const dir of images(cacheDir)) {
      for (const f of fs.readdirSync(dir)) if (f.endsWith('.json')) fs.writeFileSync(path.join(dir, f), damage(fs.readFileSync(path.join(dir, f), 'utf8')));
    }
    const envDir = path.join(work, 'json', name);
    await create(envDir, cacheDir);
    assert.ok(pipWorks(envDir), `after ${name} JSON`);
  }
});

test('defect 15: temporary images of killed builders are swept when an image is built', { timeout: 300_000 }, async () => {
  const cacheDir = path.join(work, 'sweep-cache');
  // The largest pid Linux hands out is 4194304: no process has this one.
  const leftover = path.join(cacheDir, 'seed', '.tmp-4194303-0123456789ab');
  fs.mkdirSync(path.join(leftover, 'site', 'pip'), { recursive: true });
  fs.writeFileSync(path.join(leftover, 'site', 'pip', '__init__.py'), 'x');
  const old = new Date(Date.now() - 3600_000);
  fs.utimesSync(leftover, old, old);
  // A live builder's temporary image stays.
  const live = path.join(cacheDir, 'seed', `.tmp-${process.pid}-ba9876543210`);
  fs.mkdirSync(live);
  fs.utimesSync(live, old, old);
  await create(path.join(work, 'sweep', 'env'), cacheDir);
  assert.equal(fs.existsSync(leftover), false, 'the dead builder\'s folder is gone');
  assert.ok(fs.existsSync(live), 'a live builder\'s folder is kept');
});

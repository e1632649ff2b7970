// The installed distributions of real envs, read from site-packages without running Python, agree
// with what pip itself lists; damaged and unusual records are listed with their problems.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DistributionCache, findDistributionIn, normalizeProjectName, parseEntryName, parseMetadataHeaders, readDistributionsIn, readInstalledDistributions, sitePackagesOf, type InstalledDistribution } from '../../../src/core/packages';
import { makeEnv, makeWheelhouse, removeTempDir, tempDir, testPython, type TestPython, type Wheelhouse } from '../../fixtures/lifecycle';
import { envPip, manyWheels, pipList, writeEditableProject } from '../../fixtures/packages';
import { buildWheel } from '../../fixtures/wheels';

let py: TestPython;
let work: string;
let wheels: Wheelhouse;
let envDir: string;
let project: string;

before(async () => {
  py = await testPython();
  work = await tempDir('vm-dists-');
  wheels = await makeWheelhouse(path.join(work, 'wheels'));
  await buildWheel(wheels.dir, { name: 'Foo_Bar', version: '1.2.3' });
  await buildWheel(wheels.dir, { name: 'zope.Thing', version: '4.0' });
  envDir = path.join(work, 'proj dir', '.venv');
  await makeEnv(envDir, py.path);
  project = await writeEditableProject(path.join(work, 'proj dir', 'my app'), 'My-App', '0.1.dev0');
  envPip(envDir, ['install', '-q', 'alpha==1.0', 'Foo_Bar', 'zope.Thing', 'gamma'], wheels.env);
  envPip(envDir, ['install', '-q', '--no-build-isolation', '-e', project], wheels.env);
});

after(() => removeTempDir(work));

function byName(dists: InstalledDistribution[], name: string): InstalledDistribution {
  const d = dists.find((x) => x.normalizedName === normalizeProjectName(name));
  assert.ok(d, `${name} is listed (have ${dists.map((x) => x.name).join(', ')})`);
  return d;
}

describe('readInstalledDistributions', () => {
  test('lists what pip lists, with the same names and versions, sorted by normalised name', async () => {
    const dists = await readInstalledDistributions(envDir);
    const pip = pipList(envDir, wheels.env);
    assert.deepEqual(dists.map((d) => [d.normalizedName, d.name, d.version]), [...pip.entries()].map(([k, r]) => [k, r.name, r.version]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
    assert.deepEqual(dists.map((d) => d.normalizedName), dists.map((d) => d.normalizedName).sort());
    for (const d of dists) assert.deepEqual(d.problems, [], d.name);
  });

  test('REQUESTED tells what was asked for from what came as a dependency', async () => {
    const dists = await readInstalledDistributions(envDir);
    assert.equal(byName(dists, 'alpha').requested, true);
    assert.equal(byName(dists, 'beta').requested, false, 'beta came with alpha');
    assert.deepEqual(byName(dists, 'alpha').requires, ['beta>=2']);
    assert.equal(byName(dists, 'alpha').summary, 'test package alpha');
  });

  test('names that normalise differently keep their spelling and are found by any spelling', async () => {
    const dists = await readInstalledDistributions(envDir);
    const foo = byName(dists, 'foo-bar');
    assert.equal(foo.name, 'Foo_Bar');
    assert.equal(foo.normalizedName, 'foo-bar');
    assert.equal(byName(dists, 'zope-thing').name, 'zope.Thing');
    const site = (await sitePackagesOf(envDir))!;
    for (const spelling of ['foo-bar', 'FOO_BAR', 'foo.bar', 'Foo__Bar']) {
      const found = await findDistributionIn(site, spelling);
      assert.deepEqual(found.map((d) => [d.name, d.version]), [['Foo_Bar', '1.2.3']], spelling);
    }
    assert.deepEqual(await findDistributionIn(site, 'foo'), [], 'a prefix is not a match');
    assert.deepEqual((await findDistributionIn(site, 'ZOPE.thing')).map((d) => d.version), ['4.0']);
  });

  test('an editable install carries its source folder, as pip reports it', async () => {
    const dists = await readInstalledDistributions(envDir);
    const app = byName(dists, 'my-app');
    assert.equal(app.editable, true);
    assert.equal(app.sourceFolder, project);
    assert.equal(app.version, '0.1.dev0');
    assert.equal(pipList(envDir, wheels.env).get('my-app')?.editable_project_location, project);
    assert.equal(byName(dists, 'alpha').editable, false);
    assert.equal(byName(dists, 'alpha').sourceFolder, undefined);
  });

  test('an env already inspected is read from its site-packages; an env without one has none', async () => {
    const site = (await sitePackagesOf(envDir))!;
    assert.deepEqual(await readInstalledDistributions({ path: envDir, sitePackages: site }), await readInstalledDistributions(envDir));
    assert.deepEqual(await readInstalledDistributions(path.join(work, 'nowhere')), []);
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(readInstalledDistributions(envDir, { signal: ac.signal }), { name: 'AbortError' });
  });
});

describe('damaged and unusual records', () => {
  let site: string;
  before(async () => {
    const env2 = path.join(work, 'damaged');
    await makeEnv(env2, py.path);
    envPip(env2, ['install', '-q', 'gamma', 'beta', 'Foo_Bar'], wheels.env);
    site = (await sitePackagesOf(env2))!;
  });

  test('a dist-info without RECORD is listed and flagged', async () => {
    await fs.rm(path.join(site, 'gamma-3.0.dist-info', 'RECORD'));
    const gamma = byName(await readDistributionsIn(site), 'gamma');
    assert.equal(gamma.version, '3.0');
    assert.deepEqual(gamma.problems.map((p) => p.code), ['no-record']);
    assert.match(gamma.problems[0]!.message, /RECORD/);
  });

  test('a dist-info without METADATA keeps the name and version of its folder, flagged', async () => {
    await fs.rm(path.join(site, 'beta-2.0.dist-info', 'METADATA'));
    const beta = byName(await readDistributionsIn(site), 'beta');
    assert.deepEqual([beta.name, beta.version], ['beta', '2.0']);
    assert.deepEqual(beta.problems.map((p) => p.code), ['no-metadata']);
  });

  test('two records of one project (an interrupted upgrade) are both flagged', async () => {
    await fs.cp(path.join(site, 'foo_bar-1.2.3.dist-info'), path.join(site, 'Foo_Bar-1.0.dist-info'), { recursive: true });
    await fs.writeFile(path.join(site, 'Foo_Bar-1.0.dist-info', 'METADATA'), 'Metadata-Version: 2.1\nName: Foo_Bar\nVersion: 1.0\n');
    const foos = (await readDistributionsIn(site)).filter((d) => d.normalizedName === 'foo-bar');
    assert.deepEqual(foos.map((d) => d.version).sort(), ['1.0', '1.2.3']);
    for (const d of foos) assert.deepEqual(d.problems.map((p) => p.code), ['duplicate']);
    assert.equal((await findDistributionIn(site, 'foo-bar')).length, 2);
  });

  test('egg-info folders and files, egg-links, a bad direct_url.json, and a FIFO for METADATA', async () => {
    const dir = await tempDir('vm-dists-odd-');
    try {
      await fs.mkdir(path.join(dir, 'Old_Lib-2.5-py3.11.egg-info'));
      await fs.writeFile(path.join(dir, 'Old_Lib-2.5-py3.11.egg-info', 'PKG-INFO'), 'Metadata-Version: 1.0\nName: Old-Lib\nVersion: 2.5\nDescription: a long\n        description\nSummary: old\n\nbody\n');
      await fs.writeFile(path.join(dir, 'distutils_thing-1.0-py3.11.egg-info'), 'Metadata-Version: 1.1\nName: distutils-thing\nVersion: 1.0\n');
      const src = path.join(dir, 'dev src');
      await fs.mkdir(path.join(src, 'devlib.egg-info'), { recursive: true });
      await fs.writeFile(path.join(src, 'devlib.egg-info', 'PKG-INFO'), 'Metadata-Version: 2.1\nName: DevLib\nVersion: 0.3\n');
      await fs.writeFile(path.join(dir, 'DevLib.egg-link'), `${src}\n.\n`);
      await fs.mkdir(path.join(dir, 'odd-1.0.dist-info'));
      await fs.writeFile(path.join(dir, 'odd-1.0.dist-info', 'METADATA'), 'Name: odd\nVersion: 1.0\n');
      await fs.writeFile(path.join(dir, 'odd-1.0.dist-info', 'RECORD'), '');
      await fs.writeFile(path.join(dir, 'odd-1.0.dist-info', 'direct_url.json'), '{"url": 3');
      await fs.mkdir(path.join(dir, 'fifo-1.0.dist-info'));
      await fs.writeFile(path.join(dir, 'fifo-1.0.dist-info', 'RECORD'), '');
      (await import('node:child_process')).execFileSync('mkfifo', [path.join(dir, 'fifo-1.0.dist-info', 'METADATA')]);
      await fs.writeFile(path.join(dir, 'not-a-dist.txt'), '');
      const dists = await readDistributionsIn(dir);
      assert.deepEqual(dists.map((d) => [d.name, d.version, d.format, d.editable, d.problems.map((p) => p.code).join()]), [
        ['DevLib', '0.3', 'egg-link', true, ''],
        ['distutils-thing', '1.0', 'egg-info', false, ''],
        ['fifo', '1.0', 'dist-info', false, 'no-metadata'],
        ['odd', '1.0', 'dist-info', false, 'bad-direct-url'],
        ['Old-Lib', '2.5', 'egg-info', false, ''],
      ]);
      assert.equal(byName(dists, 'devlib').sourceFolder, src);
      assert.equal(byName(dists, 'old-lib').summary, 'old');
    } finally {
      await removeTempDir(dir);
    }
  });
});

test('long headers are read to their end and a long body is not; symlinked dist-info folders and METADATA files read the same', async () => {
  const dir = await tempDir('vm-dists-long-');
  try {
    // Headers of ~60 KB (past any first read), the last Requires-Dist at their very end, then a 3 MB body.
    const many = Array.from({ length: 1500 }, (_, i) => `Classifier: Topic :: Thing ${i}`).join('\n');
    const body = `${'x'.repeat(3 * 1024 * 1024)}\nRequires-Dist: from-the-body\n`;
    const write = async (folder: string, name: string) => {
      await fs.mkdir(path.join(dir, folder), { recursive: true });
      await fs.writeFile(path.join(dir, folder, 'METADATA'), `Metadata-Version: 2.1\nName: ${name}\nVersion: 1.0\n${many}\nRequires-Dist: last-header\n\n${body}`);
      await fs.writeFile(path.join(dir, folder, 'RECORD'), '');
    };
    await write('long-1.0.dist-info', 'long');
    // A dist-info folder that is a symlink, and a METADATA file that is one.
    await write('elsewhere/linked-1.0.dist-info', 'linked');
    await fs.symlink(path.join(dir, 'elsewhere', 'linked-1.0.dist-info'), path.join(dir, 'linked-1.0.dist-info'));
    await fs.mkdir(path.join(dir, 'metalink-1.0.dist-info'));
    await fs.writeFile(path.join(dir, 'metalink-1.0.dist-info', 'RECORD'), '');
    await fs.writeFile(path.join(dir, 'elsewhere', 'META'), 'Metadata-Version: 2.1\nName: MetaLink\nVersion: 1.0\nRequires-Dist: a\n\nRequires-Dist: b\n');
    await fs.symlink(path.join(dir, 'elsewhere', 'META'), path.join(dir, 'metalink-1.0.dist-info', 'METADATA'));
    await fs.writeFile(path.join(dir, 'metalink-1.0.dist-info', 'direct_url.json'), JSON.stringify({ url: 'file:///some/where', dir_info: { editable: true } }));
    const dists = await readDistributionsIn(dir);
    assert.deepEqual(dists.map((d) => [d.name, d.requires.length, d.requires.at(-1), d.problems.length]), [
      ['linked', 1, 'last-header', 0],
      ['long', 1, 'last-header', 0],
      ['MetaLink', 1, 'a', 0],
    ]);
    assert.equal(byName(dists, 'metalink').sourceFolder, '/some/where');
  } finally {
    await removeTempDir(dir);
  }
});

test('with a DistributionCache a re-read reads again only the dist-info folders that changed, were added or replaced; removed ones go', async () => {
  const dir = await tempDir('vm-dists-cache-');
  try {
    const record = async (name: string, version: string) => {
      const info = path.join(dir, `${name}-${version}.dist-info`);
      await fs.mkdir(info);
      await fs.writeFile(path.join(info, 'METADATA'), `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`);
      await fs.writeFile(path.join(info, 'RECORD'), '');
      return info;
    };
    const a = await record('a', '1.0');
    await record('b', '1.0');
    await record('c', '1.0');
    await record('e', '1.0');
    const cache = new DistributionCache();
    const show = (ds: InstalledDistribution[]) => ds.map((d) => `${d.name} ${d.version}${d.requested ? ' requested' : ''}`);
    const first = await readDistributionsIn(dir, { cache });
    assert.deepEqual(cache.lastRead, { reused: 0, read: 4 });
    // What a caller does to its copy does not reach the cache.
    first[0]!.problems.push({ code: 'duplicate', message: 'changed by a caller' });
    const second = await readDistributionsIn(dir, { cache });
    assert.deepEqual(cache.lastRead, { reused: 4, read: 0 });
    assert.deepEqual(second, await readDistributionsIn(dir));

    // As pip does: a REQUESTED added to a, b upgraded (a new folder in place of the old), c uninstalled, d installed.
    await fs.writeFile(path.join(a, 'REQUESTED'), '');
    await fs.rm(path.join(dir, 'b-1.0.dist-info'), { recursive: true });
    await record('b', '2.0');
    await fs.rm(path.join(dir, 'c-1.0.dist-info'), { recursive: true });
    await record('d', '0.1');
    const third = await readDistributionsIn(dir, { cache });
    assert.deepEqual(cache.lastRead, { reused: 1, read: 3 });
    assert.deepEqual(show(third), ['a 1.0 requested', 'b 2.0', 'd 0.1', 'e 1.0']);
    assert.deepEqual(third, await readDistributionsIn(dir));
    // A folder replaced by a fresh one of the same name (a reinstall) is read again too.
    await fs.rm(path.join(dir, 'e-1.0.dist-info'), { recursive: true });
    const e = await record('e', '1.0');
    await fs.writeFile(path.join(e, 'METADATA'), 'Metadata-Version: 2.1\nName: E\nVersion: 1.0\n');
    assert.deepEqual(show(await readDistributionsIn(dir, { cache })), ['a 1.0 requested', 'b 2.0', 'd 0.1', 'E 1.0']);
    assert.deepEqual(cache.lastRead, { reused: 3, read: 1 });
  } finally {
    await removeTempDir(dir);
  }
});

test('an env with 300 small distributions: all listed, as pip lists them', async () => {
  const env300 = path.join(work, 'env300');
  const many = await manyWheels(path.join(work, 'many'), 300);
  await makeEnv(env300, py.path);
  envPip(env300, ['install', '-q', '--no-deps', ...many], wheels.env);
  const dists = await readInstalledDistributions(env300);
  const pip = pipList(env300, wheels.env);
  assert.equal(dists.length, pip.size);
  assert.ok(dists.length >= 301, `${dists.length}`);
  for (const d of dists) assert.equal(pip.get(d.normalizedName)?.version, d.version, d.name);
});

describe('name and metadata parsing', () => {
  test('folder names split into name and version', () => {
    assert.deepEqual(parseEntryName('foo_bar-1.0.dist-info'), { name: 'foo_bar', version: '1.0', format: 'dist-info' });
    assert.deepEqual(parseEntryName('Foo-Bar-2!1.0.post1.dist-info'), { name: 'Foo-Bar', version: '2!1.0.post1', format: 'dist-info' });
    assert.deepEqual(parseEntryName('six-1.16.0-py3.11.egg-info'), { name: 'six', version: '1.16.0', format: 'egg-info' });
    assert.deepEqual(parseEntryName('mylib.egg-link'), { name: 'mylib', format: 'egg-link' });
    assert.equal(parseEntryName('mylib'), undefined);
    assert.equal(parseEntryName('__editable__.mylib.pth'), undefined);
  });

  test('headers: continuation lines, the first Name wins, the body is not read', () => {
    const h = parseMetadataHeaders('Metadata-Version: 2.1\r\nName: a.b\r\nVersion:  1.0 \r\nSummary: one\r\n  two\r\nRequires-Dist: x>=1; extra == "t"\r\nRequires-Dist: y\r\n\r\nName: not this\r\nRequires-Dist: z\r\n');
    assert.deepEqual(h, { name: 'a.b', version: '1.0', summary: 'one two', requires: ['x>=1; extra == "t"', 'y'] });
  });

  test('PEP 503 normalisation', () => {
    assert.equal(normalizeProjectName('Foo_Bar'), 'foo-bar');
    assert.equal(normalizeProjectName('foo-._bar'), 'foo-bar');
    assert.equal(normalizeProjectName('Zope.Interface'), 'zope-interface');
  });
});

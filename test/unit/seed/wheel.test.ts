// RECORD and entry_points parsing/writing, and unpacking with the zip-slip guard.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatRecord, parseEntryPoints, parseRecord, recordHash, safeJoin, unpackWheel } from '../../../src/core/seed/wheel';
import { storedZip } from '../../../src/core/seed/scripts';

function tmp(): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vm-wheel-')));
}

describe('RECORD', () => {
  test('parses LF and CRLF rows, quoted fields with commas and doubled quotes', () => {
    const rows = parseRecord('a.py,sha256=x,1\r\n"b,c.py",,\n"d""e.py",sha256=y,22\n\n');
    assert.deepEqual(rows, [
      ['a.py', 'sha256=x', '1'],
      ['b,c.py', '', ''],
      ['d"e.py', 'sha256=y', '22'],
    ]);
  });
  test('writes rows sorted by code point with CRLF, quoting like Python csv', () => {
    const text = formatRecord([
      ['pip/z.py', 'sha256=a', '1'],
      ['../../../bin/pip', 'sha256=b', '2'],
      ['pip-1.dist-info/RECORD', '', ''],
      ['pip/a,b.py', '', ''],
      ['Pip/Upper.py', '', ''],
    ]);
    assert.equal(text, '../../../bin/pip,sha256=b,2\r\nPip/Upper.py,,\r\npip-1.dist-info/RECORD,,\r\n"pip/a,b.py",,\r\npip/z.py,sha256=a,1\r\n');
    assert.deepEqual(parseRecord(text).length, 5);
  });
  test('sorts as Python sorts str: by code point, so a character above U+FFFF comes after U+FFFD', () => {
    // sorted(['a', 'B', 'ab', 'é', '\ufffd', '😀', 'a😀', 'a\uffff']) in Python:
    const python = ['B', 'a', 'ab', 'a\uffff', 'a😀', 'é', '\ufffd', '😀'];
    const shuffled = ['😀', 'ab', '\ufffd', 'a😀', 'B', 'é', 'a', 'a\uffff'];
    const rows = shuffled.map((name) => [name, '', ''] as [string, string, string]);
    assert.deepEqual(parseRecord(formatRecord(rows)).map((r) => r[0]), python);
    // Tuples: the second field decides when the first is equal.
    assert.deepEqual(parseRecord(formatRecord([['x', 'b', ''], ['x', 'a', '2'], ['x', 'a', '10']])), [['x', 'a', '10'], ['x', 'a', '2'], ['x', 'b', '']]);
  });
  test("hash and size as pip's rehash writes them", () => {
    // The REQUESTED row of every ensurepip-seeded env (an empty file).
    assert.deepEqual(recordHash(Buffer.alloc(0)), { hash: 'sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU', size: '0' });
    assert.deepEqual(recordHash(Buffer.from('pip\n')), { hash: 'sha256=zuuue4knoyJ-UwPPXg8fezS7VCrXJQrAP7zeNuwvFQg', size: '4' });
  });
});

describe('entry_points.txt', () => {
  test('sections and name = value pairs, comments and blanks ignored', () => {
    const eps = parseEntryPoints('[console_scripts]\npip = pip._internal.cli.main:main\n# note\n\npip3.11 = pip._internal.cli.main:main\n[gui_scripts]\ng=m:f [extra]\n');
    assert.deepEqual([...eps.get('console_scripts')!], [
      ['pip', 'pip._internal.cli.main:main'],
      ['pip3.11', 'pip._internal.cli.main:main'],
    ]);
    assert.deepEqual([...eps.get('gui_scripts')!], [['g', 'm:f [extra]']]);
  });
});

describe('unpackWheel', () => {
  test('extracts the entries of a real zip', async () => {
    const dir = tmp();
    const wheel = path.join(dir, 'one.whl');
    fs.writeFileSync(wheel, storedZip('pkg/mod.py', Buffer.from('X = 1\n'), new Date()));
    const dest = path.join(dir, 'out');
    fs.mkdirSync(dest);
    const entries = await unpackWheel(wheel, dest);
    assert.deepEqual(entries, [{ name: 'pkg/mod.py', executable: false }]);
    assert.equal(fs.readFileSync(path.join(dest, 'pkg', 'mod.py'), 'utf8'), 'X = 1\n');
    fs.rmSync(dir, { recursive: true, force: true });
  });
  for (const evil of ['../evil.txt', 'pkg/../../evil.txt', '/tmp/evil-abs.txt']) {
    test(`refuses an entry named ${JSON.stringify(evil)} and writes nothing outside`, async () => {
      const dir = tmp();
      const wheel = path.join(dir, 'evil.whl');
      fs.writeFileSync(wheel, storedZip(evil, Buffer.from('owned'), new Date()));
      const dest = path.join(dir, 'a', 'b');
      fs.mkdirSync(dest, { recursive: true });
      await assert.rejects(unpackWheel(wheel, dest));
      assert.ok(!fs.existsSync(path.join(dir, 'a', 'evil.txt')));
      assert.ok(!fs.existsSync(path.join(dir, 'evil.txt')));
      fs.rmSync(dir, { recursive: true, force: true });
    });
  }
  test('safeJoin is the last line of defence', () => {
    assert.equal(safeJoin('/r', 'a/b'), path.resolve('/r/a/b'));
    assert.throws(() => safeJoin('/r', '../x'));
    assert.throws(() => safeJoin('/r', 'a/../../x'));
    assert.throws(() => safeJoin('/r', ''));
  });
  test('a corrupt file is an error, not a partial success', async () => {
    const dir = tmp();
    const wheel = path.join(dir, 'bad.whl');
    fs.writeFileSync(wheel, 'not a zip at all');
    await assert.rejects(unpackWheel(wheel, dir));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { parsePyvenvCfg, pythonStrRepr, readPromptValue, serializePyvenvCfg, PYVENV_CFG_MAX_BYTES } from '../../src/core/pyvenvCfg';

const SAMPLES = ['My prompt', "it's", 'say "hi"', `both ' and "`, 'back\\slash', 'tab\there', 'ünï', 'line\nbreak', 'bell\x07', 'nbsp\u00a0x', 'emoji 🐍', 'zero\u200bwidth', '', '$(rm -rf /)', '`id`'];

describe('pythonStrRepr', () => {
  test('matches the real Python repr() for every sample', () => {
    const python = process.env.PYTHON ?? 'python3';
    const out = execFileSync(python, ['-c', 'import json,sys\nfor s in json.load(sys.stdin): print(repr(s))'], { input: JSON.stringify(SAMPLES), encoding: 'utf8', env: { ...process.env, PYTHONIOENCODING: 'utf-8' } });
    const expected = out.split('\n').slice(0, SAMPLES.length);
    assert.deepEqual(SAMPLES.map(pythonStrRepr), expected);
  });

  test('readPromptValue undoes repr for every sample', () => {
    for (const s of SAMPLES) assert.equal(readPromptValue(pythonStrRepr(s)), s, JSON.stringify(s));
  });

  test('readPromptValue keeps a bare value (uv, virtualenv write it unquoted)', () => {
    assert.equal(readPromptValue('my env'), 'my env');
    assert.equal(readPromptValue("'unbalanced"), "'unbalanced");
  });
});

describe('parsePyvenvCfg', () => {
  test('reads keys in order, lower-cases lookup keys, trims values', () => {
    const cfg = parsePyvenvCfg('home = /usr/bin\nInclude-System-Site-Packages = false\nversion = 3.11.2\nexecutable=/usr/bin/python3.11\n');
    assert.deepEqual(cfg.entries.map((e) => e.key), ['home', 'Include-System-Site-Packages', 'version', 'executable']);
    assert.equal(cfg.values.get('include-system-site-packages'), 'false');
    assert.equal(cfg.values.get('executable'), '/usr/bin/python3.11');
    assert.deepEqual(cfg.problems, []);
  });

  test('splits on the first = only', () => {
    const cfg = parsePyvenvCfg('command = /usr/bin/python3 -m venv --prompt="a=b" /x\n');
    assert.equal(cfg.values.get('command'), '/usr/bin/python3 -m venv --prompt="a=b" /x');
  });

  test('tolerates CRLF, a BOM, lines without =, duplicates, binary junk and huge files without throwing', () => {
    const crlf = parsePyvenvCfg('\ufeffhome = C:\\Python312\r\nversion = 3.12.1\r\n');
    assert.equal(crlf.values.get('home'), 'C:\\Python312');
    assert.ok(crlf.problems.some((p) => /byte order mark/.test(p)));

    const bomBytes = parsePyvenvCfg(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('home = /usr/bin\n')]));
    assert.equal(bomBytes.values.get('home'), '/usr/bin');
    assert.ok(bomBytes.problems.some((p) => /byte order mark/.test(p)), 'a BOM in raw bytes is reported');

    const odd = parsePyvenvCfg('just words\nhome = /a\nhome = /b\n');
    assert.equal(odd.values.get('home'), '/b');
    assert.ok(odd.problems.some((p) => /no '='/.test(p)));
    assert.ok(odd.problems.some((p) => /more than once/.test(p)));

    const junk = new Uint8Array(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 131 + 7) % 256;
    const bin = parsePyvenvCfg(junk);
    assert.ok(bin.problems.length > 0);

    const huge = new TextEncoder().encode('home = /x\n' + 'k = v\n'.repeat(200_000));
    const big = parsePyvenvCfg(huge);
    assert.equal(big.values.get('home'), '/x');
    assert.ok(big.entries.length < PYVENV_CFG_MAX_BYTES / 6 + 2);
    assert.ok(big.problems.some((p) => /only the first/.test(p)));
  });

  test('serialize writes venv\'s exact bytes and round-trips', () => {
    const pairs: [string, string][] = [['home', '/usr/bin'], ['include-system-site-packages', 'false'], ['version', '3.11.2']];
    assert.equal(serializePyvenvCfg(pairs), 'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n');
    assert.equal(serializePyvenvCfg(pairs, '\r\n').split('\r\n').length, 4);
    assert.deepEqual(parsePyvenvCfg(serializePyvenvCfg(pairs)).entries.map((e) => [e.key, e.value]), pairs);
  });
});

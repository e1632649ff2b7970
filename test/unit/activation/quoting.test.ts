// Per-shell quoting. POSIX, fish and csh quoting are checked by letting the real shell read the
// word back (where installed); PowerShell, cmd and nushell are not installed here, so their
// quoting is checked against the languages' rules on the text.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { quoteBatch, quoteCsh, quoteFish, quoteNushell, quotePosix, quotePowerShell } from '../../../src/core/activation';
import { HOSTILE_VALUES } from '../../fixtures/hostileNames';

const HOSTILE = HOSTILE_VALUES;

function installed(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Lets `shell` read `word` and print it back; returns what it printed. */
function readBack(shell: string, args: string[], script: string): { out: string; marked: boolean } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-quote-'));
  try {
    const r = spawnSync(shell, [...args, script], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, LANG: 'C.UTF-8' } });
    assert.equal(r.status, 0, r.stderr);
    return { out: r.stdout, marked: fs.readdirSync(dir).length > 0 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('quotePosix', () => {
  test('leaves safe ASCII words bare and quotes everything else, like shlex.quote', () => {
    assert.equal(quotePosix('/tmp/env-1.2_x@y%z+a=b:c,d'), '/tmp/env-1.2_x@y%z+a=b:c,d');
    assert.equal(quotePosix(''), "''");
    assert.equal(quotePosix("it's"), `'it'"'"'s'`);
    assert.equal(quotePosix('ü'), `'ü'`, 'non-ASCII forces quoting');
  });
  for (const shell of ['sh', 'bash', 'zsh']) {
    test(`${shell} reads every hostile value back literally and runs nothing`, (t) => {
      if (!installed(shell)) return t.skip(`${shell} not installed`);
      for (const value of HOSTILE) {
        const { out, marked } = readBack(shell, ['-c'], `printf '%s' ${quotePosix(value)}`);
        assert.equal(out, value, JSON.stringify(value));
        assert.equal(marked, false);
      }
    });
  }
});

describe('quoteFish', () => {
  test('escapes only backslash and quote inside single quotes', () => {
    assert.equal(quoteFish("a'b\\c $x"), `'a\\'b\\\\c $x'`);
    assert.equal(quoteFish(''), "''");
  });
  test('fish reads every hostile value back literally', (t) => {
    if (!installed('fish')) return t.skip('fish not installed');
    for (const value of HOSTILE) {
      const { out, marked } = readBack('fish', ['--no-config', '-c'], `printf '%s' ${quoteFish(value)}`);
      assert.equal(out, value, JSON.stringify(value));
      assert.equal(marked, false);
    }
  });
});

describe('quoteCsh', () => {
  test('puts ! outside the single quotes, escaped; escapes a newline inside them', () => {
    assert.equal(quoteCsh('py!env'), `'py'\\!'env'`);
    assert.equal(quoteCsh("it's"), `'it'\\''s'`);
    assert.equal(quoteCsh('a\nb'), `'a\\\nb'`);
  });
  test('tcsh reads every hostile value back literally (history ! included)', (t) => {
    if (!installed('tcsh')) return t.skip('tcsh not installed');
    for (const value of HOSTILE) {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vm-csh-')), 'q.csh');
      fs.writeFileSync(file, `set v = ${quoteCsh(value)}\nprintf '%s' "$v:q"\n`);
      const { out, marked } = readBack('tcsh', ['-f'], file);
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
      assert.equal(out, value, JSON.stringify(value));
      assert.equal(marked, false);
    }
  });
});

describe('quotePowerShell (not installed here: checked against the language rules)', () => {
  test('a single-quoted verbatim string; every kind of single quote doubled', () => {
    assert.equal(quotePowerShell("it's"), "'it''s'");
    assert.equal(quotePowerShell('‘a’‚b‛'), "'‘‘a’’‚‚b‛‛'");
    assert.equal(quotePowerShell('$(Remove-Item x) `n "q"'), `'$(Remove-Item x) \`n "q"'`, '$ backtick and " are literal inside single quotes');
    assert.equal(quotePowerShell(''), "''");
  });
  test('for every hostile value, the quoted text has no unpaired single quote inside', () => {
    for (const value of HOSTILE) {
      const q = quotePowerShell(value);
      const inner = q.slice(1, -1);
      assert.equal(q[0], "'");
      assert.equal(q.at(-1), "'");
      // Reading a PowerShell verbatim string: a quote char must be followed by the same char.
      let decoded = '';
      for (let i = 0; i < inner.length; i++) {
        const c = inner[i]!;
        if ("'‘’‚‛".includes(c)) {
          assert.equal(inner[i + 1], c, `unpaired quote in ${q}`);
          i++;
        }
        decoded += c;
      }
      assert.equal(decoded, value);
    }
  });
});

describe('quoteBatch (not installed here: checked against cmd rules)', () => {
  test('doubles % and ", flattens line breaks, leaves & | < > ^ ( ) to the surrounding quotes', () => {
    assert.equal(quoteBatch('%PATH%'), '%%PATH%%');
    assert.equal(quoteBatch('a"&calc&"b'), 'a""&calc&""b');
    assert.equal(quoteBatch('a\r\nb\nc'), 'a b c');
    assert.equal(quoteBatch('x & y | z ^ (w) <v>'), 'x & y | z ^ (w) <v>');
  });
  test('inside set "NAME=..." the quote count stays even, so cmd never leaves the quotes', () => {
    for (const value of HOSTILE) {
      const line = `set "VIRTUAL_ENV=${quoteBatch(value)}"`;
      assert.equal((line.match(/"/g) ?? []).length % 2, 0, line);
      assert.ok(!/[\r\n]/.test(line));
      assert.ok(!/(^|[^%])%(?!%)/.test(quoteBatch(value)), `single % in ${line}`);
    }
  });
});

describe('quoteNushell (not installed here: checked against the raw-string rules)', () => {
  test('a raw string with more # than any quote-hash run in the value', () => {
    assert.equal(quoteNushell('plain'), "r#'plain'#");
    assert.equal(quoteNushell("it's"), "r#'it's'#");
    assert.equal(quoteNushell("a'#b"), "r##'a'#b'##");
    assert.equal(quoteNushell("x'###"), "r####'x'###'####");
  });
  test('the value never contains the closing delimiter', () => {
    for (const value of [...HOSTILE, "'#", "''##'#"]) {
      const q = quoteNushell(value);
      const hashes = /^r(#+)'/.exec(q)![1]!;
      assert.equal(q, `r${hashes}'${value}'${hashes}`);
      assert.ok(!value.includes(`'${hashes}`), q);
    }
  });
});

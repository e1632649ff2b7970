// The activation script set per version/OS, one-pass substitution, and the text of the scripts
// for the shells this machine lacks (PowerShell, cmd, nushell).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinActivationScripts, quotingForScript, substitutePlaceholders, type PlaceholderValues } from '../../../src/core/activation';

const names = (osName: 'posix' | 'nt', version: [number, number, number]) => builtinActivationScripts({ osName, version }).map((s) => s.relPath).sort();

const values = (over: Partial<PlaceholderValues> = {}): PlaceholderValues => ({
  VENV_DIR: '/tmp/env',
  VENV_NAME: 'env',
  VENV_PROMPT: 'env',
  VENV_BIN_NAME: 'bin',
  VENV_PYTHON: '/tmp/env/bin/python',
  ...over,
});

describe('builtinActivationScripts: the file set of CPython of that version, plus activate.nu', () => {
  test('POSIX', () => {
    assert.deepEqual(names('posix', [3, 6, 15]), ['activate', 'activate.csh', 'activate.fish', 'activate.nu']);
    assert.deepEqual(names('posix', [3, 7, 16]), ['activate', 'activate.csh', 'activate.fish', 'activate.nu']);
    assert.deepEqual(names('posix', [3, 8, 18]), ['Activate.ps1', 'activate', 'activate.csh', 'activate.fish', 'activate.nu']);
    assert.deepEqual(names('posix', [3, 12, 1]), ['Activate.ps1', 'activate', 'activate.csh', 'activate.fish', 'activate.nu']);
    assert.deepEqual(names('posix', [3, 13, 0]), ['Activate.ps1', 'activate', 'activate.csh', 'activate.fish', 'activate.nu']);
  });
  test('Windows', () => {
    assert.deepEqual(names('nt', [3, 7, 9]), ['Activate.ps1', 'activate', 'activate.bat', 'activate.nu', 'deactivate.bat']);
    assert.deepEqual(names('nt', [3, 12, 1]), ['Activate.ps1', 'activate', 'activate.bat', 'activate.nu', 'deactivate.bat']);
    assert.deepEqual(names('nt', [3, 13, 0]), ['Activate.ps1', 'activate', 'activate.bat', 'activate.fish', 'activate.nu', 'deactivate.bat']);
  });
  test('.bat files are CRLF throughout; every other script is LF only', () => {
    for (const osName of ['posix', 'nt'] as const) {
      for (const s of builtinActivationScripts({ osName, version: [3, 13, 0] })) {
        if (s.relPath.endsWith('.bat')) {
          assert.ok(!/[^\r]\n/.test(s.text), `${s.relPath} has a bare LF`);
          assert.ok(s.text.endsWith('\r\n'));
        } else {
          assert.ok(!s.text.includes('\r'), `${s.relPath} has a CR`);
        }
      }
    }
  });
  test('activate.bat saves PROMPT only where it changes it, so deactivate keeps a PROMPT set while the prompt was disabled (gh-109940)', () => {
    for (const version of [[3, 12, 1], [3, 14, 7]] as Array<[number, number, number]>) {
      const lines = builtinActivationScripts({ osName: 'nt', version }).find((s) => s.relPath === 'activate.bat')!.text.split('\r\n');
      const saves = lines.map((l, i) => [l.trim(), i] as const).filter(([l]) => /^set "_OLD_VIRTUAL_PROMPT=/i.test(l));
      assert.equal(saves.length, 1, 'one place saves the prompt');
      // The innermost block around that line must be the one guarded by VIRTUAL_ENV_DISABLE_PROMPT.
      let depth = 0;
      let opener = '';
      for (let i = saves[0]![1] - 1; i >= 0; i--) {
        const l = lines[i]!.trim();
        if (l === ')') depth++;
        else if (l.endsWith('(')) {
          if (depth === 0) {
            opener = l;
            break;
          }
          depth--;
        }
      }
      assert.equal(opener, 'if not defined VIRTUAL_ENV_DISABLE_PROMPT (', `activate.bat of ${version.join('.')}`);
    }
  });
  test('the Windows bash script converts the path for Cygwin/MSYS; the POSIX one runs no uname', () => {
    const nt = builtinActivationScripts({ osName: 'nt', version: [3, 13, 0] }).find((s) => s.relPath === 'activate')!;
    const posix = builtinActivationScripts({ osName: 'posix', version: [3, 13, 0] }).find((s) => s.relPath === 'activate')!;
    assert.match(nt.text, /cygpath __VENV_DIR__/);
    assert.doesNotMatch(posix.text, /uname/);
  });
  test('every placeholder a template uses sits outside double quotes (POSIX, fish, csh)', () => {
    for (const s of builtinActivationScripts({ osName: 'posix', version: [3, 13, 0] })) {
      if (!['activate', 'activate.fish', 'activate.csh'].includes(s.relPath)) continue;
      for (const line of s.text.split('\n')) {
        if (!line.includes('__VENV_')) continue;
        // Remove the double-quoted segments; no placeholder may have been inside one.
        const outside = line.replace(/"[^"]*"/g, '""');
        const total = (line.match(/__VENV_[A-Z_]+__/g) ?? []).length;
        assert.equal((outside.match(/__VENV_[A-Z_]+__/g) ?? []).length, total, `${s.relPath}: ${line}`);
      }
    }
  });
});

describe('the prompt label is (name) for every version', () => {
  // 3.6-3.12 pass context.prompt = "(name) ", 3.13+ the bare name (spec §4.2).
  for (const [version, prompt] of [
    [[3, 12, 1], '(p) '],
    [[3, 13, 0], 'p'],
  ] as const) {
    test(`${version.join('.')}: each script shows "(p) "`, () => {
      const scripts = builtinActivationScripts({ osName: 'posix', version: [...version] });
      const text = (name: string) => substitutePlaceholders(scripts.find((s) => s.relPath === name)!.text, values({ VENV_PROMPT: prompt }), quotingForScript(name));
      assert.match(text('activate'), /_VIRTUAL_ENV_PS1_LABEL=(?:'\(p\) '|'\('p'\) ')\n/);
      assert.match(text('Activate.ps1'), /_VIRTUAL_ENV_PROMPT_LABEL = (?:'\(p\) '|'\(' \+ 'p' \+ '\) ')\n/);
      assert.match(text('activate.nu'), /let label = (?:r#'\(p\) '#|\('\(' \+ r#'p'# \+ '\) '\))\n/);
      assert.match(text('activate.fish'), /_VIRTUAL_ENV_PROMPT_LABEL (?:'\(p\) '|'\('p'\) ')\n/);
    });
  }
  test('cmd: the label becomes "(p) " in both version families', () => {
    const bat = (version: [number, number, number], prompt: string) =>
      substitutePlaceholders(builtinActivationScripts({ osName: 'nt', version }).find((s) => s.relPath === 'activate.bat')!.text, values({ VENV_PROMPT: prompt }), 'batch');
    assert.ok(bat([3, 12, 1], '(p) ').includes('set "_VENV_LABEL=(p) "'));
    assert.ok(bat([3, 13, 0], 'p').includes('set "_VENV_LABEL=(p) "'));
  });
});

describe('quotingForScript', () => {
  test('by suffix, as CPython decides; unknown names are POSIX shell', () => {
    assert.equal(quotingForScript('Activate.ps1'), 'powershell');
    assert.equal(quotingForScript('activate.bat'), 'batch');
    assert.equal(quotingForScript('deactivate.BAT'), 'batch');
    assert.equal(quotingForScript('activate.fish'), 'fish');
    assert.equal(quotingForScript('activate.csh'), 'csh');
    assert.equal(quotingForScript('activate.nu'), 'nushell');
    assert.equal(quotingForScript('activate'), 'posix');
    assert.equal(quotingForScript('activate.sh'), 'posix');
  });
});

describe('substitutePlaceholders', () => {
  test('one pass: text coming from a value is never substituted again', () => {
    const out = substitutePlaceholders('D=__VENV_DIR__ B=__VENV_BIN_NAME__ P=__VENV_PROMPT__', values({ VENV_DIR: '/t/x__VENV_BIN_NAME__y', VENV_PROMPT: '__VENV_DIR__' }), 'none');
    assert.equal(out, 'D=/t/x__VENV_BIN_NAME__y B=bin P=__VENV_DIR__');
  });
  test('every placeholder is replaced, each with its own value', () => {
    const out = substitutePlaceholders('__VENV_DIR__|__VENV_NAME__|__VENV_PROMPT__|__VENV_BIN_NAME__|__VENV_PYTHON__|__VENV_OTHER__', values(), 'none');
    assert.equal(out, '/tmp/env|env|env|bin|/tmp/env/bin/python|__VENV_OTHER__');
  });
  test('values are quoted for the script kind', () => {
    const v = values({ VENV_DIR: "/t/it's" });
    assert.equal(substitutePlaceholders('X=__VENV_DIR__', v, 'posix'), `X='/t/it'"'"'s'`);
    assert.equal(substitutePlaceholders('X=__VENV_DIR__', v, 'powershell'), "X='/t/it''s'");
    assert.equal(substitutePlaceholders('X=__VENV_DIR__', values({ VENV_DIR: 'C:\\a%b' }), 'batch'), 'X=C:\\a%%b');
  });
  test('a hostile directory in the PowerShell, cmd and nushell scripts stays inside its quotes', () => {
    const dir = "C:\\x'‘y\"&calc&%PATH%$(rm)`n'#";
    const v = values({ VENV_DIR: dir, VENV_BIN_NAME: 'Scripts', VENV_PROMPT: dir });
    const scripts = builtinActivationScripts({ osName: 'nt', version: [3, 13, 0] });
    const get = (name: string) => substitutePlaceholders(scripts.find((s) => s.relPath === name)!.text, v, quotingForScript(name));
    assert.ok(get('Activate.ps1').includes(`$env:VIRTUAL_ENV = 'C:\\x''‘‘y"&calc&%PATH%$(rm)\`n''#'`));
    assert.ok(get('activate.bat').includes(`set "VIRTUAL_ENV=C:\\x'‘y""&calc&%%PATH%%$(rm)\`n'#"`));
    assert.ok(get('activate.nu').includes(`let venv_dir = r##'${dir}'##`));
  });
});

// Our TextMate grammars, tokenized by vscode-textmate with the oniguruma engine (what VS Code runs).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import * as onig from 'vscode-oniguruma';
import * as tm from 'vscode-textmate';

function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'syntaxes'))) return dir;
    if (path.dirname(dir) === dir) throw new Error('repository root not found');
  }
}

const root = repoRoot();
const files: Record<string, string> = { 'source.pyvenv-cfg': 'pyvenv-cfg', 'source.pip-requirements': 'pip-requirements' };
let registry: tm.Registry;

before(async () => {
  const wasm = fs.readFileSync(path.join(root, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  registry = new tm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new onig.OnigScanner(p), createOnigString: (s: string) => new onig.OnigString(s) }),
    loadGrammar: async (scope: string) => {
      const name = files[scope];
      return name ? tm.parseRawGrammar(fs.readFileSync(path.join(root, 'syntaxes', `${name}.tmLanguage.json`), 'utf8'), `${name}.json`) : null;
    },
  });
});

/** `text -> innermost scope` for every non-blank token of each line. */
async function tokens(scope: string, text: string): Promise<[string, string][][]> {
  const grammar = (await registry.loadGrammar(scope))!;
  let state = tm.INITIAL;
  return text.split('\n').map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens
      .map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1]] as [string, string])
      .filter(([s]) => s.trim() !== '');
  });
}

describe('pyvenv.cfg grammar', () => {
  test('keys (known and unknown), =, paths, booleans, versions, quoted prompt, comments, lines without =', async () => {
    const lines = await tokens('source.pyvenv-cfg', [
      'home = /usr/local/bin',
      'include-system-site-packages = false',
      'version = 3.12.1',
      "prompt = 'my env'",
      'x-custom = hello world',
      '# a comment',
      'no equals here',
      'executable = C:\\Python312\\python.exe',
    ].join('\n'));
    assert.deepEqual(lines[0], [['home', 'support.type.property-name.known.pyvenv-cfg'], ['=', 'keyword.operator.assignment.pyvenv-cfg'], ['/usr/local/bin', 'string.unquoted.path.pyvenv-cfg']]);
    assert.deepEqual(lines[1][2], ['false', 'constant.language.boolean.pyvenv-cfg']);
    assert.deepEqual(lines[2][2], ['3.12.1', 'constant.numeric.version.pyvenv-cfg']);
    assert.deepEqual(lines[3][2], ["'my env'", 'string.quoted.pyvenv-cfg']);
    assert.deepEqual(lines[4][0], ['x-custom', 'variable.other.property-name.pyvenv-cfg']);
    assert.equal(lines[5][0][1], 'punctuation.definition.comment.pyvenv-cfg');
    assert.deepEqual(lines[6], [['no equals here', 'invalid.illegal.no-assignment.pyvenv-cfg']]);
    assert.deepEqual(lines[7][2], ['C:\\Python312\\python.exe', 'string.unquoted.path.pyvenv-cfg']);
  });
});

describe('pip requirements grammar', () => {
  test('names, extras, specifiers, markers, comments, options, URLs, hashes', async () => {
    const lines = await tokens('source.pip-requirements', [
      'requests[socks]>=2.31,<3  # why',
      'numpy==1.26.4; python_version < "3.13"',
      '-r other.txt',
      'pkg @ https://example.org/pkg-1.0.tar.gz',
      'flask~=3.0 --hash=sha256:abc',
    ].join('\n'));
    assert.deepEqual(lines[0].slice(0, 4), [
      ['requests', 'entity.name.type.package.pip-requirements'],
      ['[', 'punctuation.section.brackets.begin.pip-requirements'],
      ['socks', 'variable.parameter.extra.pip-requirements'],
      [']', 'punctuation.section.brackets.end.pip-requirements'],
    ]);
    assert.deepEqual(lines[0].slice(4, 6), [['>=', 'keyword.operator.comparison.pip-requirements'], ['2.31', 'constant.numeric.version.pip-requirements']]);
    assert.equal(lines[0].at(-1)![1], 'comment.line.number-sign.pip-requirements');
    assert.deepEqual(lines[1].slice(3), [
      [';', 'punctuation.separator.marker.pip-requirements'],
      ['python_version', 'variable.language.marker.pip-requirements'],
      ['<', 'keyword.operator.comparison.pip-requirements'],
      ['"3.13"', 'string.quoted.pip-requirements'],
    ]);
    assert.deepEqual(lines[2], [['-r', 'keyword.control.option.pip-requirements'], ['other.txt', 'string.unquoted.argument.pip-requirements']]);
    assert.deepEqual(lines[3].at(-1), ['https://example.org/pkg-1.0.tar.gz', 'markup.underline.link.pip-requirements']);
    assert.deepEqual(lines[4].at(-1), ['sha256:abc', 'constant.other.hash.pip-requirements']);
  });
});

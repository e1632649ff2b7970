// PowerShell is not installed here, so Activate.ps1 is read by a real PowerShell parser (the
// tree-sitter grammar): the script must parse without errors, and each hostile value must come out
// as ONE verbatim string literal that decodes back to the value.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type { Language as LanguageType, Node, Parser as ParserType } from 'web-tree-sitter';
import { builtinActivationScripts, quotingForScript, substitutePlaceholders } from '../../../src/core/activation';

/** node_modules of the repository this bundled test runs from. */
function nodeModules(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', 'web-tree-sitter');
    if (fs.existsSync(candidate)) return path.dirname(candidate);
    if (path.dirname(dir) === dir) throw new Error('node_modules/web-tree-sitter not found');
  }
}

const HOSTILE = ["C:\\Users\\it's me\\env", "C:\\x‘y’z", 'C:\\$(Remove-Item -Recurse C:\\)\\`n"q";&|', 'C:\\ünï cödé', '/home/u/plain'];

let parser: ParserType;

function parse(text: string) {
  const tree = parser.parse(text);
  assert.ok(tree, 'parsed');
  return tree.rootNode;
}

/** The right-hand side of `<variable> = ...`. */
function assignedValue(root: Node, variable: string): Node {
  const found: Node[] = [];
  const walk = (n: Node) => {
    if (n.type === 'assignment_expression' && n.children[0]?.text === variable) found.push(n.children[2]!);
    for (const c of n.children) if (c) walk(c);
  };
  walk(root);
  assert.equal(found.length, 1, `one assignment to ${variable}`);
  return found[0]!;
}

function leaves(n: Node): Node[] {
  return n.childCount === 0 ? [n] : n.children.flatMap((c) => (c ? leaves(c) : []));
}

/** A verbatim string's value: outer quotes off, doubled quote characters single again. */
function decodeVerbatim(text: string): string {
  return text.slice(1, -1).replace(/(['\u2018\u2019\u201A\u201B])\1/g, '$1');
}

describe('Activate.ps1 read by a PowerShell parser', () => {
  before(async () => {
    const modules = nodeModules();
    // Loaded at run time from node_modules: bundled, its ESM build would look for its wasm via import.meta.
    const { Parser, Language } = createRequire(__filename)(path.join(modules, 'web-tree-sitter', 'web-tree-sitter.cjs')) as {
      Parser: typeof ParserType;
      Language: typeof LanguageType;
    };
    await Parser.init({ locateFile: () => path.join(modules, 'web-tree-sitter', 'web-tree-sitter.wasm') });
    const language = await Language.load(path.join(modules, 'tree-sitter-powershell', 'tree-sitter-powershell.wasm'));
    parser = new Parser();
    parser.setLanguage(language);
  });

  test('the parser does flag broken quoting (the check can fail)', () => {
    const hostile = "x' + (Remove-Item y) + '";
    const raw = `$env:VIRTUAL_ENV = '${hostile}'\n`;
    const root = parse(raw);
    const value = root.hasError ? [] : leaves(assignedValue(root, '$env:VIRTUAL_ENV'));
    assert.notDeepEqual(value.map((l) => l.type), ['verbatim_string_characters'], 'raw pasting is not one literal');
    const quoted = parse(`$env:VIRTUAL_ENV = ${substitutePlaceholders('__VENV_DIR__', { VENV_DIR: hostile, VENV_NAME: '', VENV_PROMPT: '', VENV_BIN_NAME: '', VENV_PYTHON: '' }, 'powershell')}\n`);
    assert.equal(decodeVerbatim(leaves(assignedValue(quoted, '$env:VIRTUAL_ENV'))[0]!.text), hostile);
  });

  for (const [osName, version] of [
    ['posix', [3, 12, 1]],
    ['posix', [3, 13, 0]],
    ['nt', [3, 12, 1]],
    ['nt', [3, 13, 0]],
  ] as const) {
    test(`${osName} ${version.join('.')}: parses cleanly and every value is one verbatim string`, () => {
      const script = builtinActivationScripts({ osName, version: [...version] }).find((s) => s.relPath === 'Activate.ps1')!;
      for (const dir of HOSTILE) {
        const prompt = `${path.basename(dir)} $(calc) 'p'`;
        const values = { VENV_DIR: dir, VENV_NAME: path.basename(dir), VENV_PROMPT: version[1] >= 13 ? prompt : `(${prompt}) `, VENV_BIN_NAME: osName === 'nt' ? 'Scripts' : 'bin', VENV_PYTHON: `${dir}/bin/python` };
        const root = parse(substitutePlaceholders(script.text, values, quotingForScript(script.relPath)));
        assert.equal(root.hasError, false, `syntax error with ${JSON.stringify(dir)}`);

        const venv = leaves(assignedValue(root, '$env:VIRTUAL_ENV'));
        assert.equal(venv.length, 1, `VIRTUAL_ENV is one literal for ${JSON.stringify(dir)}`);
        assert.equal(venv[0]!.type, 'verbatim_string_characters');
        assert.equal(decodeVerbatim(venv[0]!.text), dir);

        const promptValue = leaves(assignedValue(root, '$env:VIRTUAL_ENV_PROMPT'));
        assert.equal(promptValue.length, 1);
        assert.equal(decodeVerbatim(promptValue[0]!.text), values.VENV_PROMPT);

        // The label is '(' + prompt + ') ' (3.13+) or the "(prompt) " value itself (3.12-).
        const label = leaves(assignedValue(root, '$global:_VIRTUAL_ENV_PROMPT_LABEL')).filter((l) => l.type === 'verbatim_string_characters');
        assert.equal(label.map((l) => decodeVerbatim(l.text)).join(''), `(${prompt}) `);
      }
    });
  }
});

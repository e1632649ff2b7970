// One error model: core's errors carry a code (and output, location); the command line and the
// extension each have their words for every code and a safe fallback for anything else.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI_ERRORS, cliFailure } from '../../../src/cli/errors';
import { CoreError, describeFailure, ERROR_CODES, errorCodeOf, type ErrorCode } from '../../../src/core/errors';
import { VenvError } from '../../../src/core/interpreter';
import { PythonNotFoundError } from '../../../src/core/discovery/interpreters';
import { LifecycleError } from '../../../src/core/lifecycle';
import { readRequirementsFile, readPyproject } from '../../../src/core/declared';
import { failureView } from '../../../src/extension/ui/failureView';
import { repoRoot } from '../../harness/paths';

/** Where core's message says it all, the extension adds no sentence. */
const NO_SUMMARY: readonly ErrorCode[] = ['failed', 'cancelled', 'create-failed'];

test('every code has the command line\'s words (an exit status) and the extension\'s localized sentence', async () => {
  for (const code of ERROR_CODES) {
    assert.ok(CLI_ERRORS[code], `the CLI has words for '${code}'`);
    assert.ok(Number.isInteger(CLI_ERRORS[code].exitCode) && CLI_ERRORS[code].exitCode > 0, `'${code}' exits non-zero`);
  }
  assert.deepEqual(Object.keys(CLI_ERRORS).sort(), [...ERROR_CODES].sort(), 'no words for codes that are gone');
  // The extension's table is built with vscode.l10n.t (src/extension/ui/errorMessages.ts): read from
  // its source, every code has an entry, and a literal message unless core's message says it all.
  const source = await fs.readFile(path.join(repoRoot, 'src/extension/ui/errorMessages.ts'), 'utf8');
  const table = source.slice(source.indexOf('export function errorSummaries'), source.indexOf('export function viewOf'));
  const bundle = JSON.parse(await fs.readFile(path.join(repoRoot, 'l10n/bundle.l10n.json'), 'utf8')) as Record<string, string>;
  for (const code of ERROR_CODES) {
    const key = /^[a-z]+$/.test(code) ? code : `'${code}'`;
    const entry = new RegExp(`^\\s*${key.replace(/[-']/g, '\\$&')}: (''|vscode\\.l10n\\.t\\(("|')(.+)\\2\\)),$`, 'm').exec(table);
    assert.ok(entry, `the extension has a sentence for '${code}'`);
    if (NO_SUMMARY.includes(code)) assert.equal(entry[1], "''", `'${code}': core's message says it all`);
    else assert.ok(entry[3] && bundle[entry[3].replace(/\\'/g, "'")] !== undefined, `'${code}': a localized message in the bundle`);
  }
});

test('core\'s error types are CoreErrors with their codes, recognised by shape across bundles', () => {
  assert.equal(errorCodeOf(new LifecycleError('locked', 'x is busy')), 'locked');
  assert.equal(errorCodeOf(new VenvError('Unable to create directory')), 'create-failed');
  assert.equal(errorCodeOf(new VenvError('Cancelled.', { code: 'cancelled' })), 'cancelled');
  assert.equal(errorCodeOf(new PythonNotFoundError('No Python interpreter matching 3.99')), 'no-interpreter');
  // A copy of the class from another bundle: same name and shape, another class.
  const copy = Object.assign(new Error('elsewhere'), { name: 'LifecycleError', code: 'read-only' });
  assert.equal(errorCodeOf(copy), 'read-only');
  // Not core's: a file-system error has a code too, and an unknown code is not trusted.
  assert.equal(errorCodeOf(Object.assign(new Error('no such file'), { code: 'ENOENT' })), undefined);
  assert.equal(errorCodeOf(Object.assign(new Error('future'), { name: 'CoreError', code: 'some-new-code' })), undefined);
  assert.equal(errorCodeOf('a string'), undefined);
  assert.deepEqual(describeFailure(new CoreError('install-failed', 'pip failed', { output: 'ERROR: no such package\n' })), { code: 'install-failed', message: 'pip failed', output: 'ERROR: no such package\n' });
});

test('the command line: core\'s message, its own next step, the exit status; anything else falls back to Error: message, 1', () => {
  const locked = cliFailure(new LifecycleError('no-interpreter', 'The base interpreter of /e is gone (home = /x).'));
  assert.equal(locked.exitCode, 1);
  assert.match(locked.text, /^Error: The base interpreter of \/e is gone \(home = \/x\)\.\n.*--python SPEC.*\n$/);
  const install = new LifecycleError('install-failed', 'pip exited with 1', { output: 'log' });
  assert.match(cliFailure(install).text, /--verbose/);
  assert.doesNotMatch(cliFailure(install, { verbose: true }).text, /--verbose/, 'with --verbose the output was already printed');
  assert.deepEqual(cliFailure(new TypeError('boom')), { text: 'Error: boom\n', exitCode: 1 });
  assert.deepEqual(cliFailure(Object.assign(new Error('later'), { name: 'CoreError', code: 'from-a-newer-core' })), { text: 'Error: later\n', exitCode: 1 });
  assert.deepEqual(cliFailure(42), { text: 'Error: 42\n', exitCode: 1 });
});

test('the extension: the sentence of the code, core\'s detail, Open File where core names a line; unknown: the message and Show Log', async () => {
  const summaries = Object.fromEntries(ERROR_CODES.map((c) => [c, `summary of ${c}`])) as Record<ErrorCode, string>;
  const locked = failureView(new LifecycleError('locked', '/e is busy: pid 12'), summaries);
  assert.deepEqual({ ...locked }, { code: 'locked', summary: 'summary of locked', detail: '/e is busy: pid 12', actions: ['showLog'] });
  const unknown = failureView(new RangeError('bug'), summaries);
  assert.deepEqual({ ...unknown }, { code: undefined, summary: '', detail: 'bug', actions: ['showLog'] });

  // Real files with real mistakes: core says where, the extension offers to open it there.
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vm-errors-'));
  try {
    const toml = path.join(dir, 'pyproject.toml');
    await fs.writeFile(toml, '[project]\nname = "x"\ndependencies = ["a",\n');
    const tomlError = await readPyproject(toml).then(() => undefined, (e: unknown) => e);
    const view = failureView(tomlError, summaries);
    assert.equal(view.code, 'bad-source');
    assert.deepEqual(view.actions, ['openFile', 'showLog']);
    assert.equal(view.location?.file, toml);
    assert.ok(view.location?.line && view.location.line >= 3, `line ${view.location?.line}`);
    assert.match(view.detail, new RegExp(`${toml.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${view.location.line}:${view.location.column}: invalid TOML`));

    const req = path.join(dir, 'requirements.txt');
    await fs.writeFile(req, 'alpha==1.0\nbeta >=< 2\n');
    const reqView = failureView(await readRequirementsFile(req).then(() => undefined, (e: unknown) => e), summaries);
    assert.equal(reqView.code, 'bad-source');
    assert.deepEqual({ file: reqView.location?.file, line: reqView.location?.line }, { file: req, line: 2 });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

// The variables that activate an env in a terminal, and bash's `deactivate` imported from
// BASH_FUNC_deactivate%%, run in a real bash (and, where installed, checked against the PATH an
// activate script would restore).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { inspectEnvironment } from '../../../src/core';
import {
  activationTargetOf,
  activationVariables,
  bashDeactivateFunction,
  BASH_DEACTIVATE_VARIABLE,
  shellSingleQuote,
} from '../../../src/extension/terminal/activationVariables';

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

const bash = which('bash');

/** Runs `script` in a bash started with the activation variables applied the way VS Code applies them. */
function runActivated(envPath: string, binDir: string, script: string, basePath = '/usr/bin:/bin'): string {
  const vars = activationVariables({ envPath, binDir }, 'linux');
  const env: NodeJS.ProcessEnv = { HOME: os.tmpdir(), PATH: vars.prepend.PATH + basePath, ...vars.replace };
  return execFileSync(bash!, ['--noprofile', '--norc', '-c', script], { env, encoding: 'utf8' });
}

describe('activation variables', () => {
  test('the prompt of a discovered env is decoded from pyvenv.cfg once: prompt = "\'x\'" activates as \'x\'', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-prompt-'));
    try {
      const envPath = path.join(dir, 'env');
      fs.mkdirSync(path.join(envPath, 'bin'), { recursive: true });
      fs.writeFileSync(path.join(envPath, 'pyvenv.cfg'), `home = /usr/bin\nversion = 3.12.1\nprompt = "'x'"\n`);
      const env = await inspectEnvironment(envPath);
      assert.ok(env);
      assert.equal(activationVariables(activationTargetOf(env), 'linux').replace.VIRTUAL_ENV_PROMPT, "'x'");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('POSIX: VIRTUAL_ENV, prompt from the folder name, PYTHONHOME emptied, PATH gets bin + ":"', () => {
    const v = activationVariables({ envPath: '/w/.venv', binDir: '/w/.venv/bin' }, 'linux');
    assert.equal(v.replace.VIRTUAL_ENV, '/w/.venv');
    assert.equal(v.replace.VIRTUAL_ENV_PROMPT, '.venv');
    assert.equal(v.replace.PYTHONHOME, '');
    assert.equal(v.prepend.PATH, '/w/.venv/bin:');
    assert.ok(v.replace[BASH_DEACTIVATE_VARIABLE].startsWith('() {'));
  });

  test('the prompt of the cfg wins over the folder name', () => {
    assert.equal(activationVariables({ envPath: '/w/.venv', binDir: '/w/.venv/bin', prompt: 'my-app' }, 'linux').replace.VIRTUAL_ENV_PROMPT, 'my-app');
  });

  test('Windows: Scripts with ";" and no bash function', () => {
    const v = activationVariables({ envPath: 'C:\\w\\.venv', binDir: 'C:\\w\\.venv\\Scripts' }, 'win32');
    assert.equal(v.prepend.PATH, 'C:\\w\\.venv\\Scripts;');
    assert.equal(v.replace[BASH_DEACTIVATE_VARIABLE], undefined);
  });

  test('single quoting survives quotes, spaces and $()', (t) => {
    assert.equal(shellSingleQuote(`a'b`), `'a'\\''b'`);
    if (!bash) return t.skip('bash not installed: the quoting was not run through a shell');
    const nasty = `/tmp/x $(touch pwned) 'q' "d" \`b\` *?[`;
    assert.equal(execFileSync(bash, ['-c', `printf %s ${shellSingleQuote(nasty)}`], { encoding: 'utf8' }), nasty);
  });
});

describe('deactivate in bash (BASH_FUNC_deactivate%%)', { skip: bash ? false : 'bash not installed' }, () => {
  test('bash imports the function and deactivate restores PATH and unsets the variables', () => {
    const out = runActivated('/w/.venv', '/w/.venv/bin', [
      'type -t deactivate',
      'echo "$VIRTUAL_ENV|$PATH"',
      'deactivate',
      'echo "${VIRTUAL_ENV-unset}|${VIRTUAL_ENV_PROMPT-unset}|${PYTHONHOME-unset}|$PATH"',
      'type -t deactivate || echo gone',
    ].join('\n'));
    assert.deepEqual(out.trim().split('\n'), ['function', '/w/.venv|/w/.venv/bin:/usr/bin:/bin', 'unset|unset|unset|/usr/bin:/bin', 'gone']);
  });

  test('child bash shells inherit deactivate until it is used', () => {
    const out = runActivated('/w/.venv', '/w/.venv/bin', 'bash --norc -c "type -t deactivate"; deactivate; bash --norc -c "type -t deactivate || echo none"');
    assert.deepEqual(out.trim().split('\n'), ['function', 'none']);
  });

  test('the bin folder is matched literally: spaces, quotes, glob characters and $() in the path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-deact-'));
    const envPath = path.join(dir, `we'ird $(touch ${path.join(dir, 'pwned')}) [x]* env`);
    const bin = path.join(envPath, 'bin');
    const out = runActivated(envPath, bin, 'deactivate; echo "$PATH"', '/usr/bin:/bin');
    assert.equal(out.trim(), '/usr/bin:/bin');
    assert.equal(fs.existsSync(path.join(dir, 'pwned')), false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('only the env entry goes; the same folder appearing later on PATH stays, other entries keep their order', () => {
    const out = runActivated('/w/.venv', '/w/.venv/bin', 'deactivate; echo "$PATH"', '/a:/w/.venv/binx:/b');
    assert.equal(out.trim(), '/a:/w/.venv/binx:/b');
  });

  test('"deactivate nondestructive" (what a sourced activate script calls) keeps the function', () => {
    const out = runActivated('/w/.venv', '/w/.venv/bin', 'deactivate nondestructive; type -t deactivate; echo "${VIRTUAL_ENV-unset}"');
    assert.deepEqual(out.trim().split('\n'), ['function', 'unset']);
  });

  test('a venv activate script sourced afterwards replaces our deactivate; its deactivate returns to the PATH before it', (t) => {
    const python = which('python3');
    if (!python) return t.skip('no python3 on PATH');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-deact-'));
    const env = path.join(dir, 'real env');
    execFileSync(python, ['-m', 'venv', '--without-pip', env]);
    const out = runActivated('/w/.venv', '/w/.venv/bin', `source ${shellSingleQuote(path.join(env, 'bin', 'activate'))}; echo "$VIRTUAL_ENV"; deactivate; echo "\${VIRTUAL_ENV-unset}|$PATH"`);
    assert.deepEqual(out.trim().split('\n'), [env, 'unset|/w/.venv/bin:/usr/bin:/bin']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('PATH with the bin folder twice (prepended at creation and again by shell integration) loses both', () => {
    const out = runActivated('/w/.venv', '/w/.venv/bin', 'PATH="/w/.venv/bin:/shims:$PATH"; deactivate; echo "$PATH"');
    assert.equal(out.trim(), '/shims:/usr/bin:/bin');
  });

  test('the function text is one line that starts like an exported bash function', () => {
    const text = bashDeactivateFunction('/e/bin');
    assert.ok(text.startsWith('() {') && text.endsWith('}'));
    assert.doesNotMatch(text, /\n/);
  });
});

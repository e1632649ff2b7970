// zsh gets `deactivate` through ZDOTDIR pointing at our .zshenv, which hands ZDOTDIR back so the
// user's own start-up files still run. Checked in a real zsh (skipped where zsh is not installed).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { activationVariables } from '../../../src/extension/terminal/activationVariables';
import { installZshStartup, ZSHENV_TEXT } from '../../../src/extension/terminal/zshStartup';

const zsh = (process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'zsh')).find((p) => fs.existsSync(p));

function userFiles(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, '.zshenv'), 'export FROM_USER_ZSHENV=yes\n');
  fs.writeFileSync(path.join(dir, '.zshrc'), 'export FROM_USER_ZSHRC=yes\n');
}

async function runZsh(opts: { userZdotdir?: string; home: string; binDir: string; script: string }): Promise<string[]> {
  const ours = await installZshStartup(path.join(opts.home, 'storage', 'zsh'));
  const vars = activationVariables({ envPath: path.dirname(opts.binDir), binDir: opts.binDir, zshStartupDir: ours, userZdotdir: opts.userZdotdir }, 'linux');
  const env: NodeJS.ProcessEnv = { HOME: opts.home, TERM: 'dumb', ...vars.replace, PATH: `${vars.prepend.PATH}/usr/bin:/bin` };
  const out = execFileSync(zsh!, ['-i', '-c', opts.script], { env, encoding: 'utf8' });
  return out.trim().split('\n');
}

describe('zsh deactivate through our .zshenv', { skip: zsh ? false : 'zsh not installed' }, () => {
  test('user files in HOME still run; ZDOTDIR is HOME (zsh\'s default); deactivate restores PATH and removes itself', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-zsh-'));
    userFiles(home);
    const out = await runZsh({
      home,
      binDir: '/w/.venv/bin',
      script: 'echo "$FROM_USER_ZSHENV $FROM_USER_ZSHRC ${ZDOTDIR-unset} ${VENV_MANAGER_BIN-unset}"; echo $PATH; deactivate; echo "${VIRTUAL_ENV-unset} $PATH"; (( $+functions[deactivate] )) && echo still-defined || echo gone',
    });
    assert.deepEqual(out, [`yes yes ${home} unset`, '/w/.venv/bin:/usr/bin:/bin', 'unset /usr/bin:/bin', 'gone']);
    fs.rmSync(home, { recursive: true, force: true });
  });

  test("a user's own ZDOTDIR is handed back and its files run", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-zsh-'));
    const userZ = path.join(home, 'zdot dir');
    userFiles(userZ);
    const out = await runZsh({ home, userZdotdir: userZ, binDir: '/w/.venv/bin', script: 'echo "$FROM_USER_ZSHENV $FROM_USER_ZSHRC $ZDOTDIR"' });
    assert.deepEqual(out, [`yes yes ${userZ}`]);
    fs.rmSync(home, { recursive: true, force: true });
  });

  test('the bin folder is compared literally and removed wherever it appears', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-zsh-'));
    const bin = path.join(home, `we'ird $(touch ${path.join(home, 'pwned')}) [x]* env`, 'bin');
    const out = await runZsh({ home, binDir: bin, script: `path=("${'$'}{path[1]}" /shims "${'$'}{path[@]}"); deactivate; echo $PATH` });
    assert.deepEqual(out, ['/shims:/usr/bin:/bin']);
    assert.equal(fs.existsSync(path.join(home, 'pwned')), false);
    fs.rmSync(home, { recursive: true, force: true });
  });

  test('installZshStartup writes the file once and rewrites an outdated one', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vm-zsh-')), 'zsh');
    await installZshStartup(dir);
    assert.equal(fs.readFileSync(path.join(dir, '.zshenv'), 'utf8'), ZSHENV_TEXT);
    fs.writeFileSync(path.join(dir, '.zshenv'), 'old');
    await installZshStartup(dir);
    assert.equal(fs.readFileSync(path.join(dir, '.zshenv'), 'utf8'), ZSHENV_TEXT);
    assert.deepEqual(fs.readdirSync(dir), ['.zshenv']);
  });
});

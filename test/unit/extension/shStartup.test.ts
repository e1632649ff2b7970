// dash, ksh and other POSIX shells get `deactivate` from our ENV file, which hands ENV back as the
// user had it and reads the user's file too. Checked in a real dash, bash's POSIX mode, mksh and
// ksh93 (each skipped where not installed).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { activationVariables } from '../../../src/extension/terminal/activationVariables';
import { expandEnvPath, installShStartup, SH_ENV_TEXT } from '../../../src/extension/terminal/shStartup';

function onPath(name: string): string | undefined {
  return (process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, name)).find((p) => fs.existsSync(p));
}

// Every POSIX shell here that reads ENV when interactive; dash is /bin/sh on Debian. ksh93 and mksh
// read a default file (~/.kshrc, ~/.mkshrc) when ENV is unset.
const shells = [
  { name: 'dash', path: onPath('dash'), args: [] as string[] },
  { name: 'bash --posix', path: onPath('bash'), args: ['--posix'] },
  { name: 'mksh', path: onPath('mksh'), args: [] as string[], defaultRc: '.mkshrc' },
  { name: 'ksh93', path: onPath('ksh93'), args: [] as string[], defaultRc: '.kshrc' },
];

const homes: string[] = [];
after(() => { for (const h of homes) fs.rmSync(h, { recursive: true, force: true }); });

function newHome(): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-sh-'));
  homes.push(home);
  return home;
}

async function runSh(shell: { path?: string; args: string[] }, opts: { home: string; binDir: string; userEnv?: string; script: string }): Promise<string[]> {
  const ours = await installShStartup(path.join(opts.home, 'storage', 'sh'));
  const vars = activationVariables({ envPath: path.dirname(opts.binDir), binDir: opts.binDir, shEnvFile: ours, userEnv: opts.userEnv, env: { HOME: opts.home } }, 'linux');
  // Only what a POSIX shell reads: bash's exported function is left out, so `deactivate` can only
  // come from our ENV file.
  const { ['BASH_FUNC_deactivate%%']: _bashFunction, ...replace } = vars.replace;
  const env: NodeJS.ProcessEnv = { HOME: opts.home, TERM: 'dumb', ...replace, PATH: `${vars.prepend.PATH}/usr/bin:/bin` };
  const out = execFileSync(shell.path!, [...shell.args, '-i', '-c', opts.script], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.trim().split('\n');
}

for (const shell of shells) {
  describe(`${shell.name}: deactivate through our ENV file`, { skip: shell.path ? false : `${shell.name} not installed` }, () => {
    test('ENV is unset again; deactivate restores PATH, unsets the variables and removes itself', async () => {
      const out = await runSh(shell, {
        home: newHome(),
        binDir: '/w/.venv/bin',
        script: 'echo "ENV=${ENV-unset} VE=$VIRTUAL_ENV"; echo "$PATH"; deactivate; echo "VE=${VIRTUAL_ENV-unset} PH=${PYTHONHOME-unset}"; echo "$PATH"; command -v deactivate || echo gone',
      });
      assert.deepEqual(out, ['ENV=unset VE=/w/.venv', '/w/.venv/bin:/usr/bin:/bin', 'VE=unset PH=unset', '/usr/bin:/bin', 'gone']);
    });

    test("the user's own ENV is handed back and read, with $HOME in it expanded as the shell would", async () => {
      const home = newHome();
      fs.writeFileSync(path.join(home, '.shrc'), 'FROM_USER_ENV=yes\n');
      const out = await runSh(shell, { home, binDir: '/w/.venv/bin', userEnv: '$HOME/.shrc', script: 'echo "$ENV $FROM_USER_ENV"; command -v deactivate' });
      assert.deepEqual(out, ['$HOME/.shrc yes', 'deactivate']);
    });

    test('a user ENV with $HOME in it, naming a file whose path has quotes, is read and given back as written', async () => {
      const home = newHome();
      const dir = path.join(home, `it's "odd"`);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'rc'), 'FROM_ODD=yes\n');
      const out = await runSh(shell, { home, binDir: '/w/.venv/bin', userEnv: `$HOME/it's "odd"/rc`, script: 'echo "$FROM_ODD"; echo "$ENV"; command -v deactivate' });
      assert.deepEqual(out, ['yes', `$HOME/it's "odd"/rc`, 'deactivate']);
    });

    if (shell.defaultRc) {
      test(`without a user ENV, ${shell.name}'s own default file ~/${shell.defaultRc} is still read`, async () => {
        const home = newHome();
        fs.writeFileSync(path.join(home, shell.defaultRc!), 'FROM_DEFAULT_RC=yes\n');
        const out = await runSh(shell, { home, binDir: '/w/.venv/bin', script: 'echo "$FROM_DEFAULT_RC ${ENV-unset}"; command -v deactivate' });
        assert.deepEqual(out, ['yes unset', 'deactivate']);
      });
    }

    test('deactivate nondestructive keeps the function, as the activate scripts expect', async () => {
      const out = await runSh(shell, { home: newHome(), binDir: '/w/.venv/bin', script: 'deactivate nondestructive; command -v deactivate; echo "$PATH"' });
      assert.deepEqual(out, ['deactivate', '/usr/bin:/bin']);
    });

    test('the bin folder is compared literally and removed wherever it appears; empty PATH entries stay', async () => {
      const home = newHome();
      const bin = path.join(home, `we'ird "$(touch ${path.join(home, 'pwned')})" \`x\` [x]* env`, 'bin');
      const out = await runSh(shell, { home, binDir: bin, script: `PATH="$PATH:/shims::$PATH"; deactivate; echo "$PATH"` });
      assert.deepEqual(out, ['/usr/bin:/bin:/shims::/usr/bin:/bin']);
      assert.equal(fs.existsSync(path.join(home, 'pwned')), false);
    });
  });
}

describe('the ENV variables', () => {
  test('expandEnvPath expands ~ and $NAME / ${NAME} as the shell would, nothing else', () => {
    const env = { HOME: '/h', X: 'x y' };
    assert.equal(expandEnvPath('~/.shrc', env), '/h/.shrc');
    assert.equal(expandEnvPath('$HOME/a/${X}/b', env), '/h/a/x y/b');
    assert.equal(expandEnvPath('/a/$UNSET/b', env), '/a//b');
    assert.equal(expandEnvPath('/a/"q"/it\'s', env), '/a/"q"/it\'s');
  });

  test('zsh and fish: a ZDOTDIR or XDG_DATA_DIRS inherited from one of our terminals is not taken for the user\'s', () => {
    const zsh = activationVariables({ envPath: '/w/.venv', binDir: '/w/.venv/bin', zshStartupDir: '/s/zsh', userZdotdir: '/s/zsh/' }, 'linux').replace;
    assert.equal(zsh.VENV_MANAGER_USER_ZDOTDIR, undefined);
    const fish = activationVariables({ envPath: '/w/.venv', binDir: '/w/.venv/bin', fishDataDir: '/s/fish', userXdgDataDirs: '/s/fish:/opt/share' }, 'linux').replace;
    assert.equal(fish.XDG_DATA_DIRS, '/s/fish:/opt/share');
    assert.equal(fish.VENV_MANAGER_USER_XDG_DATA_DIRS, '/opt/share');
  });

  test('installShStartup writes the file once and rewrites an outdated one; its path is the value of ENV', async () => {
    const dir = path.join(newHome(), 'sh');
    const file = await installShStartup(dir);
    assert.equal(file, path.join(dir, 'env.sh'));
    assert.equal(fs.readFileSync(file, 'utf8'), SH_ENV_TEXT);
    fs.writeFileSync(file, '# from an older version\n');
    await installShStartup(dir);
    assert.equal(fs.readFileSync(file, 'utf8'), SH_ENV_TEXT);
    assert.deepEqual(fs.readdirSync(dir), ['env.sh'], 'no temporary file left');
  });

  test('ENV is set with the bin folder, the user ENV carried along; a storage path the shell would expand is not used', () => {
    const vars = activationVariables({ envPath: '/w/.venv', binDir: '/w/.venv/bin', shEnvFile: '/s/sh/env.sh', userEnv: '~/.kshrc', env: { HOME: '/h' } }, 'linux').replace;
    assert.equal(vars.ENV, '/s/sh/env.sh');
    assert.equal(vars.VENV_MANAGER_USER_ENV, '~/.kshrc');
    assert.equal(vars.VENV_MANAGER_USER_ENV_FILE, '/h/.kshrc');
    // An ENV inherited from a terminal we activated is ours, not the user's: not carried along.
    const inherited = activationVariables({ envPath: '/w/.venv', binDir: '/w/.venv/bin', shEnvFile: '/s/sh/env.sh', userEnv: '/s/sh/env.sh' }, 'linux').replace;
    assert.equal(inherited.VENV_MANAGER_USER_ENV, undefined);
    assert.equal(inherited.VENV_MANAGER_USER_ENV_FILE, undefined);
    assert.equal(vars.VENV_MANAGER_BIN, '/w/.venv/bin');
    const expanding = activationVariables({ envPath: '/w/.venv', binDir: '/w/.venv/bin', shEnvFile: '/s/$USER/sh/env.sh' }, 'linux').replace;
    assert.equal(expanding.ENV, undefined);
    assert.equal(activationVariables({ envPath: 'C:\\w\\.venv', binDir: 'C:\\w\\.venv\\Scripts', shEnvFile: '/s/sh/env.sh' }, 'win32').replace.ENV, undefined);
  });
});

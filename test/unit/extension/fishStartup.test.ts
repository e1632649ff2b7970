// fish gets `deactivate` from our vendor_conf.d script, found through XDG_DATA_DIRS, which the
// script hands back as the user had it. Checked in a real fish (skipped where fish is not installed).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { activationVariables } from '../../../src/extension/terminal/activationVariables';
import { FISH_VENDOR_CONF_TEXT, installFishStartup } from '../../../src/extension/terminal/fishStartup';

const fish = (process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'fish')).find((p) => fs.existsSync(p));

async function runFish(opts: { home: string; binDir: string; userXdgDataDirs?: string; script: string }): Promise<string[]> {
  const ours = await installFishStartup(path.join(opts.home, 'storage', 'fish'));
  const vars = activationVariables({ envPath: path.dirname(opts.binDir), binDir: opts.binDir, fishDataDir: ours, userXdgDataDirs: opts.userXdgDataDirs }, 'linux');
  const env: NodeJS.ProcessEnv = { HOME: opts.home, TERM: 'dumb', ...vars.replace, PATH: `${vars.prepend.PATH}/usr/bin:/bin` };
  const out = execFileSync(fish!, ['-i', '-c', opts.script], { env, encoding: 'utf8' });
  return out.trim().split('\n');
}

function userConfig(home: string): void {
  fs.mkdirSync(path.join(home, '.config', 'fish'), { recursive: true });
  fs.writeFileSync(path.join(home, '.config', 'fish', 'config.fish'), 'set -gx FROM_USER_CONFIG yes\n');
}

describe('fish deactivate through our vendor_conf.d script', { skip: fish ? false : 'fish not installed' }, () => {
  test('the user config still runs; XDG_DATA_DIRS is unset again; deactivate restores PATH and removes itself', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-fish-'));
    userConfig(home);
    const out = await runFish({
      home,
      binDir: '/w/.venv/bin',
      script: 'echo $FROM_USER_CONFIG (set -q XDG_DATA_DIRS; and echo set; or echo unset); echo (string join : $PATH); deactivate; echo (set -q VIRTUAL_ENV; and echo set; or echo unset) (string join : $PATH); functions -q deactivate; and echo still-defined; or echo gone',
    });
    assert.deepEqual(out, ['yes unset', '/w/.venv/bin:/usr/bin:/bin', 'unset /usr/bin:/bin', 'gone']);
    fs.rmSync(home, { recursive: true, force: true });
  });

  test("the user's own XDG_DATA_DIRS is handed back", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-fish-'));
    const out = await runFish({ home, binDir: '/w/.venv/bin', userXdgDataDirs: '/opt/share:/usr/share', script: 'echo $XDG_DATA_DIRS' });
    assert.deepEqual(out, ['/opt/share:/usr/share']);
    fs.rmSync(home, { recursive: true, force: true });
  });

  test('the bin folder is compared literally and removed wherever it appears', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-fish-'));
    const bin = path.join(home, `we'ird (touch ${path.join(home, 'pwned')}) [x]* env`, 'bin');
    const out = await runFish({ home, binDir: bin, script: 'set -gx PATH $PATH[1] /shims $PATH; deactivate; string join : $PATH' });
    assert.deepEqual(out, ['/shims:/usr/bin:/bin']);
    assert.equal(fs.existsSync(path.join(home, 'pwned')), false);
    fs.rmSync(home, { recursive: true, force: true });
  });

  test('installFishStartup writes the script where fish looks for vendor configuration', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vm-fish-')), 'fish');
    await installFishStartup(dir);
    assert.equal(fs.readFileSync(path.join(dir, 'fish', 'vendor_conf.d', 'venv_manager.fish'), 'utf8'), FISH_VENDOR_CONF_TEXT);
  });
});

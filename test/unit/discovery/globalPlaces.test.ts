import assert from 'node:assert/strict';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findGlobalEnvironments, globalPlaces } from '../../../src/core/discovery';
import { fakeEnv, fakeInstall, fakeProcessEnv, tempDir, write } from '../../fixtures/discovery';

describe('findGlobalEnvironments with a fake HOME', () => {
  const t = tempDir('global');
  const home = path.join(t.dir, 'home');
  const marker = path.join(t.dir, 'RAN');
  let baseBin: string;
  const venvCfg = () => `home = ${baseBin}\ninclude-system-site-packages = false\nversion = 3.12.1\n`;
  const virtualenvCfg = () => `home = ${baseBin}\nimplementation = CPython\nversion_info = 3.12.1.final.0\nvirtualenv = 20.25.0\n`;

  before(() => {
    const base = fakeInstall(path.join(t.dir, 'py'), '3.12.1', marker, ['python3']);
    baseBin = path.dirname(base);
    const link = { linkTo: base };
    fakeEnv(path.join(home, '.virtualenvs', 'wrapper-env'), venvCfg(), link);
    mkdirSync(path.join(home, '.virtualenvs', 'not-an-env', 'bin'), { recursive: true });
    fakeEnv(path.join(home, 'wh', 'workon-env'), venvCfg(), link);
    // pyenv: an install (not an env), a pyenv-virtualenv env and pyenv's link to it.
    fakeInstall(path.join(home, '.pyenv', 'versions', '3.12.1'), '3.12.1', marker, ['python']);
    fakeEnv(path.join(home, '.pyenv', 'versions', '3.12.1', 'envs', 'myproj'), venvCfg(), link);
    symlinkSync(path.join(home, '.pyenv', 'versions', '3.12.1', 'envs', 'myproj'), path.join(home, '.pyenv', 'versions', 'myproj'));
    fakeEnv(path.join(home, '.local', 'share', 'virtualenvs', 'app-AbC123'), virtualenvCfg(), link);
    fakeEnv(path.join(home, '.cache', 'pypoetry', 'virtualenvs', 'app-x1Y2-py3.12'), virtualenvCfg(), link);
    fakeEnv(path.join(home, 'poetry-envs', 'other-py3.12'), virtualenvCfg(), link);
    fakeEnv(path.join(home, '.local', 'share', 'hatch', 'env', 'virtual', 'proj', 'Xy12AbCd', 'default'), virtualenvCfg(), link);
    fakeEnv(path.join(home, '.local', 'share', 'uv', 'tools', 'ruff'), `home = ${baseBin}\nimplementation = CPython\nuv = 0.5.11\nversion_info = 3.12.1\n`, link);
    fakeEnv(path.join(home, 'venvs', 'direct'), venvCfg(), link);
    fakeEnv(path.join(home, 'venvs', 'group', 'nested'), venvCfg(), link);
    fakeEnv(path.join(home, 'venvs', 'group', 'deeper', 'too-deep'), venvCfg(), link);
    // conda, listed from environments.txt (stale entries and comments tolerated).
    const conda = path.join(t.dir, 'miniconda3');
    write(path.join(conda, 'conda-meta', 'python-3.12.2-h1_0.json'), '{}');
    write(path.join(conda, 'envs', 'ds', 'conda-meta', 'python-3.10.14-h2_0.json'), '{}');
    write(path.join(home, '.conda', 'environments.txt'), `${conda}\r\n${path.join(conda, 'envs', 'ds')}\n# comment\n${path.join(t.dir, 'gone')}\nrelative/path\n`);
  });
  after(() => t.cleanup());

  test('finds the environments of each tool, each once', async () => {
    const envs = await findGlobalEnvironments({ env: fakeProcessEnv(home), extraFolders: [path.join(home, 'venvs')] });
    const summary = envs.map((e) => [e.source, e.name, e.kind, path.relative(t.dir, e.path)]);
    assert.deepEqual(summary, [
      ['conda', 'ds', 'conda', 'miniconda3/envs/ds'],
      ['conda', 'miniconda3', 'conda', 'miniconda3'],
      ['extra', 'direct', 'venv', 'home/venvs/direct'],
      ['extra', 'nested', 'venv', 'home/venvs/group/nested'],
      ['hatch', 'default', 'virtualenv', 'home/.local/share/hatch/env/virtual/proj/Xy12AbCd/default'],
      ['pipenv', 'app-AbC123', 'virtualenv', 'home/.local/share/virtualenvs/app-AbC123'],
      ['poetry', 'app-x1Y2-py3.12', 'virtualenv', 'home/.cache/pypoetry/virtualenvs/app-x1Y2-py3.12'],
      ['pyenv', 'myproj', 'pyenv', 'home/.pyenv/versions/3.12.1/envs/myproj'],
      ['uv', 'ruff', 'uv', 'home/.local/share/uv/tools/ruff'],
      ['WORKON_HOME', 'wrapper-env', 'venv', 'home/.virtualenvs/wrapper-env'],
    ]);
    assert.ok(envs.every((e) => e.scope === 'global'));
    assert.deepEqual(envs.filter((e) => e.kind === 'conda').map((e) => e.version), ['3.10.14', '3.12.2']);
    assert.ok(envs.filter((e) => e.kind !== 'conda').every((e) => e.health.ok && e.version === '3.12.1'), JSON.stringify(envs.filter((e) => !e.health.ok)));
    assert.ok(!existsSync(marker));
  });

  test('environment variables move the places', async () => {
    const env = fakeProcessEnv(home, { WORKON_HOME: path.join(home, 'wh'), POETRY_VIRTUALENVS_PATH: '~/poetry-envs' });
    const envs = await findGlobalEnvironments({ env });
    const names = envs.map((e) => `${e.source}:${e.name}`);
    assert.ok(names.includes('WORKON_HOME:workon-env'));
    assert.ok(!names.includes('WORKON_HOME:wrapper-env'));
    assert.ok(names.includes('poetry:other-py3.12'));
    assert.ok(!names.includes('poetry:app-x1Y2-py3.12'));
    assert.ok(!names.some((n) => n.startsWith('extra:')), 'no extra folders unless given');
  });

  test('an empty HOME finds nothing and does not fail', async () => {
    const empty = path.join(t.dir, 'empty-home');
    mkdirSync(empty);
    assert.deepEqual(await findGlobalEnvironments({ env: fakeProcessEnv(empty) }), []);
  });

  test('per-OS default places', () => {
    const mac = globalPlaces({ env: { HOME: '/Users/me', XDG_DATA_HOME: '/xdg' }, platform: 'darwin' });
    assert.equal(mac.find((p) => p.source === 'poetry')?.folder, '/Users/me/Library/Caches/pypoetry/virtualenvs');
    assert.equal(mac.find((p) => p.source === 'hatch')?.folder, '/Users/me/Library/Application Support/hatch/env/virtual', 'platformdirs ignores XDG on macOS');
    assert.equal(mac.find((p) => p.source === 'pipenv')?.folder, '/xdg/virtualenvs', 'pipenv follows XDG on macOS too');
    assert.equal(mac.find((p) => p.source === 'uv')?.folder, '/xdg/uv/tools');
    const win = globalPlaces({ env: { USERPROFILE: '/u', LOCALAPPDATA: '/u/Local', APPDATA: '/u/Roaming' }, platform: 'win32' });
    assert.equal(win.find((p) => p.source === 'WORKON_HOME')?.folder, '/u/.virtualenvs');
    assert.equal(win.find((p) => p.source === 'pipenv'), undefined, 'pipenv uses ~/.virtualenvs on Windows');
    assert.equal(win.find((p) => p.source === 'poetry')?.folder, '/u/Local/pypoetry/Cache/virtualenvs');
    assert.equal(win.find((p) => p.source === 'hatch')?.folder, '/u/Local/hatch/env/virtual');
    assert.equal(win.find((p) => p.source === 'uv')?.folder, '/u/Roaming/uv/data/tools');
    assert.equal(win.find((p) => p.source === 'pyenv')?.folder, '/u/.pyenv/pyenv-win/versions');
    const linux = globalPlaces({ env: { HOME: '/home/me', XDG_DATA_HOME: '/data', XDG_CACHE_HOME: '/cache', HATCH_DATA_DIR: '/hatch' } });
    assert.equal(linux.find((p) => p.source === 'pipenv')?.folder, '/data/virtualenvs');
    assert.equal(linux.find((p) => p.source === 'poetry')?.folder, '/cache/pypoetry/virtualenvs');
    assert.equal(linux.find((p) => p.source === 'hatch')?.folder, '/hatch/env/virtual');
    assert.equal(linux.find((p) => p.source === 'pyenv')?.folder, '/home/me/.pyenv/versions');
  });
});

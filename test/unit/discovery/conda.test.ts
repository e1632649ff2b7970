// conda environments come from conda's files only: environments.txt, and the envs folders named in
// a condarc, CONDA_ENVS_PATH / CONDA_ENVS_DIRS and ~/.conda/envs. conda is never run.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { findGlobalEnvironments } from '../../../src/core/discovery';
import { condaEnvsDirs, expandCondaPath, parseEnvsDirs } from '../../../src/core/discovery/conda';
import { fakeProcessEnv, tempDir, write } from '../../fixtures/discovery';

describe('conda environments beyond environments.txt', () => {
  const t = tempDir('conda');
  after(() => t.cleanup());
  const home = path.join(t.dir, 'home');
  const condaEnv = (dir: string, python = '3.11.9') => write(path.join(dir, 'conda-meta', `python-${python}-h1_0.json`), '{}');

  test('envs folders from ~/.condarc, CONDA_ENVS_PATH and ~/.conda/envs are searched; folders without conda-meta are not envs', async () => {
    write(path.join(home, '.condarc'), 'channels:\n  - conda-forge\nenvs_dirs:\n  - ~/conda-envs   # mine\n  - "${DATA}/envs"\npkgs_dirs:\n  - ~/pkgs\n');
    condaEnv(path.join(home, 'conda-envs', 'analysis'));
    condaEnv(path.join(t.dir, 'data', 'envs', 'shared'), '3.12.4');
    condaEnv(path.join(t.dir, 'from-variable', 'tool'));
    condaEnv(path.join(home, '.conda', 'envs', 'default-place'));
    write(path.join(home, 'conda-envs', 'not-an-env', 'README'), 'x');
    condaEnv(path.join(home, 'pkgs', 'not-listed'));
    // Listed too: found once.
    write(path.join(home, '.conda', 'environments.txt'), `${path.join(home, 'conda-envs', 'analysis')}\n`);
    const env = fakeProcessEnv(home, { DATA: path.join(t.dir, 'data'), CONDA_ENVS_PATH: path.join(t.dir, 'from-variable') });
    const envs = (await findGlobalEnvironments({ env })).filter((e) => e.kind === 'conda');
    assert.deepEqual(envs.map((e) => [e.name, e.version, path.relative(t.dir, e.path)]), [
      ['analysis', '3.11.9', 'home/conda-envs/analysis'],
      ['default-place', '3.11.9', 'home/.conda/envs/default-place'],
      ['shared', '3.12.4', 'data/envs/shared'],
      ['tool', '3.11.9', 'from-variable/tool'],
    ]);
  });

  test('parseEnvsDirs reads block and flow lists, quotes and comments, and nothing else', () => {
    assert.deepEqual(parseEnvsDirs('envs_dirs:\n  - /a\n  # note\n\n  - \'/b c\'\nchannels:\n  - x\n'), ['/a', '/b c']);
    assert.deepEqual(parseEnvsDirs('\uFEFFenvs_dirs: [/a, "~/b", \'$X/c\']  # flow\r\n'), ['/a', '~/b', '$X/c']);
    assert.deepEqual(parseEnvsDirs('pkgs_dirs:\n  - /p\n'), []);
    assert.deepEqual(parseEnvsDirs('\0\0binary junk'), []);
  });

  test('paths expand ~ and environment variables as conda does; unknown variables stay as written', () => {
    const env = { HOME: '/h', ROOT: '/r' };
    assert.equal(expandCondaPath('~/envs', env), '/h/envs');
    assert.equal(expandCondaPath('${ROOT}/envs', env), '/r/envs');
    assert.equal(expandCondaPath('$ROOT/envs', env), '/r/envs');
    assert.equal(expandCondaPath('%ROOT%\\envs', env), '/r\\envs');
    assert.equal(expandCondaPath('$NOPE/envs', env), '$NOPE/envs');
  });

  test('CONDARC names another condarc; relative entries are ignored', async () => {
    const other = path.join(t.dir, 'custom.condarc');
    write(other, 'envs_dirs:\n  - relative/envs\n  - /abs/envs\n');
    const dirs = await condaEnvsDirs({ HOME: path.join(t.dir, 'nobody'), CONDARC: other });
    assert.deepEqual(dirs, ['/abs/envs', path.join(t.dir, 'nobody', '.conda', 'envs')]);
  });
});

/**
 * The extension's integration runs (registered in runs.ts): workspaces made of the sample workspace
 * plus environments built by CPython's own venv with interpreters discovered on this machine.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findInterpreters, parsePyvenvCfg, serializePyvenvCfg } from '../../src/core';
import { pythonEnvironmentsStandInVsix, pythonExtensionVsix, repoRoot } from '../harness/paths';
import { writeDeclaredProject } from '../fixtures/declaredProject';
import { buildWheel } from '../fixtures/wheels';
import type { IntegrationRun } from './runs';

interface Interpreters { python: string; pythonVersion: string; otherPython?: string }

/** Newest CPython >= 3.8 (not free-threaded), and another minor version when there is one. */
async function pickInterpreters(): Promise<Interpreters> {
  const found = (await findInterpreters()).filter((i) => (i.implementation ?? 'cpython') === 'cpython' && !i.freeThreaded && i.version);
  const usable = found.filter((i) => {
    const [major, minor] = i.version!.split('.').map(Number);
    return major === 3 && minor >= 8;
  });
  if (usable.length === 0) throw new Error('no CPython >= 3.8 found on this machine');
  const [first] = usable;
  const minorOf = (v: string) => v.split('.').slice(0, 2).join('.');
  const other = usable.find((i) => minorOf(i.version!) !== minorOf(first.version!));
  return { python: first.path, pythonVersion: first.version!, otherPython: other?.path };
}

function venv(python: string, dir: string, ...flags: string[]): void {
  execFileSync(python, ['-m', 'venv', '--without-pip', ...flags, dir], { stdio: 'pipe' });
}

function editCfg(envDir: string, edit: (pairs: [string, string][]) => [string, string][]): void {
  const file = path.join(envDir, 'pyvenv.cfg');
  const cfg = parsePyvenvCfg(fs.readFileSync(file));
  fs.writeFileSync(file, serializePyvenvCfg(edit(cfg.entries.map((e) => [e.key, e.value]))));
}

/** The sample workspace copied into the run's tmp, with `.venv`, `sub/env2` (prompt + an unknown key) and a broken env. */
async function sampleWorkspaceWithEnvs(tmp: string, folderName: string): Promise<string> {
  const interpreters = await pickInterpreters();
  const ws = path.join(tmp, folderName);
  fs.cpSync(path.join(repoRoot, 'examples', 'sample-workspace'), ws, { recursive: true });
  venv(interpreters.python, path.join(ws, '.venv'));
  const env2 = path.join(ws, 'sub', 'env2');
  fs.mkdirSync(path.dirname(env2), { recursive: true });
  venv(interpreters.otherPython ?? interpreters.python, env2, '--prompt', 'env two');
  editCfg(env2, (pairs) => [...pairs, ['x-custom-key', 'hello world']]);
  const broken = path.join(ws, 'broken');
  venv(interpreters.python, broken);
  editCfg(broken, (pairs) => pairs.map(([k, v]) => [k, k === 'home' ? path.join(tmp, 'gone', 'bin') : v]));
  fs.writeFileSync(path.join(tmp, 'facts.json'), JSON.stringify({ ...interpreters, workspace: ws }, null, 2));
  return ws;
}

/**
 * The sample workspace with `.venv` (CPython's venv, with pip) holding alpha 1.0 (+ beta) installed
 * from a local wheel folder; the folder also holds gamma 3.0 and Foo_Bar 1.0, and alpha 2.0 is in a
 * second folder the suite adds to find-links for Check for Updates (PIP_FIND_LINKS is split at
 * spaces, so that name has none). The suite points pip at them through the extension host's own
 * environment (facts.json names the folders).
 */
async function workspaceWithPackages(tmp: string): Promise<string> {
  const interpreters = await pickInterpreters();
  const ws = path.join(tmp, 'packages workspace');
  fs.cpSync(path.join(repoRoot, 'examples', 'sample-workspace'), ws, { recursive: true });
  const wheels = path.join(tmp, 'wheels');
  const newer = path.join(tmp, 'newer-wheels');
  await buildWheel(wheels, { name: 'alpha', version: '1.0', requires: ['beta>=2'] });
  await buildWheel(wheels, { name: 'beta', version: '2.0' });
  await buildWheel(wheels, { name: 'gamma', version: '3.0' });
  await buildWheel(wheels, { name: 'Foo_Bar', version: '1.0' });
  await buildWheel(newer, { name: 'alpha', version: '2.0', requires: ['beta>=2'] });
  const envDir = path.join(ws, '.venv');
  execFileSync(interpreters.python, ['-m', 'venv', envDir], { stdio: 'pipe' });
  execFileSync(path.join(envDir, 'bin', 'python'), ['-m', 'pip', 'install', '-q', '--no-index', '--find-links', wheels, 'alpha==1.0'], { stdio: 'pipe', env: { ...process.env, PIP_CONFIG_FILE: '/dev/null' } });
  fs.writeFileSync(path.join(tmp, 'facts.json'), JSON.stringify({ ...interpreters, workspace: ws, wheels, newerWheels: newer }, null, 2));
  return ws;
}

const quietPip = { PIP_NO_INDEX: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' };

/** The Python extension as built here has no Pylance, no native locator and no experiments (../shared/vendor README). */
const pythonExtensionSettings = {
  'python.locator': 'js',
  'python.languageServer': 'None',
  'python.experiments.enabled': false,
  'python.useEnvironmentsExtension': false,
};

function withPythonExtension(): { vsix: string[] } | string {
  const vsix = pythonExtensionVsix();
  return vsix ? { vsix: [vsix] } : 'the Python extension is not here: set VENV_MANAGER_PYTHON_VSIX to an ms-python.python .vsix (the workplace has one in shared/vendor/ms-python.python)';
}

/** Two folders, each with its own .venv (app also has `alt`), and a base interpreter that is not a venv. */
async function twoFolderPythonProject(tmp: string): Promise<string> {
  const interpreters = await pickInterpreters();
  const app = path.join(tmp, 'app');
  const lib = path.join(tmp, 'lib');
  for (const dir of [app, lib]) fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(app, 'main.py'), 'import sys\nprint("PREFIX=" + sys.prefix)\n');
  fs.writeFileSync(path.join(lib, 'lib.py'), 'VALUE = 1\n');
  venv(interpreters.python, path.join(app, '.venv'));
  venv(interpreters.python, path.join(app, 'alt'), '--prompt', 'alt env');
  venv(interpreters.otherPython ?? interpreters.python, path.join(lib, '.venv'));
  const broken = path.join(app, 'broken');
  venv(interpreters.python, broken);
  for (const name of fs.readdirSync(path.join(broken, 'bin'))) {
    if (name.startsWith('python')) {
      fs.rmSync(path.join(broken, 'bin', name));
      fs.symlinkSync(path.join(tmp, 'gone', 'python3'), path.join(broken, 'bin', name));
    }
  }
  const systemPython = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : interpreters.python;
  fs.writeFileSync(path.join(tmp, 'facts.json'), JSON.stringify({ ...interpreters, app, lib, systemPython }, null, 2));
  const file = path.join(tmp, 'python project.code-workspace');
  fs.writeFileSync(file, JSON.stringify({ folders: [{ path: app }, { path: lib }] }, null, 2));
  return file;
}
const bashTerminals = { 'terminal.integrated.defaultProfile.linux': 'bash' };

export const extensionRuns: IntegrationRun[] = [
  {
    name: 'python-extension',
    suites: ['pythonExtension'],
    settings: { ...bashTerminals, ...pythonExtensionSettings },
    extensions: withPythonExtension,
    prepare: twoFolderPythonProject,
  },
  {
    name: 'python-environments-standin',
    suites: ['pythonEnvironmentsStandIn'],
    // The stand-in does not activate terminals, so the real one's terminal activation is off here.
    settings: { ...bashTerminals, ...pythonExtensionSettings, 'python-envs.terminal.autoActivationType': 'off' },
    extensions() {
      const withPython = withPythonExtension();
      return typeof withPython === 'string' ? withPython : { vsix: [...withPython.vsix, pythonEnvironmentsStandInVsix()] };
    },
    prepare: twoFolderPythonProject,
  },
  {
    name: 'extension-tree',
    suites: ['terminal', 'tree', 'watcher'],
    env: quietPip,
    settings: bashTerminals,
    prepare: (tmp) => sampleWorkspaceWithEnvs(tmp, 'sample workspace'),
  },
  {
    name: 'extension-commands',
    suites: ['create', 'lifecycle'],
    env: quietPip,
    settings: bashTerminals,
    prepare: (tmp) => sampleWorkspaceWithEnvs(tmp, 'sample workspace'),
  },
  {
    name: 'extension-packages',
    suites: ['packages'],
    env: { ...quietPip, PIP_CONFIG_FILE: '/dev/null' },
    prepare: workspaceWithPackages,
  },
  {
    name: 'extension-multi-root',
    suites: ['multiRoot'],
    settings: bashTerminals,
    async prepare(tmp) {
      const interpreters = await pickInterpreters();
      const api = path.join(tmp, 'api');
      const web = path.join(tmp, 'web');
      const empty = path.join(tmp, 'docs');
      for (const dir of [api, web, empty]) fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(api, 'main.py'), 'print("api")\n');
      venv(interpreters.python, path.join(api, '.venv'));
      venv(interpreters.otherPython ?? interpreters.python, path.join(web, 'env'));
      fs.writeFileSync(path.join(tmp, 'facts.json'), JSON.stringify(interpreters, null, 2));
      const file = path.join(tmp, 'project.code-workspace');
      fs.writeFileSync(file, JSON.stringify({ folders: [{ path: api }, { path: web }, { path: empty }] }, null, 2));
      return file;
    },
  },
  {
    // A project that declares its dependencies in pyproject.toml (extras and groups), with the
    // wheels they need in a local folder (pip finds them through PIP_FIND_LINKS, never an index).
    name: 'extension-declared',
    suites: ['declared'],
    settings: bashTerminals,
    async prepare(tmp) {
      const interpreters = await pickInterpreters();
      const ws = path.join(tmp, 'declared project');
      const wheels = path.join(tmp, 'wheels');
      await writeDeclaredProject(ws, wheels, { name: 'needs-nothing', version: '1.0' });
      fs.writeFileSync(path.join(tmp, 'facts.json'), JSON.stringify({ ...interpreters, workspace: ws, wheels }, null, 2));
      return ws;
    },
    env: (tmp) => ({ PIP_NO_INDEX: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_FIND_LINKS: path.join(tmp, 'wheels') }),
  },
  {
    name: 'extension-restricted',
    suites: ['restricted'],
    trusted: false,
    env: quietPip,
    settings: bashTerminals,
    async prepare(tmp) {
      const ws = await sampleWorkspaceWithEnvs(tmp, 'untrusted workspace');
      // A trap: running this "interpreter" leaves a marker. Nothing may run it in Restricted Mode.
      const trap = path.join(ws, 'trap');
      fs.mkdirSync(path.join(trap, 'bin'), { recursive: true });
      fs.writeFileSync(path.join(trap, 'pyvenv.cfg'), serializePyvenvCfg([['home', path.join(trap, 'bin')], ['include-system-site-packages', 'false'], ['version', '3.12.1']]));
      const marker = path.join(tmp, 'trap-ran');
      for (const name of ['python', 'python3']) {
        fs.writeFileSync(path.join(trap, 'bin', name), `#!/bin/sh\ntouch '${marker}'\n`, { mode: 0o755 });
      }
      return ws;
    },
  },
];

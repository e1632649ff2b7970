/**
 * The generated workspace the discovery benchmarks walk: 100 projects holding 200 environments and
 * source trees, 10,000 folders and 100,000 files in all, written once into the temp dir and kept.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const TREE_VERSION = 2;
const FOLDERS = 10_000;
const FILES = 100_000;
export const ENVS = 200;
export const PROJECTS = 100;
export const root = path.join(os.tmpdir(), `venv-manager-discovery-bench-v${TREE_VERSION}`);
export const doneMarker = path.join(root, '.generated');

/** Writes the tree once: 100 projects, each with 2 environments and a source tree; counts checked at the end. */
function generate(): void {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  let folders = 0;
  let files = 0;
  const mkdir = (p: string) => {
    mkdirSync(p, { recursive: true });
    folders++;
  };
  const file = (p: string, text = '') => {
    writeFileSync(p, text);
    files++;
  };
  const envFolders = 5; // env, bin, lib, lib/python3.12, lib/python3.12/site-packages
  const perProjectSource = Math.floor((FOLDERS - PROJECTS - ENVS * envFolders) / PROJECTS);
  for (let p = 0; p < PROJECTS; p++) {
    const project = path.join(root, `project-${p}`);
    mkdir(project);
    for (const envRel of ['.venv', path.join('tools', 'lint-env')]) {
      const env = path.join(project, envRel);
      mkdir(env);
      mkdir(path.join(env, 'bin'));
      mkdir(path.join(env, 'lib'));
      mkdir(path.join(env, 'lib', 'python3.12'));
      mkdir(path.join(env, 'lib', 'python3.12', 'site-packages'));
      file(path.join(env, 'pyvenv.cfg'), `home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.12.1\nprompt = 'project-${p}'\n`);
      symlinkSync('/usr/bin/python3', path.join(env, 'bin', 'python'));
      files++;
      file(path.join(env, 'bin', 'activate'), '# activate\n');
    }
    // Source folders: a few packages, each a chain of subpackages, so the tree is 2-5 levels deep.
    let made = 1; // tools/
    mkdir(path.join(project, 'tools'));
    for (let pkg = 0; made < perProjectSource; pkg++) {
      let dir = path.join(project, 'src', `pkg${pkg}`);
      if (pkg === 0) {
        mkdir(path.join(project, 'src'));
        made++;
      }
      for (let depth = 0; depth < 4 && made < perProjectSource; depth++) {
        mkdir(dir);
        made++;
        dir = path.join(dir, `sub${depth}`);
      }
    }
  }
  // Spread the files over every non-environment folder until the total is reached.
  const sourceDirs: string[] = [];
  const collect = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name === '.venv' || e.name === 'lint-env') continue;
      sourceDirs.push(path.join(dir, e.name));
      collect(path.join(dir, e.name));
    }
  };
  collect(root);
  for (let i = 0; files < FILES; i++) file(path.join(sourceDirs[i % sourceDirs.length], `module_${i}.py`), '');
  writeFileSync(doneMarker, `${folders} folders, ${files} files\n`);
}

/** The tree's root, generated first if it is not there yet; returns its description line. */
export function ensureDiscoveryTree(log: (line: string) => void = console.log): string {
  if (!existsSync(doneMarker)) {
    const t = performance.now();
    generate();
    log(`generated ${root} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  return root;
}

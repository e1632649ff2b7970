// Our activation scripts sourced in the real shells of this machine (bash, zsh, dash, fish, tcsh)
// with hostile environment names and prompts: the values come back literally, nothing injected
// runs, PATH/PYTHONHOME/prompt are restored by deactivate.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createEnvironment } from '../../src/core/envBuilder';
import { findPythons, type FoundPython } from '../fixtures/pythons';
import { HOSTILE_NAMES } from '../fixtures/hostileNames';

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

let work: string;
let markDir: string;

const HOSTILE_PROMPTS = ['my prompt', "it's $(touch MARK) `touch MARK` %n \\u \\w !x ; && |"];

/** One interpreter per template family: up to 3.12 the prompt is passed as "(name) ", from 3.13 bare. */
const FAMILIES = (() => {
  const all = findPythons();
  const older = all.filter((p) => p.version[0] === 3 && p.version[1] <= 12).at(-1);
  const newer = all.filter((p) => p.version[0] === 3 && p.version[1] >= 13).at(-1);
  return [older, newer].filter((p): p is NonNullable<typeof p> => p !== undefined);
})();

/** A real env made by our EnvBuilder (no pip), named `name`, with `prompt`. */
async function makeEnv(name: string, prompt: string, py: FoundPython): Promise<string> {
  const envDir = path.join(work, `v${py.version[1]}`, name);
  await createEnvironment(envDir, { python: py.path, symlinks: true, cacheDir: path.join(work, 'cache'), ...(prompt === name ? {} : { prompt }) });
  return envDir;
}

interface Observed {
  status: number | null;
  stderr: string;
  values: Map<string, string>;
}

/** Runs `script` in `shell`; lines `KEY=value` on stdout become the observed values. */
function run(shell: string, args: string[], script: string, env: NodeJS.ProcessEnv): Observed {
  const r = spawnSync(shell, [...args, script], {
    cwd: markDir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', PYTHONHOME: '/nonexistent-home', ...env },
  });
  const values = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return { status: r.status, stderr: r.stderr, values };
}

const POSIX_BODY = (showPrompt: string) => `
PS1='old> '
OLDPATH=$PATH
. "$ENV_DIR/bin/activate"
printf 'VIRTUAL_ENV=%s\\n' "$VIRTUAL_ENV"
printf 'VIRTUAL_ENV_PROMPT=%s\\n' "$VIRTUAL_ENV_PROMPT"
printf 'PATH_HEAD=%s\\n' "\${PATH%%:*}"
printf 'PYTHON=%s\\n' "$(command -v python)"
printf 'PYTHONHOME=%s\\n' "\${PYTHONHOME-<unset>}"
printf 'PROMPT=%s\\n' "${showPrompt}"
deactivate
printf 'AFTER_VIRTUAL_ENV=%s\\n' "\${VIRTUAL_ENV-<unset>}"
printf 'AFTER_PYTHONHOME=%s\\n' "\${PYTHONHOME-<unset>}"
printf 'AFTER_PROMPT=%s\\n' "$PS1"
[ "$PATH" = "$OLDPATH" ] && printf 'AFTER_PATH=restored\\n'
`;

const SHELLS: { name: string; args: string[]; body: string }[] = [
  // \${PS1@P} is the prompt exactly as bash draws it.
  { name: 'bash', args: ['--norc', '--noprofile', '-c'], body: POSIX_BODY('${PS1@P}') },
  { name: 'zsh', args: ['-f', '-c'], body: POSIX_BODY('$(print -rP -- "$PS1")') },
  // zsh with prompt_subst (oh-my-zsh turns it on): $(...) in PS1 would run when drawn.
  { name: 'zsh', args: ['-f', '-o', 'promptsubst', '-c'], body: POSIX_BODY('$(print -rP -- "$PS1")') },
  // dash expands parameters and $(...) in PS1 when it draws it; eval does the same expansion.
  { name: 'dash', args: ['-c'], body: POSIX_BODY('$(eval "printf %s \\"$PS1\\"")') },
  {
    name: 'fish',
    args: ['--no-config', '-c'],
    body: `
function fish_prompt; printf 'old> '; end
set -gx OLDPATH $PATH
source "$ENV_DIR/bin/activate.fish"
printf 'VIRTUAL_ENV=%s\\n' "$VIRTUAL_ENV"
printf 'VIRTUAL_ENV_PROMPT=%s\\n' "$VIRTUAL_ENV_PROMPT"
printf 'PATH_HEAD=%s\\n' $PATH[1]
printf 'PYTHON=%s\\n' (command -v python)
if set -q PYTHONHOME; printf 'PYTHONHOME=%s\\n' "$PYTHONHOME"; else; printf 'PYTHONHOME=<unset>\\n'; end
printf 'PROMPT=%s\\n' (fish_prompt | string collect)
deactivate
if set -q VIRTUAL_ENV; printf 'AFTER_VIRTUAL_ENV=%s\\n' "$VIRTUAL_ENV"; else; printf 'AFTER_VIRTUAL_ENV=<unset>\\n'; end
printf 'AFTER_PYTHONHOME=%s\\n' "$PYTHONHOME"
printf 'AFTER_PROMPT=%s\\n' (fish_prompt | string collect)
test (string join : $PATH) = (string join : $OLDPATH); and printf 'AFTER_PATH=restored\\n'
`,
  },
  {
    name: 'tcsh',
    args: ['-f', '-c'],
    // csh cannot take a multi-line -c script with `if`; the body is sourced from a file instead.
    body: `
set prompt = "old> "
set OLDPATH = "$PATH:q"
source "$ENV_DIR/bin/activate.csh"
printf 'VIRTUAL_ENV=%s\\n' "$VIRTUAL_ENV:q"
printf 'VIRTUAL_ENV_PROMPT=%s\\n' "$VIRTUAL_ENV_PROMPT:q"
printf 'PATH_HEAD=%s\\n' "$PATH:q" | sed 's/:.*//'
printf 'PYTHON=%s\\n' "\`which python\`"
if ($?PYTHONHOME) then
  printf 'PYTHONHOME=%s\\n' "$PYTHONHOME:q"
else
  printf 'PYTHONHOME=<unset>\\n'
endif
printf 'PROMPT=%s\\n' "$prompt:q"
deactivate
if ($?VIRTUAL_ENV) then
  printf 'AFTER_VIRTUAL_ENV=%s\\n' "$VIRTUAL_ENV:q"
else
  printf 'AFTER_VIRTUAL_ENV=<unset>\\n'
endif
printf 'AFTER_PYTHONHOME=%s\\n' "$PYTHONHOME:q"
printf 'AFTER_PROMPT=%s\\n' "$prompt:q"
if ("$PATH:q" == "$OLDPATH:q") printf 'AFTER_PATH=restored\\n'
`,
  },
];

describe('activation scripts in real shells', () => {
  before(() => {
    work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vm-act-')));
    markDir = path.join(work, 'cwd');
    fs.mkdirSync(markDir);
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  test('interpreters were found for both template families (<= 3.12, >= 3.13)', () => assert.equal(FAMILIES.length, 2, FAMILIES.map((p) => p.label).join(', ')));

  for (const shell of SHELLS) {
    const label = `${shell.name} ${shell.args.filter((a) => a !== '-c').join(' ')}`.trim();
    for (const py of FAMILIES) {
      const version = py.version;
      test(`${label}, CPython ${version.join('.')}: hostile names and prompts stay literal, deactivate restores`, async (t) => {
        const exe = which(shell.name);
        if (!exe) return t.skip(`${shell.name} is not installed`);
        const cases = [...HOSTILE_NAMES.map((n) => [n, n] as const), ...HOSTILE_PROMPTS.map((p) => ['prompted', p] as const)];
        for (const [name, prompt] of cases) {
          const envDir = await makeEnv(name, prompt, py);
          let args = shell.args;
          let script = shell.body;
          if (shell.name === 'tcsh') {
            const file = path.join(work, 'body.csh');
            fs.writeFileSync(file, shell.body);
            args = ['-f'];
            script = file;
          }
          const o = run(exe, args, script, { ENV_DIR: envDir });
          const what = `${shell.name} name=${JSON.stringify(name)} prompt=${JSON.stringify(prompt)}`;
          assert.equal(o.status, 0, `${what}: ${o.stderr}`);
          assert.equal(o.stderr, '', what);
          assert.equal(o.values.get('VIRTUAL_ENV'), envDir, what);
          assert.equal(o.values.get('VIRTUAL_ENV_PROMPT'), version[1] >= 13 ? prompt : `(${prompt}) `, what);
          assert.equal(o.values.get('PATH_HEAD'), path.join(envDir, 'bin'), what);
          assert.equal(o.values.get('PYTHON'), path.join(envDir, 'bin', 'python'), what);
          assert.equal(fs.realpathSync(o.values.get('PYTHON')!), fs.realpathSync(py.path), what);
          assert.equal(o.values.get('PYTHONHOME'), '<unset>', what);
          assert.equal(o.values.get('PROMPT'), `(${prompt}) old> `, what);
          assert.equal(o.values.get('AFTER_VIRTUAL_ENV'), '<unset>', what);
          assert.equal(o.values.get('AFTER_PYTHONHOME'), '/nonexistent-home', what);
          assert.equal(o.values.get('AFTER_PROMPT'), 'old> ', what);
          assert.equal(o.values.get('AFTER_PATH'), 'restored', what);
          assert.deepEqual(fs.readdirSync(markDir), [], `${what}: an injected command ran`);
        }
      });
    }
  }

  test('bash: set -euo pipefail; source activate; deactivate prints nothing', async () => {
    const envDir = await makeEnv("strict $(touch MARK) it's", 'strict', FAMILIES.at(-1)!);
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', 'set -euo pipefail; source "$ENV_DIR/bin/activate"; deactivate'], {
      cwd: markDir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ENV_DIR: envDir },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '');
    assert.deepEqual(fs.readdirSync(markDir), []);
  });

  test('sh -u (dash): activate and deactivate with unset PS1/PYTHONHOME print nothing', async () => {
    const envDir = await makeEnv('strict-sh', 'strict', FAMILIES[0]!);
    const r = spawnSync('sh', ['-u', '-c', '. "$ENV_DIR/bin/activate"; deactivate'], { cwd: markDir, encoding: 'utf8', env: { PATH: process.env.PATH, ENV_DIR: envDir } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout + r.stderr, '');
  });

  test('bash: switching envs and deactivating returns to the original PATH; deactivate is gone afterwards', async () => {
    const a = await makeEnv('first', 'first', FAMILIES[0]!);
    const b = await makeEnv('second', 'second', FAMILIES.at(-1)!);
    const o = run(
      'bash',
      ['--norc', '--noprofile', '-c'],
      `OLD=$PATH; PS1='old> '; . "$A/bin/activate"; . "$B/bin/activate"
printf 'VE=%s\\n' "$VIRTUAL_ENV"; printf 'PROMPT=%s\\n' "\${PS1@P}"
case ":$PATH:" in *":$A/bin:"*) printf 'STALE=yes\\n' ;; esac
deactivate; [ "$PATH" = "$OLD" ] && printf 'RESTORED=yes\\n'
printf 'FN=%s\\n' "$(declare -F deactivate || true)"`,
      { A: a, B: b },
    );
    assert.equal(o.status, 0, o.stderr);
    assert.equal(o.values.get('VE'), b);
    assert.equal(o.values.get('PROMPT'), '(second) old> ');
    assert.equal(o.values.get('STALE'), undefined, 'the first env left PATH');
    assert.equal(o.values.get('RESTORED'), 'yes');
    assert.equal(o.values.get('FN'), '', 'deactivate removed itself');
  });

  test('bash: deactivate nondestructive keeps the function; VIRTUAL_ENV_DISABLE_PROMPT keeps the prompt', async () => {
    const envDir = await makeEnv('quiet', 'quiet', FAMILIES.at(-1)!);
    const o = run(
      'bash',
      ['--norc', '--noprofile', '-c'],
      `PS1='old> '; . "$ENV_DIR/bin/activate"; printf 'PROMPT=%s\\n' "\${PS1@P}"; deactivate nondestructive; printf 'FN=%s\\n' "$(declare -F deactivate)"`,
      { ENV_DIR: envDir, VIRTUAL_ENV_DISABLE_PROMPT: '1' },
    );
    assert.equal(o.status, 0, o.stderr);
    assert.equal(o.values.get('PROMPT'), 'old> ');
    assert.equal(o.values.get('FN'), 'deactivate');
  });
});

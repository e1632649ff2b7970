// The decisions of sharing the active environment with the Python tools (src/extension/interop/reconcile.ts),
// under plain Node: no 'vscode' import there.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { activationInCommand, decideAtStartup, EchoGuard, environmentFolderOf, samePath, type StartupFacts } from '../../../src/extension/interop/reconcile';

const OURS = '/w/.venv/bin/python';
const OTHER = '/w/other/bin/python';
const SYSTEM = '/usr/bin/python3';

function facts(over: Partial<StartupFacts>): StartupFacts {
  return { mode: 'bothWays', ours: OURS, oursChosen: false, theirs: undefined, lastSeen: undefined, theirsListed: false, ...over };
}

describe('decideAtStartup', () => {
  test('sharing off: nothing, whatever the two sides say', () => {
    assert.equal(decideAtStartup(facts({ mode: 'off', theirs: OTHER, theirsListed: true })), 'none');
    assert.equal(decideAtStartup(facts({ mode: 'off' })), 'none');
  });
  test('they have no choice yet: ours is pushed; with none of ours, nothing', () => {
    assert.equal(decideAtStartup(facts({})), 'push');
    assert.equal(decideAtStartup(facts({ ours: undefined })), 'none');
  });
  test('both already agree (spelled differently): nothing', () => {
    assert.equal(decideAtStartup(facts({ theirs: '/w/./.venv/bin/python' })), 'none');
  });
  test('first meeting: an explicit choice of ours wins over theirs', () => {
    assert.equal(decideAtStartup(facts({ oursChosen: true, theirs: OTHER, theirsListed: true })), 'push');
  });
  test('first meeting: an automatic .venv gives way to a listed env of theirs, not to a non-venv', () => {
    assert.equal(decideAtStartup(facts({ theirs: OTHER, theirsListed: true })), 'follow');
    assert.equal(decideAtStartup(facts({ theirs: SYSTEM, theirsListed: false })), 'push');
  });
  test('they changed since we last saw them: theirs wins, even over an explicit choice', () => {
    assert.equal(decideAtStartup(facts({ oursChosen: true, theirs: SYSTEM, lastSeen: OURS })), 'follow');
  });
  test('they did not change since we last saw them: ours (changed while they were away) wins', () => {
    assert.equal(decideAtStartup(facts({ theirs: OTHER, lastSeen: OTHER, theirsListed: true })), 'push');
  });
  test('only ours to theirs: never follows', () => {
    assert.equal(decideAtStartup(facts({ mode: 'toPython', theirs: SYSTEM, lastSeen: OURS })), 'none');
    assert.equal(decideAtStartup(facts({ mode: 'toPython', theirs: OTHER, theirsListed: true })), 'none');
    assert.equal(decideAtStartup(facts({ mode: 'toPython', oursChosen: true, theirs: OTHER })), 'push');
  });
  test('no env of ours: theirs is followed (a non-venv becomes the folder\'s external interpreter)', () => {
    assert.equal(decideAtStartup(facts({ ours: undefined, theirs: SYSTEM })), 'follow');
  });
});

describe('EchoGuard', () => {
  test('a path we sent is consumed once when it comes back; another path is the user\'s', () => {
    const g = new EchoGuard(1000, () => 0);
    g.expect('p|f', OURS);
    assert.equal(g.pending('p|f'), true);
    assert.equal(g.consume('p|f', OTHER), false);
    assert.equal(g.consume('p|f', '/w/.venv/bin/../bin/python'), true);
    assert.equal(g.consume('p|f', OURS), false);
    assert.equal(g.pending('p|f'), false);
  });
  test('an expectation expires, so a late identical choice by the user is not swallowed forever', () => {
    let now = 0;
    const g = new EchoGuard(1000, () => now);
    g.expect('k', OURS);
    now = 1001;
    assert.equal(g.consume('k', OURS), false);
  });
  test('keys are separate (tool and folder)', () => {
    const g = new EchoGuard();
    g.expect('python|a', OURS);
    assert.equal(g.consume('python|b', OURS), false);
    assert.equal(g.consume('envs|a', OURS), false);
    assert.equal(g.consume('python|a', OURS), true);
  });
});

describe('environmentFolderOf', () => {
  test('interpreters in bin/ or Scripts\\ give the env folder', () => {
    assert.equal(environmentFolderOf('/w/.venv/bin/python3.12', 'linux'), '/w/.venv');
    assert.equal(environmentFolderOf('/w/env t/bin/python3.14t', 'linux'), '/w/env t');
    assert.equal(environmentFolderOf('C:\\w\\.venv\\Scripts\\python.exe', 'win32'), 'C:\\w\\.venv');
  });
  test('a folder is itself; a python outside bin/ gives its folder; a bare name gives nothing', () => {
    assert.equal(environmentFolderOf('/w/.venv', 'linux'), '/w/.venv');
    assert.equal(environmentFolderOf('/opt/conda/python', 'linux'), '/opt/conda');
    assert.equal(environmentFolderOf('python', 'linux'), undefined);
  });
});

describe('samePath', () => {
  test('case matters on POSIX, not on Windows; undefined is never the same', () => {
    assert.equal(samePath('/a/B', '/a/b', 'linux'), false);
    assert.equal(samePath('C:\\A\\b', 'c:\\a\\B', 'win32'), true);
    assert.equal(samePath(undefined, undefined), false);
  });
});

describe('activationInCommand', () => {
  test('what the Python tools type into terminals', () => {
    assert.equal(activationInCommand('source /w/.venv/bin/activate'), '/w/.venv');
    assert.equal(activationInCommand('. "/w/my env/bin/activate"'), '/w/my env');
    assert.equal(activationInCommand('source /w/.venv/bin/activate.fish'), '/w/.venv');
    assert.equal(activationInCommand('& "C:\\w\\.venv\\Scripts\\Activate.ps1"'), 'C:\\w\\.venv');
    assert.equal(activationInCommand('  deactivate '), null);
  });
  test('anything else is not an activation', () => {
    assert.equal(activationInCommand('ls -la'), undefined);
    assert.equal(activationInCommand('source ~/.bashrc'), undefined);
    assert.equal(activationInCommand('echo source /w/.venv/bin/activate'), undefined);
  });
});

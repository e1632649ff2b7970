import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { interpreterMatchesSpec, parsePythonSpec, type PythonSpec } from '../../../src/core/discovery';

type VersionSpec = Extract<PythonSpec, { kind: 'version' }>;

function versionSpec(raw: string): VersionSpec {
  const spec = parsePythonSpec(raw);
  assert.equal(spec.kind, 'version', `${raw} should parse as a version spec, got ${JSON.stringify(spec)}`);
  return spec as VersionSpec;
}

describe('parsePythonSpec', () => {
  test('bare versions', () => {
    assert.deepEqual(versionSpec('3').version, [3]);
    assert.deepEqual(versionSpec('3.12').version, [3, 12]);
    assert.deepEqual(versionSpec('3.12.1').version, [3, 12, 1]);
    assert.equal(versionSpec('3.12').implementation, undefined);
  });

  test('python / cpython / pypy prefixes', () => {
    const py311 = versionSpec('python3.11');
    assert.deepEqual(py311.version, [3, 11]);
    assert.equal(py311.implementation, undefined, "'python' means any implementation, as in virtualenv");
    const cp = versionSpec('cpython3.12');
    assert.equal(cp.implementation, 'cpython');
    assert.deepEqual(cp.version, [3, 12]);
    const pypy = versionSpec('pypy3');
    assert.equal(pypy.implementation, 'pypy');
    assert.deepEqual(pypy.version, [3]);
    assert.equal(versionSpec('PyPy3.10').implementation, 'pypy');
    assert.deepEqual(versionSpec('python').version, undefined);
  });

  test('architecture and free-threading suffixes', () => {
    const s = versionSpec('3.11-64');
    assert.deepEqual(s.version, [3, 11]);
    assert.equal(s.bits, 64);
    assert.equal(versionSpec('cpython3.10-32').bits, 32);
    const ft = versionSpec('3.13t');
    assert.equal(ft.freeThreaded, true);
    assert.deepEqual(ft.version, [3, 13]);
    assert.equal(versionSpec('3.13').freeThreaded, false);
  });

  test('virtualenv short forms without a dot: py312, 312', () => {
    assert.deepEqual(versionSpec('py312').version, [3, 12]);
    assert.deepEqual(versionSpec('312').version, [3, 12]);
    assert.deepEqual(versionSpec('py3').version, [3]);
  });

  test('py launcher forms', () => {
    assert.deepEqual(versionSpec('-3.12').version, [3, 12]);
    assert.equal(versionSpec('-3.12-32').bits, 32);
    assert.deepEqual(parsePythonSpec('-V:PythonCore/3.12'), { kind: 'registry', raw: '-V:PythonCore/3.12', company: 'PythonCore', tag: '3.12' });
    assert.deepEqual(parsePythonSpec('-V:Astral'), { kind: 'registry', raw: '-V:Astral', company: 'Astral' });
  });

  test('paths', () => {
    for (const p of ['/usr/bin/python3', './venv/bin/python', '~/py/bin/python', '..\\py\\python.exe', 'C:\\Python312\\python.exe', 'bin/python']) {
      const spec = parsePythonSpec(p);
      assert.equal(spec.kind, 'path', p);
      assert.equal((spec as { path: string }).path, p);
    }
  });

  test('anything else is a command name on PATH', () => {
    assert.deepEqual(parsePythonSpec('mypython'), { kind: 'command', raw: 'mypython', command: 'mypython' });
    assert.equal(parsePythonSpec('python3.12-dbg').kind, 'command');
  });

  test('empty spec is an error', () => {
    assert.throws(() => parsePythonSpec('  '), /empty/);
  });
});

describe('interpreterMatchesSpec', () => {
  const cp3121 = { path: '/x/python3.12', version: '3.12.1', source: 'PATH', implementation: 'cpython' };
  test('version prefixes match, longer specs need the longer version', () => {
    assert.ok(interpreterMatchesSpec(cp3121, versionSpec('3')));
    assert.ok(interpreterMatchesSpec(cp3121, versionSpec('3.12')));
    assert.ok(interpreterMatchesSpec(cp3121, versionSpec('3.12.1')));
    assert.ok(!interpreterMatchesSpec(cp3121, versionSpec('3.12.2')));
    assert.ok(!interpreterMatchesSpec(cp3121, versionSpec('3.1')), '3.1 is not a prefix of 3.12 part-wise');
    assert.ok(!interpreterMatchesSpec({ ...cp3121, version: '3.12' }, versionSpec('3.12.1')), 'unknown micro cannot confirm 3.12.1');
    assert.ok(!interpreterMatchesSpec({ ...cp3121, version: undefined }, versionSpec('3')));
  });
  test('implementation and free-threading must agree', () => {
    assert.ok(!interpreterMatchesSpec(cp3121, versionSpec('pypy3')));
    assert.ok(interpreterMatchesSpec({ ...cp3121, implementation: 'pypy' }, versionSpec('pypy3.12')));
    assert.ok(interpreterMatchesSpec(cp3121, versionSpec('cpython3')));
    assert.ok(!interpreterMatchesSpec(cp3121, versionSpec('3.12t')));
    assert.ok(interpreterMatchesSpec({ ...cp3121, freeThreaded: true }, versionSpec('3.12t')));
    assert.ok(!interpreterMatchesSpec({ ...cp3121, freeThreaded: true }, versionSpec('3.12')));
  });
});

// Reading what a project declares: PEP 508 requirements and markers, pyproject.toml extras and
// dependency groups, pylock.toml, uv.lock, and wheel tags; every bad input names the file and the place.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { evaluateMarker, versionSatisfies, findDeclaredSources, markerEnvironment, parseMarker, parseRequirement, planLock, planUvLock, readPylock, readPyproject, readUvLock, readRequirementsFile, selectFromPyproject, supportedTags, wheelTags, type TargetFacts } from '../../../src/core/declared';
import { withSets } from '../../../src/core/declared/target';
import { LifecycleError } from '../../../src/core/lifecycle';
import { removeTempDir, tempDir } from '../../fixtures/lifecycle';

let work: string;
before(async () => {
  work = await tempDir('vm-declared-');
});
after(() => removeTempDir(work));

const linux312: TargetFacts = { version: [3, 12, 1], implementation: 'cpython', freeThreaded: false, platform: 'linux', machine: 'x86_64', glibc: [2, 36] };

async function write(name: string, text: string): Promise<string> {
  const file = path.join(work, name);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
  return file;
}

async function rejectsWith(run: () => unknown, code: string, message: RegExp): Promise<void> {
  await assert.rejects(async () => run(), (err: unknown) => {
    assert.ok(err instanceof LifecycleError, String(err));
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    return true;
  });
}

describe('PEP 508', () => {
  test('names, extras, specifiers, URLs and markers', () => {
    const r = parseRequirement('Foo.Bar[Security, tests] >=1.0,<2 ; python_version < "3.13" and extra == "x"');
    assert.equal(r.key, 'foo-bar');
    assert.deepEqual(r.extras, ['security', 'tests']);
    assert.equal(r.specifier, '>=1.0,<2');
    assert.ok(r.marker);
    assert.equal(parseRequirement('pkg (==1.*)').specifier, '==1.*');
    assert.equal(parseRequirement('pkg @ https://example.invalid/pkg-1.0.whl ; os_name == "posix"').url, 'https://example.invalid/pkg-1.0.whl');
    assert.throws(() => parseRequirement('pkg >= '), /expected a version/);
    assert.throws(() => parseRequirement('pkg ; python_verison == "3"'), /unknown marker variable 'python_verison'/);
    assert.throws(() => parseRequirement('pkg >=1.0 garbage'), /unexpected text/);
  });

  test('markers compare versions as PEP 440 versions, strings as strings, extras and groups as sets', () => {
    const env = withSets(markerEnvironment(linux312), { extras: ['test'], groups: ['dev'] });
    const holds = (m: string) => evaluateMarker(parseMarker(m), env);
    assert.equal(holds('python_version >= "3.9"'), true);
    assert.equal(holds('python_version < "3.10"'), false, '3.12 is not below 3.10 (a string compare would say it is)');
    assert.equal(holds('python_full_version == "3.12.*"'), true);
    assert.equal(holds('sys_platform == "win32" or (os_name == "posix" and platform_machine == "x86_64")'), true);
    assert.equal(holds('extra == "test"'), true);
    assert.equal(holds('extra == "docs"'), false);
    assert.equal(holds('"dev" in dependency_groups'), true);
    assert.equal(holds('"docs" not in extras'), true);
    assert.equal(holds('"linux" in sys_platform'), true);
  });
});

describe('PEP 440 versions of installed distributions', () => {
  test('the direct comparisons agree with the PEP 440 rules (local labels, zero padding, pre-releases, wildcards)', () => {
    const cases: [string, string, boolean][] = [
      ['1.0.0', '==1.0', true],
      ['1.0+local.7', '==1.0', true],
      ['1.0+local.7', '==1.0+local.7', true],
      ['1.0+local.7', '==1.0+other', false],
      ['1.0', '!=1.0', false],
      ['1.0.post1', '==1.0', false],
      ['2.0rc1', '>=1.0', true],
      ['2.0rc1', '>=2.0', false],
      ['2.0', '>=2.0,<3', true],
      ['3.0', '>=2.0,<3', false],
      ['1.4.2', '~=1.4', true],
      ['2.0', '~=1.4', false],
      ['1.2.9', '==1.2.*', true],
      ['1.3', '!=1.2.*', true],
      ['1!1.0', '>=2.0', true],
      ['2.0', '<=2.0.0', true],
      ['2.0', '>2.0', false],
      ['2.0.post1', '>2.0', false],
    ];
    for (const [version, spec, expected] of cases) assert.equal(versionSatisfies(version, spec), expected, `${version} ${spec}`);
  });
});

describe('pyproject.toml', () => {
  const text = `[project]
name = "Demo_App"
dependencies = ["alpha>=1.0"]

[project.optional-dependencies]
Fast = ["gamma==3.0"]

[dependency-groups]
test = ["beta>=2"]
dev = [{include-group = "test"}, "delta; python_version >= '3.8'"]

[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"
`;

  test('dependencies, extras and groups with include-group; the project installs itself when it names a build backend', async () => {
    const py = await readPyproject(await write('ok/pyproject.toml', text));
    assert.equal(py.name, 'demo-app');
    assert.equal(py.hasBuildBackend, true);
    assert.deepEqual([...py.extras.keys()], ['fast']);
    assert.deepEqual(py.groups.get('dev')!.map((r) => r.key), ['beta', 'delta']);
    const sel = selectFromPyproject(py, { extras: ['FAST'], groups: ['dev'] });
    assert.equal(sel.installsProject, true);
    assert.deepEqual(sel.requirements.map((r) => r.key), ['alpha', 'gamma', 'beta', 'delta']);
    assert.equal(selectFromPyproject(py, { project: false }).installsProject, false);
  });

  test('a TOML syntax error names file, line and column', async () => {
    const file = await write('syntax/pyproject.toml', '[project]\nname = "x"\ndependencies = ["a",\n  "b" = 1]\n');
    await rejectsWith(() => readPyproject(file), 'bad-source', new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:\\d+: invalid TOML`));
  });

  test('an include-group cycle, an unknown included group, an unknown extra or group, a bad requirement', async () => {
    const cycle = await write('cycle/pyproject.toml', '[dependency-groups]\na = [{include-group = "b"}]\nb = [{include-group = "a"}]\n');
    await rejectsWith(() => readPyproject(cycle), 'bad-source', /pyproject\.toml:2:\d+: .*cycle: a -> b -> a/);
    const unknown = await write('unknown/pyproject.toml', '[dependency-groups]\na = [{include-group = "nope"}]\n');
    await rejectsWith(() => readPyproject(unknown), 'bad-source', /pyproject\.toml:2:\d+: .*'nope', which does not exist/);
    const py = await readPyproject(await write('ok2/pyproject.toml', text));
    await rejectsWith(() => selectFromPyproject(py, { extras: ['slow'] }), 'bad-source', /ok2\/pyproject\.toml: there is no extra 'slow' .*\(there are: fast\)/);
    await rejectsWith(() => selectFromPyproject(py, { groups: ['docs'] }), 'bad-source', /there is no group 'docs' .*\(there are: test, dev\)/);
    const bad = await write('badreq/pyproject.toml', '[project]\nname = "x"\ndependencies = [\n  "ok",\n  "broken >= ",\n]\n');
    await rejectsWith(() => readPyproject(bad), 'bad-source', /pyproject\.toml:5:4: \[project\] dependencies: 'broken >= ' is not a valid requirement/);
  });
});

describe('requirements files', () => {
  test('includes followed, options and comments skipped, unnamed lines counted, a bad line named with its line number', async () => {
    await write('reqs/base.txt', 'alpha==1.0  # pinned\n');
    const file = await write('reqs/requirements.txt', '-r base.txt\n--index-url https://example.invalid/simple\nbeta>=2 \\\n  --hash=sha256:00\n./local/thing\n-e ./src#egg=mine\n');
    const got = await readRequirementsFile(file);
    assert.deepEqual(got.requirements.map((r) => r.text), ['alpha==1.0', 'beta>=2', 'mine']);
    assert.deepEqual(got.unnamed, ['./local/thing']);
    const bad = await write('reqs/bad.txt', 'alpha\nbeta >=\n');
    await rejectsWith(() => readRequirementsFile(bad), 'bad-source', /bad\.txt:2:\d+: 'beta >=' is not a valid requirement/);
  });
});

describe('pylock.toml', () => {
  const lock = (body: string) => `lock-version = "1.0"\nrequires-python = ">=3.8"\ncreated-by = "test"\n${body}`;
  const wheel = (name: string, extra = '') => `[[packages.wheels]]\nname = "${name}"\npath = "./w/${name}"\nhashes = {sha256 = "${'0'.repeat(64)}"}\n${extra}`;

  test('per package the most specific wheel the env accepts; markers exclude packages', async () => {
    const file = await write('lock1/pylock.toml', lock(`
[[packages]]
name = "native"
version = "1.0"
${wheel('native-1.0-py3-none-any.whl')}
${wheel('native-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl')}
${wheel('native-1.0-cp313-cp313-manylinux_2_17_x86_64.whl')}

[[packages]]
name = "winonly"
version = "2.0"
marker = "sys_platform == 'win32'"
${wheel('winonly-2.0-py3-none-any.whl')}

[[packages]]
name = "abi3pkg"
version = "3.0"
${wheel('abi3pkg-3.0-cp39-abi3-manylinux_2_28_x86_64.whl')}
${wheel('abi3pkg-3.0-cp39-abi3-win_amd64.whl')}
`));
    const plan = planLock(await readPylock(file), linux312);
    assert.deepEqual(plan.packages.map((w) => (w.kind === 'directory' ? w.directory.path : w.file.fileName)), ['native-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', 'abi3pkg-3.0-cp39-abi3-manylinux_2_28_x86_64.whl']);
    assert.deepEqual(plan.skipped.map((p) => p.name), ['winonly']);
    assert.equal(plan.packages[0].kind === 'wheel' ? plan.packages[0].file.path : undefined, path.join(work, 'lock1', 'w', 'native-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl'));
  });

  test('no usable wheel, requires-python, lock-version and groups are refused naming the file and where', async () => {
    const noWheel = await write('lock2/pylock.toml', lock(`
[[packages]]
name = "gone"
version = "1.0"
${wheel('gone-1.0-cp311-cp311-win_amd64.whl')}
`));
    await rejectsWith(async () => planLock(await readPylock(noWheel), linux312), 'no-wheel', /lock2\/pylock\.toml:6:\d+: no usable wheel for gone 1\.0: its wheels \(gone-1\.0-cp311-cp311-win_amd64\.whl\) do not fit Python 3\.12\.1 on linux x86_64/);
    const vcsOnly = await write('lock3/pylock.toml', lock('[[packages]]\nname = "src"\nversion = "1.0"\nvcs = {type = "git", url = "https://example.invalid/src.git", commit-id = "0123456789abcdef0123456789abcdef01234567"}\n'));
    await rejectsWith(async () => planLock(await readPylock(vcsOnly), linux312), 'no-wheel', /lock3\/pylock\.toml:\d+:\d+: no usable wheel for src 1\.0: the lock gives no wheel for it, only a VCS checkout, which Venv Manager does not install/);
    const unhashed = await write('lock3b/pylock.toml', lock('[[packages]]\nname = "src"\nversion = "1.0"\nsdist = {path = "src-1.0.tar.gz"}\n'));
    await rejectsWith(() => readPylock(unhashed), 'bad-source', /lock3b\/pylock\.toml:\d+:\d+: src: the sdist src-1\.0\.tar\.gz has no sha256 hash, so it cannot be checked/);
    const newer = await write('lock4/pylock.toml', 'lock-version = "2.0"\n[[packages]]\nname = "x"\n');
    await rejectsWith(() => readPylock(newer), 'bad-source', /lock4\/pylock\.toml:1:1: lock-version '2\.0' is not supported/);
    const oldPython = await write('lock5/pylock.toml', 'lock-version = "1.0"\nrequires-python = ">=3.13"\npackages = []\n');
    await rejectsWith(async () => planLock(await readPylock(oldPython), linux312), 'bad-source', /lock5\/pylock\.toml:2:1: the lock requires Python >=3\.13; this environment has Python 3\.12\.1/);
    const groups = await write('lock6/pylock.toml', 'lock-version = "1.0"\ndependency-groups = ["dev"]\ndefault-groups = ["dev"]\npackages = []\n');
    await rejectsWith(async () => planLock(await readPylock(groups), linux312, { groups: ['docs'] }), 'bad-source', /the lock has no dependency group 'docs' \(it has: dev\)/);
  });

  test('wheel tags: compressed tag sets expand; the order prefers the interpreter ABI, then abi3, then pure Python', () => {
    assert.deepEqual(wheelTags('a-1.0-py2.py3-none-any.whl')?.tags, ['py2-none-any', 'py3-none-any']);
    const tags = supportedTags(linux312);
    const at = (t: string) => tags.indexOf(t);
    assert.ok(at('cp312-cp312-manylinux_2_36_x86_64') === 0);
    assert.ok(at('cp312-cp312-manylinux_2_17_x86_64') < at('cp312-abi3-manylinux_2_17_x86_64'));
    assert.ok(at('cp39-abi3-linux_x86_64') < at('py3-none-any'));
    assert.equal(at('cp312-cp312-manylinux_2_37_x86_64'), -1, 'newer glibc than the machine has');
    assert.equal(at('cp313-cp313-manylinux_2_17_x86_64'), -1);
    const ft = supportedTags({ ...linux312, version: [3, 13, 0], freeThreaded: true });
    assert.ok(ft.includes('cp313-cp313t-linux_x86_64') && !ft.some((t) => t.includes('abi3')));
  });
});

describe('source discovery', () => {
  test('top level first: pyproject.toml, pylock.toml, pylock.<name>.toml, requirements.txt, others; never inside an env', async () => {
    const root = path.join(work, 'discover');
    for (const f of ['requirements-dev.txt', 'requirements.txt', 'pylock.web.toml', 'pylock.toml', 'pyproject.toml', 'sub/pyproject.toml', '.venv/pyproject.toml', 'notpylock.toml']) {
      await write(path.join('discover', f), '');
    }
    await write('discover/.venv/pyvenv.cfg', 'home = /usr/bin\n');
    const found = (await findDeclaredSources(root)).map((f) => path.relative(root, f));
    assert.deepEqual(found, ['pyproject.toml', 'pylock.toml', 'pylock.web.toml', 'requirements.txt', 'requirements-dev.txt', path.join('sub', 'pyproject.toml')]);
  });
});

describe('uv.lock', () => {
  const hash = (c: string) => `hash = "sha256:${c.repeat(64)}"`;
  const UVLOCK = `version = 1
revision = 3
requires-python = ">=3.9"

[[package]]
name = "demo"
version = "0.1"
source = { virtual = "." }
dependencies = [
    { name = "numpy" },
    { name = "cpuonly", marker = "extra == 'extra-4-demo-cpu'" },
    { name = "winonly", marker = "sys_platform == 'win32'" },
    { name = "cyc-a" },
]

[package.optional-dependencies]
cpu = [{ name = "cyc-b", extra = ["more"] }]

[[package]]
name = "numpy"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version < '3.10'"]
wheels = [{ url = "https://files.example/numpy-1.0-cp39-cp39-manylinux_2_17_x86_64.whl", ${hash('1')} }]

[[package]]
name = "numpy"
version = "2.0"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version >= '3.10'"]
wheels = [
    { url = "https://files.example/numpy-2.0-cp312-cp312-win_amd64.whl", ${hash('2')} },
    { url = "https://files.example/numpy-2.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", ${hash('3')}, size = 10 },
]

[[package]]
name = "cpuonly"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://files.example/cpuonly-1.0-py3-none-any.whl", ${hash('4')} }]

[[package]]
name = "winonly"
version = "1.0"
source = { git = "https://example.invalid/winonly.git#abc" }

[[package]]
name = "cyc-a"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "cyc-b" }]
wheels = [{ url = "https://files.example/cyc_a-1.0-py3-none-any.whl", ${hash('5')} }]

[[package]]
name = "cyc-b"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "cyc-a" }]
wheels = [{ url = "https://files.example/cyc_b-1.0-py3-none-any.whl", ${hash('6')} }]

[package.optional-dependencies]
more = [{ name = "extra-dep" }]

[[package]]
name = "extra-dep"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://files.example/extra_dep-1.0-py3-none-any.whl", ${hash('7')} }]
`;

  test('walked from the root: forks by resolution-markers, conflict-extra markers, extras of dependencies, cycles; a virtual root and excluded packages not installed', async () => {
    const file = await write('uv1/uv.lock', UVLOCK);
    const lock = await readUvLock(file);
    const names = (extras: string[]) => planUvLock(lock, linux312, { extras }).packages.map((p) => `${p.pkg.name} ${p.pkg.version ?? ''}`.trim());
    assert.deepEqual(names([]), ['numpy 2.0', 'cyc-a 1.0', 'cyc-b 1.0']);
    assert.deepEqual(names(['cpu']), ['numpy 2.0', 'cpuonly 1.0', 'cyc-a 1.0', 'cyc-b 1.0', 'extra-dep 1.0']);
    const plan = planUvLock(lock, linux312);
    const numpy = plan.packages[0];
    assert.equal(numpy.kind === 'wheel' && numpy.file.fileName, 'numpy-2.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl');
    assert.equal(numpy.kind === 'wheel' && numpy.file.sha256, '3'.repeat(64));
    assert.equal(numpy.kind === 'wheel' && numpy.file.size, 10);
    const py39: TargetFacts = { ...linux312, version: [3, 9, 2] };
    assert.deepEqual(planUvLock(lock, py39).packages.map((p) => `${p.pkg.name} ${p.pkg.version ?? ''}`)[0], 'numpy 1.0');
  });

  test('refused naming the file and where: requires-python, a dependency the lock lacks, a git package the env needs, a version other than 1, an unknown group', async () => {
    const file = await write('uv2/uv.lock', UVLOCK);
    const lock = await readUvLock(file);
    await rejectsWith(() => planUvLock(lock, { ...linux312, version: [3, 8, 10] }), 'bad-source', /uv2\/uv\.lock:3:1: the lock requires Python >=3\.9; this environment has Python 3\.8\.10/);
    await rejectsWith(() => planUvLock(lock, { ...linux312, platform: 'win32', machine: 'AMD64' }), 'no-wheel', /uv2\/uv\.lock:\d+:\d+: no usable wheel for winonly 1\.0: the lock gives no wheel for it, only a git source \(https:\/\/example\.invalid\/winonly\.git#abc\), which Venv Manager does not install/);
    await rejectsWith(() => planUvLock(lock, linux312, { groups: ['docs'] }), 'bad-source', /uv2\/uv\.lock: the project has no dependency group 'docs'/);
    const lacking = await readUvLock(await write('uv3/uv.lock', UVLOCK.replace('{ name = "cyc-a" },\n]', '{ name = "cyc-a" },\n    { name = "ghost" },\n]')));
    await rejectsWith(() => planUvLock(lacking, linux312), 'bad-source', /uv3\/uv\.lock:6:1: demo depends on ghost, which the lock does not list/);
    const v2 = await write('uv4/uv.lock', UVLOCK.replace('version = 1\n', 'version = 2\n'));
    await rejectsWith(() => readUvLock(v2), 'bad-source', /uv4\/uv\.lock:1:1: uv\.lock version 2 is not supported/);
    await rejectsWith(() => readPylock(file), 'bad-source', /uv2\/uv\.lock: lock-version is missing: this is not a PEP 751 lock file\. It looks like uv's lock format \(uv\.lock\), which is read as a source of its own\.$/);
  });
});

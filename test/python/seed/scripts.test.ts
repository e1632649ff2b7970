// Launcher names, text, shebangs and the Windows .exe layout, checked with a real interpreter.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findScriptTemplate, posixScript, posixShebang, scriptSpecs, scriptText, windowsLauncher, windowsLauncherName } from '../../../src/core/seed/scripts';
import { findPythons } from '../../fixtures/pythons';

const DISTLIB_TEMPLATE = `# -*- coding: utf-8 -*-
import re
import sys
from %(module)s import %(import_name)s
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(%(func)s())
`;
const python = findPythons().at(-1);

describe('scriptSpecs: the launcher names pip derives', () => {
  test("pip's entry points become pip, pip3, pip3.X of the running Python", () => {
    const console = new Map([
      ['pip', 'pip._internal.cli.main:main'],
      ['pip3', 'pip._internal.cli.main:main'],
      ['pip3.11', 'pip._internal.cli.main:main'],
    ]);
    assert.deepEqual(
      scriptSpecs(console, new Map(), [3, 12, 1]).map((s) => s.name),
      ['pip', 'pip3', 'pip3.12'],
    );
  });
  test('easy_install becomes easy_install and easy_install-X.Y; others and GUI scripts are kept', () => {
    const specs = scriptSpecs(
      new Map([
        ['easy_install', 'setuptools.command.easy_install:main'],
        ['easy_install-3.6', 'setuptools.command.easy_install:main'],
        ['other', 'm:f'],
      ]),
      new Map([['gui', 'g:h']]),
      [3, 8, 18],
    );
    assert.deepEqual(
      specs.map((s) => [s.name, s.gui]),
      [
        ['easy_install', false],
        ['easy_install-3.8', false],
        ['other', false],
        ['gui', true],
      ],
    );
  });
});

describe('script template and text', () => {
  test("old pip's own template wins over distlib's", () => {
    assert.equal(findScriptTemplate('x\n    maker.script_template = r"""OWN %(func)s"""\n', `SCRIPT_TEMPLATE = r'''DISTLIB'''`), 'OWN %(func)s');
    assert.equal(findScriptTemplate('nothing here', `x = 1\nSCRIPT_TEMPLATE = r'''${DISTLIB_TEMPLATE}'''\n`), DISTLIB_TEMPLATE);
    assert.equal(findScriptTemplate(undefined, undefined), undefined);
  });
  test("a newer pip's class-level template, dedented like textwrap.dedent (pip 26.2.1's wheel.py form)", () => {
    const installer = [
      'class PipScriptMaker(ScriptMaker):',
      "    # Override distlib's default script template with one that",
      "    # doesn't import `re` module, allowing scripts to load faster.",
      '    script_template = textwrap.dedent("""\\',
      '        import sys',
      '        from %(module)s import %(import_name)s',
      "        if __name__ == '__main__':",
      "            sys.argv[0] = sys.argv[0].removesuffix('.exe')",
      '            sys.exit(%(func)s())',
      '""")',
      '',
    ].join('\n');
    const template = findScriptTemplate(installer, `SCRIPT_TEMPLATE = r'''${DISTLIB_TEMPLATE}'''`);
    assert.equal(
      template,
      "import sys\nfrom %(module)s import %(import_name)s\nif __name__ == '__main__':\n    sys.argv[0] = sys.argv[0].removesuffix('.exe')\n    sys.exit(%(func)s())\n",
    );
    assert.equal(
      scriptText(template!, { name: 'pip', target: 'pip._internal.cli.main:main', gui: false }),
      "import sys\nfrom pip._internal.cli.main import main\nif __name__ == '__main__':\n    sys.argv[0] = sys.argv[0].removesuffix('.exe')\n    sys.exit(main())\n",
    );
  });
  test('fills module, import_name and func like distlib', () => {
    const text = scriptText(DISTLIB_TEMPLATE, { name: 'pip', target: 'pip._internal.cli.main:main', gui: false });
    assert.match(text, /^from pip\._internal\.cli\.main import main$/m);
    assert.match(text, /sys\.exit\(main\(\)\)/);
    const dotted = scriptText(DISTLIB_TEMPLATE, { name: 'x', target: 'pkg.mod:obj.method [extra]', gui: false });
    assert.match(dotted, /^from pkg\.mod import obj$/m);
    assert.match(dotted, /sys\.exit\(obj\.method\(\)\)/);
  });
  test('an entry point without a callable is refused, as pip does', () => {
    assert.throws(() => scriptText(DISTLIB_TEMPLATE, { name: 'x', target: 'pkg.mod', gui: false }), /callable/);
  });
});

describe('POSIX shebang (distlib rules)', () => {
  test('simple when short and without spaces', () => {
    assert.equal(posixShebang('/e/bin/python3.12', 'linux'), '#!/e/bin/python3.12\n');
  });
  test('a path with a space uses the /bin/sh re-exec form with the path in double quotes', () => {
    assert.equal(posixShebang('/a b/bin/python', 'linux'), `#!/bin/sh\n'''exec' "/a b/bin/python" "$0" "$@"\n' '''\n`);
  });
  test('longer than 127 bytes: the /bin/sh form (512 on macOS)', () => {
    const long = `/${'x'.repeat(130)}/bin/python`;
    assert.ok(posixShebang(long, 'linux').startsWith('#!/bin/sh\n'));
    assert.equal(posixShebang(long, 'darwin'), `#!${long}\n`);
  });
  test('a double quote in the path is single-quoted, not wrapped in double quotes that it would end', () => {
    assert.equal(posixShebang('/a "b" c/bin/python', 'linux'), `#!/bin/sh\n'''exec' '/a "b" c/bin/python' "$0" "$@"\n' '''\n`);
  });
  test('shell metacharacters in a long path are single-quoted so the name cannot run code', () => {
    const evil = `/${'x'.repeat(130)}$(touch MARK)/bin/python`;
    assert.ok(posixShebang(evil, 'linux').includes(`'''exec' '${evil}' "$0" "$@"`));
  });
  test('the launchers really run, plain, with a space and with a hostile long path', (t) => {
    if (!python) return t.skip('no CPython found');
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vm-shebang-')));
    try {
      for (const dirName of ['plain', 'with space', 'say "hi" there', `${'y'.repeat(120)} $(touch MARK) it's`]) {
        const bin = path.join(root, dirName, 'bin');
        fs.mkdirSync(bin, { recursive: true });
        fs.symlinkSync(python.path, path.join(bin, 'python'));
        const template = "# -*- coding: utf-8 -*-\nimport sys\nfrom %(module)s import %(import_name)s\nsys.exit(%(func)s())\n";
        const file = path.join(bin, 'hello');
        fs.writeFileSync(file, posixScript(path.join(bin, 'python'), 'linux', template, { name: 'hello', target: 'json:dumps', gui: false }), { mode: 0o755 });
        const r = spawnSync(file, [], { cwd: root, encoding: 'utf8' });
        // json.dumps() without arguments raises TypeError: the script body ran under Python.
        assert.match(r.stderr, /TypeError/, `${dirName}: ${r.stderr}`);
        assert.ok(!fs.existsSync(path.join(root, 'MARK')), 'nothing injected ran');
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('Windows .exe launcher (distlib layout, built on Linux)', () => {
  test('stub bytes, then the shebang line, then a zip whose __main__.py is the script', (t) => {
    if (!python) return t.skip('no CPython found');
    const stub = Buffer.from('MZ-fake-launcher-stub\x00\x01\x02');
    const exe = 'C:\\Users\\me\\my env\\Scripts\\python.exe';
    const spec = { name: 'pip', target: 'pip._internal.cli.main:main', gui: false };
    const bytes = windowsLauncher(stub, exe, DISTLIB_TEMPLATE, spec, new Date(2024, 0, 2, 3, 4, 6));
    assert.deepEqual(bytes.subarray(0, stub.length), stub);
    const shebang = Buffer.from(`#!"${exe}"\r\n`);
    assert.deepEqual(bytes.subarray(stub.length, stub.length + shebang.length), shebang);
    assert.equal(bytes.readUInt32LE(stub.length + shebang.length), 0x04034b50, 'a zip local header follows the shebang');

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-exe-'));
    const file = path.join(dir, 'pip.exe');
    fs.writeFileSync(file, bytes);
    // Python's zipfile finds the archive at the end of the file, as the launcher does.
    const check = `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
i = z.getinfo('__main__.py')
print(z.namelist(), i.compress_type, i.date_time, z.testzip())
sys.stdout.write(z.read('__main__.py').decode())`;
    const out = execFileSync(python.path, ['-c', check, file], { encoding: 'utf8' });
    const [head, ...body] = out.split('\n');
    assert.equal(head, "['__main__.py'] 0 (2024, 1, 2, 3, 4, 6) None");
    assert.equal(body.join('\n'), scriptText(DISTLIB_TEMPLATE, spec));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  test('console scripts use t<bits>.exe, GUI scripts w<bits>.exe', () => {
    assert.equal(windowsLauncherName(false, true), 't64.exe');
    assert.equal(windowsLauncherName(true, true), 'w64.exe');
    assert.equal(windowsLauncherName(false, false), 't32.exe');
  });
});

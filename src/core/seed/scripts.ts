/**
 * Console-script launchers exactly as pip's wheel installer writes them: the names pip derives
 * from entry_points.txt (with its special cases for pip and easy_install), the text from the
 * ScriptMaker template of the pip being seeded, distlib's shebang rules on POSIX, and on Windows
 * distlib's `.exe` layout: launcher stub + shebang line + a zip holding `__main__.py`.
 */

export interface ScriptSpec {
  /** File name without extension: `pip`, `pip3`, `pip3.12`. */
  name: string;
  /** `module:attr` as in entry_points.txt. */
  target: string;
  gui: boolean;
}

type Version = [number, number, number];

/**
 * pip's `get_console_script_specs` as run by `ensurepip --default-pip` (no ENSUREPIP_OPTIONS):
 * `pip` becomes pip, pipX, pipX.Y for the running Python and every other pipN[.M] entry is dropped;
 * likewise `easy_install` becomes easy_install and easy_install-X.Y.
 */
export function scriptSpecs(consoleScripts: Map<string, string>, guiScripts: Map<string, string>, version: Version): ScriptSpec[] {
  const console = new Map(consoleScripts);
  const specs: ScriptSpec[] = [];
  const majorMinor = `${version[0]}.${version[1]}`;
  const pip = console.get('pip');
  if (pip !== undefined) {
    console.delete('pip');
    for (const name of ['pip', `pip${version[0]}`, `pip${majorMinor}`]) specs.push({ name, target: pip, gui: false });
    for (const key of console.keys()) if (/^pip(\d+(\.\d+)?)?$/.test(key)) console.delete(key);
  }
  const easyInstall = console.get('easy_install');
  if (easyInstall !== undefined) {
    console.delete('easy_install');
    for (const name of ['easy_install', `easy_install-${majorMinor}`]) specs.push({ name, target: easyInstall, gui: false });
    for (const key of console.keys()) if (/^easy_install(-\d+\.\d+)?$/.test(key)) console.delete(key);
  }
  for (const [name, target] of console) specs.push({ name, target, gui: false });
  for (const [name, target] of guiScripts) specs.push({ name, target, gui: true });
  return specs;
}

/**
 * Finds the script template the seeded pip uses: old pips (18.x) set `maker.script_template` in
 * their installer, newer ones (26.2.1, bundled with 3.14.7 and 3.13.15) give their `PipScriptMaker`
 * class a `script_template = textwrap.dedent("""...""")` that needs no `re`, and the ones between
 * use distlib's `SCRIPT_TEMPLATE`.
 */
export function findScriptTemplate(installerSource: string | undefined, distlibScriptsSource: string | undefined): string | undefined {
  const own = installerSource && /^[ \t]*(?:maker\.)?script_template\s*=\s*(textwrap\.dedent\(\s*)?(r?)"""([\s\S]*?)"""/m.exec(installerSource);
  if (own) {
    const text = pythonStringBody(own[3]!, own[2] === 'r');
    return own[1] ? dedent(text) : text;
  }
  const distlib = distlibScriptsSource && /^SCRIPT_TEMPLATE\s*=\s*r?'''([\s\S]*?)'''/m.exec(distlibScriptsSource);
  return distlib ? distlib[1] : undefined;
}

/** The value of a triple-quoted Python literal's body: escapes and line continuations of a non-raw one. */
function pythonStringBody(body: string, raw: boolean): string {
  if (raw) return body;
  const escapes: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', '\n': '' };
  return body.replace(/\\([\\'"nt\n])/g, (_m, c: string) => escapes[c]!);
}

/** Python's textwrap.dedent: the margin common to all non-blank lines goes; blank lines become empty. */
function dedent(text: string): string {
  const lines = text.split('\n');
  const margins = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0]);
  let margin = margins[0] ?? '';
  for (const m of margins) while (!m.startsWith(margin)) margin = margin.slice(0, -1);
  return lines.map((l) => (l.trim() === '' ? '' : l.slice(margin.length))).join('\n');
}

/** The script body for `module:attr`, filling the template's `%(module)s`-style fields. */
export function scriptText(template: string, spec: ScriptSpec): string {
  const match = /^\s*([^\s:[]+)\s*:\s*([^\s[]+)\s*(\[.*\])?\s*$/.exec(spec.target);
  if (!match) {
    throw new Error(`Invalid script entry point: ${spec.name} = ${spec.target} - a callable suffix is required`);
  }
  const fields: Record<string, string> = { module: match[1]!, import_name: match[2]!.split('.')[0]!, func: match[2]! };
  return template.replace(/%\((\w+)\)s|%%/g, (whole, key: string | undefined) => {
    if (key === undefined) return '%';
    const value = fields[key];
    if (value === undefined) throw new Error(`Unknown field ${whole} in pip's script template`);
    return value;
  });
}

/** distlib's `enquote_executable`: a path with a space is wrapped in double quotes. */
function enquote(executable: string): string {
  return executable.includes(' ') && !executable.startsWith('"') ? `"${executable}"` : executable;
}

/** Paths distlib's double quotes keep as one literal word: no `"`, `$`, backtick or backslash inside. */
const SHELL_SAFE_WITH_SPACES = /^[A-Za-z0-9_@%+=:,./\- ]+$/;

/**
 * distlib's POSIX shebang: `#!<python>` when it has no space and fits the kernel's 127-byte limit
 * (512 on macOS); otherwise a /bin/sh line that re-executes the file with python. Where distlib
 * would paste a path holding shell metacharacters into that sh line, we single-quote it instead so
 * the directory name cannot run code.
 */
export function posixShebang(executable: string, platform: string): string {
  const exe = enquote(executable);
  const limit = platform === 'darwin' ? 512 : 127;
  if (!exe.includes(' ') && Buffer.byteLength(exe) + 3 <= limit) return `#!${exe}\n`;
  const shellWord = SHELL_SAFE_WITH_SPACES.test(executable) ? exe : `'${executable.replace(/'/g, `'"'"'`)}'`;
  return `#!/bin/sh\n'''exec' ${shellWord} "$0" "$@"\n' '''\n`;
}

/** A POSIX launcher file, as pip writes it (mode 0755 is set by the caller). */
export function posixScript(executable: string, platform: string, template: string, spec: ScriptSpec): Buffer {
  return Buffer.from(posixShebang(executable, platform) + scriptText(template, spec), 'utf8');
}

/** Which distlib stub a Windows launcher starts with: t = console, w = GUI. */
export function windowsLauncherName(gui: boolean, is64bit: boolean): string {
  return `${gui ? 'w' : 't'}${is64bit ? '64' : '32'}.exe`;
}

/**
 * A Windows `.exe` launcher as distlib's ScriptMaker writes it: the stub, then `#!<python>\r\n`,
 * then a zip archive (offsets relative to its own start) with the script as `__main__.py`. The
 * stub finds the shebang line just before the archive and runs that python on the whole file.
 */
export function windowsLauncher(stub: Uint8Array, executable: string, template: string, spec: ScriptSpec, now = new Date()): Buffer {
  const shebang = Buffer.from(`#!${enquote(executable)}\r\n`, 'utf8');
  const zip = storedZip('__main__.py', Buffer.from(scriptText(template, spec), 'utf8'), now);
  return Buffer.concat([stub, shebang, zip]);
}

function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.max(d.getFullYear(), 1980);
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/** A zip with one uncompressed entry, laid out like Python's `ZipFile.writestr` writes it. */
export function storedZip(name: string, data: Buffer, now: Date): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  // zlib is loaded here, for Windows launchers only, not by every create.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const crc = (require('node:zlib') as typeof import('node:zlib')).crc32(data);
  const { time, date } = dosDateTime(now);

  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed to extract
  local.writeUInt16LE(0, 6); // flags
  local.writeUInt16LE(0, 8); // stored
  local.writeUInt16LE(time, 10);
  local.writeUInt16LE(date, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  local.writeUInt16LE(0, 28);

  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4); // made by: 2.0, MS-DOS
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0, 8);
  central.writeUInt16LE(0, 10);
  central.writeUInt16LE(time, 12);
  central.writeUInt16LE(date, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  central.writeUInt16LE(0, 30); // extra
  central.writeUInt16LE(0, 32); // comment
  central.writeUInt16LE(0, 34); // disk
  central.writeUInt16LE(0, 36); // internal attributes
  central.writeUInt32LE((0o600 << 16) >>> 0, 38); // rw------- as writestr sets
  central.writeUInt32LE(0, 42); // offset of the local header

  const centralStart = local.length + nameBytes.length + data.length;
  const centralSize = central.length + nameBytes.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(centralStart, 16);
  end.writeUInt16LE(0, 20);

  return Buffer.concat([local, nameBytes, data, central, nameBytes, end]);
}

import * as path from 'node:path';
import { envProcessEnv, killProcessGroup, loadExeca } from '../execa';
import { envPythonOf } from '../envFacts';
import { findOnPath, withPathExt } from '../pathLookup';
import { LifecycleError } from './errors';
import type { OperationContext } from './operation';

export type InstallerChoice = 'auto' | 'pip' | 'uv';

/** The installer choice of an operation's options, checked; default 'auto'. */
export function installerChoice(value: string | undefined): InstallerChoice {
  const installer = value ?? 'auto';
  if (installer !== 'auto' && installer !== 'pip' && installer !== 'uv') throw new LifecycleError('failed', `Unknown installer '${installer}': use auto, pip or uv.`);
  return installer;
}

/**
 * Installs a requirements file into the env at the operation's path, with the operation's
 * environment, cancel signal, progress and log; `onSpawn` gets the installer's pid.
 */
export async function installForOperation(ctx: OperationContext, requirements: string, installer: InstallerChoice, onSpawn: (pid: number) => Promise<void>, extra: { args?: string[]; label?: string } = {}): Promise<void> {
  ctx.progress(`Installing the requirements from ${extra.label ?? path.basename(requirements)}`);
  const result = await installRequirements({
    ...operationRequest(ctx, installer, onSpawn),
    requirements,
    ...(extra.args ? { extraArgs: extra.args } : {}),
  });
  ctx.log(`Installed with ${result.tool}`);
}

/** An installer call on the env of an operation: its interpreter, environment, cancel signal, progress and log. */
export function operationRequest(ctx: OperationContext, installer: InstallerChoice, onSpawn: (pid: number) => Promise<void>): Omit<InstallRequest, 'requirements' | 'extraArgs'> {
  return {
    envDir: ctx.envPath,
    envPython: envPythonOf(ctx.envPath),
    installer,
    env: ctx.env,
    ...(ctx.opts.signal ? { signal: ctx.opts.signal } : {}),
    onProgress: ctx.progress,
    log: ctx.log,
    onSpawn,
  };
}

export interface InstallRequest {
  readonly envDir: string;
  /** The env's own interpreter. */
  readonly envPython: string;
  readonly requirements: string;
  readonly installer: InstallerChoice;
  /** More installer options (`--no-deps`), understood by pip and uv alike. */
  readonly extraArgs?: readonly string[];
  /** The caller's environment; PIP_* variables in it reach pip unchanged (and uv as flags). */
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  readonly onProgress?: (message: string) => void;
  readonly log?: (line: string) => void;
  /** Called once the installer runs, so the caller can record its pid for crash recovery. */
  readonly onSpawn?: (pid: number) => Promise<void> | void;
}

export interface InstallResult {
  readonly tool: 'pip' | 'uv';
  /** stdout and stderr, interleaved as they came. */
  readonly output: string;
  /** stdout alone (what `list --format=json` prints). */
  readonly stdout: string;
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

/**
 * uv reads its own UV_* settings, not pip's. A user's PIP_INDEX_URL / PIP_EXTRA_INDEX_URL /
 * PIP_FIND_LINKS / PIP_NO_INDEX are passed to it as the equivalent flags so both installers see
 * the same package sources.
 */
export function uvFlagsFromPipEnv(env: NodeJS.ProcessEnv): string[] {
  const flags: string[] = [];
  const split = (v: string) => v.split(/\s+/).filter(Boolean);
  if (env.PIP_INDEX_URL) flags.push('--index-url', env.PIP_INDEX_URL.trim());
  for (const url of split(env.PIP_EXTRA_INDEX_URL ?? '')) flags.push('--extra-index-url', url);
  for (const link of split(env.PIP_FIND_LINKS ?? '')) flags.push('--find-links', link);
  if (truthy(env.PIP_NO_INDEX)) flags.push('--no-index');
  return flags;
}

/** Turns an installer output line into a short progress message, or undefined for noise. */
export function progressFromLine(line: string): string | undefined {
  const text = line.trim();
  let m: RegExpExecArray | null;
  if ((m = /^Collecting (\S+)/.exec(text))) return `Collecting ${m[1]}`;
  if ((m = /^Processing (\S+)/.exec(text))) return `Processing ${path.basename(m[1])}`;
  if ((m = /^Installing collected packages: (.+)$/.exec(text))) return `Installing ${m[1]}`;
  if ((m = /^Successfully installed (.+)$/.exec(text))) return `Installed ${m[1].split(/\s+/).join(', ')}`;
  // uv
  if ((m = /^(Resolved|Prepared|Installed|Audited) (\d+ packages?.*)$/.exec(text))) return `${m[1]} ${m[2]}`;
  return undefined;
}

/** The lines worth putting in an error message: pip's ERROR lines, else the last few lines. */
export function errorSummary(output: string): string {
  const lines = output.split(/\r?\n/).map((l) => l.trimEnd()).filter(Boolean);
  const errors = lines.filter((l) => /^(ERROR|error):/.test(l) || /^\s*× /.test(l));
  const picked = errors.length > 0 ? errors : lines.slice(-5);
  return picked.slice(0, 8).join('\n');
}

const MAX_OUTPUT_CHARS = 4 * 1024 * 1024;

/**
 * Installs a requirements file into an env with its own pip (`python -m pip install -r FILE`) or
 * with `uv pip install` when uv is on PATH and allowed. Cancelling through the signal kills the
 * installer (its whole process group on POSIX, so build back-ends die with it).
 */
export async function installRequirements(req: InstallRequest): Promise<InstallResult> {
  const uv = await pickUv(req);
  const extra = [...(req.extraArgs ?? [])];
  const tool: 'pip' | 'uv' = uv ? 'uv' : 'pip';
  const command = uv ?? req.envPython;
  const args = uv
    ? ['pip', 'install', '--python', req.envPython, ...uvFlagsFromPipEnv(req.env), ...extra, '-r', req.requirements]
    : ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--progress-bar', 'off', ...extra, '-r', req.requirements];
  return runInstaller(tool, command, args, installerEnv(req), req, { what: `installing from ${req.requirements}`, cwd: path.dirname(req.requirements) });
}

async function pickUv(req: { installer: InstallerChoice; env: NodeJS.ProcessEnv }): Promise<string | undefined> {
  const uv = req.installer === 'pip' ? undefined : await findOnPath(withPathExt('uv', req.env, undefined, '.EXE;.CMD;.BAT'), req.env);
  if (req.installer === 'uv' && !uv) {
    throw new LifecycleError('uv-missing', "The installer 'uv' was requested but no `uv` executable is on PATH. Install uv or use the installer 'pip'.");
  }
  return uv;
}

/** The installer's environment: the env's (envProcessEnv: VIRTUAL_ENV, no PYTHONHOME/PYTHONPATH), unbuffered. */
function installerEnv(req: { envDir: string; env: NodeJS.ProcessEnv }): NodeJS.ProcessEnv {
  return envProcessEnv(req.env, req.envDir, { PYTHONUNBUFFERED: '1' });
}

/** Uninstalls distributions (normalised names) from an env with its pip, or with uv (same choice as installing). */
export async function uninstallDistributions(req: Omit<InstallRequest, 'requirements' | 'extraArgs'> & { names: readonly string[] }): Promise<InstallResult> {
  const uv = await pickUv(req);
  const tool: 'pip' | 'uv' = uv ? 'uv' : 'pip';
  const command = uv ?? req.envPython;
  const args = uv
    ? ['pip', 'uninstall', '--python', req.envPython, ...req.names]
    : ['-m', 'pip', 'uninstall', '--disable-pip-version-check', '--no-input', '-y', ...req.names];
  return runInstaller(tool, command, args, installerEnv(req), req, { what: `removing ${req.names.join(', ')}`, cwd: req.envDir });
}

/**
 * Installs package specs (`name`, `name==1.0`; with `upgrade`, `--upgrade`) into an env with its
 * pip, or with uv (same choice as installing requirements). Specs that read as options are refused.
 */
export async function installPackageSpecs(req: Omit<InstallRequest, 'requirements' | 'extraArgs'> & { packages: readonly string[]; upgrade?: boolean }): Promise<InstallResult> {
  checkPackageSpecs(req.packages);
  const uv = await pickUv(req);
  const tool: 'pip' | 'uv' = uv ? 'uv' : 'pip';
  const command = uv ?? req.envPython;
  const upgrade = req.upgrade ? ['--upgrade'] : [];
  const args = uv
    ? ['pip', 'install', '--python', req.envPython, ...uvFlagsFromPipEnv(req.env), ...upgrade, ...req.packages]
    : ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--progress-bar', 'off', ...upgrade, ...req.packages];
  return runInstaller(tool, command, args, installerEnv(req), req, { what: `${req.upgrade ? 'upgrading' : 'installing'} ${req.packages.join(', ')}`, cwd: req.envDir });
}

/** Package specs the user typed: none empty, none starting with '-' (pip would read it as an option). */
export function checkPackageSpecs(specs: readonly string[]): void {
  if (specs.length === 0) throw new LifecycleError('failed', 'No package named.');
  for (const spec of specs) {
    if (spec.trim() === '' || spec.trim().startsWith('-')) throw new LifecycleError('failed', `'${spec}' is not a package name or requirement (like name or name==1.0).`);
  }
}

/** `pip list --outdated --format=json` in the env (or `uv pip list --outdated`, same choice as installing); the JSON is in `stdout`. */
export async function listOutdatedJson(req: Omit<InstallRequest, 'requirements' | 'extraArgs'>): Promise<InstallResult> {
  const uv = await pickUv(req);
  const tool: 'pip' | 'uv' = uv ? 'uv' : 'pip';
  const command = uv ?? req.envPython;
  const args = uv
    ? ['pip', 'list', '--outdated', '--format=json', '--python', req.envPython, ...uvFlagsFromPipEnv(req.env)]
    : ['-m', 'pip', 'list', '--disable-pip-version-check', '--no-input', '--outdated', '--format=json'];
  return runInstaller(tool, command, args, installerEnv(req), req, { what: `checking ${req.envDir} for updates`, cwd: req.envDir });
}

/**
 * `pip lock -r REQUIREMENTS -o OUTPUT` with the env's own pip (pip 25.1 or newer; uv is never asked:
 * its pylock output is a different command). pip resolves with the user's PIP_* settings and index
 * configuration and writes the file itself; `cwd` is where it runs.
 */
export async function pipLock(req: Omit<InstallRequest, 'requirements' | 'extraArgs' | 'installer'>, requirements: string, output: string, cwd: string): Promise<InstallResult> {
  const args = ['-m', 'pip', 'lock', '--disable-pip-version-check', '--no-input', '-r', requirements, '-o', output];
  return runInstaller('pip', req.envPython, args, installerEnv(req), { ...req, installer: 'pip' }, { what: `locking the packages of ${req.envDir}`, cwd });
}

async function runInstaller(tool: 'pip' | 'uv', command: string, args: string[], env: NodeJS.ProcessEnv, req: Omit<InstallRequest, 'requirements'>, job: { what: string; cwd: string }): Promise<InstallResult> {
  if (req.signal?.aborted) throw new LifecycleError('cancelled', 'Cancelled before the installer started.');
  const display = `${tool === 'uv' ? 'uv' : path.basename(command)} ${args.join(' ')}`;
  req.log?.(`$ ${display}`);
  const execa = await loadExeca();
  // Its own process group on POSIX (detached), so a cancel kills the installer with every process
  // it started; the output is read line by line as it comes (buffer: false).
  const child = execa(command, args, {
    cwd: job.cwd,
    env,
    extendEnv: false,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
  let output = '';
  let stdout = '';
  let cancelled = false;
  const kill = () => {
    cancelled = true;
    killProcessGroup(child.pid, () => child.kill('SIGKILL'));
  };
  const onLine = (line: string) => {
    if (output.length < MAX_OUTPUT_CHARS) output += `${line}\n`;
    req.log?.(line);
    const progress = progressFromLine(line);
    if (progress) req.onProgress?.(progress);
  };
  const pump = (stream: NodeJS.ReadableStream) => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const l of lines) onLine(l);
    });
    stream.on('end', () => {
      if (pending) onLine(pending);
      pending = '';
    });
  };
  child.stdout!.on('data', (chunk: string) => {
    if (stdout.length < MAX_OUTPUT_CHARS) stdout += chunk;
  });
  pump(child.stdout!);
  pump(child.stderr!);

  // With reject: false execa resolves in every case: exit code, killing signal, or the error that kept it from starting.
  const exit = Promise.resolve(child);
  req.signal?.addEventListener('abort', kill, { once: true });
  try {
    if (child.pid !== undefined) {
      try {
        await req.onSpawn?.(child.pid);
      } catch (err) {
        kill();
        await exit;
        throw err;
      }
    }
    if (req.signal?.aborted) kill();
    const result = await exit;
    const startError = result.failed && result.exitCode === undefined && result.signal === undefined && !cancelled;
    if (startError) {
      const cause = result.cause instanceof Error ? result.cause : undefined;
      throw new LifecycleError('install-failed', `Could not start ${tool} (${command}): ${cause?.message ?? result.shortMessage}`, { output, cause: result.cause ?? result });
    }
    if (cancelled) throw new LifecycleError('cancelled', `Cancelled: ${tool} was stopped while ${job.what}.`, { output });
    if (result.exitCode !== 0) {
      const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
      throw new LifecycleError('install-failed', `${job.what[0].toUpperCase()}${job.what.slice(1)} failed (${tool} ${how}):\n${errorSummary(output)}`, { output });
    }
    return { tool, output, stdout };
  } finally {
    req.signal?.removeEventListener('abort', kill);
  }
}

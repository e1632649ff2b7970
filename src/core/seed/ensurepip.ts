/**
 * The slow path: run the environment's own `python -m ensurepip --upgrade --default-pip` the way
 * venv's `_setup_pip` does (spec §5), and the error when the interpreter has no ensurepip at all.
 */
import { existsSync } from 'node:fs';
import { envProcessEnv, loadExeca } from '../execa';
import type { InterpreterInfo } from '../interpreter';
import { VenvError } from '../interpreter';

export interface EnsurepipRequest {
  info: InterpreterInfo;
  envDir: string;
  envPython: string;
  /** The environment ensurepip runs in (VIRTUAL_ENV is added, PYTHONHOME/PYTHONPATH dropped); default process.env. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** Debian and Ubuntu split venv/ensurepip out of the interpreter package. */
function isDebianLike(info: InterpreterInfo): boolean {
  return info.osName === 'posix' && existsSync('/etc/debian_version') && info.stdlib.startsWith('/usr/lib/python3');
}

/** The error for an interpreter without ensurepip and without a bundled pip wheel. */
export function missingEnsurepipError(info: InterpreterInfo): VenvError {
  const xy = `${info.version[0]}.${info.version[1]}`;
  if (isDebianLike(info)) {
    const pkg = `python${xy}-venv`;
    return new VenvError(
      `Cannot install pip: ensurepip is not available for ${info.executable} (Python ${xy}). ` +
        `On Debian/Ubuntu install the ${pkg} package (apt install ${pkg}) and try again, or create the environment without pip.`,
    );
  }
  return new VenvError(
    `Cannot install pip: ensurepip is not available for ${info.executable} (Python ${xy}) and it bundles no pip wheel. ` +
      `Install your distribution's venv/ensurepip package for this Python, or create the environment without pip.`,
  );
}

/** Runs ensurepip inside the new environment, with the environment venv gives it. */
export async function runEnsurepip(request: EnsurepipRequest): Promise<void> {
  const { info, envDir, envPython, signal, log } = request;
  if (!info.hasEnsurepip) throw missingEnsurepipError(info);
  const env = envProcessEnv(request.env ?? process.env, envDir);
  // Up to 3.9 venv ran ensurepip isolated (-I); 3.10+ (gh-98251) without.
  const isolated = info.version[0] === 3 && info.version[1] <= 9;
  const args = [...(isolated ? ['-Im'] : ['-m']), 'ensurepip', '--upgrade', '--default-pip'];
  log?.(`Running ${envPython} ${args.join(' ')}`);
  const execa = await loadExeca();
  const result = await execa(envPython, args, { cwd: envDir, env, extendEnv: false, all: true, reject: false, cancelSignal: signal });
  if (result.isCanceled) throw new VenvError('Cancelled.', { code: 'cancelled' });
  if (result.exitCode !== 0) {
    const output = (result.all ?? '').trim();
    if (/No module named ensurepip/.test(output)) throw missingEnsurepipError(info);
    throw new VenvError(`Installing pip with ensurepip failed (exit code ${result.exitCode ?? 'none'}).${output ? `\n${output}` : ''}`, { code: 'install-failed', ...(output ? { output } : {}) });
  }
}

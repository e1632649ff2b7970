/**
 * Seeding pip (and setuptools where that Python's ensurepip adds it) into a new environment
 * without running pip: the wheels the base interpreter bundles are unpacked once into the user
 * cache and then linked or copied into site-packages, with the files pip's installer would write.
 * Falls back to ensurepip when there is nothing to seed from or the wheel is unusual.
 */
import { fsp as fs } from '../asyncFs';
import * as path from 'node:path';
import type { InterpreterInfo } from '../interpreter';
import { VenvError } from '../interpreter';
import { settleAll } from '../mapLimited';
import { ensureBytecode, ensureImage, type InstallImage, type WheelRef } from './cache';
import { missingEnsurepipError, runEnsurepip } from './ensurepip';
import { installImage, writesRequested, type LinkMode } from './install';

export { getUnpackCount } from './cache';
export { missingEnsurepipError } from './ensurepip';
export type { LinkMode } from './install';

export interface SeedRequest {
  info: InterpreterInfo;
  envDir: string;
  binDir: string;
  sitePackages: string;
  envPython: string;
  cacheDir: string;
  osName: 'posix' | 'nt';
  /** Environment for the ensurepip fallback; default process.env. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** How files reach site-packages; default 'hardlink' (falls back to copying per file system). */
  linkMode?: LinkMode;
}

/** The wheels ensurepip of this interpreter installs: pip, plus setuptools before 3.12. */
export function seedWheels(info: InterpreterInfo): WheelRef[] {
  const wanted = info.version[0] === 3 && info.version[1] < 12 ? ['setuptools', 'pip'] : ['pip'];
  return wanted.flatMap((project) => info.bundledWheels.filter((w) => w.project === project).slice(0, 1));
}

/** What a previous install left in site-packages, by project: version of its dist-info. */
async function installedVersions(sitePackages: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const name of await fs.readdir(sitePackages).catch(() => [] as string[])) {
    const m = /^(pip|setuptools)-(.+)\.dist-info$/i.exec(name);
    if (m) found.set(m[1]!.toLowerCase(), m[2]!);
  }
  return found;
}

async function readStubs(pip: InstallImage, osName: 'posix' | 'nt'): Promise<Map<string, Buffer>> {
  const stubs = new Map<string, Buffer>();
  if (osName !== 'nt') return stubs;
  await settleAll(
    Object.entries(pip.launcherStubs).map(async ([name, rel]) => stubs.set(name, await fs.readFile(path.join(pip.siteDir, ...rel.split('/'))))),
  );
  return stubs;
}

export async function seedPip(request: SeedRequest): Promise<void> {
  const { info, log } = request;
  const wheels = seedWheels(info);
  const fallback = (reason: string) => {
    log?.(`Seeding pip from the bundled wheels is not possible (${reason}); running ensurepip.`);
    return runEnsurepip(request);
  };
  if (!wheels.some((w) => w.project === 'pip')) {
    if (!info.hasEnsurepip) throw missingEnsurepipError(info);
    return fallback('no bundled pip wheel');
  }

  let images: InstallImage[];
  try {
    images = await settleAll(wheels.map((w) => ensureImage(w, request.cacheDir, request.signal, { info, ...(log ? { log } : {}) })));
  } catch (err) {
    if (request.signal?.aborted) throw new VenvError('Cancelled.', { code: 'cancelled', cause: err });
    return fallback(err instanceof Error ? err.message : String(err));
  }

  // ensurepip --upgrade keeps an install of the same version and replaces an older one; replacing
  // means uninstalling first, which is left to pip itself.
  const installed = await installedVersions(request.sitePackages);
  const pending = images.filter((img) => installed.get(img.project) !== img.version);
  if (pending.some((img) => installed.has(img.project))) return fallback('another version is already installed');

  const pip = images.find((img) => img.project === 'pip')!;
  const stubs = await readStubs(pip, request.osName);
  const target = {
    sitePackages: request.sitePackages,
    binDir: request.binDir,
    envPython: request.envPython,
    osName: request.osName,
    platform: info.platform,
    is64bit: info.is64bit,
    version: info.version,
    linkMode: request.linkMode ?? 'hardlink',
    ...(request.signal ? { signal: request.signal } : {}),
  };
  const requested = writesRequested(pip.version);
  const bytecode = await settleAll(pending.map((img) => ensureBytecode(img, info)));
  request.signal?.throwIfAborted();
  await settleAll(pending.map((img, i) => installImage(img, pip.scriptTemplate!, stubs, target, requested, bytecode[i])));
  log?.(`Seeded ${pending.map((img) => `${img.project} ${img.version}`).join(', ') || 'nothing (already installed)'} from the cache.`);
}

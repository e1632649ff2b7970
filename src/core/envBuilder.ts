/**
 * EnvBuilder: builds a virtual environment in-process, as CPython's `venv` of the BASE interpreter's
 * version builds it (tree, interpreter links/copies, pyvenv.cfg, .gitignore, activation scripts).
 * Python runs only to learn the base interpreter's facts (cached) and, when asked, for pip.
 */
import { mkdirSync, symlinkSync, type Stats } from 'node:fs';
import { fsp as fs } from './asyncFs';
import * as path from 'node:path';
import { lstatOrUndefined, makeDirs, pathExists, statOrUndefined } from './fsUtil';
import { envProcessEnv, loadExeca } from './execa';
import { builtinActivationScripts, quotingForScript, substitutePlaceholders, type PlaceholderValues } from './activation';
import { defaultCacheDir, getInterpreterInfo, versionAtLeast, VenvError, type InterpreterInfo } from './interpreter';
import { baseExecutableDir, envLayout, hasPatchLevelChange, posixInterpreterAliases, windowsInterpreterPlan, type EnvLayout } from './layout';
import { targetPlatform, type TargetPlatform } from './platform';
import { settleAll } from './mapLimited';
import { pythonStrRepr, serializePyvenvCfg } from './pyvenvCfg';
import { seedPip } from './seed';
import { checkpoint } from './lifecycle/checkpoint';
import { INCOMPLETE_CFG_LINE, INCOMPLETE_MARKER } from './envFacts';
import { removeIncompleteCfgLine } from './lifecycle/journal';
import { LifecycleError } from './lifecycle/errors';
import { acquireEnvLock } from './lifecycle/lock';
import { checkEnvPath, mountPointsInside, removeTree } from './lifecycle/safety';

export interface EnvBuilderOptions {
  /** Base interpreter path (or command on PATH); default 'python3'. */
  python?: string;
  /** Facts about the base interpreter when the caller already has them (skips the lookup). */
  interpreterInfo?: InterpreterInfo;
  systemSitePackages?: boolean;
  clear?: boolean;
  symlinks?: boolean;
  upgrade?: boolean;
  withPip?: boolean;
  prompt?: string;
  upgradeDeps?: boolean;
  scmIgnoreFiles?: Iterable<string>;
  /** Interpreter-facts + seed cache; default ~/.cache/venv-manager. */
  cacheDir?: string;
  /** Environment for looking up `python` on PATH and for running pip; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Directory a relative env dir and `prompt: '.'` refer to; default process.cwd(). */
  cwd?: string;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  log?: (line: string) => void;
  /**
   * With `clear`: the workspace folder the request came from; it and its ancestors are never
   * cleared (as the home folder, a file-system root and shallow paths never are).
   */
  workspaceRoot?: string;
  /**
   * With `clear`, for an existing folder that is not a virtual environment (no pyvenv.cfg) and
   * not empty: asked before anything in it is deleted; without it, or answering false, it is refused.
   */
  confirmClear?: (dir: string) => Promise<boolean>;
}

/** What venv calls `context`: the paths of the environment being built. */
export interface EnvContext {
  envDir: string;
  envName: string;
  /** As the version's templates expect it: `(name) ` up to 3.12, bare from 3.13. */
  prompt: string;
  /** sys._base_executable of the base, as invoked. */
  executable: string;
  pythonDir: string;
  pythonExe: string;
  incPath: string;
  libPath: string;
  /** 3.15+ (`context.platlib_path`): the scheme's platlib folder, created beside purelib. */
  platlibPath?: string;
  binPath: string;
  binName: string;
  envExe: string;
  /** What to run to execute the environment's python (differs from envExe only behind Windows redirects). */
  envExecCmd: string;
  cfgPath: string;
  /** The env dir did not exist and was made by this create (so it started empty). */
  created: boolean;
  /**
   * What the cfg says about system site packages: false until pip is in, then the option's value
   * (bpo-24875; venv flips `self.system_site_packages`, which is kept per environment here).
   */
  systemSitePackagesWritten: boolean;
  info: InterpreterInfo;
  platform: TargetPlatform;
  layout: EnvLayout;
}

/** gh-145417: scripts without placeholders are copied without their times from these releases on. */
const SCRIPT_COPY_WITHOUT_TIMES = [
  [3, 13, 13],
  [3, 14, 4],
] as const;

const GITIGNORE_TEXT = '# Created by venv; see https://docs.python.org/3/library/venv.html\n*\n';

export class EnvBuilder {
  readonly systemSitePackages: boolean;
  readonly clear: boolean;
  readonly symlinks: boolean;
  readonly upgrade: boolean;
  readonly withPip: boolean;
  /** The prompt as given (what `command` shows). */
  readonly origPrompt: string | undefined;
  readonly upgradeDeps: boolean;
  readonly scmIgnoreFiles: ReadonlySet<string>;
  protected readonly options: EnvBuilderOptions;
  /** `prompt='.'` means the current directory's name at construction time (bpo-38901, 3.9+). */
  private readonly cwdName: string;
  /** Contexts of the creates in progress (marked incomplete until their commit). */
  private readonly building = new WeakSet<EnvContext>();

  constructor(options: EnvBuilderOptions = {}) {
    this.options = options;
    this.systemSitePackages = options.systemSitePackages ?? false;
    this.clear = options.clear ?? false;
    this.symlinks = options.symlinks ?? false;
    this.upgrade = options.upgrade ?? false;
    this.withPip = options.withPip ?? false;
    this.origPrompt = options.prompt;
    this.upgradeDeps = options.upgradeDeps ?? false;
    this.scmIgnoreFiles = new Set([...(options.scmIgnoreFiles ?? [])].map((s) => s.toLowerCase()));
    this.cwdName = path.basename(options.cwd ?? process.cwd());
  }

  /** The base interpreter's facts (cached on disk; no Python runs when the cache is valid). */
  async interpreterInfo(): Promise<InterpreterInfo> {
    if (this.options.interpreterInfo) return this.options.interpreterInfo;
    return getInterpreterInfo(this.options.python ?? 'python3', { cacheDir: this.cacheDir, env: this.options.env, signal: this.options.signal, cwd: this.options.cwd });
  }

  protected get cacheDir(): string {
    return this.options.cacheDir ?? defaultCacheDir(this.options.env);
  }

  /** The prompt value venv of that version keeps (`self.prompt`), undefined when none was given. */
  promptFor(info: InterpreterInfo): string | undefined {
    if (this.origPrompt === '.' && versionAtLeast(info, 3, 9)) return this.cwdName;
    return this.origPrompt;
  }

  /**
   * Builds the environment under its lock (the one the lifecycle operations take), marked
   * incomplete until everything is in place. A create that fails or is cancelled removes what it
   * made: the folder and parents it created, or what it put into a folder that was empty.
   */
  async create(envDir: string): Promise<EnvContext> {
    this.checkCancelled();
    const dir = path.resolve(this.options.cwd ?? process.cwd(), envDir);
    const [info, topCreated] = await settleAll([this.interpreterInfo(), topmostMissing(dir)]);
    const startedEmpty = topCreated === undefined && (await isEmptyDir(dir));
    let failed = false;
    try {
      // The lock lives beside the env, so its parent folders come first.
      if (topCreated !== undefined && topCreated !== dir) await makeDirs(path.dirname(dir)).catch((err: unknown) => Promise.reject(toVenvError(err, path.dirname(dir))));
      const lock = await this.lockEnvironment(dir);
      try {
        return await this.build(dir, info);
      } catch (err) {
        failed = true;
        // Nothing of the user's was there: do not leave a half-built environment behind.
        if (topCreated !== undefined) await removeTree(dir).catch(() => undefined);
        else if (startedEmpty) await emptyFolder(dir);
        throw err;
      } finally {
        await lock.release();
      }
    } catch (err) {
      failed = true;
      if (this.options.signal?.aborted) {
        const removed = topCreated !== undefined || startedEmpty ? ` Removed what this create had made in ${dir}.` : '';
        throw new VenvError(`Cancelled.${removed}`, { code: 'cancelled', cause: err });
      }
      if (err instanceof VenvError) throw err;
      throw toVenvError(err);
    } finally {
      // The parents it made, once the lock beside the env is gone (rmdir: only empty ones).
      if (failed && topCreated !== undefined && topCreated !== dir) await removeEmptyParents(dir, topCreated);
    }
  }

  /**
   * Takes the env's lock for the whole create, so no lifecycle operation (or other create) on the
   * same env runs meanwhile. Overridden where the caller already holds it.
   * @internal
   */
  protected async lockEnvironment(envDir: string): Promise<{ release(): Promise<void> }> {
    try {
      return await acquireEnvLock(envDir, 'create');
    } catch (err) {
      if (err instanceof LifecycleError && err.code === 'locked') throw new VenvError(err.message, { code: 'locked', cause: err });
      // No lock file can be made beside the env (a file as parent, a read-only folder): no other
      // operation can take one there either, and the create itself fails with venv's own error.
      return { release: async () => undefined };
    }
  }

  /**
   * Whether create itself commits (removes the incomplete marks once the env is built); false
   * where the caller commits later (recreate installs requirements first).
   * @internal
   */
  protected commitsItself(): boolean {
    return true;
  }

  private async build(envDir: string, info: InterpreterInfo): Promise<EnvContext> {
    this.progress(`Creating ${envDir}`);
    const context = await this.ensureDirectories(envDir, info);
    // Incomplete until the commit below: a marker file (what discovery and the lifecycle
    // operations look for) and a line in pyvenv.cfg (see createConfiguration).
    await fs.writeFile(path.join(envDir, INCOMPLETE_MARKER), 'Venv Manager is creating this environment; until this file is gone it is incomplete.\n');
    this.building.add(context);
    this.checkCancelled();
    const scmFiles = versionAtLeast(info, 3, 13) ? [...this.scmIgnoreFiles].map((scm) => this.createScmIgnoreFile(context, scm)) : [];
    // The ignore files, the interpreter files and the first cfg do not depend on each other. Without
    // pip the scripts depend on nothing either (venv writes them after pip), so they go alongside.
    const scriptsAlongside = !this.withPip && !this.upgrade;
    await settleAll([...scmFiles, this.createConfiguration(context), this.setupPython(context), scriptsAlongside ? this.setupScripts(context) : undefined]);
    this.checkCancelled();
    if (this.withPip) {
      this.progress('Installing pip');
      await this.setupPip(context);
      this.checkCancelled();
    }
    if (!this.upgrade) {
      if (!scriptsAlongside) await this.setupScripts(context);
      await this.postSetup(context);
    }
    if (this.systemSitePackages) {
      context.systemSitePackagesWritten = true;
      await this.createConfiguration(context);
    }
    if (this.upgradeDeps) {
      this.progress('Upgrading pip');
      await this.upgradeDependencies(context);
    }
    this.checkCancelled();
    checkpoint('create:built', this.options.env);
    this.building.delete(context);
    if (this.commitsItself()) {
      await removeIncompleteCfgLine(context.cfgPath).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
      await fs.unlink(path.join(envDir, INCOMPLETE_MARKER));
    }
    return context;
  }

  /** Validates the target, clears it if asked, creates the directories and returns the context. */
  async ensureDirectories(envDir: string, info?: InterpreterInfo): Promise<EnvContext> {
    const base = info ?? (await this.interpreterInfo());
    const platform = targetPlatform(base.osName);
    const layout = envLayout(base);
    if (versionAtLeast(base, 3, 11) && envDir.includes(platform.pathsep)) {
      throw new VenvError(`Refusing to create a venv in ${envDir} because it contains the PATH separator ${platform.pathsep}.`);
    }
    let created = true;
    try {
      await fs.mkdir(envDir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') await this.createIfNeeded(envDir);
      else if (code !== 'EEXIST') throw toVenvError(err, envDir);
      else {
        created = false;
        // Unlike venv, a link or a file at the env dir is refused BEFORE anything is cleared:
        // clearing must never reach outside the environment.
        await this.checkCreatable(envDir, await fs.lstat(envDir));
        if (this.clear) await this.clearExisting(envDir);
      }
    }
    if (!base.baseExecutable && versionAtLeast(base, 3, 10)) {
      throw new VenvError(
        'Unable to determine path to the running Python interpreter. Provide an explicit path or check that your PATH environment variable is correctly set.',
      );
    }
    const executable = base.baseExecutable || base.executable;
    const pythonDir = baseExecutableDir(base);
    const binPath = path.join(envDir, ...layout.binParts);
    const incPath = path.join(envDir, ...layout.includeParts);
    const libPath = path.join(envDir, ...layout.libParts);
    const platlibPath = layout.platlibParts && path.join(envDir, ...layout.platlibParts);
    if (created) {
      // A directory made just now is empty: no checks needed. A handful of synchronous calls in
      // one go: cheaper than a thread-pool round trip each.
      mkdirSync(incPath, { recursive: true });
      mkdirSync(libPath, { recursive: true });
      if (platlibPath !== undefined && platlibPath !== libPath) mkdirSync(platlibPath, { recursive: true });
      mkdirSync(binPath, { recursive: true });
      if (layout.lib64) symlinkSync('lib', path.join(envDir, 'lib64'));
    } else {
      await settleAll([
        this.createIfNeeded(incPath),
        this.createIfNeeded(libPath).then(() => (layout.lib64 ? this.linkLib64(envDir) : undefined)),
        platlibPath === undefined || platlibPath === libPath ? undefined : this.createIfNeeded(platlibPath),
        this.createIfNeeded(binPath),
      ]);
    }
    const envExe = path.join(binPath, layout.pythonExe);
    let envExecCmd = envExe;
    if (base.osName === 'nt') {
      // bpo-45337: the file system may redirect the env (links, junctions); run what is really there.
      const real = await fs.realpath(envExe).catch(() => envExe);
      if (platform.normcase(real) !== platform.normcase(envExe)) {
        this.warn(`Actual environment location may have moved due to redirects, links or junctions.\n  Requested location: "${envExe}"\n  Actual location:    "${real}"`);
        envExecCmd = real;
      }
    }
    const envName = path.basename(envDir);
    const prompt = this.promptFor(base) ?? envName;
    return {
      envDir,
      envName,
      prompt: versionAtLeast(base, 3, 13) ? prompt : `(${prompt}) `,
      executable,
      pythonDir,
      pythonExe: layout.pythonExe,
      incPath,
      libPath,
      ...(platlibPath === undefined ? {} : { platlibPath }),
      binPath,
      binName: layout.binName,
      envExe,
      envExecCmd,
      cfgPath: path.join(envDir, 'pyvenv.cfg'),
      created,
      systemSitePackagesWritten: false,
      info: base,
      platform,
      layout,
    };
  }

  /**
   * `clear` on an existing folder, with the refusals of the lifecycle operations' clear: never a
   * file-system root, the home folder, the workspace folder, anything containing one of them, a
   * path less than two levels deep, or a folder with another file system mounted inside; a folder
   * that is not an environment (no pyvenv.cfg) and not empty only when `confirmClear` says so.
   * @internal
   */
  protected async clearExisting(envDir: string): Promise<void> {
    try {
      await checkEnvPath(envDir, this.options.workspaceRoot !== undefined ? { workspaceRoot: this.options.workspaceRoot } : {});
    } catch (err) {
      throw new VenvError((err as Error).message, { cause: err });
    }
    const mounted = await mountPointsInside(await fs.realpath(envDir));
    if (mounted.length > 0) throw new VenvError(`Refusing to clear ${envDir}: another file system is mounted inside it (${mounted.join(', ')}).`);
    const isEnv = (await lstatOrUndefined(path.join(envDir, 'pyvenv.cfg')))?.isFile() ?? false;
    if (!isEnv && !(await isEmptyDir(envDir)) && !(await this.options.confirmClear?.(envDir))) {
      throw new VenvError(`Refusing to clear ${envDir}: it is not a virtual environment (it has no pyvenv.cfg) and is not empty. Nothing in it was deleted.`);
    }
    await this.clearDirectory(envDir);
  }

  /** Deletes every entry of `dir`, never following a link (a link is removed, not its target). */
  async clearDirectory(dir: string): Promise<void> {
    await emptyFolder(dir);
  }

  /** The `pyvenv.cfg` lines, in venv's order, for the base interpreter's version. */
  configurationLines(context: EnvContext): Array<[string, string]> {
    const info = context.info;
    const prompt = this.promptFor(info);
    const lines: Array<[string, string]> = [
      ['home', context.pythonDir],
      ['include-system-site-packages', context.systemSitePackagesWritten ? 'true' : 'false'],
      ['version', info.versionString],
    ];
    if (prompt !== undefined && versionAtLeast(info, 3, 8)) lines.push(['prompt', pythonStrRepr(prompt)]);
    if (versionAtLeast(info, 3, 11)) {
      lines.push(['executable', info.realExecutable]);
      lines.push(['command', `${info.executable} -m venv ${this.commandArgs(context).join(' ')}`]);
    }
    return lines;
  }

  /** The `python -m venv` arguments venv reconstructs for `command` (unquoted, as venv does). */
  private commandArgs(context: EnvContext): string[] {
    const nt = context.info.osName === 'nt';
    const args: string[] = [];
    if (nt && this.symlinks) args.push('--symlinks');
    if (!nt && !this.symlinks) args.push('--copies');
    if (!this.withPip) args.push('--without-pip');
    if (context.systemSitePackagesWritten) args.push('--system-site-packages');
    if (this.clear) args.push('--clear');
    if (this.upgrade) args.push('--upgrade');
    if (this.upgradeDeps) args.push('--upgrade-deps');
    if (this.origPrompt !== undefined) args.push(`--prompt="${this.origPrompt}"`);
    if (versionAtLeast(context.info, 3, 13) && this.scmIgnoreFiles.size === 0) args.push('--without-scm-ignore-files');
    args.push(context.envDir);
    return args;
  }

  async createConfiguration(context: EnvContext): Promise<void> {
    // While the env is being built its cfg carries a line without '=': Python, pip and uv skip it,
    // our cfg reader (and so discovery) reports it, so a half-built env never reads as healthy.
    const incomplete = this.building.has(context) ? `${INCOMPLETE_CFG_LINE}${context.platform.eol}` : '';
    await fs.writeFile(context.cfgPath, serializePyvenvCfg(this.configurationLines(context), context.platform.eol) + incomplete, 'utf8');
  }

  /** Creates the ignore file of one SCM: calls `create<Scm>IgnoreFile(context)` (e.g. createGitIgnoreFile). */
  async createScmIgnoreFile(context: EnvContext, scm: string): Promise<void> {
    const method = `create${scm.charAt(0).toUpperCase()}${scm.slice(1)}IgnoreFile`;
    const hook = (this as unknown as Record<string, unknown>)[method];
    if (typeof hook !== 'function') throw new VenvError(`No ignore file is known for the SCM '${scm}' (no ${method} method).`);
    await (hook as (c: EnvContext) => Promise<void>).call(this, context);
  }

  async createGitIgnoreFile(context: EnvContext): Promise<void> {
    await fs.writeFile(path.join(context.envDir, '.gitignore'), GITIGNORE_TEXT.replace(/\n/g, context.platform.eol), 'utf8');
  }

  async setupPython(context: EnvContext): Promise<void> {
    if (context.info.osName === 'nt') await this.setupWindowsPython(context);
    else await this.setupPosixPython(context);
  }

  private async setupPosixPython(context: EnvContext): Promise<void> {
    const { envExe, binPath } = context;
    if (context.created) {
      // Fresh bin dir: nothing to check. The aliases are relative links, so they need not wait.
      const aliases = posixInterpreterAliases(context.info).filter((a) => a !== context.pythonExe);
      if (this.symlinks) {
        await settleAll([fs.symlink(context.executable, envExe), ...aliases.map((a) => fs.symlink(context.pythonExe, path.join(binPath, a)))]);
      } else {
        await settleAll([envExe, ...aliases.map((a) => path.join(binPath, a))].map((dest) => fs.copyFile(context.executable, dest).then(() => fs.chmod(dest, 0o755))));
      }
      return;
    }
    await this.symlinkOrCopy(context.executable, envExe, false);
    await settleAll(
      posixInterpreterAliases(context.info).map(async (alias) => {
        const dest = path.join(binPath, alias);
        if (await pathExists(dest)) return;
        await this.symlinkOrCopy(envExe, dest, true);
      }),
    );
  }

  /** venv's `symlink_or_copy` on POSIX: link (relative for aliases), else copy + chmod 755. */
  private async symlinkOrCopy(src: string, dest: string, relative: boolean): Promise<void> {
    let copy = !this.symlinks;
    if (!copy) {
      const destStat = await lstatOrUndefined(dest);
      if (!destStat?.isSymbolicLink()) {
        try {
          await fs.symlink(relative ? path.basename(src) : src, dest);
        } catch {
          this.warn(`Unable to symlink ${pythonStrRepr(src)} to ${pythonStrRepr(dest)}`);
          copy = true;
        }
      }
    }
    if (!copy) return;
    const [srcStat, destStat] = await settleAll([fs.stat(src), statOrUndefined(dest)]);
    if (destStat && destStat.ino === srcStat.ino && destStat.dev === srcStat.dev) {
      throw new VenvError(`${pythonStrRepr(src)} and ${pythonStrRepr(dest)} are the same file`);
    }
    // Replace a link rather than writing through it into whatever it points at.
    if ((await lstatOrUndefined(dest))?.isSymbolicLink()) await fs.unlink(dest);
    await fs.copyFile(src, dest);
    await fs.chmod(dest, 0o755);
  }

  private async setupWindowsPython(context: EnvContext): Promise<void> {
    const launcherDir = path.join(context.info.stdlib, 'venv', 'scripts', 'nt');
    const [baseDirEntries, launcherDirEntries] = await settleAll([
      fs.readdir(context.pythonDir).catch(() => [] as string[]),
      fs.readdir(launcherDir).catch(() => [] as string[]),
    ]);
    const plan = windowsInterpreterPlan(context.info, { symlinks: this.symlinks, baseDirEntries, launcherDirEntries });
    const dest = (name: string) => path.join(context.binPath, name);
    let copies = plan.files;
    if (this.symlinks) {
      const linked: string[] = [];
      const failed: typeof plan.files[number][] = [];
      for (const file of plan.files) {
        try {
          await fs.symlink(file.linkSource, dest(file.name));
          linked.push(dest(file.name));
        } catch {
          this.warn(`Unable to symlink ${pythonStrRepr(file.linkSource)} to ${pythonStrRepr(dest(file.name))}`);
          failed.push(file);
          if (plan.fallback === 'all-or-nothing') break;
        }
      }
      if (failed.length > 0 && plan.fallback === 'all-or-nothing') {
        await settleAll(linked.map((f) => fs.unlink(f).catch(() => this.warn(`Failed to clean up symlink ${pythonStrRepr(f)}`))));
        this.warn('Retrying with copies');
        copies = plan.files.filter((f) => f.copySource !== undefined && !f.name.toLowerCase().endsWith('.dll'));
      } else {
        copies = failed;
      }
    }
    await settleAll(
      copies.map(async (file) => {
        if (!file.copySource) return;
        try {
          await fs.copyFile(file.copySource, dest(file.name));
        } catch {
          this.warn(`Unable to copy ${pythonStrRepr(file.copySource)} to ${pythonStrRepr(dest(file.name))}`);
        }
      }),
    );
  }

  /** Seeds pip (and setuptools where that version's ensurepip adds it) into the environment. */
  async setupPip(context: EnvContext): Promise<void> {
    await seedPip({
      info: context.info,
      envDir: context.envDir,
      binDir: context.binPath,
      sitePackages: context.libPath,
      envPython: context.envExecCmd,
      cacheDir: this.cacheDir,
      osName: context.info.osName,
      env: this.options.env,
      signal: this.options.signal,
      log: this.options.log,
    });
  }

  /** Installs the activation scripts through `installScripts` (ours, for the version's shells, plus nushell). */
  async setupScripts(context: EnvContext): Promise<void> {
    await this.installScripts(context);
  }

  /** Hook for subclasses; runs after the scripts are installed (not in upgrade mode). */
  async postSetup(_context: EnvContext): Promise<void> {
    // Nothing by default, as in venv.
  }

  /** Writes our built-in activation scripts for the base's platform and version. */
  private async installBuiltinScripts(context: EnvContext): Promise<void> {
    const values = this.placeholderValues(context);
    const scripts = builtinActivationScripts({ osName: context.info.osName, version: context.info.version });
    const dirs = new Set(scripts.map((s) => path.dirname(path.join(context.binPath, s.relPath))));
    await settleAll([...dirs].filter((d) => d !== context.binPath).map((d) => fs.mkdir(d, { recursive: true })));
    await settleAll(
      scripts.map((s) => {
        const name = path.basename(s.relPath);
        return fs.writeFile(path.join(context.binPath, s.relPath), substitutePlaceholders(s.text, values, quotingForScript(name)), 'utf8');
      }),
    );
  }

  /** The values of `__VENV_DIR__` and friends for this environment. */
  placeholderValues(context: EnvContext): PlaceholderValues {
    return {
      VENV_DIR: context.envDir,
      VENV_NAME: context.envName,
      VENV_PROMPT: context.prompt,
      VENV_BIN_NAME: context.binName,
      VENV_PYTHON: context.envExe,
    };
  }

  /**
   * Installs scripts from a directory laid out as CPython's `venv/scripts`: files under `common/`
   * and `posix/` or `nt/` go into the bin dir (sub-directories kept), placeholders substituted.
   * Files that are not UTF-8 text are skipped with a warning, as venv does. Without a directory,
   * our built-in scripts (held in memory) are installed.
   */
  async installScripts(context: EnvContext, dir?: string): Promise<void> {
    if (dir === undefined) return this.installBuiltinScripts(context);
    const values = this.placeholderValues(context);
    const skip = (name: string) => context.info.osName === 'nt' && /^(python|venv).*\.(exe|pdb)$/i.test(name);
    const keepsScriptTimes = versionAtLeast(context.info, 3, 13) && !hasPatchLevelChange(context.info, SCRIPT_COPY_WITHOUT_TIMES);
    const walk = async (srcDir: string, destDir: string): Promise<void> => {
      const entries = await fs.readdir(srcDir, { withFileTypes: true }).catch(() => []);
      if (entries.length > 0) await fs.mkdir(destDir, { recursive: true });
      await settleAll(
        entries.map(async (entry) => {
          const src = path.join(srcDir, entry.name);
          const dest = path.join(destDir, entry.name);
          if (entry.isDirectory()) return walk(src, dest);
          if (!entry.isFile() || skip(entry.name)) return;
          const bytes = await fs.readFile(src);
          let text: string;
          try {
            text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
          } catch (err) {
            this.warn(`unable to copy script ${pythonStrRepr(src)}, may be binary: ${(err as Error).message}`);
            return;
          }
          const replaced = substitutePlaceholders(text, values, quotingForScript(entry.name));
          await fs.writeFile(dest, replaced, 'utf8');
          const st = await fs.stat(src);
          await fs.chmod(dest, st.mode & 0o7777);
          // A file without placeholders is copied: 3.13.0-3.13.12 and 3.14.0-3.14.3 with its times
          // (shutil.copy2), later releases without them (shutil.copy, gh-145417).
          if (replaced === text && keepsScriptTimes) await fs.utimes(dest, st.atime, st.mtime);
        }),
      );
    };
    await settleAll(['common', context.info.osName].map((sub) => walk(path.join(dir, sub), context.binPath)));
  }

  /** `<env python> -m pip install --upgrade pip` (+ setuptools below 3.12), as venv's --upgrade-deps. */
  async upgradeDependencies(context: EnvContext): Promise<void> {
    const deps = versionAtLeast(context.info, 3, 12) ? ['pip'] : ['pip', 'setuptools'];
    const execa = await loadExeca();
    const result = await execa(context.envExecCmd, ['-m', 'pip', 'install', '--upgrade', ...deps], {
      cwd: context.envDir,
      env: envProcessEnv(this.options.env ?? process.env, context.envDir),
      extendEnv: false,
      reject: false,
      all: true,
      cancelSignal: this.options.signal,
      stdin: 'ignore',
    });
    for (const line of (result.all ?? '').split('\n')) if (line) this.options.log?.(line);
    if (result.exitCode !== 0) {
      const tail = (result.all ?? '').trim().split('\n').slice(-5).join('\n');
      throw new VenvError(`Upgrading ${deps.join(', ')} in ${context.envDir} failed (exit code ${result.exitCode ?? 'none'}).${tail ? `\n${tail}` : ''}`, { code: 'install-failed', output: result.all ?? '' });
    }
  }

  private async checkCreatable(dir: string, st: Stats): Promise<void> {
    if (st.isSymbolicLink()) {
      if (!(await pathExists(dir))) throw new VenvError(`[Errno 17] File exists: ${pythonStrRepr(dir)}`);
      throw new VenvError(`Unable to create directory ${pythonStrRepr(dir)}`);
    }
    if (!st.isDirectory()) throw new VenvError(`Unable to create directory ${pythonStrRepr(dir)}`);
  }

  /** venv's `create_if_needed`: make it if missing; a link or a file in the way is an error. */
  private async createIfNeeded(dir: string): Promise<void> {
    const st = await lstatOrUndefined(dir);
    if (st) return this.checkCreatable(dir, st);
    try {
      await makeDirs(dir);
    } catch (err) {
      throw toVenvError(err, dir);
    }
  }

  private async linkLib64(envDir: string): Promise<void> {
    const link = path.join(envDir, 'lib64');
    if (await pathExists(link)) return;
    try {
      await fs.symlink('lib', link);
    } catch (err) {
      throw toVenvError(err, link);
    }
  }

  private checkCancelled(): void {
    if (this.options.signal?.aborted) throw new VenvError('Cancelled.', { code: 'cancelled' });
  }

  protected progress(message: string): void {
    this.options.onProgress?.(message);
  }

  protected warn(message: string): void {
    this.options.log?.(message);
  }
}

/** Creates an environment in `envDir` (venv.create's counterpart). */
export function createEnvironment(envDir: string, options: EnvBuilderOptions = {}): Promise<EnvContext> {
  return new EnvBuilder(options).create(envDir);
}

const ERRNO: Record<string, [number, string]> = {
  EPERM: [1, 'Operation not permitted'],
  ENOENT: [2, 'No such file or directory'],
  EACCES: [13, 'Permission denied'],
  EEXIST: [17, 'File exists'],
  ENOTDIR: [20, 'Not a directory'],
  EISDIR: [21, 'Is a directory'],
  ENOSPC: [28, 'No space left on device'],
  EROFS: [30, 'Read-only file system'],
  ENAMETOOLONG: [36, 'File name too long'],
  ELOOP: [40, 'Too many levels of symbolic links'],
};

const WRITE_SIDE = new Set(['ENOSPC', 'EROFS']);

/** A Node file-system error in the words Python's OSError uses (`[Errno 13] Permission denied: '/x'`). */
function toVenvError(err: unknown, fallbackPath?: string): VenvError {
  if (err instanceof VenvError) return err;
  const e = err as NodeJS.ErrnoException;
  const known = e?.code ? ERRNO[e.code] : undefined;
  if (known) {
    // A copy or link that runs out of room (or meets a read-only file system) failed on its
    // destination: name that, not the source (a file in the seed cache).
    const where = (WRITE_SIDE.has(e.code!) ? (e as { dest?: string }).dest : undefined) ?? e.path ?? fallbackPath;
    return new VenvError(`[Errno ${known[0]}] ${known[1]}${where ? `: ${pythonStrRepr(where)}` : ''}`, { cause: err });
  }
  return new VenvError(e instanceof Error ? e.message : String(err), { cause: err });
}

/** The outermost of `dir` and its parents that does not exist yet (what a create would make), or undefined when `dir` exists. */
async function topmostMissing(dir: string): Promise<string | undefined> {
  let missing: string | undefined;
  for (let p = dir; (await lstatOrUndefined(p)) === undefined; p = path.dirname(p)) {
    missing = p;
    if (path.dirname(p) === p) break;
  }
  return missing;
}

async function isEmptyDir(dir: string): Promise<boolean> {
  const handle = await fs.opendir(dir).catch(() => undefined);
  if (!handle) return false;
  try {
    return (await handle.read()) === null;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Removes every entry of `dir` (links unlinked, never followed); `dir` itself stays. */
async function emptyFolder(dir: string): Promise<void> {
  const entries = await fs.readdir(dir).catch(() => [] as string[]);
  await settleAll(entries.map((name) => removeTree(path.join(dir, name))));
}

/**
 * Removes the parents a failed create made on the way up to `top` (its env dir is gone already);
 * rmdir only removes empty ones, so nothing that appeared there meanwhile is lost.
 */
async function removeEmptyParents(dir: string, top: string): Promise<void> {
  for (let p = dir; p !== top; ) {
    p = path.dirname(p);
    if (!(await fs.rmdir(p).then(() => true, () => false))) return;
  }
}

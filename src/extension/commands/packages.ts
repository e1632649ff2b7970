/**
 * Package commands: install, upgrade, uninstall (all or nothing, through the env's pip or uv with
 * the user's PIP_* settings, like Install Requirements), copy `name==version`, reveal, export as a
 * requirements file, Check for Updates and Find Package Across Environments.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { changePackages, checkOutdated, exportPylock, findPackageInEnvironments, normalizeProjectName, requirementsText, type ChangePackagesOptions, type DiscoveredEnvironment, type InstalledDistribution } from '../../core';
import { readSettings } from '../config';
import { latestFor } from '../packages/packageStore';
import { PackageItem, PackagesItem, packagesChangeable } from '../tree/items';
import { folderFor, reportFailure, requireTrust, resolveEnvironment, runLifecycleOperation, withCancellableProgress, type CommandContext, type EnvironmentArgument } from './commandContext';

/** A package-level command's argument: a tree item of the Packages node, an env item, or what resolveEnvironment takes. */
export type PackagesArgument = PackagesItem | PackageItem | EnvironmentArgument;

function envArgument(arg: PackagesArgument): EnvironmentArgument {
  return arg instanceof PackagesItem || arg instanceof PackageItem ? { env: arg.env.path } : arg;
}

/** Splits what the user typed into specs (`requests`, `flask==3.0`); undefined plus a reason when not usable. */
export function parsePackageSpecs(text: string): { specs: string[] } | { error: string } {
  const specs = text.split(/\s+/).filter(Boolean);
  if (specs.length === 0) return { error: vscode.l10n.t('Type a package name, like requests or requests==2.32.3.') };
  const bad = specs.find((s) => s.startsWith('-'));
  if (bad) return { error: vscode.l10n.t('{0} looks like an option; type package names or name==version.', bad) };
  return { specs };
}

async function runPackageOperation(ctx: CommandContext, id: string, env: DiscoveredEnvironment, what: Pick<ChangePackagesOptions, 'packages' | 'upgrade' | 'uninstall'>, texts: { progress: string; failure: string; done: string }): Promise<boolean> {
  const installer = readSettings(folderFor(env)).installer;
  ctx.log.info(`${texts.progress} (${env.path})`);
  const ok = await runLifecycleOperation(ctx, id, env, texts, (options) => changePackages(env.path, { ...options, ...what, installer }));
  ctx.packages.invalidate(env.path);
  if (ok) void ctx.prompter.current.notify(`${id}.done`, 'info', texts.done);
  return ok;
}

export async function installPackageCommand(ctx: CommandContext, arg?: PackagesArgument): Promise<boolean> {
  const title = vscode.l10n.t('Install Package');
  const id = 'installPackage';
  if (!(await requireTrust(ctx, id, title))) return false;
  const env = await resolveEnvironment(ctx, envArgument(arg), { title, id, filter: packagesChangeable });
  if (!env) return false;
  const typed = await ctx.prompter.current.input(`${id}.spec`, {
    title: vscode.l10n.t('Install Package into {0}', env.name),
    prompt: vscode.l10n.t('Package name or name==version (several separated by spaces)'),
    validate: (v) => {
      const parsed = parsePackageSpecs(v);
      return 'error' in parsed ? parsed.error : undefined;
    },
  });
  if (typed === undefined) return false;
  const parsed = parsePackageSpecs(typed);
  if ('error' in parsed) {
    void ctx.prompter.current.notify(`${id}.invalid`, 'error', parsed.error);
    return false;
  }
  const names = parsed.specs.join(' ');
  return runPackageOperation(ctx, id, env, { packages: parsed.specs }, {
    progress: vscode.l10n.t('Installing {0} into {1}', names, env.name),
    failure: vscode.l10n.t('Installing {0} into {1}', names, env.path),
    done: vscode.l10n.t('Installed {0} into {1}.', names, env.name),
  });
}

export async function uninstallPackageCommand(ctx: CommandContext, item?: PackageItem): Promise<boolean> {
  const id = 'uninstallPackage';
  if (!(item instanceof PackageItem) || !(await requireTrust(ctx, id, vscode.l10n.t('Uninstall Package')))) return false;
  const { env, dist } = item;
  const uninstall = vscode.l10n.t('Uninstall');
  const answer = await ctx.prompter.current.ask(`${id}.confirm`, vscode.l10n.t('Uninstall {0} {1} from {2}?', dist.name, dist.version, env.path), {
    detail: vscode.l10n.t('Packages that depend on it stay installed and may stop working. If pip fails, the environment is put back as it was.'),
    actions: [uninstall],
  });
  if (answer !== uninstall) return false;
  return runPackageOperation(ctx, id, env, { uninstall: [dist.name] }, {
    progress: vscode.l10n.t('Uninstalling {0} from {1}', dist.name, env.name),
    failure: vscode.l10n.t('Uninstalling {0} from {1}', dist.name, env.path),
    done: vscode.l10n.t('Uninstalled {0} from {1}.', dist.name, env.name),
  });
}

export async function upgradePackageCommand(ctx: CommandContext, item?: PackageItem): Promise<boolean> {
  const id = 'upgradePackage';
  if (!(item instanceof PackageItem) || !(await requireTrust(ctx, id, vscode.l10n.t('Upgrade Package')))) return false;
  const { env, dist } = item;
  return runPackageOperation(ctx, id, env, { packages: [dist.name], upgrade: true }, {
    progress: vscode.l10n.t('Upgrading {0} in {1}', dist.name, env.name),
    failure: vscode.l10n.t('Upgrading {0} in {1}', dist.name, env.path),
    done: vscode.l10n.t('Upgraded {0} in {1}.', dist.name, env.name),
  });
}

export async function copyPackageSpecCommand(item?: PackageItem): Promise<string | undefined> {
  if (!(item instanceof PackageItem)) return undefined;
  const text = `${item.dist.name}==${item.dist.version}`;
  await vscode.env.clipboard.writeText(text);
  return text;
}

/** The dist-info folder (or an editable install's source folder): in the Explorer when in the workspace, else the OS file manager. */
export async function revealPackageCommand(item?: PackageItem): Promise<void> {
  if (!(item instanceof PackageItem) || !item.resourceUri) return;
  if (vscode.workspace.getWorkspaceFolder(item.resourceUri)) await vscode.commands.executeCommand('revealInExplorer', item.resourceUri);
  else await vscode.commands.executeCommand('revealFileInOS', item.resourceUri);
}

/** Asks where to export the packages of `env` (default `<folder>/<defaultName>`), and whether to replace an existing file; undefined when the user stops. */
async function askExportTarget(ctx: CommandContext, id: string, title: string, env: DiscoveredEnvironment, count: number, defaultName: string, validate?: (file: string) => string | undefined): Promise<string | undefined> {
  const base = folderFor(env)?.uri.fsPath ?? path.dirname(env.path);
  const target = await ctx.prompter.current.input(`${id}.path`, {
    title,
    prompt: vscode.l10n.t('File to write the {0} packages of {1} to', count, env.name),
    value: path.join(base, defaultName),
    validate: (v) => (v.trim() === '' ? vscode.l10n.t('Type a file path.') : validate?.(v.trim())),
  });
  if (target === undefined) return undefined;
  const file = path.resolve(base, target.trim());
  if (await fs.stat(file).then(() => true, () => false)) {
    const replace = vscode.l10n.t('Replace');
    if ((await ctx.prompter.current.ask(`${id}.replace`, vscode.l10n.t('{0} exists. Replace it?', file), { actions: [replace] })) !== replace) return undefined;
  }
  return file;
}

export async function exportRequirementsCommand(ctx: CommandContext, arg?: PackagesArgument): Promise<string | undefined> {
  const id = 'exportRequirements';
  const title = vscode.l10n.t('Export Packages as Requirements File');
  const env = await resolveEnvironment(ctx, envArgument(arg), { title, id, filter: (e) => e.sitePackages !== undefined });
  if (!env) return undefined;
  const dists = await ctx.packages.distributions(env);
  const file = await askExportTarget(ctx, id, title, env, dists.length, 'requirements.txt');
  if (file === undefined) return undefined;
  try {
    await fs.writeFile(file, requirementsText(dists));
  } catch (err) {
    await reportFailure(ctx, id, vscode.l10n.t('Writing {0}', file), err);
    return undefined;
  }
  ctx.log.info(`Exported ${dists.length} packages of ${env.path} to ${file}`);
  await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
  return file;
}

/**
 * Writes the env's packages as a pylock.toml through the env's own pip (`pip lock`, pip 25.1+) with
 * the user's PIP_* settings, in the background with progress and cancel; the file appears whole or
 * not at all.
 */
export async function exportPylockCommand(ctx: CommandContext, arg?: PackagesArgument): Promise<string | undefined> {
  const id = 'exportPylock';
  const title = vscode.l10n.t('Export Packages as pylock.toml');
  if (!(await requireTrust(ctx, id, title))) return undefined;
  const env = await resolveEnvironment(ctx, envArgument(arg), { title, id, filter: packagesChangeable });
  if (!env) return undefined;
  const dists = await ctx.packages.distributions(env);
  const file = await askExportTarget(ctx, id, title, env, dists.length, 'pylock.toml', (v) => (/\.toml$/i.test(v) ? undefined : vscode.l10n.t('A lock file is named pylock.toml or pylock.<name>.toml.')));
  if (file === undefined) return undefined;
  let signal: AbortSignal | undefined;
  try {
    const result = await withCancellableProgress(vscode.l10n.t('Exporting the packages of {0} as {1}', env.name, path.basename(file)), (s, report) => {
      signal = s;
      return exportPylock(env.path, file, { env: process.env, signal: s, onProgress: report, log: (line) => ctx.log.trace(line) });
    });
    ctx.log.info(`Exported ${result.pinned} packages of ${env.path} to ${file} (${result.lock.packages.length} locked by pip)`);
  } catch (err) {
    await reportFailure(ctx, id, vscode.l10n.t('Exporting the packages of {0} as {1}', env.path, file), err, signal);
    return undefined;
  }
  await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
  return file;
}

/** Asks the env's index which packages are outdated, in the background (cancellable); the dated answer is kept. */
export async function checkForUpdatesCommand(ctx: CommandContext, arg?: PackagesArgument): Promise<boolean> {
  const id = 'checkForUpdates';
  const title = vscode.l10n.t('Check for Updates');
  if (!(await requireTrust(ctx, id, title))) return false;
  const env = await resolveEnvironment(ctx, envArgument(arg), { title, id, filter: packagesChangeable });
  if (!env) return false;
  const installer = readSettings(folderFor(env)).installer;
  let signal: AbortSignal | undefined;
  try {
    const report = await withCancellableProgress(vscode.l10n.t('Checking {0} for updates', env.name), (s) => {
      signal = s;
      return checkOutdated(env.path, { env: process.env, installer, signal: s, log: (line) => ctx.log.trace(line) });
    });
    await ctx.packages.setOutdated(env.path, report);
    ctx.log.info(`Checked ${env.path} for updates with ${report.tool}: ${report.packages.map((p) => `${p.name} ${p.version} -> ${p.latest}`).join(', ') || 'none outdated'}`);
    const stored = ctx.packages.outdated(env.path);
    const outdated = (await ctx.packages.distributions(env)).flatMap((d) => {
      const latest = latestFor(stored, d);
      return latest ? [`${d.name} ${d.version} -> ${latest}`] : [];
    });
    const shown = outdated.slice(0, 5).join(', ') + (outdated.length > 5 ? vscode.l10n.t(' and {0} more', outdated.length - 5) : '');
    void ctx.prompter.current.notify(`${id}.done`, 'info', outdated.length === 0
      ? vscode.l10n.t('{0} reports no newer versions for {1}.', report.tool, env.name)
      : vscode.l10n.t('Outdated in {0}: {1}', env.name, shown));
    return true;
  } catch (err) {
    await reportFailure(ctx, id, vscode.l10n.t('Checking {0} for updates', env.path), err, signal);
    return false;
  }
}

export interface FoundPackageItem extends vscode.QuickPickItem {
  env: DiscoveredEnvironment;
  dist: InstalledDistribution;
}

/** Lists every known environment (workspace and global) holding a package, with its version. */
export async function findPackageCommand(ctx: CommandContext, name?: unknown): Promise<FoundPackageItem[] | undefined> {
  const id = 'findPackage';
  const title = vscode.l10n.t('Find Package Across Environments');
  const wanted = typeof name === 'string' && name.trim() !== '' ? name : await ctx.prompter.current.input(`${id}.name`, {
    title,
    prompt: vscode.l10n.t('Package name (any spelling: Foo_Bar, foo-bar, foo.bar)'),
    validate: (v) => (v.trim() === '' ? vscode.l10n.t('Type a package name.') : undefined),
  });
  if (wanted === undefined) return undefined;
  await ctx.store.ready();
  if (ctx.store.globalEnvironments() === undefined) await ctx.store.refreshGlobal();
  const envs = ctx.store.all();
  const started = performance.now();
  const found = await findPackageInEnvironments(envs, wanted.trim());
  ctx.log.info(`Find package ${wanted}: ${found.length} of ${envs.length} environments in ${(performance.now() - started).toFixed(1)} ms`);
  const byPath = new Map(envs.map((e) => [e.path, e]));
  const items: FoundPackageItem[] = found.map((f) => ({
    label: `${f.distribution.name} ${f.distribution.version}`,
    description: [byPath.get(f.env)?.name ?? path.basename(f.env), byPath.get(f.env)?.scope === 'global' ? byPath.get(f.env)?.source : vscode.l10n.t('workspace'), ...(f.distribution.editable ? [vscode.l10n.t('editable')] : [])].join(' · '),
    detail: f.env,
    env: byPath.get(f.env)!,
    dist: f.distribution,
  }));
  if (items.length === 0) {
    void ctx.prompter.current.notify(`${id}.none`, 'info', vscode.l10n.t('{0} is not installed in any of the {1} environments.', wanted.trim(), envs.length));
    return items;
  }
  const picked = await ctx.prompter.current.pick(`${id}.results`, items, {
    title: vscode.l10n.t('{0}: in {1} of {2} environments', normalizeProjectName(wanted.trim()), items.length, envs.length),
    placeHolder: vscode.l10n.t('Pick one to copy its environment path'),
  });
  if (picked) await vscode.env.clipboard.writeText(picked.env.path);
  return items;
}

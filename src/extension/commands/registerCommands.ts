import * as vscode from 'vscode';
import { Commands, type CommandId } from '../constants';
import type { CommandContext } from './commandContext';
import { clearEnvironmentCommand } from './clearEnvironment';
import { copyPathCommand } from './copyPath';
import { copyValueCommand } from './copyValue';
import { createEnvironmentCommand } from './createEnvironment';
import { deleteEnvironmentCommand } from './deleteEnvironment';
import { installRequirementsCommand } from './installRequirements';
import { openCfgEntryCommand } from './openCfgEntry';
import { openPyvenvCfgCommand } from './openPyvenvCfg';
import { openTerminalCommand } from './openTerminal';
import { checkForUpdatesCommand, copyPackageSpecCommand, exportPylockCommand, exportRequirementsCommand, findPackageCommand, installPackageCommand, revealPackageCommand, uninstallPackageCommand, upgradePackageCommand } from './packages';
import { recoverEnvironmentCommand } from './recoverEnvironment';
import { recreateEnvironmentCommand } from './recreateEnvironment';
import { revealInExplorerCommand } from './revealInExplorer';
import { setActiveEnvironmentCommand } from './setActiveEnvironment';
import { showPythonPerToolCommand } from './showPythonPerTool';
import { syncEnvironmentCommand } from './syncEnvironment';
import { upgradeEnvironmentCommand } from './upgradeEnvironment';

/** Every command id of package.json, bound to its module. */
export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  const handlers: Record<CommandId, (...args: any[]) => unknown> = {
    [Commands.createEnvironment]: (arg?: unknown) => createEnvironmentCommand(ctx, arg),
    [Commands.refresh]: async () => {
      await Promise.all([ctx.store.refreshWorkspace(), ctx.store.globalEnvironments() === undefined ? undefined : ctx.store.refreshGlobal()]);
    },
    [Commands.setActive]: (arg?: never) => setActiveEnvironmentCommand(ctx, arg),
    [Commands.openTerminal]: (arg?: never) => openTerminalCommand(ctx, arg),
    [Commands.clear]: (arg?: never) => clearEnvironmentCommand(ctx, arg),
    [Commands.upgrade]: (arg?: never) => upgradeEnvironmentCommand(ctx, arg),
    [Commands.recreate]: (arg?: never) => recreateEnvironmentCommand(ctx, arg),
    [Commands.installRequirements]: (arg?: never) => installRequirementsCommand(ctx, arg),
    [Commands.sync]: (arg?: never) => syncEnvironmentCommand(ctx, arg),
    [Commands.delete]: (arg?: never) => deleteEnvironmentCommand(ctx, arg),
    [Commands.recover]: (arg?: never) => recoverEnvironmentCommand(ctx, arg),
    [Commands.revealInExplorer]: (arg?: never) => revealInExplorerCommand(ctx, arg),
    [Commands.copyPath]: (arg?: never) => copyPathCommand(ctx, arg),
    [Commands.openPyvenvCfg]: (arg?: never) => openPyvenvCfgCommand(ctx, arg),
    [Commands.showLog]: () => ctx.log.show(),
    [Commands.showGlobalEnvironments]: () => ctx.showGlobalEnvironments(),
    [Commands.showPythonPerTool]: () => showPythonPerToolCommand(ctx),
    [Commands.openCfgEntry]: openCfgEntryCommand,
    [Commands.copyValue]: copyValueCommand,
    [Commands.installPackage]: (arg?: never) => installPackageCommand(ctx, arg),
    [Commands.checkForUpdates]: (arg?: never) => checkForUpdatesCommand(ctx, arg),
    [Commands.exportRequirements]: (arg?: never) => exportRequirementsCommand(ctx, arg),
    [Commands.exportPylock]: (arg?: never) => exportPylockCommand(ctx, arg),
    [Commands.findPackage]: (name?: unknown) => findPackageCommand(ctx, name),
    [Commands.uninstallPackage]: (item?: never) => uninstallPackageCommand(ctx, item),
    [Commands.upgradePackage]: (item?: never) => upgradePackageCommand(ctx, item),
    [Commands.copyPackageSpec]: copyPackageSpecCommand,
    [Commands.revealPackage]: revealPackageCommand,
  };
  return Object.entries(handlers).map(([id, handler]) => vscode.commands.registerCommand(id, handler));
}

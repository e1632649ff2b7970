/**
 * Every id the extension shares with package.json, in one place. This module must not import
 * 'vscode': test/unit/extension/constants.test.ts loads it under plain Node to check it agrees
 * with package.json.
 */

export const VIEW_CONTAINER_ID = 'venvManager';
export const ENVIRONMENTS_VIEW_ID = 'venvManager.environments';

export const Commands = {
  createEnvironment: 'venvManager.createEnvironment',
  refresh: 'venvManager.refresh',
  setActive: 'venvManager.setActive',
  openTerminal: 'venvManager.openTerminal',
  clear: 'venvManager.clear',
  upgrade: 'venvManager.upgrade',
  recreate: 'venvManager.recreate',
  installRequirements: 'venvManager.installRequirements',
  sync: 'venvManager.sync',
  delete: 'venvManager.delete',
  recover: 'venvManager.recover',
  revealInExplorer: 'venvManager.revealInExplorer',
  copyPath: 'venvManager.copyPath',
  openPyvenvCfg: 'venvManager.openPyvenvCfg',
  showLog: 'venvManager.showLog',
  showGlobalEnvironments: 'venvManager.showGlobalEnvironments',
  showPythonPerTool: 'venvManager.showPythonPerTool',
  installPackage: 'venvManager.installPackage',
  checkForUpdates: 'venvManager.checkForUpdates',
  exportRequirements: 'venvManager.exportRequirements',
  exportPylock: 'venvManager.exportPylock',
  findPackage: 'venvManager.findPackage',
  // Tree-only: they act on a cfg entry item and make no sense from the palette.
  openCfgEntry: 'venvManager.openCfgEntry',
  copyValue: 'venvManager.copyValue',
  uninstallPackage: 'venvManager.uninstallPackage',
  upgradePackage: 'venvManager.upgradePackage',
  copyPackageSpec: 'venvManager.copyPackageSpec',
  revealPackage: 'venvManager.revealPackage',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];

/** Commands that need a tree item and are therefore hidden from the command palette. */
export const TREE_ONLY_COMMANDS: readonly CommandId[] = [Commands.openCfgEntry, Commands.copyValue, Commands.uninstallPackage, Commands.upgradePackage, Commands.copyPackageSpec, Commands.revealPackage];

/** Setting keys, relative to the `venvManager` section. */
export const CONFIG_SECTION = 'venvManager';
export const Settings = {
  terminalActivation: 'terminal.activateEnvironment',
  defaultEnvFolderName: 'defaultEnvFolderName',
  searchMaxDepth: 'search.maxDepth',
  searchExclude: 'search.exclude',
  globalEnvFolders: 'globalEnvFolders',
  preferredInterpreter: 'preferredInterpreter',
  installer: 'installer',
  shareActiveEnvironment: 'python.shareActiveEnvironment',
  terminalActivator: 'terminal.activator',
} as const;

export type SettingKey = (typeof Settings)[keyof typeof Settings];

export const LANGUAGE_PYVENV_CFG = 'pyvenv-cfg';
export const LANGUAGE_PIP_REQUIREMENTS = 'pip-requirements';

/**
 * Tokens in a tree item's contextValue; package.json menus match them with `viewItem =~ /token;/`.
 * Each token ends in ';' so that one token is never a prefix match of another.
 */
export const ItemTokens = {
  environment: 'environment;',
  cfgEntry: 'cfgEntry;',
  pathEntry: 'pathEntry;',
  folder: 'workspaceFolder;',
  globalGroup: 'globalGroup;',
  active: 'active;',
  broken: 'broken;',
  hasCfg: 'hasCfg;',
  clearable: 'clearable;',
  upgradable: 'upgradable;',
  recreatable: 'recreatable;',
  deletable: 'deletable;',
  installable: 'installable;',
  activatable: 'activatable;',
  /** Left incomplete by an interrupted operation: Recover applies. */
  interrupted: 'interrupted;',
  /** Installed packages no longer match the env's remembered source: Sync applies. */
  drifted: 'drifted;',
  /** The "Packages (N)" node of an environment. */
  packages: 'packages;',
  /** One installed distribution. */
  package: 'package;',
  /** On packages/package items: install, upgrade and uninstall may run (an env of ours, healthy). */
  packagesChangeable: 'packagesChangeable;',
  /** A package a newer release was found for by the last Check for Updates. */
  outdated: 'outdated;',
} as const;

/** workspaceState key prefix for the active environment of a workspace folder. */
export const ACTIVE_ENV_STATE_PREFIX = 'venvManager.activeEnvironment:';

/** workspaceState key prefix for the interpreter another tool uses for a folder when it is not a listed environment. */
export const EXTERNAL_INTERPRETER_STATE_PREFIX = 'venvManager.externalInterpreter:';

/** workspaceState key prefix for the interpreter the Python extension last reported for a folder (startup reconciliation). */
export const PYTHON_LAST_SEEN_STATE_PREFIX = 'venvManager.pythonExtensionLastSeen:';

/** Extension ids of the Python tools we share the active environment with. */
export const PYTHON_EXTENSION_ID = 'ms-python.python';
export const PYTHON_ENVIRONMENTS_ID = 'ms-python.vscode-python-envs';

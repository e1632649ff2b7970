/**
 * The library surface of Venv Manager (`require('venv-manager')`, dist/core.js, with type
 * declarations in dist/types): what a program needs to build, find, inspect and change virtual
 * environments, and nothing the extension and the tests use internally (counters, caches, parsers
 * of other tools' output). The extension and the CLI import from './index' and the modules directly.
 * Nothing here imports 'vscode'.
 */

// How core's file-system calls run: on the thread pool (default) or inline, for one-shot programs
export { useInlineFileSystem, inlineFileSystem } from './asyncFs';

// pyvenv.cfg
export { parsePyvenvCfg, serializePyvenvCfg, readPromptValue, type PyvenvCfg, type PyvenvCfgEntry } from './pyvenvCfg';

// Building: venv's EnvBuilder, in-process
export { EnvBuilder, createEnvironment, type EnvBuilderOptions, type EnvContext } from './envBuilder';
export { CoreError, ERROR_CODES, errorCodeOf, describeFailure, type ErrorCode, type ErrorLocation, type CoreErrorOptions } from './errors';
export { getInterpreterInfo, defaultCacheDir, versionAtLeast, VenvError, type InterpreterInfo, type InterpreterInfoOptions } from './interpreter';
export { envLayout, type EnvLayout } from './layout';

// Finding: environments and base interpreters, without running anything
export type { DiscoveredEnvironment, BaseInterpreter, EnvKind, EnvHealthCode, EnvHealthProblem } from './discovery/types';
export { inspectEnvironment, type InspectOptions } from './discovery/inspect';
export { findWorkspaceEnvironments, findGlobalEnvironments, type GlobalSearchOptions } from './discovery/environments';
export { scanForEnvironments, type ScanOptions, type ScanResult } from './discovery/scanner';
export { EnvironmentIndex, type EnvironmentIndexOptions, type EnvironmentIndexChange } from './discovery/environmentIndex';
export { findInterpreters, resolvePythonSpec, PythonNotFoundError, type FindInterpretersOptions, type ResolvePythonSpecOptions } from './discovery/interpreters';
export { parsePythonSpec, type PythonSpec } from './discovery/pythonSpec';
export { versionLabel } from './discovery/versionFacts';

// Changing: each operation keeps the env or leaves it whole (docs/lifecycle.md)
export { capabilities, refusal, ENV_OPERATIONS, type Capabilities, type Capability, type EnvOperation } from './capabilities';
export {
  LifecycleError,
  recreateEnvironment,
  clearEnvironment,
  upgradeEnvironment,
  deleteEnvironment,
  installIntoEnvironment,
  changePackages,
  syncEnvironment,
  environmentStatus,
  recoverEnvironment,
  isIncompleteEnvironment,
  installRequirements,
  findRequirementsFiles,
  acquireEnvLock,
  removeTree,
  type LifecycleErrorCode,
  type LifecycleOptions,
  type RecoveryResult,
  type RecreateOptions,
  type UpgradeOptions,
  type InstallOptions,
  type ChangePackagesOptions,
  type SyncOptions,
  type SyncResult,
  type EnvStatus,
  type InstallerChoice,
  type InstallRequest,
  type InstallResult,
  type FindRequirementsOptions,
  type EnvLock,
} from './lifecycle';

// Installed and declared packages, read from files
export {
  readInstalledDistributions,
  DistributionCache,
  exportPylock,
  findDistributionIn,
  findPackageInEnvironments,
  normalizeProjectName,
  requirementsText,
  checkOutdated,
  type InstalledDistribution,
  type DistributionProblem,
  type PackageLocation,
  type OutdatedReport,
  type OutdatedPackage,
  type ExportPylockOptions,
  type ExportPylockResult,
} from './packages';
export { findDeclaredSources, loadDeclared, describeSource, computeDrift, type DeclaredSource, type DeclaredSet, type Drift } from './declared';

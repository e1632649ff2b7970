// Lifecycle operations that can destroy a user's work, each with a guarantee: clear, delete,
// upgrade, recreate from requirements; plus the lock, recovery and requirements lookup they share.
export { LifecycleError, type LifecycleErrorCode } from './errors';
export { type LifecycleOptions, type RecoveryResult, recoverEnvironment, isIncompleteEnvironment } from './operation';
export { recreateEnvironment, type RecreateOptions } from './recreate';
export { clearEnvironment, replaceWithNewEnvironment } from './clear';
export { upgradeEnvironment, type UpgradeOptions } from './upgrade';
export { deleteEnvironment } from './delete';
export { installIntoEnvironment, changePackages, type InstallOptions, type ChangePackagesOptions } from './install';
export { syncEnvironment, environmentStatus, driftOf, type SyncOptions, type SyncResult, type EnvStatus } from './sync';
export { findRequirementsFiles, isRequirementsFileName, type FindRequirementsOptions } from './requirements';
export { checkEnvDir, checkEnvPath, removeTree, type CheckedEnv, type SafetyOptions } from './safety';
export { acquireEnvLock, type EnvLock } from './lock';
export { lockPathFor, readLock, type LockInfo } from '../envFacts';
export { installRequirements, uninstallDistributions, installPackageSpecs, listOutdatedJson, progressFromLine, uvFlagsFromPipEnv, type InstallerChoice, type InstallRequest, type InstallResult } from './installer';
export { INCOMPLETE_MARKER } from '../envFacts';

// Installed packages of an environment, read from its files (nothing executed).
export {
  readInstalledDistributions,
  DistributionCache,
  readDistributionsIn,
  findDistributionIn,
  findPackageInEnvironments,
  type PackageLocation,
  sitePackagesOf,
  normalizeProjectName,
  requirementLine,
  requirementsText,
  parseEntryName,
  parseMetadataHeaders,
  type InstalledDistribution,
  type DistributionFormat,
  type DistributionProblem,
  type DistributionProblemCode,
  type DirectUrl,
  type DistributionsTarget,
  type ReadDistributionsOptions,
} from './distributions';
export { checkOutdated, parseOutdatedJson, type OutdatedPackage, type OutdatedReport, type CheckOutdatedOptions } from './outdated';
export { exportPylock, lockRequirementLine, PIP_LOCK_MIN_VERSION, type ExportPylockOptions, type ExportPylockResult } from './pylockExport';

// Installed packages of an environment, read from its files (nothing executed).
export {
  readInstalledDistributions,
  readDistributionsIn,
  findDistributionIn,
  findPackageInEnvironments,
  type PackageLocation,
  sitePackagesOf,
  normalizeProjectName,
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

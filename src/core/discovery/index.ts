// Discovery: environments and base interpreters, found without running anything.
export * from './types';
export { parsePythonSpec, interpreterMatchesSpec, describeSpec, type PythonSpec } from './pythonSpec';
export {
  findInterpreters,
  resolvePythonSpec,
  completeInterpreterFacts,
  completeInterpreterFactsFromCache,
  PythonNotFoundError,
  type FindInterpretersOptions,
  type ResolvePythonSpecOptions,
  type IntrospectedFacts,
} from './interpreters';
export {
  readRegisteredPythons,
  parseRegQueryOutput,
  SnapshotRegistryReader,
  type RegistryReader,
  type RegistryHive,
  type RegisteredPython,
} from './windowsRegistry';
export { readInstallVersion, readPatchlevelVersion, readExecutableBits, compareVersionsDesc, versionLabel } from './versionFacts';
export { readInterpreterVersionOnDisk } from './interpreters';
export { inspectEnvironment, cfgKind, cfgVersion, type InspectOptions, type BaseFactsCache } from './inspect';
export { scanForEnvironments, compileExcludes, ALWAYS_EXCLUDED, DEFAULT_MAX_DEPTH, type ScanOptions, type ScanResult } from './scanner';
export { findWorkspaceEnvironments, scanWorkspace, findGlobalEnvironments, globalPlaces, inspectAll, type GlobalSearchOptions, type GlobalPlace } from './environments';
export { EnvironmentIndex, type EnvironmentIndexOptions, type EnvironmentIndexChange, type IndexScan } from './environmentIndex';

// Discovery: environments and base interpreters, found without running anything.
export * from './types';
export { parsePythonSpec, interpreterMatchesSpec, describeSpec, type PythonSpec } from './pythonSpec';
export {
  findInterpreters,
  resolvePythonSpec,
  completeInterpreterFacts,
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
export { readInstallVersion, readPatchlevelVersion, readExecutableBits, compareVersionsDesc } from './versionFacts';

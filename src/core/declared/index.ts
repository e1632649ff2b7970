// What a project declares it needs (requirements files, pyproject.toml, pylock.toml, uv.lock) and how an env's
// installed distributions differ from it. Files only: nothing here runs Python.
export { normalizeName, parseRequirement, parseMarker, evaluateMarker, versionSatisfies, Pep508Error, type Requirement, type MarkerNode, type MarkerEnvironment } from './pep508';
export { readPyproject, selectFromPyproject, type Pyproject, type PyprojectSelection } from './pyproject';
export { readPylock, planLock, isPylockFileName, type Pylock, type LockPackage, type LockFile, type LockDirectory, type LockPlan, type PlannedPackage } from './pylock';
export { readUvLock, planUvLock, uvLockChoices, isUvLockFileName, type UvLock, type UvPackage, type UvLockSelection } from './uvlock';
export { readRequirementsFile } from './requirementsFile';
export { targetFactsOf, markerEnvironment, supportedTags, wheelTags, type TargetFacts } from './target';
export { computeDrift, describeDrift, isInSync, SEED_PROJECTS, type Drift, type InstalledForDrift } from './drift';
export {
  findDeclaredSources,
  describeSource,
  sourceKindOf,
  isLockSource,
  readRememberedSource,
  writeRememberedSource,
  loadDeclared,
  resolveSource,
  SOURCE_MEMORY_FILE,
  type DeclaredSource,
  type DeclaredSourceKind,
  type DeclaredSet,
  type RememberedSource,
} from './sources';

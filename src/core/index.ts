// Public library surface of Venv Manager's core (dist/core.js). Nothing here imports 'vscode'.
export * from './pyvenvCfg';
export * from './discovery';
export * from './activation';
export { CoreError, ERROR_CODES, errorCodeOf, describeFailure, type ErrorCode, type ErrorLocation, type CoreErrorOptions } from './errors';
export { EnvBuilder, createEnvironment, type EnvBuilderOptions, type EnvContext } from './envBuilder';
export {
  getInterpreterInfo,
  getIntrospectionCount,
  defaultCacheDir,
  versionAtLeast,
  VenvError,
  type InterpreterInfo,
  type InterpreterInfoOptions,
  type WheelFile,
} from './interpreter';
export { envLayout, type EnvLayout } from './layout';
export { targetPlatform, type TargetPlatform, type OsName } from './platform';
export { capabilities, refusal, ENV_OPERATIONS, type Capabilities, type Capability, type EnvOperation } from './capabilities';
export * from './lifecycle';
export * from './packages';
export * from './declared';

/**
 * What the extension bundle gets instead of checkpoint.ts (scripts/build.mjs swaps the module): the
 * crash tests' pause hook must not exist in the extension host, where a VENV_MANAGER_PAUSE_AT
 * inherited from VS Code's environment would freeze every extension. The CLI and the library keep it.
 */
export function checkpoint(_step: string, _env?: NodeJS.ProcessEnv): void {}

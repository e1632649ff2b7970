import * as vscode from 'vscode';
import { CONFIG_SECTION, Settings, type SettingKey } from './constants';

export type Installer = 'auto' | 'pip' | 'uv';
/** How far the active environment is shared with the Python extension and Python Environments. */
export type ShareMode = 'bothWays' | 'toPython' | 'off';
/** Who activates terminals when the Python tools would too. */
export type TerminalActivator = 'auto' | 'venvManager';

/** The extension's settings, typed, with the defaults package.json declares as fallbacks. */
export interface VenvManagerSettings {
  terminalActivation: boolean;
  defaultEnvFolderName: string;
  searchMaxDepth: number;
  searchExclude: string[];
  globalEnvFolders: string[];
  preferredInterpreter: string;
  installer: Installer;
  shareActiveEnvironment: ShareMode;
  terminalActivator: TerminalActivator;
}

export function readSettings(scope?: vscode.ConfigurationScope): VenvManagerSettings {
  const c = vscode.workspace.getConfiguration(CONFIG_SECTION, scope);
  const installer = c.get<string>(Settings.installer, 'auto');
  const folderName = c.get<string>(Settings.defaultEnvFolderName, '.venv').trim();
  return {
    terminalActivation: c.get<boolean>(Settings.terminalActivation, true),
    defaultEnvFolderName: folderName === '' ? '.venv' : folderName,
    searchMaxDepth: Math.max(0, Math.floor(c.get<number>(Settings.searchMaxDepth, 8))),
    searchExclude: stringArray(c.get<unknown>(Settings.searchExclude, [])),
    globalEnvFolders: stringArray(c.get<unknown>(Settings.globalEnvFolders, [])),
    preferredInterpreter: c.get<string>(Settings.preferredInterpreter, '').trim(),
    installer: installer === 'pip' || installer === 'uv' ? installer : 'auto',
    shareActiveEnvironment: oneOf(c.get<string>(Settings.shareActiveEnvironment), ['bothWays', 'toPython', 'off'] as const, 'bothWays'),
    terminalActivator: oneOf(c.get<string>(Settings.terminalActivator), ['auto', 'venvManager'] as const, 'auto'),
  };
}

export function affectsSetting(e: vscode.ConfigurationChangeEvent, key: SettingKey): boolean {
  return e.affectsConfiguration(`${CONFIG_SECTION}.${key}`);
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '') : [];
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  return allowed.find((a) => a === value) ?? fallback;
}

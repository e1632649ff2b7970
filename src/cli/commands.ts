import type { CliCommand } from './io';

/**
 * Every `venv-manager` subcommand, in the order `--help` lists them. Only the name and summary live
 * here: each command's module (and the core it needs) is loaded when that command runs, so
 * `--help` and each command pay only for what they use. The product build makes each of these
 * modules its own file (dist/cli-create.js, ...; see scripts/build.mjs).
 */
export interface CommandEntry {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  load(): CliCommand;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const create = () => require('./create') as typeof import('./create');
const discovery = () => require('./discovery') as typeof import('./discovery');
const lifecycle = () => require('./lifecycle') as typeof import('./lifecycle');
const packages = () => require('./packages') as typeof import('./packages');
/* eslint-enable @typescript-eslint/no-require-imports */

export const commands: readonly CommandEntry[] = [
  { name: 'create', summary: 'create virtual environments (the options of `python -m venv`)', load: () => create().createCommand },
  { name: 'list', summary: 'list virtual environments under folders (and globally with --global), with health', load: () => discovery().listCommand },
  { name: 'inspect', summary: "show one environment's parsed pyvenv.cfg and health", load: () => discovery().inspectCommand },
  { name: 'interpreters', summary: 'list base Python interpreters (newest first)', load: () => discovery().interpretersCommand },
  { name: 'packages', summary: "list an environment's installed packages (and which are outdated)", load: () => packages().packagesCommand },
  { name: 'export', summary: "write an environment's packages as a requirements file or a pylock.toml", load: () => packages().exportCommand },
  { name: 'find-package', summary: 'list the environments that have a package installed, with its version', load: () => packages().findPackageCommand },
  { name: 'recreate', summary: "replace an environment with a fresh one holding a requirements file's packages", load: () => lifecycle().recreateCommand },
  { name: 'install', summary: 'install a requirements file into an environment, all or nothing', load: () => lifecycle().installCommand },
  { name: 'sync', summary: 'make an environment hold exactly what a requirements file, pyproject.toml, pylock.toml or uv.lock declares', load: () => lifecycle().syncCommand },
  { name: 'status', summary: 'tell whether an environment still holds what its source declares (exit 3 when not)', load: () => lifecycle().statusCommand },
  { name: 'clear', summary: 'empty an environment and build it afresh with the same options', load: () => lifecycle().clearCommand },
  { name: 'upgrade', summary: 're-point an environment at its base Python after a patch upgrade', load: () => lifecycle().upgradeCommand },
  { name: 'delete', summary: 'delete an environment folder (asks first)', load: () => lifecycle().deleteCommand },
  { name: 'recover', summary: 'finish or roll back an operation on an environment that was interrupted', load: () => lifecycle().recoverCommand },
];

import type { CliCommand } from './io';

/** Every `venv-manager` subcommand, in the order `--help` lists them. Each lives in its own module. */
export const commands: CliCommand[] = [];

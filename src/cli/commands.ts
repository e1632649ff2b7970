import type { CliCommand } from './io';
import { createCommand } from './create';
import { discoveryCommands } from './discovery';
import { lifecycleCommands } from './lifecycle';

/** Every `venv-manager` subcommand, in the order `--help` lists them. Each lives in its own module. */
export const commands: CliCommand[] = [createCommand, ...discoveryCommands, ...lifecycleCommands];

import { commands } from './commands';
import { cliFailure } from './errors';
import { isCliError, type CliIo } from './io';

export function topLevelHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  return [
    'usage: venv-manager <command> [options]',
    '',
    'Create, inspect and repair Python virtual environments without running `python -m venv`.',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `venv-manager <command> --help` for the options of one command.',
    '',
  ].join('\n');
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(topLevelHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.stderr(`Error: unknown command '${name}'. Run \`venv-manager --help\` to see the commands.\n`);
    return 2;
  }
  const command = entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
    return 0;
  }
  try {
    const code = await command.run(rest, io);
    // A command that ran to success compiled what it needs: keep that for the next run.
    // (Required here, not imported: `--help` does not load the code-cache machinery.)
    if (code === 0) (require('./chunkLoader') as typeof import('./chunkLoader')).saveCodeCaches(); // eslint-disable-line @typescript-eslint/no-require-imports
    return code;
  } catch (err) {
    if (isCliError(err)) {
      io.stderr(`Error: ${err.message}\n`);
      return err.exitCode;
    }
    const failure = cliFailure(err, { verbose: rest.includes('--verbose') || rest.includes('-v') });
    io.stderr(failure.text);
    if (io.env.VENV_MANAGER_DEBUG && err instanceof Error) io.stderr(`${err.stack}\n`);
    return failure.exitCode;
  }
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

import { CliError } from './io';

export interface ParsedOptions {
  positionals: string[];
  flags: Set<string>;
  /** Every value given for an option, in order (repeatable options keep all, others use the last). */
  values: Map<string, string[]>;
}

/**
 * Parses `--name value`, `--name=value`, bare flags and `--` for the subcommands that take only long
 * options. Anything unknown, and a value option followed by another option instead of its value,
 * is a usage error (exit 2).
 */
export function parseOptions(command: string, args: readonly string[], known: { flags?: readonly string[]; values?: readonly string[] }): ParsedOptions {
  const parsed: ParsedOptions = { positionals: [], flags: new Set(), values: new Map() };
  const usage = `Run \`venv-manager ${command} --help\`.`;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      parsed.positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      parsed.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (known.values?.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new CliError(`${name} needs a value. ${usage}`, 2);
      parsed.values.set(name, [...(parsed.values.get(name) ?? []), value]);
    } else if (known.flags?.includes(name) && eq < 0) {
      parsed.flags.add(name);
    } else {
      throw new CliError(`unknown option '${arg}' for ${command}. ${usage}`, 2);
    }
  }
  return parsed;
}

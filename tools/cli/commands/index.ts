import { AWS_OPTIONS_SYNOPSIS, Command } from './command';
import { diagramCommand } from './diagram';
import { startCommand } from './start';
import { statusCommand } from './status';
import { traceCommand } from './trace';

/** The commands, by the word that selects them; any other first argument goes to the local run. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  start: startCommand,
  status: statusCommand,
  trace: traceCommand,
  diagram: diagramCommand,
};

/** The command named by the first argument, with the arguments after it; undefined selects the local run. */
export function selectCommand(argv: readonly string[]): { name: string; command: Command; args: string[] } | undefined {
  const [first, ...args] = argv;
  return first !== undefined && Object.hasOwn(COMMANDS, first) ? { name: first, command: COMMANDS[first], args } : undefined;
}

/** The commands' synopses and descriptions, for the CLI's usage text. */
export function commandsUsage(): string {
  return Object.values(COMMANDS)
    .map((c) => `\n  npm start -- ${c.synopsis}${c.needsAws ? ` ${AWS_OPTIONS_SYNOPSIS}` : ''}\n${c.description.replace(/^/gm, '    ')}`)
    .join('\n');
}

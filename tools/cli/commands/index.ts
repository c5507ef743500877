// The sdp commands, by the word that selects each, each loaded only when it runs.
import type { Command } from './command';

/** A command as `sdp` lists it, loaded only when it runs. */
export interface CommandEntry {
  /** One line for `sdp --help`. */
  readonly summary: string;
  /** Optional peer dependencies the command's module loads, checked before loading it. @default - none */
  readonly peers?: { readonly what: string; readonly packages: readonly string[] };
  /**
   * Loads the command's module. Each command loads its own on demand, so `status`, `trace` and `start`
   * never load aws-cdk-lib or the local engines, and no command needs another's optional peers.
   */
  load(): Command;
}

const SFN_CLIENT = { what: 'the AWS SDK\'s Step Functions client', packages: ['@aws-sdk/client-sfn'] };

/* eslint-disable @typescript-eslint/no-require-imports */
/** The commands, by the word that selects them. */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  run: {
    summary: 'run a state machine of the app on this machine: its functions, tables, topics and queues in-process',
    load: () => (require('./run') as typeof import('./run')).runCommand,
  },
  serve: {
    summary: 'serve a stack of the app on this machine until Ctrl-C: its REST APIs on 127.0.0.1, its schedules, its workers',
    // Besides the local run's engines (checked by the command): the mapping templates' Velocity, the models' JSON Schema
    // draft 4, and the Lambda client a warmer's handler invokes its targets with.
    peers: { what: 'the local API Gateway and Lambda API', packages: ['velocityjs', 'ajv-draft-04', '@aws-sdk/client-lambda'] },
    load: () => (require('./serve') as typeof import('./serve')).serveCommand,
  },
  diagram: {
    summary: 'print the app\'s state machines as Mermaid flowcharts',
    load: () => (require('./diagram') as typeof import('./diagram')).diagramCommand,
  },
  cost: {
    summary: 'estimate the AWS bill of N items through each pipeline, from a metered local run of a sample job',
    load: () => (require('./cost') as typeof import('./cost')).costCommand,
  },
  start: {
    summary: 'start an execution of a deployed state machine (--wait: until it stops)',
    peers: SFN_CLIENT,
    load: () => (require('./start') as typeof import('./start')).startCommand,
  },
  status: {
    summary: 'print a deployed execution\'s status, output, error and cause as one JSON line',
    peers: SFN_CLIENT,
    load: () => (require('./status') as typeof import('./status')).statusCommand,
  },
  trace: {
    summary: 'print a deployed execution\'s history as a tree of spans',
    peers: SFN_CLIENT,
    load: () => (require('./trace') as typeof import('./trace')).traceCommand,
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The command named by the first argument, with the arguments after it; undefined when it names none. */
export function selectCommand(argv: readonly string[]): { name: string; entry: CommandEntry; args: string[] } | undefined {
  const [first, ...args] = argv;
  return first !== undefined && Object.hasOwn(COMMANDS, first) ? { name: first, entry: COMMANDS[first], args } : undefined;
}

#!/usr/bin/env node
// sdp, the command line: runs an app locally (run, serve, cost), draws it (diagram) and drives it once deployed (start, status, trace).
import { setTimeout as sleep } from 'node:timers/promises';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { AwsOptions, CommandIo, EXIT, missingPackages, processHost } from './commands/command';
import { COMMANDS, selectCommand } from './commands/index';

const USAGE = `usage: sdp <command> [<args>]

Runs a CDK app's state machines on this machine, from its cloud assembly, and drives them once deployed.

${Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(9)}${entry.summary}`).join('\n')}

'sdp <command> --help' prints a command's arguments.

The result is the last line of stdout, one JSON line; traces, progress and the functions' own logs go to stderr.
Exit status: 0 succeeded, 1 the execution failed (or, for run, items failed, were dead-lettered or do not reconcile), 2 the command could not run.`;

/** The Step Functions client of the AWS commands, from the SDK only when one is built. */
function createSfnClient(options: AwsOptions): SFNClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./commands/sfn') as typeof import('./commands/sfn')).createSfnClient(options);
}

/**
 * `sdp <command> <args>`: runs the command with `io` and returns the exit status. In-process
 * callers (tests, an app's own front-end) pass their I/O; {@link processIo} is the process's.
 */
export async function main(argv: readonly string[], io: CommandIo, createClient = createSfnClient): Promise<number> {
  const selected = selectCommand(argv);
  if (!selected) {
    const [first] = argv;
    if (first === '--help' || first === '-h') {
      io.stderr.write(`${USAGE}\n`);
      return EXIT.succeeded;
    }
    io.stderr.write(`${first === undefined ? 'sdp needs a command' : `unknown command '${first}'`}\n\n${USAGE}\n`);
    return EXIT.cannotRun;
  }
  const { name, entry, args } = selected;
  const missing = entry.peers ? missingPackages(io.host ?? processHost(), entry.peers.packages) : [];
  if (missing.length > 0) {
    io.stderr.write(`error: sdp ${name} needs ${entry.peers!.what}: npm install -D ${missing.join(' ')}\n`);
    return EXIT.cannotRun;
  }
  return entry.load().execute(args, io, createClient);
}

/**
 * The process's I/O. Only results reach stdout: whatever else writes to it — the functions'
 * own logs, which Lambda would send to CloudWatch — goes to stderr.
 */
export function processIo(): CommandIo {
  const writeResult = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  return { stdout: { write: writeResult }, stderr: process.stderr, sleep, now: Date.now };
}

/** Ends the process with the exit status `status` resolves to (2 when it rejects, with the reason). */
export function exitWith(status: Promise<number>): void {
  status.then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`error: ${(error as Error).message}\n`);
      process.exit(EXIT.cannotRun);
    },
  );
}

if (require.main === module) exitWith(main(process.argv.slice(2), processIo()));

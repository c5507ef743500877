import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, ParseArgsConfig } from 'node:util';
import type { SFNClient } from '@aws-sdk/client-sfn';

/** Exit status, the same for the local run and the AWS commands. */
export const EXIT = {
  /** The execution (or the command) succeeded. */
  succeeded: 0,
  /** The execution failed, timed out or was aborted. */
  failed: 1,
  /** The command could not run: a usage error, an unreadable input, an AWS error. */
  cannotRun: 2,
} as const;

/** The command line is wrong: the message is printed followed by the usage. */
export class UsageError extends Error {}

/** The command could not run (AWS said no, nothing matched): the message says why and what to do. */
export class CommandError extends Error {}

/** Where a command prints: `process.stdout`/`process.stderr`, or a buffer in tests. */
export interface Writer {
  write(text: string): unknown;
  /** A terminal gets a spinner; anything else a line per change, which logs and tests can read. */
  readonly isTTY?: boolean;
}

/** Everything a command touches besides AWS, injected so that tests are fast and deterministic. */
export interface CommandIo {
  /** Results only (an ARN, the output JSON), so that they can be piped. */
  readonly stdout: Writer;
  /** Progress and errors. */
  readonly stderr: Writer;
  /** Waits between polls and retries; tests pass one that returns at once. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch, for the elapsed time shown while waiting. */
  readonly now: () => number;
  /** The process the command runs in. @default - this process ({@link processHost}) */
  readonly host?: Host;
  /**
   * Resolves when the user asks a long-running command (`sdp serve`) to stop; tests resolve it themselves.
   * @default - the process's first SIGINT (Ctrl-C) or SIGTERM
   */
  readonly interrupted?: () => Promise<string>;
}

/** What a command reads of the process it runs in; tests pass their own. */
export interface Host {
  /** The working directory: relative paths, `cdk.json` and the app's synth are there. */
  readonly cwd: string;
  /** The environment the app's synth runs in. */
  readonly env: NodeJS.ProcessEnv;
  /** The Node.js version, e.g. `24.11.0`. */
  readonly nodeVersion: string;
  /** Whether the package is installed where this one can load it (optional peer dependencies). */
  hasPackage(name: string): boolean;
}

/** This process: its working directory, environment and Node.js, and the packages installed beside this one. */
export function processHost(): Host {
  return {
    cwd: process.cwd(),
    env: process.env,
    nodeVersion: process.versions.node,
    // By the package.json on Node's search path, not require.resolve: ESM-only packages (fauxqs) export no CommonJS entry.
    hasPackage: (name) => (require.resolve.paths(name) ?? []).some((dir) => fs.existsSync(path.join(dir, name, 'package.json'))),
  };
}

/** The packages of `names` that `host` does not have, for one `npm install -D …` line. */
export function missingPackages(host: Host, names: readonly string[]): string[] {
  return names.filter((name) => !host.hasPackage(name));
}

/** What a command's `run` gets: the I/O plus a Step Functions client. */
export interface CommandDeps extends CommandIo {
  readonly client: SFNClient;
}

/** The options every AWS command takes, to build its client. */
export interface AwsOptions {
  /** From `--region`, else the region of an ARN given on the command line, else the AWS config chain. */
  readonly region?: string;
  /** From `--profile`, else the AWS config chain (`AWS_PROFILE`, default). */
  readonly profile?: string;
  /** From `--connect-timeout`: how long one attempt may take to connect, in ms. @default 5000 */
  readonly connectTimeoutMs?: number;
  /** From `--request-timeout`: how long one attempt may wait for its response once sent, in ms. @default 30000 */
  readonly requestTimeoutMs?: number;
}

/** An AWS call's attempt that connects nowhere is abandoned after this long. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** An AWS call's attempt that gets no response is abandoned after this long (Step Functions answers in well under a second). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** How a command is written: a pure parser and a function of the parsed options and the injected dependencies. */
export interface CommandSpec<O extends AwsOptions> {
  /** `start <state machine> --input <file.json> ...`, without the common AWS options. */
  readonly synopsis: string;
  /** A few lines for the usage text. */
  readonly description: string;
  /** False for a command that works offline: its usage shows no AWS options. @default true */
  readonly needsAws?: boolean;
  /**
   * Parses the arguments after the command name and checks every value that can be checked
   * without AWS or the app (numbers, names, the files named), so that a mistake is reported
   * before a synth or an AWS call; throws `UsageError`. Relative paths are relative to `host.cwd`.
   */
  parse(args: readonly string[], host: Host): O;
  /** Runs the command; returns the exit status, or throws `UsageError`/`CommandError`. */
  run(options: O, deps: CommandDeps): Promise<number>;
}

/** A command as the dispatcher sees it. */
export interface Command {
  readonly synopsis: string;
  readonly description: string;
  /** Whether it takes the AWS options (`--region`, `--profile`) and talks to AWS. */
  readonly needsAws: boolean;
  /** The command's own usage text. */
  readonly usage: string;
  /** Parses `args`, builds the client and runs; errors are printed on `io.stderr` and become exit status 2. */
  execute(args: readonly string[], io: CommandIo, createClient: (options: AwsOptions) => SFNClient): Promise<number>;
}

/** The options of `AwsOptions` for `parseArgs`, and `--help`, which `execute` answers before parsing. */
export const AWS_OPTIONS = {
  'region': { type: 'string' },
  'profile': { type: 'string' },
  'connect-timeout': { type: 'string' },
  'request-timeout': { type: 'string' },
  'help': { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export const AWS_OPTIONS_SYNOPSIS = '[--region <region>] [--profile <profile>] [--connect-timeout <s>] [--request-timeout <s>]';

const AWS_OPTIONS_USAGE = [
  '  --region <region>      the region (default: the ARN\'s, else the AWS config\'s)',
  '  --profile <profile>    the AWS profile (default: AWS_PROFILE, else the default profile)',
  `  --connect-timeout <s>  seconds an AWS call may take to connect (default ${DEFAULT_CONNECT_TIMEOUT_MS / 1000})`,
  `  --request-timeout <s>  seconds an AWS call may wait for its response (default ${DEFAULT_REQUEST_TIMEOUT_MS / 1000});`,
  '                         a call that times out is tried 3 times in all, then the command fails naming it',
].join('\n');

/** `--profile` and the timeouts of parsed `AWS_OPTIONS` values, checked; the region is the caller's (it may come from an ARN). */
export function awsOptions(values: { 'profile'?: string; 'connect-timeout'?: string; 'request-timeout'?: string }): Omit<AwsOptions, 'region'> {
  return {
    profile: values.profile,
    connectTimeoutMs: seconds(values['connect-timeout'], '--connect-timeout'),
    requestTimeoutMs: seconds(values['request-timeout'], '--request-timeout'),
  };
}

/** A positive number of seconds given as `option`, in ms; undefined when not given. */
function seconds(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
    throw new UsageError(`${option} must be a positive number of seconds (got '${value}')`);
  }
  return Math.ceil(number * 1000);
}

/** Wraps a `CommandSpec` so that the table of commands holds them without knowing each one's options. */
export function defineCommand<O extends AwsOptions>(spec: CommandSpec<O>): Command {
  const needsAws = spec.needsAws ?? true;
  const usage = `usage: sdp ${spec.synopsis}${needsAws ? ` ${AWS_OPTIONS_SYNOPSIS}` : ''}\n\n${spec.description}`
    + (needsAws ? `\n${AWS_OPTIONS_USAGE}` : '');
  return {
    synopsis: spec.synopsis,
    description: spec.description,
    needsAws,
    usage,
    async execute(args, io, createClient) {
      try {
        if (args.some((arg) => arg === '--help' || arg === '-h')) {
          io.stderr.write(`${usage}\n`);
          return EXIT.succeeded;
        }
        const options = spec.parse(args, io.host ?? processHost());
        // Built on first use, so a command that works offline never builds one.
        let client: SFNClient | undefined;
        return await spec.run(options, { ...io, get client() { return (client ??= createClient(options)); } });
      } catch (error) {
        io.stderr.write(error instanceof UsageError ? `${error.message}\n\n${usage}\n` : `error: ${(error as Error).message}\n`);
        return EXIT.cannotRun;
      }
    },
  };
}

/** `parseArgs`, with its errors (unknown option, missing value) as `UsageError`s. */
export function parseCommandLine<C extends ParseArgsConfig>(config: C) {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Reads a JSON file named on the command line (relative to `cwd`); a missing or malformed file is a `UsageError` naming the option. */
export function readJson(file: string, option = '--input', cwd = process.cwd()): unknown {
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${option} ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${option} ${file} is not JSON: ${(error as Error).message}`);
  }
}

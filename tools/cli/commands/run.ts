import * as fs from 'node:fs';
import * as path from 'node:path';
import { assemblyStateMachines, AssemblyStateMachine } from '../../diagram/assembly';
import { ASSEMBLY_OPTIONS, ASSEMBLY_SYNOPSIS, ASSEMBLY_USAGE, AssemblySource, assemblyDirOf, assemblySource } from './assembly-source';
import {
  AwsOptions, CommandDeps, CommandError, defineCommand, Host, missingPackages, parseCommandLine, processHost, readJson, UsageError,
} from './command';
import { executionNameProblem } from '../../local/execution-name';

export interface RunOptions extends AwsOptions, AssemblySource {
  /** Part of the state machine's construct path or logical id. @default - the only state machine (of `stack`) */
  readonly stateMachine?: string;
  /** The stack whose state machine runs. @default - any stack */
  readonly stack?: string;
  /** The JSON file holding the execution input. @default - `{}`; with `scheduled`, the schedule's input */
  readonly inputFile?: string;
  /** Its content, read and parsed when the arguments are. @default - none: `{}`, or with `scheduled` the schedule's input */
  readonly input?: unknown;
  /** The execution name. @default - a random UUID */
  readonly name?: string;
  /** Runs with the input of the schedule or rule that starts the state machine, read from the template. @default false */
  readonly scheduled: boolean;
  /** How long a received message stays invisible locally, in seconds. @default 5 */
  readonly visibilityTimeoutSeconds: number;
  /** Factor of Wait states' waits and retries' back-offs (`--time-scale`). @default - real time */
  readonly timeScale?: number;
  /** Prints one JSON document `{ status, output, error, cause, ... }` instead of the result line. @default false */
  readonly json: boolean;
  /** Files put in the stack's buckets in the local S3 before the execution starts. @default - none */
  readonly putObjects?: readonly ObjectToPut[];
}

/** A local file to put in a bucket of the stack (`--put-object <bucket>/<key>=<file>`), read when the arguments are parsed. */
export interface ObjectToPut {
  /** Part of the bucket's construct path or its logical id. */
  readonly bucket: string;
  readonly key: string;
  readonly file: string;
  readonly body: Buffer;
}

/** What the local run loads; optional peers of this package. */
export const LOCAL_ENGINES = [
  'aws-local-stepfunctions', 'jsonata', 'dynalite', 'fauxqs',
  '@aws-sdk/client-dynamodb', '@aws-sdk/client-s3', '@aws-sdk/client-sns', '@aws-sdk/client-sqs',
] as const;

/** Engines installed at an exact version: the local run adjusts aws-local-stepfunctions 3.0.0's internals (tools/local/interpreter.ts). */
export const PINNED_ENGINES: Record<string, string> = { 'aws-local-stepfunctions': '@3.0.0' };

/** fauxqs, the local SNS/SQS/S3, stores messages with node:sqlite, which Node.js has without a flag since 22.13. */
export const MIN_NODE_VERSION = [22, 13] as const;

/** How long a received message stays invisible locally, in seconds, unless told: redelivery takes seconds, not minutes. */
export const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 5;

export function parseRunArgs(args: readonly string[], host: Pick<Host, 'cwd'> = processHost()): RunOptions {
  const { values, positionals } = parseCommandLine({
    args: [...args],
    allowPositionals: true,
    options: {
      ...ASSEMBLY_OPTIONS,
      'stack': { type: 'string' },
      'input': { type: 'string' },
      'name': { type: 'string' },
      'scheduled': { type: 'boolean' },
      'put-object': { type: 'string', multiple: true },
      'visibility-timeout': { type: 'string' },
      'time-scale': { type: 'string' },
      'json': { type: 'boolean' },
      'help': { type: 'boolean', short: 'h' },
    },
  });
  if (positionals.length > 1) throw new UsageError(`run takes at most one state machine (got ${positionals.length})`);
  const nameProblem = values.name === undefined ? undefined : executionNameProblem(values.name);
  if (nameProblem) throw new UsageError(nameProblem);
  const visibilityTimeoutSeconds = visibilityTimeoutOption(values['visibility-timeout']);
  const input = values.input === undefined ? undefined : readJson(values.input, '--input', host.cwd);
  if (values.scheduled && input !== undefined && !Array.isArray((input as { items?: unknown } | null)?.items)) {
    throw new UsageError('--scheduled --input <file>: the file must hold { "items": [...] }, which are put where the schedule\'s itemsUri points');
  }
  return {
    stateMachine: positionals[0],
    stack: values.stack,
    inputFile: values.input,
    input,
    name: values.name,
    scheduled: values.scheduled ?? false,
    ...values['put-object'] && { putObjects: values['put-object'].map((spec) => objectToPut(spec, host.cwd)) },
    visibilityTimeoutSeconds,
    ...values['time-scale'] !== undefined && { timeScale: timeScaleOption(values['time-scale']) },
    json: values.json ?? false,
    ...assemblySource(values),
  };
}

/** `--visibility-timeout`: whole seconds as SQS allows, 0..43200; the local default without it. */
export function visibilityTimeoutOption(value: string | undefined): number {
  if (value === undefined) return DEFAULT_VISIBILITY_TIMEOUT_SECONDS;
  if (!/^\d+$/.test(value) || Number(value) > 43_200) throw new UsageError(`--visibility-timeout must be a whole number of seconds, 0..43200 (got '${value}')`);
  return Number(value);
}

/** `--time-scale`: a factor more than 0 and at most 1, a decimal number (0.01, 1e-3). */
export function timeScaleOption(value: string): number {
  const factor = Number(value);
  if (value.trim() === '' || !(factor > 0 && factor <= 1)) throw new UsageError(`--time-scale must be a factor more than 0 and at most 1, e.g. 0.01 (got '${value}')`);
  return factor;
}

/** `<bucket>/<key>=<file>`: the bucket named by a part of its construct path or logical id, the file read now. */
export function objectToPut(spec: string, cwd: string): ObjectToPut {
  const parts = /^([^/=]+)\/([^=]+)=(.+)$/.exec(spec);
  if (!parts) throw new UsageError(`--put-object must be <bucket>/<key>=<file>, the bucket a part of its construct path or logical id (got '${spec}')`);
  const [, bucket, key, file] = parts;
  try {
    return { bucket, key, file, body: fs.readFileSync(path.resolve(cwd, file)) };
  } catch (error) {
    throw new UsageError(`cannot read --put-object ${file}: ${(error as Error).message}`);
  }
}

/**
 * Runs a state machine of the app locally, its arguments (the input among them) checked when parsed: checks Node.js and the local engines,
 * synthesizes (or reuses, or reads) the assembly, chooses the state machine, then hands over to
 * the local run, which is loaded only now.
 */
export async function run(options: RunOptions, deps: CommandDeps): Promise<number> {
  checkLocalEngines(deps.host ?? processHost());
  const assemblyDir = await assemblyDirOf(options, deps);
  const machine = chooseStateMachine(assemblyStateMachines(assemblyDir), options.stateMachine, options.stack);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runLocally } = require('./run-locally') as typeof import('./run-locally');
  return runLocally({ ...options, assemblyDir, machine }, deps);
}

/** Throws, in one line, what this machine lacks for the local run: a recent enough Node.js, the engines to install. */
export function checkLocalEngines(host: Host, command = 'run'): void {
  const [major, minor] = host.nodeVersion.split('.').map(Number);
  if (major < MIN_NODE_VERSION[0] || (major === MIN_NODE_VERSION[0] && minor < MIN_NODE_VERSION[1])) {
    throw new CommandError(`sdp ${command} needs Node.js ${MIN_NODE_VERSION.join('.')} or later (fauxqs, the local SNS/SQS, uses node:sqlite); `
      + `this is Node.js ${host.nodeVersion}`);
  }
  const missing = missingPackages(host, LOCAL_ENGINES);
  if (missing.length > 0) {
    throw new CommandError(`sdp ${command} needs the local engines: npm install -D ${missing.map((name) => name + (PINNED_ENGINES[name] ?? '')).join(' ')}`);
  }
}

/**
 * The state machine to run: the one whose id (`<stack>/<construct>`) or logical id is `selector`, else
 * the one that contains it, among those of `stack` (all stacks without one). None or several is an
 * error that lists the candidates.
 */
export function chooseStateMachine(machines: readonly AssemblyStateMachine[], selector?: string, stack?: string): AssemblyStateMachine {
  const list = (found: readonly AssemblyStateMachine[]) => found.map((m) => `  ${m.id}  (${m.logicalId})`).join('\n');
  let candidates = machines;
  if (stack !== undefined) {
    candidates = machines.filter((m) => m.stackName === stack);
    if (candidates.length === 0) {
      const stacks = [...new Set(machines.map((m) => m.stackName))].join(', ') || 'none';
      throw new CommandError(`no state machine in a stack '${stack}' (stacks with state machines: ${stacks})`);
    }
  }
  if (candidates.length === 0) throw new CommandError('the app has no state machine');
  if (selector !== undefined) {
    const exact = candidates.filter((m) => m.id === selector || m.logicalId === selector);
    const matches = exact.length > 0 ? exact : candidates.filter((m) => m.id.includes(selector) || m.logicalId.includes(selector));
    if (matches.length === 0) throw new CommandError(`no state machine matches '${selector}'; there are:\n${list(candidates)}`);
    candidates = matches;
  }
  if (candidates.length > 1) {
    throw new CommandError(`${selector === undefined ? 'there are' : `'${selector}' matches`} ${candidates.length} state machines; `
      + `name one by a part of its path or its logical id${stack === undefined ? ', or give --stack' : ''}:\n${list(candidates)}`);
  }
  return candidates[0];
}

/** How long a Wait state waits at most locally, in seconds: a job workflow's poll interval is there for AWS's costs. */
export const LOCAL_MAX_WAIT_SECONDS = 0.5;

/** The `--time-scale` line of `run`'s and `serve`'s usage. */
export const TIME_SCALE_USAGE = [
  '  --time-scale <factor> multiply every Wait state\'s wait and every retry\'s back-off by the factor, more than 0 and at',
  '                       most 1 (default 1: real time; 0.01: a 3-second wait takes 30 ms); timeouts are not scaled; the',
  '                       trace notes each shortened wait with the definition\'s ("waited 30 ms for 3 s")',
].join('\n');

export const runCommand = defineCommand({
  synopsis: `run [<state machine>] ${ASSEMBLY_SYNOPSIS} [--stack <name>] [--input <file.json>] [--name <id>] [--scheduled] `
    + '[--put-object <bucket>/<key>=<file>]... [--visibility-timeout <s>] [--time-scale <factor>] [--json]',
  description: [
    'Runs a state machine of the app on this machine, from its cloud assembly: the functions\' bundled code in-process,',
    'DynamoDB on an embedded dynalite, SNS, SQS and S3 on an embedded fauxqs. Prints the execution\'s trace to stderr.',
    '  <state machine>      part of its <stack>/<construct> path or of its logical id (default: the only one)',
    ASSEMBLY_USAGE,
    '  --stack <name>       choose among the state machines of this stack',
    '  --input <file>       the execution input (JSON; default {})',
    '  --name <id>          the execution name (default: a random UUID)',
    '  --scheduled          run with the input of the EventBridge schedule or rule that starts the state machine, read',
    '                       from the template; when that input has an itemsUri s3://<bucket>/<key>, the --input file\'s',
    '                       { "items": [...] } are put there in the local S3 first',
    '  --put-object <bucket>/<key>=<file>  put the file in a bucket of the stack, in the local S3, before the execution',
    '                       (the bucket: a part of its construct path or its logical id); may be given several times',
    `  --visibility-timeout <s> how long a received message stays invisible locally (default ${DEFAULT_VISIBILITY_TIMEOUT_SECONDS}; the template's is minutes)`,
    TIME_SCALE_USAGE,
    '  --json               print { status, output, error, cause, executionArn, stateMachine, stack, jobs, queues, tables,',
    '                       functions, mapRuns } instead (mapRuns: each distributed Map\'s run with its itemCounts and',
    '                       executionCounts by status, as DescribeMapRun gives them; putEvents, events and',
    '                       deliveredExecutions: see below)',
    '',
    `Locally, Wait states wait at most ${LOCAL_MAX_WAIT_SECONDS} s (after --time-scale): a workflow that polls for its workers does not wait out AWS's intervals.`,
    'While a distributed Map runs, its progress is shown on stderr (items done of the total, failed, items/s, time left):',
    'a bar on a terminal, otherwise a line every 5 s.',
    'For a stack whose functions are fed from queues, the workers run from before the execution until the queues are',
    'drained after it. Result, the last line of stdout: the execution output as one JSON line; for such a stack,',
    '{ output, jobs, queues, tables, functions }. jobs (for a stack with a job table): for each job, its items, stored, failed and',
    'deadLettered, where items = stored + failed + deadLettered once every item is accounted for (stderr: one line per',
    'job, the missing chunks of a job that does not reconcile, its first failed items). queues: for each such queue (by',
    'construct path) its messages, processed, deadLettered (messages), deadLetteredItems (the items in them),',
    'received, failedRecords, invocations and the errors of whole invocations by name. tables: each table\'s item count.',
    'functions: for each function invoked, its invocations, coldStarts (and initMs), provisioned, throttles, timeouts, errors.',
    'Events put on the app\'s buses (by an events:putEvents task or a handler\'s PutEvents) are matched against its rules',
    'with event patterns and delivered to their targets (state machines, functions, queues, topics); stderr shows each',
    'event with the rules it matched and what they delivered, and the executions they started once finished (the run',
    'waits for them and for the functions they invoked). --json: putEvents (the execution\'s events with their rules),',
    'events (every event of the run) and deliveredExecutions (executionArn, stateMachine, status, startedBy, error).',
    'Exit status: 0 the execution succeeded, every item was stored (without a job table: no message was',
    'dead-lettered) and every execution the rules started succeeded; 1 otherwise; 2 the run could not start.',
  ].join('\n'),
  needsAws: false,
  parse: parseRunArgs,
  run,
});

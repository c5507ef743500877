#!/usr/bin/env node
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CommandIo, EXIT } from '../tools/cli/commands/command';
import { seedWords } from './seed-words';
import { COMMANDS } from '../tools/cli/commands/index';
import { exitWith, main as sdp, processIo } from '../tools/cli/sdp';

/**
 * The stack of each example of `examples/example-app.ts` (its `EXAMPLE_STACKS`, which a test compares
 * with these): named here so that `npm start` loads neither aws-cdk-lib nor cdk-nag when the assembly is reused.
 */
export const EXAMPLES = { 'word-length': 'WordLengthExample', 'fan-out': 'FanOutExample', 'distributed': 'DistributedExample' } as const;
type Example = keyof typeof EXAMPLES;

/** The execution name of the fan-out example, its job id, when none is given. */
const FAN_OUT_JOB_ID = 'local-job';

/** Where the distributed example's job file is put, in its jobs bucket (the stack's `DISTRIBUTED_JOBS_PREFIX`). */
const DISTRIBUTED_JOB = { bucket: 'JobsBucket', key: 'jobs/local-job.json' } as const;

/** The job file the fan-out stack's 5-minute schedule runs (its `SCHEDULED_JOB_KEY`), in its jobs bucket: `npm start -- serve` puts it there. */
export const SCHEDULED_JOB = { bucket: 'JobsBucket', key: 'jobs/scheduled.json' } as const;

/** The examples that run a job of items `{ "items": [...] }`: its default file, and what --items generates. */
const JOB_EXAMPLES: readonly string[] = ['fan-out', 'distributed'];

/** The most items `--items` generates: a job file of about 20 MB. */
const MAX_GENERATED_ITEMS = 1_000_000;

const USAGE = `usage: npm start -- [<example>] [--input <file.json> | --items <n>] [--name <id>] [--scheduled] [--assembly <cdk.out>]
                    [--state-machine <id>] [--visibility-timeout <s>] [--synth] [--json]
       npm start -- <sdp command> ...     (${Object.keys(COMMANDS).join(', ')}; 'npm start -- <command> --help')
       npm start -- serve [--schedules off|on|fast] ...  serves the fan-out stack's API and schedules until Ctrl-C,
                    its scheduled job file (examples/inputs/scheduled-job.json) put in its jobs bucket

Runs an example of the example app locally: 'sdp run' on its stack, with the example's input. The app is
synthesized by cdk.json's app into cdk.out, or cdk.out is reused when nothing changed since.

  <example>            word-length: seed 001's map/reduce workflow (default)
                       fan-out: seed 004's job workflow: split, fanned out through SNS and SQS, stored
                       distributed: seed 004's job through a Distributed Map: its items put in the local S3 as a
                       job file, mapped in batches, the results written to S3 and summed
  --input <file>       the execution input (default: examples/inputs/<example>.json; fan-out and distributed:
                       a job { "items": [...] }, examples/inputs/fan-out.json)
  --items <n>          fan-out, distributed: a generated job of n items (seed 001's seven words over and over),
                       up to ${MAX_GENERATED_ITEMS.toLocaleString('en-US')}
  --name <id>          the execution name; for fan-out, the job id (default: a random UUID; fan-out: ${FAN_OUT_JOB_ID})
  --scheduled          run as the stack's schedule does: with its input from the template; the --input file's
                       items are first put at its itemsUri in the local S3 (fan-out)
  --assembly <dir>     run an assembly synthesized before (e.g. by 'npx cdk synth') instead
  --state-machine <id> logical id or construct path part, when a stack has several
  --visibility-timeout <s> how long a received message stays invisible locally (default 5; the template's is minutes)
  --synth              synthesize even when nothing changed
  --json               print { status, output, error, cause, ... } as one JSON document instead

The trace goes to stderr. word-length prints its output as one JSON line, {"totalLength":39}; fan-out runs the
workers while the job workflow waits for them, drains the queues and prints { output, jobs, queues, tables,
functions }: the job's items, stored, failed and deadLettered, each queue's messages, each table's item count,
each function's invocations and cold starts ('sdp run --help' says each field); distributed shows its map run's
progress and prints its output, { items, measured, failed, totalLength }.
Exit status: 0 succeeded with every item stored, 1 the execution failed, items failed or were dead-lettered, or a
job's counts do not reconcile, 2 the run could not start.`;

/** The options of an example run, as parsed. */
interface ExampleValues {
  readonly 'input'?: string;
  readonly 'items'?: string;
  readonly 'name'?: string;
  readonly 'scheduled'?: boolean;
  readonly 'assembly'?: string;
  readonly 'state-machine'?: string;
  readonly 'visibility-timeout'?: string;
  readonly 'synth'?: boolean;
  readonly 'json'?: boolean;
}

/** `npm start -- <args>`: an example run through `sdp run`, or an sdp command as it is. */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  if (argv[0] === 'serve') return sdp(serveArgs(argv), io);
  if (argv[0] !== undefined && Object.hasOwn(COMMANDS, argv[0])) return sdp(argv, io);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        'input': { type: 'string' },
        'items': { type: 'string' },
        'name': { type: 'string' },
        'scheduled': { type: 'boolean' },
        'assembly': { type: 'string' },
        'state-machine': { type: 'string' },
        'visibility-timeout': { type: 'string' },
        'synth': { type: 'boolean' },
        'json': { type: 'boolean' },
        'help': { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return usageError(io, (error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stderr.write(`${USAGE}\n`);
    return EXIT.succeeded;
  }
  const example = positionals[0] ?? 'word-length';
  if (!Object.hasOwn(EXAMPLES, example)) return usageError(io, `unknown example '${example}'`);
  if (positionals.length > 1) return usageError(io, `one example at a time (got ${positionals.join(', ')})`);
  const name = values.name ?? (example === 'fan-out' ? FAN_OUT_JOB_ID : undefined);
  const job = JOB_EXAMPLES.includes(example);
  // The job files this run writes, removed when it ends (a generated job is up to ~20 MB).
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-example-'));
  try {
    return await runExample(example as Example, values, job, name, scratch, io);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

async function runExample(example: Example, values: ExampleValues, job: boolean, name: string | undefined, scratch: string, io: CommandIo): Promise<number> {
  let input = values.input ?? path.join(__dirname, 'inputs', `${job ? 'fan-out' : example}.json`);
  /** The job's items, when `--items` generates them. */
  let generated: unknown[] | undefined;
  if (values.items !== undefined) {
    if (!job) return usageError(io, `--items generates a job for ${JOB_EXAMPLES.join(' or ')} (not ${example})`);
    if (values.input !== undefined) return usageError(io, 'give --input or --items, not both');
    const items = Number(values.items);
    if (!Number.isInteger(items) || items < 1 || items > MAX_GENERATED_ITEMS) {
      return usageError(io, `--items must be a whole number, 1..${MAX_GENERATED_ITEMS} (got '${values.items}')`);
    }
    generated = seedWords(items);
    if (example === 'fan-out') input = writeJson(scratch, `job-${items}.json`, { items: generated });
  }
  // The distributed example reads its items from S3: the job's items become the job file, the input names its key.
  const putObject: string[] = [];
  if (example === 'distributed') {
    let items = generated;
    if (!items) {
      try {
        items = (JSON.parse(fs.readFileSync(input, 'utf8')) as { items?: unknown[] }).items;
      } catch (error) {
        return usageError(io, `cannot read --input ${input}: ${(error as Error).message}`);
      }
      if (!Array.isArray(items)) return usageError(io, `--input ${input} must hold a job { "items": [...] }`);
    }
    putObject.push('--put-object', `${DISTRIBUTED_JOB.bucket}/${DISTRIBUTED_JOB.key}=${writeJson(scratch, 'items.json', items)}`);
    input = writeJson(scratch, 'input.json', { itemsKey: DISTRIBUTED_JOB.key });
  }
  return sdp([
    'run',
    ...values['state-machine'] === undefined ? [] : [values['state-machine']],
    '--stack', EXAMPLES[example],
    '--input', input,
    ...putObject,
    ...name === undefined ? [] : ['--name', name],
    ...values.assembly === undefined ? [] : ['--assembly', values.assembly],
    ...values['visibility-timeout'] === undefined ? [] : ['--visibility-timeout', values['visibility-timeout']],
    ...values.scheduled ? ['--scheduled'] : [],
    ...values.synth ? ['--synth'] : [],
    ...values.json ? ['--json'] : [],
  ], io);
}

/**
 * `sdp serve` of the example app: the fan-out stack (the one with the API and the schedules) unless another is named,
 * with the job file its 5-minute schedule runs put in its jobs bucket unless the caller puts objects of their own.
 */
function serveArgs(argv: readonly string[]): string[] {
  const args = [...argv];
  const stackAt = args.findIndex((a) => a === '--stack' || a.startsWith('--stack='));
  const stack = stackAt < 0 ? EXAMPLES['fan-out'] : args[stackAt].startsWith('--stack=') ? args[stackAt].slice('--stack='.length) : args[stackAt + 1];
  if (stackAt < 0) args.push('--stack', stack);
  if (!args.some((a) => a === '--put-object' || a.startsWith('--put-object=')) && stack === EXAMPLES['fan-out']) {
    args.push('--put-object', `${SCHEDULED_JOB.bucket}/${SCHEDULED_JOB.key}=${path.join(__dirname, 'inputs', 'scheduled-job.json')}`);
  }
  return args;
}

/** `value` as JSON in `dir`/`name`: its path. */
function writeJson(dir: string, name: string, value: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

function usageError(io: CommandIo, message: string): number {
  io.stderr.write(`${message}\n\n${USAGE}\n`);
  return EXIT.cannotRun;
}

if (require.main === module) exitWith(main(process.argv.slice(2), processIo()));

#!/usr/bin/env node
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { LocalExecution, LocalExecutionRequest, LocalRunner } from '../tools/local/local-runner';
import { toHistoryEvents } from '../tools/local/history-events';
import { buildTrace } from '../tools/trace/execution-trace';
import { formatTrace } from '../tools/trace/format-trace';
import { readJson, UsageError } from '../tools/cli/commands/command';
import { commandsUsage, selectCommand } from '../tools/cli/commands/index';
import { createSfnClient } from '../tools/cli/commands/sfn';
import { createExampleApp, EXAMPLE_STACKS, ExampleName } from './example-app';

const USAGE = `usage: npm start -- [<example>] [--input <file.json>] [--name <id>] [--assembly <cdk.out>] [--state-machine <id>] [--visibility-timeout <s>]

Synthesizes the example app and runs it locally from the cloud assembly: the functions'
bundled code in-process, DynamoDB on an embedded dynalite, SNS/SQS on an embedded fauxqs.

  <example>            word-length: seed 001's map/reduce workflow (default)
                       fan-out: seed 004's job workflow: split, fanned out through SNS and SQS, stored
  --input <file>       the execution input (default: examples/inputs/<example>.json)
  --name <id>          the execution name; for fan-out, the job id (default: a random UUID; fan-out: local-job)
  --scheduled          fan-out: run the job as its 5-minute schedule does — the schedule's input from the
                       template, whose itemsUri names the job file; the --input file's items are put there
                       in the local S3 first
  --assembly <dir>     run an assembly synthesized before (e.g. by 'npx cdk synth') instead of synthesizing
  --state-machine <id> logical id or construct path part, when a stack has several
  --visibility-timeout <s> how long a received message stays invisible locally (default 5; the template's is minutes)

Both print the execution's trace to stderr, as 'trace' prints a deployed execution's. word-length
then prints the output as one JSON line to stdout; fan-out lets the workers drain the queues and
prints one JSON line: job id, items, chunks, stored, worker invocations, failed records, dead-lettered.
Exit status: 0 succeeded, 1 the execution failed or messages were dead-lettered, 2 the run could not start.

Commands. Those with AWS options work on a deployed app (credentials and region from --profile and
--region, else the usual AWS environment and config files; an ARN on the command line also gives the
region); diagram reads the synthesized app:
${commandsUsage()}

Exit status: 0 the execution succeeded (or started, or is running), 1 it failed, timed out or was aborted,
2 the command could not run (usage, input file, AWS error).`;

// stdout carries only the execution output; everything else, including the
// functions' own logs (Lambda would send those to CloudWatch), goes to stderr.
const writeOutput = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

async function main(argv: string[]): Promise<number> {
  const selected = selectCommand(argv);
  if (selected) {
    const io = { stdout: { write: writeOutput }, stderr: process.stderr, sleep, now: Date.now };
    return selected.command.execute(selected.args, io, createSfnClient);
  }
  return runLocal(argv);
}

/** The local run: synthesizes (or reads) the example app's assembly and runs it in-process. */
async function runLocal(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'input': { type: 'string' },
      'name': { type: 'string' },
      'scheduled': { type: 'boolean' },
      'assembly': { type: 'string' },
      'state-machine': { type: 'string' },
      'visibility-timeout': { type: 'string', default: '5' },
      'help': { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  const example = (positionals[0] ?? 'word-length') as ExampleName;
  if (!(example in EXAMPLE_STACKS)) throw new UsageError(`unknown example '${example}'`);

  const inputFile = values.input ?? path.join(__dirname, 'inputs', `${example}.json`);
  const input = readJson(inputFile);
  let assemblyDir = values.assembly;
  if (!assemblyDir) {
    assemblyDir = path.join(process.cwd(), 'cdk.out');
    createExampleApp({ outdir: assemblyDir }).synth();
  }

  const visibilityTimeoutSeconds = Number(values['visibility-timeout']);
  if (!Number.isInteger(visibilityTimeoutSeconds) || visibilityTimeoutSeconds < 0) {
    throw new UsageError(`--visibility-timeout must be a whole number of seconds (got '${values['visibility-timeout']}')`);
  }
  const runner = await LocalRunner.start({ assemblyDir, stackName: EXAMPLE_STACKS[example], visibilityTimeoutSeconds });
  try {
    return example === 'fan-out'
      ? await runFanOut(runner, values.scheduled ? await asScheduled(runner, input) : input, values.name ?? 'local-job')
      : await runWorkflow(runner, input, values['state-machine'], values.name);
  } finally {
    await runner.stop();
  }
}

/** Runs one execution and prints its trace, as `trace` prints a deployed one; undefined when it did not succeed (the reason is printed). */
async function executeWithTrace(runner: LocalRunner, request: LocalExecutionRequest): Promise<LocalExecution | undefined> {
  const execution = await runner.execute(request);
  console.error(formatTrace(buildTrace(execution.executionArn, toHistoryEvents(execution.events, execution))));
  if (execution.status === 'SUCCEEDED') return execution;
  console.error(`execution ${execution.status}: ${execution.error}\ncause: ${execution.cause}`);
  return undefined;
}

async function runWorkflow(runner: LocalRunner, input: unknown, stateMachine?: string, name?: string): Promise<number> {
  const execution = await executeWithTrace(runner, { stateMachine, input, name });
  if (!execution) return 1;
  writeOutput(`${JSON.stringify(execution.output)}\n`);
  return 0;
}

/**
 * The input the stack's schedule gives the job workflow (read from the template),
 * with the job's items put where its `itemsUri` points, in the local S3.
 */
async function asScheduled(runner: LocalRunner, job: unknown): Promise<unknown> {
  const schedules = runner.scheduledInputs('RunJob');
  if (schedules.length !== 1) throw new UsageError(`--scheduled needs one schedule of the job workflow (found ${schedules.length})`);
  const input = schedules[0].input as { itemsUri?: unknown };
  const location = typeof input.itemsUri === 'string' ? /^s3:\/\/([^/]+)\/(.+)$/.exec(input.itemsUri) : null;
  if (!location) throw new UsageError(`--scheduled: the schedule ${schedules[0].schedule} gives no itemsUri (input ${JSON.stringify(input)})`);
  const items = (job as { items?: unknown }).items;
  if (!Array.isArray(items)) throw new UsageError('--scheduled: the --input file must hold { "items": [...] }, which are put at the schedule\'s itemsUri');
  await runner.snsSqs!.s3.send(new PutObjectCommand({ Bucket: location[1], Key: location[2], Body: JSON.stringify(items) }));
  console.error(`${items.length} items put at ${input.itemsUri}; running the job with the input of schedule ${schedules[0].schedule}`);
  return input;
}

/**
 * Runs the job workflow (as the schedule and the API do), lets the workers drain
 * the queues, and counts what was stored and what was dead-lettered.
 */
async function runFanOut(runner: LocalRunner, job: unknown, jobId: string): Promise<number> {
  const execution = await executeWithTrace(runner, { stateMachine: 'RunJob', input: job, name: jobId });
  if (!execution) return 1;
  const split = execution.output as { jobId: string; chunks: number; items: number };
  const drained = await runner.drainQueues();
  const { Items = [] } = await runner.dynamodb.client.send(new ScanCommand({ TableName: runner.tableName('Results') }));
  const stats = Object.values(drained.pollers);
  const summary = {
    ...split,
    stored: Items.filter((item) => item.jobId?.S === split.jobId).length,
    invocations: stats.reduce((n, s) => n + s.invocations, 0),
    failedRecords: stats.reduce((n, s) => n + s.failedRecords, 0),
    deadLettered: Object.values(drained.deadLettered).reduce((n, c) => n + c, 0),
  };
  writeOutput(`${JSON.stringify(summary)}\n`);
  return summary.deadLettered === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof UsageError ? `${error.message}\n\n${USAGE}` : `error: ${(error as Error).message}`);
    process.exit(2);
  },
);

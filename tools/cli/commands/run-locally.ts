import { PutObjectCommand } from '@aws-sdk/client-s3';
import { constructPath } from '../../assembly/cloud-assembly';
import type { AssemblyStateMachine } from '../../diagram/assembly';
import { toHistoryEvents } from '../../local/history-events';
import { LocalExecution, LocalRunner, QueueDrain } from '../../local/local-runner';
import { buildTrace } from '../../trace/execution-trace';
import { formatTrace } from '../../trace/format-trace';
import { CommandError, CommandIo, EXIT } from './command';

export interface LocalRunRequest {
  readonly assemblyDir: string;
  readonly machine: AssemblyStateMachine;
  /** The parsed `--input` file. @default - `{}`, or with `scheduled` the schedule's input */
  readonly input?: unknown;
  readonly name?: string;
  readonly scheduled: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly json: boolean;
}

/** A drained queue in the output: the counts of {@link QueueDrain}, keyed by the queue's construct path. */
export type QueueSummary = Omit<QueueDrain, 'deadLetterQueue'>;

/**
 * Starts the local engines for the state machine's stack, runs one execution and prints its trace on stderr;
 * for a stack whose functions are fed from queues, drains them. Then prints the result (stdout's last line)
 * and returns the exit status: 1 when the execution failed or messages were dead-lettered.
 */
export async function runLocally(request: LocalRunRequest, io: CommandIo): Promise<number> {
  const { machine } = request;
  const runner = await LocalRunner.start({
    assemblyDir: request.assemblyDir, stackName: machine.stackName, visibilityTimeoutSeconds: request.visibilityTimeoutSeconds,
  });
  try {
    const input = request.scheduled ? await scheduledInput(runner, machine, request.input, io) : request.input ?? {};
    io.stderr.write(`running ${machine.id} (${machine.logicalId}) locally\n`);
    const execution = await runner.execute({ stateMachine: machine.logicalId, input, name: request.name });
    io.stderr.write(`${formatTrace(buildTrace(execution.executionArn, toHistoryEvents(execution.events, execution)))}\n`);
    const drained = runner.hasQueueEventSources() ? await runner.drainQueues() : undefined;
    const queues = drained && byPath(runner, drained.queues, ({ deadLetterQueue, ...counts }) => counts);
    const tables = request.json || drained ? byPath(runner, await runner.itemCounts(), (count) => count) : undefined;
    const succeeded = execution.status === 'SUCCEEDED';
    if (request.json) {
      io.stdout.write(`${JSON.stringify(jsonDocument(execution, machine, queues, tables))}\n`);
    } else if (succeeded) {
      io.stdout.write(`${JSON.stringify(drained ? { output: execution.output, queues, tables } : execution.output)}\n`);
    }
    // The whole cause once: here, or with --json in the document on stdout (the trace shows it in one line).
    const cause = request.json || execution.cause === undefined ? '' : `cause: ${execution.cause}\n`;
    if (!succeeded) io.stderr.write(`execution ${execution.status}: ${execution.error}\n${cause}`);
    const deadLettered = Object.values(drained?.queues ?? {}).filter((q) => q.deadLettered > 0);
    for (const queue of deadLettered) {
      io.stderr.write(`${queue.deadLettered} message(s) dead-lettered in ${constructPath(runner.stack, queue.deadLetterQueue!)}\n`);
    }
    return succeeded && deadLettered.length === 0 ? EXIT.succeeded : EXIT.failed;
  } finally {
    await runner.stop();
  }
}

/** The `--json` document: DescribeExecution's fields, what ran, and what the queues and tables hold after it. */
function jsonDocument(execution: LocalExecution, machine: AssemblyStateMachine, queues?: Record<string, QueueSummary>, tables?: Record<string, number>) {
  return {
    status: execution.status,
    output: execution.output ?? null,
    error: execution.error ?? null,
    cause: execution.cause ?? null,
    executionArn: execution.executionArn,
    stateMachine: machine.id,
    stack: machine.stackName,
    ...queues && { queues },
    tables,
  };
}

/** `values` keyed by logical id, re-keyed by construct path. */
function byPath<T, R>(runner: LocalRunner, values: Record<string, T>, map: (value: T) => R): Record<string, R> {
  return Object.fromEntries(Object.entries(values).map(([logicalId, value]) => [constructPath(runner.stack, logicalId), map(value)]));
}

/**
 * The input the schedule or rule that starts the state machine gives it (read from the template). With a job
 * (`--input { items }`), its items are first put where the input's `itemsUri` points, in the local S3.
 */
async function scheduledInput(runner: LocalRunner, machine: AssemblyStateMachine, job: unknown, io: CommandIo): Promise<unknown> {
  const schedules = runner.scheduledInputs(machine.logicalId).map((s) => ({ ...s, schedule: constructPath(runner.stack, s.schedule) }));
  if (schedules.length !== 1) {
    throw new CommandError(`--scheduled needs one schedule or rule that starts ${machine.id} (found ${schedules.length}`
      + `${schedules.length > 0 ? `: ${schedules.map((s) => s.schedule).join(', ')}` : ''})`);
  }
  const [{ schedule, input }] = schedules;
  if (job === undefined) {
    io.stderr.write(`running with the input of ${schedule}\n`);
    return input;
  }
  const itemsUri = (input as { itemsUri?: unknown } | null)?.itemsUri;
  const location = typeof itemsUri === 'string' ? /^s3:\/\/([^/]+)\/(.+)$/.exec(itemsUri) : null;
  if (!location) {
    throw new CommandError(`--scheduled --input: the input of ${schedule} names no itemsUri s3://<bucket>/<key> to put the items at `
      + `(its input is ${JSON.stringify(input)}); leave out --input to run with it as it is`);
  }
  if (!runner.snsSqs) throw new CommandError(`--scheduled --input: stack ${runner.stack.name} has no bucket to put the items in`);
  const items = (job as { items: unknown[] }).items;
  await runner.snsSqs.s3.send(new PutObjectCommand({ Bucket: location[1], Key: location[2], Body: JSON.stringify(items) }));
  io.stderr.write(`${items.length} items put at ${itemsUri}; running with the input of ${schedule}\n`);
  return input;
}

import { constructPath } from '../../assembly/cloud-assembly';
import type { AssemblyStateMachine } from '../../diagram/assembly';
import { putObject } from '../../local/local-sns-sqs';
import type { JobAccount, JobCounts } from '../../local/job-accounting';
import type { FunctionStats } from '../../local/local-lambda';
import { PublishedEvent, publishedEventLines } from '../../local/event-bus';
import { LocalExecution, LocalRunner, QueueDrain } from '../../local/local-runner';
import type { ExecutionRecord } from '../../local/local-step-functions';
import { localExecutionTrace } from '../../local/local-trace';
import type { ChildExecution } from '../../local/step-functions-integrations';
import { formatTrace } from '../../trace/format-trace';
import { CommandError, CommandIo, EXIT } from './command';
import { LOCAL_MAX_WAIT_SECONDS, ObjectToPut } from './run';
import { mapRunProgressPrinter } from './run-progress';

export interface LocalRunRequest {
  readonly assemblyDir: string;
  readonly machine: AssemblyStateMachine;
  /** The parsed `--input` file. @default - `{}`, or with `scheduled` the schedule's input */
  readonly input?: unknown;
  readonly name?: string;
  readonly scheduled: boolean;
  readonly visibilityTimeoutSeconds: number;
  /** Factor of Wait states' waits and retries' back-offs (LocalRunnerOptions.timeScale). @default 1 */
  readonly timeScale?: number;
  readonly json: boolean;
  /** Files put in the stack's buckets before the execution. @default - none */
  readonly putObjects?: readonly ObjectToPut[];
}

/** A drained queue in the output: the counts of {@link QueueDrain}, keyed by the queue's construct path. */
export type QueueSummary = Omit<QueueDrain, 'deadLetterQueue'>;

/** How long `sdp run` waits for the executions the run started (fire-and-forget children) once the execution stopped. */
const CHILD_EXECUTIONS_WAIT_MS = 15 * 60_000;

/** How many failed items stderr lists per job; the total is always printed. */
const FAILED_ITEMS_SHOWN = 5;

/**
 * Starts the local engines for the state machine's stack and runs one execution, printing its trace on stderr.
 * For a stack whose functions are fed from queues, the workers run from before the execution (a workflow may
 * wait for them) until the queues are drained after it. For a stack with a job table, each job's items are
 * accounted for. Then prints the result (stdout's last line) and returns the exit status: 0 only when the
 * execution succeeded and every item (every message, without a job table) was stored.
 */
export async function runLocally(request: LocalRunRequest, io: CommandIo): Promise<number> {
  const { machine } = request;
  const runner = await LocalRunner.start({
    assemblyDir: request.assemblyDir, stackName: machine.stackName, visibilityTimeoutSeconds: request.visibilityTimeoutSeconds,
    maxWaitSeconds: LOCAL_MAX_WAIT_SECONDS, timeScale: request.timeScale,
  });
  let stopWatching: (() => void) | undefined;
  try {
    for (const { bucket, key, file, body } of request.putObjects ?? []) {
      const uri = await runner.putObject(bucket, key, body);
      io.stderr.write(`put ${file} at ${uri}\n`);
    }
    const input = request.scheduled ? await scheduledInput(runner, machine, request.input, io) : request.input ?? {};
    const workers = runner.hasQueueEventSources();
    if (workers) runner.startWorkers();
    io.stderr.write(`running ${machine.id} (${machine.logicalId}) locally\n`);
    for (const line of runner.eventBus.unsupportedRules()) io.stderr.write(`${line}\n`);
    // A one-off run ends: a task token nothing in it can answer stops the execution waiting for it (the run's, or one
    // it started, while the run waits for them) instead of holding the run for a year.
    stopWatching = runner.watchUnanswerable();
    const execution = await runner.execute({ stateMachine: machine.logicalId, input, name: request.name, onProgress: mapRunProgressPrinter(io) });
    // A fire-and-forget child may outlive its parent: the run is over once every execution it started has stopped.
    const stillRunning = await runner.stepFunctions.settle(CHILD_EXECUTIONS_WAIT_MS);
    io.stderr.write(`${formatTrace(localExecutionTrace(execution))}\n`);
    for (const child of execution.childExecutions) io.stderr.write(`${childExecutionLine(runner, child)}\n`);
    if (stillRunning > 0) io.stderr.write(`${stillRunning} execution(s) started by the run still running after ${CHILD_EXECUTIONS_WAIT_MS / 60_000} min: not waited for\n`);
    // What the events started runs before the queues are drained (a rule may send to a queue) and after (a worker may put an event).
    await runner.settleDeliveries(EVENT_DELIVERIES_GRACE_MS);
    const drained = workers ? await runner.drainQueues() : undefined;
    if (drained) await runner.settleDeliveries(EVENT_DELIVERIES_GRACE_MS);
    for (const published of runner.eventBus.events()) io.stderr.write(`${publishedEventLines(published).join('\n')}\n`);
    const delivered = executionsStartedByRules(runner);
    for (const record of delivered) io.stderr.write(`${deliveredExecutionLine(runner, record)}\n`);
    const accounts = await runner.jobAccounts(drained?.deadLetters);
    const jobs = accounts && Object.fromEntries(accounts.map(({ jobId, items, stored, failed, deadLettered }) => [jobId, { items, stored, failed, deadLettered }]));
    const queues = drained && byPath(runner, drained.queues, ({ deadLetterQueue, ...counts }) => counts);
    const tables = request.json || drained || accounts ? byPath(runner, await runner.itemCounts(), (count) => count) : undefined;
    const invoked = Object.entries(runner.lambda.stats()).filter(([, f]) => f.invocations + f.throttles + f.provisioned > 0);
    const functions = byPath(runner, Object.fromEntries(invoked), functionSummary);
    const succeeded = execution.status === 'SUCCEEDED';
    if (request.json) {
      io.stdout.write(`${JSON.stringify(jsonDocument(runner, execution, machine, { jobs, queues, tables, functions, events: runner.eventBus.events(), delivered }))}\n`);
    } else if (succeeded) {
      io.stdout.write(`${JSON.stringify(drained || accounts ? { output: execution.output, ...jobs && { jobs }, ...queues && { queues }, tables, functions } : execution.output)}\n`);
    }
    for (const [path, f] of Object.entries(functions)) io.stderr.write(`${functionLine(path, f)}\n`);
    // The whole cause once: here, or with --json in the document on stdout (the trace shows it in one line).
    const cause = request.json || execution.cause === undefined ? '' : `cause: ${execution.cause}\n`;
    if (!succeeded) io.stderr.write(`execution ${execution.status}: ${execution.error}\n${cause}`);
    const jobsComplete = (accounts ?? []).map((account) => reportJob(account, io)).every(Boolean);
    // A worker's errors are reported, not swallowed: by name, once per queue, with the first message.
    for (const [queue, { errors = {} }] of Object.entries(queues ?? {})) {
      for (const [name, { count, message }] of Object.entries(errors)) io.stderr.write(`worker of ${queue}: ${count} invocation(s) failed with ${name}: ${message}\n`);
    }
    const deadLettered = Object.values(drained?.queues ?? {}).filter((q) => q.deadLettered > 0);
    for (const queue of deadLettered) {
      io.stderr.write(`${queue.deadLettered} message(s) (${queue.deadLetteredItems} item(s)) dead-lettered in ${constructPath(runner.stack, queue.deadLetterQueue!)}\n`);
    }
    const deliveriesSucceeded = delivered.every((record) => record.status === 'SUCCEEDED');
    return succeeded && jobsComplete && deadLettered.length === 0 && deliveriesSucceeded ? EXIT.succeeded : EXIT.failed;
  } finally {
    stopWatching?.();
    await runner.stop();
  }
}

/**
 * Prints one line on stderr for the job: its counts and whether they reconcile, then what is missing and
 * a few of its failed items. Returns whether every item of the job was stored.
 */
function reportJob(account: JobAccount, io: CommandIo): boolean {
  const { jobId, items, stored, failed, deadLettered } = account;
  const verdict = !account.reconciled ? 'NOT RECONCILED' : stored === items ? 'every item stored' : 'reconciled';
  io.stderr.write(`job ${jobId}: ${items} items, ${stored} stored, ${failed} failed, ${deadLettered} dead-lettered: ${verdict}\n`);
  if (account.missingItems !== 0) {
    const chunks = account.missingChunks.length > 0
      ? `; chunk(s) ${account.missingChunks.join(', ')} have no chunk record and are in no dead-letter queue`
      : '';
    io.stderr.write(`  ${account.missingItems} item(s) neither stored, failed nor dead-lettered${chunks}\n`);
  } else if (account.missingChunks.length > 0) {
    io.stderr.write(`  chunk(s) ${account.missingChunks.join(', ')} have no chunk record and are in no dead-letter queue\n`);
  }
  for (const problem of account.problems) io.stderr.write(`  ${problem}\n`);
  if (account.uncountedDeadLetters.length > 0) {
    io.stderr.write(`  chunk(s) ${account.uncountedDeadLetters.join(', ')} found in a dead-letter queue without a chunk record (the worker did not count them)\n`);
  }
  if (failed > 0) {
    const shown = account.failedItems.slice(0, FAILED_ITEMS_SHOWN);
    io.stderr.write(`  ${failed} failed item(s)${failed > shown.length ? `, the first ${shown.length}` : ''}:\n`);
    for (const item of shown) io.stderr.write(`    chunk ${item.chunkIndex} item ${item.index}: ${item.error}\n`);
  }
  return account.reconciled && stored === items;
}

/** The `--json` document: DescribeExecution's fields, what ran, what the jobs, queues and tables hold after it, and the map runs. */
function jsonDocument(runner: LocalRunner, execution: LocalExecution, machine: AssemblyStateMachine, after: {
  jobs?: Record<string, JobCounts>; queues?: Record<string, QueueSummary>; tables?: Record<string, number>; functions: Record<string, FunctionSummary>;
  events: readonly PublishedEvent[]; delivered: readonly ExecutionRecord[];
}) {
  return {
    status: execution.status,
    output: execution.output ?? null,
    error: execution.error ?? null,
    cause: execution.cause ?? null,
    executionArn: execution.executionArn,
    stateMachine: machine.id,
    stack: machine.stackName,
    ...after.jobs && { jobs: after.jobs },
    ...after.queues && { queues: after.queues },
    tables: after.tables,
    functions: after.functions,
    // What the execution's events:putEvents tasks put, and the rules each matched.
    ...execution.putEvents.length > 0 && {
      putEvents: execution.putEvents.map(({ state, eventId, entry, published }) => ({ state, eventId, entry, rules: published.rules })),
    },
    // Every event put on the local buses in the run (by any execution's task or any handler), and what it delivered.
    ...after.events.length > 0 && { events: after.events.map(eventSummary) },
    // The executions the rules' deliveries started, once they stopped.
    ...after.delivered.length > 0 && {
      deliveredExecutions: after.delivered.map(({ executionArn, stateMachine, status, startedBy, result }) => (
        { executionArn, stateMachine, status, startedBy, ...result?.error !== undefined && { error: result.error } })),
    },
    // The nested executions its tasks started, as they ended (their states are in the trace).
    ...execution.childExecutions.length > 0 && { childExecutions: execution.childExecutions.map((child) => childExecutionSummary(runner, child)) },
    // A distributed Map's map runs, as DescribeMapRun describes them (their child executions are in the trace).
    ...execution.mapRuns.length > 0 && {
      mapRuns: execution.mapRuns.map(({ mapRunArn, stateName, status, itemCounts, executionCounts, resultWriterDetails }) => (
        { mapRunArn, state: stateName, status, itemCounts, executionCounts, ...resultWriterDetails && { resultWriterDetails } })),
    },
  };
}

/** How long `sdp run` waits for what events started (executions, invocations) before it reports them as they are. */
const EVENT_DELIVERIES_GRACE_MS = 60_000;

/** An event put on a local bus, for the --json document. */
function eventSummary({ event, busName, putBy, unknownBus, rules }: PublishedEvent) {
  return { eventId: event.id, putBy, bus: busName, source: event.source, detailType: event['detail-type'], ...unknownBus && { unknownBus }, rules };
}

/** The executions the rules' deliveries started in the run, oldest first. */
function executionsStartedByRules(runner: LocalRunner): ExecutionRecord[] {
  return runner.stepFunctions.list().filter((record) => record.startedBy?.startsWith('rule ')).reverse();
}

function deliveredExecutionLine(runner: LocalRunner, record: ExecutionRecord): string {
  const error = record.result?.error !== undefined ? `: ${record.result.error}` : '';
  return `execution ${record.name} of ${constructPath(runner.stack, record.stateMachine)} ${record.status}${error} (started by ${record.startedBy})`;
}

/** A nested execution in the `--json` document: where it was started, and DescribeExecution's status, error and cause. */
function childExecutionSummary(runner: LocalRunner, { state, integration, execution }: ChildExecution) {
  const { result } = execution;
  return {
    state, integration, executionArn: execution.executionArn, stateMachine: constructPath(runner.stack, execution.stateMachine), status: execution.status,
    ...result?.error !== undefined && { error: result.error }, ...result?.cause !== undefined && { cause: result.cause },
  };
}

/** One stderr line per nested execution: a fire-and-forget child's end is nowhere else in the parent's outcome. */
function childExecutionLine(runner: LocalRunner, { state, integration, execution }: ChildExecution): string {
  const error = execution.result?.error === undefined ? '' : `: ${execution.result.error}`;
  return `child execution ${execution.name} of ${constructPath(runner.stack, execution.stateMachine)}, started by ${state} (${integration}): ${execution.status}${error}`;
}

/** What a function's instances did in the run: the figures of {@link FunctionStats} a reader acts on. */
export type FunctionSummary = Pick<FunctionStats, 'invocations' | 'coldStarts' | 'provisioned' | 'initMs' | 'throttles' | 'timeouts' | 'errors'>;

export function functionSummary({ invocations, coldStarts, provisioned, initMs, throttles, timeouts, errors }: FunctionStats): FunctionSummary {
  return { invocations, coldStarts, provisioned, initMs: Math.round(initMs), throttles, timeouts, errors };
}

/** One stderr line per function the run invoked: how many instances it started and what went wrong. */
export function functionLine(path: string, f: FunctionSummary): string {
  const problems = [f.throttles && `${f.throttles} throttled`, f.timeouts && `${f.timeouts} timed out`, f.errors && `${f.errors} failed`].filter(Boolean);
  const provisioned = f.provisioned ? `, ${f.provisioned} provisioned` : '';
  return `function ${path}: ${f.invocations} invocation(s), ${f.coldStarts} cold start(s)${provisioned} (init ${f.initMs} ms)`
    + `${problems.length ? `, ${problems.join(', ')}` : ''}`;
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
  await putObject(runner.snsSqs.s3, location[1], location[2], JSON.stringify(items));
  io.stderr.write(`${items.length} items put at ${itemsUri}; running with the input of ${schedule}\n`);
  return input;
}

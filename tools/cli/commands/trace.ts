import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DescribeMapRunCommand, DescribeStateMachineForExecutionCommand, GetExecutionHistoryCommand, HistoryEvent, ListExecutionsCommand,
} from '@aws-sdk/client-sfn';
import type { AslDefinition } from '../../diagram/mermaid';
import { buildTrace, ExecutionTrace, MapRunCountsSummary, MapRunSummary, nestedExecutionArn, NestedExecutionSummary } from '../../trace/execution-trace';
import { formatTrace } from '../../trace/format-trace';
import { AWS_OPTIONS, AwsOptions, awsOptions, CommandDeps, CommandError, defineCommand, EXIT, parseCommandLine, UsageError } from './command';
import { AwsCallError, callSfn, describeExecution, executionArnArgument, FAILED_STATUSES, regionOfArn } from './sfn';

export interface TraceOptions extends AwsOptions {
  /** The execution's ARN, as `start` prints it. */
  readonly executionArn: string;
  /** Prints `{ traceId, spans }` as one JSON document instead of the tree. @default false */
  readonly json?: boolean;
  /** Iterations of a Map listed one by one before the rest are summarised. @default 20 */
  readonly maxIterations?: number;
  /** Writes the execution's web view to this file (one static HTML file) instead of printing the trace. @default - prints it */
  readonly html?: string;
}

/** GetExecutionHistory's largest page. */
const PAGE_SIZE = 1000;

export function parseTraceArgs(args: readonly string[]): TraceOptions {
  const { values, positionals } = parseCommandLine({
    args: [...args],
    allowPositionals: true,
    options: { 'json': { type: 'boolean' }, 'max-iterations': { type: 'string' }, 'html': { type: 'string' }, ...AWS_OPTIONS },
  });
  const arn = executionArnArgument('trace', positionals);
  const maxIterations = values['max-iterations'] === undefined ? undefined : Number(values['max-iterations']);
  if (maxIterations !== undefined && !/^\d+$/.test(values['max-iterations']!)) {
    throw new UsageError(`--max-iterations must be a whole number (got '${values['max-iterations']}')`);
  }
  if (values.html !== undefined && values.json) throw new UsageError('--html and --json each say what to write: give one');
  return {
    executionArn: arn, json: values.json ?? false, maxIterations, ...values.html !== undefined && { html: values.html },
    region: values.region ?? regionOfArn(arn), ...awsOptions(values),
  };
}

/** Every event of an execution's history, page after page, with the execution data (inputs, outputs). */
export async function readHistory(deps: CommandDeps, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await callSfn(deps, 'GetExecutionHistory', () => deps.client.send(new GetExecutionHistoryCommand({
      executionArn, includeExecutionData: true, maxResults: PAGE_SIZE, nextToken,
    }))).catch((error: unknown) => {
      throw error instanceof AwsCallError && error.errorName === 'ExecutionDoesNotExist'
        ? new CommandError(`GetExecutionHistory failed: ExecutionDoesNotExist: there is no execution ${executionArn} `
          + 'for these credentials; check the ARN and --profile', { cause: error })
        : error;
    });
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** ListExecutions' largest page. */
const EXECUTIONS_PAGE_SIZE = 1000;

/**
 * The map runs of the execution's distributed Maps (each MapRunStarted event's), with their child executions:
 * DescribeMapRun's counts and ListExecutions' children of the run, every page, in the order they started. A child's
 * error and cause are not listed (DescribeExecution on each would cost a call per child): `sdp status <child arn>`.
 */
async function readMapRuns(deps: CommandDeps, events: readonly HistoryEvent[]): Promise<MapRunSummary[]> {
  const arns = events.map((e) => e.mapRunStartedEventDetails?.mapRunArn).filter((arn): arn is string => arn !== undefined);
  const mapRuns: MapRunSummary[] = [];
  for (const mapRunArn of arns) {
    // A role allowed GetExecutionHistory only still gets the trace, without the map run's children.
    try {
      mapRuns.push(await readMapRun(deps, mapRunArn));
    } catch (error) {
      deps.stderr.write(`map run ${mapRunArn}: its child executions are not shown (${(error as Error).name}: ${(error as Error).message})\n`);
    }
  }
  return mapRuns;
}

/** One map run: DescribeMapRun's counts and its child executions, every page of ListExecutions, in the order they started. */
async function readMapRun(deps: CommandDeps, mapRunArn: string): Promise<MapRunSummary> {
  const run = await callSfn(deps, 'DescribeMapRun', () => deps.client.send(new DescribeMapRunCommand({ mapRunArn })));
  const executions = [];
  let nextToken: string | undefined;
  do {
    const page = await callSfn(deps, 'ListExecutions', () => deps.client.send(new ListExecutionsCommand({ mapRunArn, maxResults: EXECUTIONS_PAGE_SIZE, nextToken })));
    executions.push(...page.executions ?? []);
    nextToken = page.nextToken;
  } while (nextToken);
  executions.sort((a, b) => (a.startDate?.getTime() ?? 0) - (b.startDate?.getTime() ?? 0));
  return {
    mapRunArn,
    itemCounts: countsOf(run.itemCounts),
    executionCounts: countsOf(run.executionCounts),
    children: executions.map((e, index) => ({
      index,
      items: e.itemCount ?? 0,
      status: e.status === 'PENDING_REDRIVE' ? 'FAILED' : e.status ?? 'RUNNING',
      start: e.startDate?.getTime() ?? 0,
      stop: e.stopDate?.getTime(),
    })),
  };
}

/** DescribeMapRun's counts (every field optional in the SDK's types), missing ones as 0. */
function countsOf(counts: Partial<Record<keyof MapRunCountsSummary, number>> | undefined): MapRunCountsSummary {
  const { total = 0, succeeded = 0, failed = 0, timedOut = 0, aborted = 0, pending = 0 } = counts ?? {};
  return { total, succeeded, failed, timedOut, aborted, pending };
}

/** How deep `sdp trace` follows nested executions (children of children...). */
const MAX_NESTING = 5;

/** The events of `states:startExecution` tasks that name the child's ARN: its start, its end, its failure. */
const NESTED_TASK_EVENTS = ['taskSubmittedEventDetails', 'taskSucceededEventDetails', 'taskFailedEventDetails'] as const;

/**
 * The nested executions the history's `states:startExecution` tasks started (the child's ARN in the task's result or
 * failure), each with its own trace from its own history, its children followed in turn. An Express child has no
 * history to read (GetExecutionHistory does not serve it): it is left out, with a note saying why, as is one whose
 * history cannot be read (a role without states:GetExecutionHistory on it).
 */
async function readNestedExecutions(deps: CommandDeps, events: readonly HistoryEvent[], depth = 1): Promise<NestedExecutionSummary[]> {
  const arns = new Set<string>();
  for (const event of events) {
    for (const field of NESTED_TASK_EVENTS) {
      const details = event[field] as { resourceType?: string; resource?: string; output?: string; cause?: string } | undefined;
      if (details?.resourceType !== 'states' || !details.resource?.startsWith('startExecution')) continue;
      const arn = nestedExecutionArn('output' in details ? details.output : details.cause);
      if (arn) arns.add(arn);
    }
  }
  const children: NestedExecutionSummary[] = [];
  for (const executionArn of arns) {
    if (executionArn.split(':')[5] === 'express') {
      deps.stderr.write(`nested execution ${executionArn}: not shown (an Express execution has no history to read; its states are in its CloudWatch logs)\n`);
      continue;
    }
    try {
      const history = await readHistory(deps, executionArn);
      const trace = buildTrace(executionArn, history, depth < MAX_NESTING ? { childExecutions: await readNestedExecutions(deps, history, depth + 1) } : {});
      children.push(nestedSummary(executionArn, trace));
    } catch (error) {
      deps.stderr.write(`nested execution ${executionArn}: not shown (${(error as Error).message})\n`);
    }
  }
  return children;
}

/** A nested execution as its own trace's execution span describes it. */
function nestedSummary(executionArn: string, trace: ExecutionTrace): NestedExecutionSummary {
  const [root] = trace.spans;
  const { error, cause } = root?.attributes ?? {};
  return {
    executionArn,
    status: root?.status === 'CAUGHT' || root === undefined ? 'RUNNING' : root.status,
    start: root?.start ?? 0,
    ...root?.end !== undefined && { stop: root.end },
    ...error !== undefined && { error },
    ...cause !== undefined && { cause },
    trace,
  };
}

/**
 * The X-Ray trace id of a traced execution (`Root=` of DescribeExecution's trace header), which joins
 * the trace with the logs of every function it invoked; undefined when the execution is not traced.
 */
async function readXrayTraceId(deps: CommandDeps, executionArn: string): Promise<string | undefined> {
  const { traceHeader } = await describeExecution(deps, executionArn);
  return traceHeader ? /(?:^|;)Root=([^;]+)/.exec(traceHeader)?.[1] : undefined;
}

/**
 * Prints an execution as a tree of spans (or, with `json`, the spans as one JSON document).
 * Returns 0 when it succeeded or is still running, 1 when it failed, timed out or was aborted.
 */
export async function trace(options: TraceOptions, deps: CommandDeps): Promise<number> {
  const events = await readHistory(deps, options.executionArn);
  const result = buildTrace(options.executionArn, events, { mapRuns: await readMapRuns(deps, events), childExecutions: await readNestedExecutions(deps, events) });
  const xrayTraceId = await readXrayTraceId(deps, options.executionArn);
  if (xrayTraceId && result.spans[0]) result.spans[0].attributes.xrayTraceId = xrayTraceId;
  if (options.html !== undefined) await writeHtml(deps, result, options.html);
  else deps.stdout.write(options.json
    ? `${JSON.stringify(result)}\n`
    : `${formatTrace(result, { maxIterations: options.maxIterations })}\n`);
  const status = result.spans[0]?.status;
  return status !== undefined && FAILED_STATUSES.has(status) ? EXIT.failed : EXIT.succeeded;
}

/**
 * Writes the execution's web view as one static HTML file: the diagram coloured by the run (the definition from
 * DescribeStateMachineForExecution: without it, or without the mermaid package, the page has no drawn diagram), the
 * timeline, each span's data.
 */
async function writeHtml(deps: CommandDeps, result: ExecutionTrace, file: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { executionView, mermaidScriptPath, staticExecutionPage } = require('../../web-view') as typeof import('../../web-view');
  let definition: AslDefinition | undefined;
  let stateMachine: string | undefined;
  try {
    const described = await callSfn(deps, 'DescribeStateMachineForExecution', () => deps.client.send(new DescribeStateMachineForExecutionCommand({ executionArn: result.traceId })));
    definition = JSON.parse(described.definition ?? '') as AslDefinition;
    stateMachine = described.name;
  } catch (error) {
    deps.stderr.write(`the page has no diagram: the definition could not be read (${(error as Error).message})\n`);
  }
  const mermaid = mermaidScriptPath();
  if (definition && mermaid === undefined) deps.stderr.write('the page shows the diagram\'s source, not the diagram: install mermaid (npm install mermaid) to draw it\n');
  const page = staticExecutionPage(executionView({ trace: result, definition, stateMachine }), mermaid === undefined ? undefined : fs.readFileSync(mermaid, 'utf8'));
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, page);
  deps.stderr.write(`wrote ${file} (${Math.round(page.length / 1024)} KiB): open it in a browser\n`);
}

export const traceCommand = defineCommand({
  synopsis: 'trace <execution arn> [--json | --html <file>] [--max-iterations <n>]',
  description: [
    'Prints an execution\'s history as a tree of spans: one per state, Map iterations and Parallel branches under their state,',
    'a distributed Map\'s child executions under it (DescribeMapRun, ListExecutions) with its items and children counted,',
    'a nested execution (states:startExecution) under its task with its own states (its history),',
    'with start offset, duration, status, retries, and the error where it failed; a cause once, in one line, where it arose',
    '(a Lambda error by its message: --json, or sdp status, has it whole, with the stack trace).',
    '  --json               print { traceId, spans: [{ traceId, spanId, parentSpanId, name, kind, start, end, status, attributes }] }',
    '  --max-iterations <n> iterations of a Map listed one by one (default 20); failed ones are always listed',
    '  --html <file>        write the execution\'s web view to <file> instead, one HTML file that opens offline: the diagram',
    '                       coloured by the run (DescribeStateMachineForExecution; drawn with the mermaid package, inlined),',
    '                       the timeline (a Map\'s succeeded iterations in a row that expands), each span\'s input, output, error,',
    '                       cause, retries and duration; stdout stays empty, the exit status is as without it',
  ].join('\n'),
  parse: parseTraceArgs,
  run: trace,
});

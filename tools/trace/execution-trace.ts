import type { HistoryEvent } from '@aws-sdk/client-sfn';

/**
 * A state's type, or the containers the history implies: the execution, a Map iteration, a Parallel branch; and a
 * distributed Map's child execution, which has a history of its own (see {@link MapRunSummary}).
 */
export type SpanKind = 'Execution' | 'MapIteration' | 'ParallelBranch' | 'ChildExecution'
  | 'Task' | 'Map' | 'Parallel' | 'Pass' | 'Wait' | 'Choice' | 'Succeed' | 'Fail';

/** CAUGHT: the state failed and a Catch moved on; RUNNING: no end in the history yet. */
export type SpanStatus = 'SUCCEEDED' | 'FAILED' | 'CAUGHT' | 'ABORTED' | 'TIMED_OUT' | 'RUNNING';

export interface SpanAttributes {
  /** Attempts after the first (Task schedulings, or Map/Parallel starts, beyond one). */
  retries: number;
  /** The errors of the attempts that were retried, in order. */
  retriedErrors?: string[];
  error?: string;
  cause?: string;
  /** The state's input and output as Step Functions recorded them (JSON text). */
  input?: string;
  output?: string;
  /**
   * The workflow variables the state assigned (its `Assign`, or its catcher's), name → value as JSON text, as its
   * StateExited event records them.
   */
  assignedVariables?: Record<string, string>;
  /** The iteration's index, for a Map iteration. */
  index?: number;
  /** The integration, e.g. `arn:aws:states:::lambda:invoke`, for a Task. */
  resource?: string;
  /** The Lambda request id of the last attempt, which the function's logs carry as `function_request_id`. */
  requestId?: string;
  /** The Distributed Map run, for a distributed Map. */
  mapRunArn?: string;
  /** What the map run did, by status, for a distributed Map whose map run is known ({@link MapRunSummary}). */
  mapRun?: { itemCounts: MapRunCountsSummary; executionCounts: MapRunCountsSummary };
  /** The items of a child execution's batch. */
  items?: number;
  /** A nested execution's ARN (`states:startExecution`), on its span. */
  executionArn?: string;
  /**
   * What the local run waited where the definition asks for a wait, when it waited less (`--time-scale`, the longest
   * local wait): a Wait state's wait, or each back-off before a retry, in order. Only a local run's trace has them.
   */
  waits?: Array<{ waitedMs: number; definedMs: number }>;
  /**
   * A callback task's (`.waitForTaskToken`) waits for its token, one per attempt in order: from its call (TaskSubmitted)
   * to the answer, or the attempt's end (a timeout); the last one is still going while the span runs.
   */
  tokenWaits?: Array<{ waitedMs: number; answered: boolean }>;
  /**
   * The execution's X-Ray trace id (from DescribeExecution's trace header), on the execution span:
   * Powertools logs it as `xray_trace_id` in every function the execution invoked.
   */
  xrayTraceId?: string;
}

/** One span of an execution's trace; field names are stable (`trace --json` prints them). */
export interface TraceSpan {
  /** The execution ARN. */
  readonly traceId: string;
  /** The id of the history event that opened the span; a Parallel branch is `<ParallelStateStarted id>.<branch>`. */
  readonly spanId: string;
  readonly parentSpanId?: string;
  /** The state's name; `<map>[<index>]` for an iteration, `branch <n>` for a Parallel branch, the execution's name. */
  readonly name: string;
  readonly kind: SpanKind;
  /** Milliseconds since the epoch. */
  readonly start: number;
  /** Milliseconds since the epoch; undefined while running. */
  end?: number;
  status: SpanStatus;
  readonly attributes: SpanAttributes;
}

/** A map run's counts by status, as DescribeMapRun's `itemCounts` and `executionCounts`. */
export interface MapRunCountsSummary {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly timedOut: number;
  readonly aborted: number;
  readonly pending: number;
}

/**
 * A distributed Map's map run with its child executions, which the execution's history does not hold (each child
 * has a history of its own): the local run records them (tools/local/distributed-map.ts); on AWS they are
 * DescribeMapRun's counts and ListExecutions' children of the map run.
 */
export interface MapRunSummary {
  readonly mapRunArn: string;
  readonly itemCounts: MapRunCountsSummary;
  readonly executionCounts: MapRunCountsSummary;
  readonly children: ReadonlyArray<{
    readonly index: number;
    readonly items: number;
    readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
    readonly start: number;
    readonly stop?: number;
    readonly error?: string;
    readonly cause?: string;
  } | undefined>;
}

/**
 * A wait of a local run, which its history does not record: a Wait state's, or a back-off before a retry, with what
 * the definition asks for (what Step Functions would wait) and what the local run waited (tools/local's `LocalWait`).
 */
export interface LocalWaitSummary {
  /** The Wait state, or the state retried. */
  readonly state: string;
  /** The Map iteration it ran in, when it ran in one. */
  readonly index?: number;
  readonly kind: 'Wait' | 'Retry';
  /** Milliseconds since the epoch. */
  readonly start: number;
  readonly definedMs: number;
  readonly waitedMs: number;
}

/**
 * A nested execution a Task started (`states:startExecution`, `.sync`, `.sync:2`): it has a history of its own, so
 * the parent's does not hold it. Shown under the task that started it, with its own spans when its trace is known.
 */
export interface NestedExecutionSummary {
  /** The Task state that started it. @default - the task whose result or failure names the child's ARN */
  readonly state?: string;
  readonly executionArn: string;
  readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  /** Milliseconds since the epoch. */
  readonly start: number;
  readonly stop?: number;
  readonly error?: string;
  readonly cause?: string;
  /** The child's own trace (its states, and its own children). @default - the child alone, without its states */
  readonly trace?: ExecutionTrace;
}

export interface BuildTraceOptions {
  /** The map runs of the execution's distributed Maps: each shown under its Map, with its child executions. */
  readonly mapRuns?: readonly MapRunSummary[];
  /** A local run's waits: each one shorter than its definition's is shown on its span (`waits`). */
  readonly localWaits?: readonly LocalWaitSummary[];
  /** The nested executions the execution's tasks started: each shown under its task, its states under it. */
  readonly childExecutions?: readonly NestedExecutionSummary[];
}

export interface ExecutionTrace {
  readonly traceId: string;
  /** Parents before their children, siblings in the order they started; the first span is the execution. */
  readonly spans: TraceSpan[];
}

/** A span while the history is read: its children and what the next events need to know. */
interface OpenSpan extends TraceSpan {
  readonly parent?: OpenSpan;
  readonly children: OpenSpan[];
  closed: boolean;
  /** The last attempt failed (a Catch may still move on). */
  failed: boolean;
  attempts: number;
  lastEventAt: number;
  /** When the attempt's call was made, for a callback task waiting for its token. */
  submittedAt?: number;
  /** A Map state's iterations, by index. */
  readonly iterations?: Map<number, OpenSpan>;
  /** A Parallel state's branches (the history does not say which branch of the definition each is). */
  branchCount?: number;
}

type Details = {
  name?: string; index?: number; error?: string; cause?: string; input?: string; output?: string; resource?: string; mapRunArn?: string;
  assignedVariables?: Record<string, string>;
};

const CONTAINER_KINDS: ReadonlySet<SpanKind> = new Set(['Execution', 'MapIteration', 'ParallelBranch', 'ChildExecution']);
const ATTEMPT_STARTS = new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'ActivityScheduled', 'MapStateStarted', 'ParallelStateStarted']);
const ATTEMPT_SUCCESSES = new Set(['TaskSucceeded', 'LambdaFunctionSucceeded', 'ActivitySucceeded', 'MapStateSucceeded', 'ParallelStateSucceeded']);
const ATTEMPT_FAILURES = new Set([
  'TaskFailed', 'TaskTimedOut', 'TaskStartFailed', 'TaskSubmitFailed',
  'LambdaFunctionFailed', 'LambdaFunctionTimedOut', 'LambdaFunctionStartFailed', 'LambdaFunctionScheduleFailed',
  'ActivityFailed', 'ActivityTimedOut', 'ActivityScheduleFailed', 'EvaluationFailed', 'MapStateFailed', 'ParallelStateFailed', 'MapRunFailed',
]);
const STATE_ABORTS = new Set(['TaskStateAborted', 'MapStateAborted', 'ParallelStateAborted', 'WaitStateAborted']);
const EXECUTION_ENDS: Readonly<Record<string, SpanStatus>> = {
  ExecutionSucceeded: 'SUCCEEDED', ExecutionFailed: 'FAILED', ExecutionAborted: 'ABORTED', ExecutionTimedOut: 'TIMED_OUT',
};
const ITERATION_ENDS: Readonly<Record<string, SpanStatus>> = {
  MapIterationSucceeded: 'SUCCEEDED', MapIterationFailed: 'FAILED', MapIterationAborted: 'ABORTED',
};

/**
 * The spans of an execution from its history (GetExecutionHistory's events, all pages, in any
 * order): the execution, one span per state entered, Map iterations and Parallel branches
 * between a state and the states inside it. The history is flat, so nesting follows each event's
 * `previousEventId` to the span it continues. One pass over the events, each walking at most the
 * depth of the tree: thousands of events take milliseconds. A distributed Map's child executions, which are not
 * in the history, come from `options.mapRuns`: one span each under the Map whose MapRunStarted names their run.
 */
export function buildTrace(traceId: string, events: readonly HistoryEvent[], options: BuildTraceOptions = {}): ExecutionTrace {
  const sorted = [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  const typeOf = new Map<number, string>();
  const spanOf = new Map<number, OpenSpan>();
  const spans: OpenSpan[] = [];
  /** The Task that started each nested execution, by the child's ARN in the task's result or failure. */
  const startedBy = new Map<string, OpenSpan>();
  let root: OpenSpan | undefined;

  const open = (init: { spanId: string; name: string; kind: SpanKind; start: number; parent?: OpenSpan; attributes?: Partial<SpanAttributes> }): OpenSpan => {
    const span: OpenSpan = {
      traceId,
      spanId: init.spanId,
      parentSpanId: init.parent?.spanId,
      name: init.name,
      kind: init.kind,
      start: init.start,
      status: 'RUNNING',
      attributes: { retries: 0, ...init.attributes },
      parent: init.parent,
      children: [],
      closed: false,
      failed: false,
      attempts: 0,
      lastEventAt: init.start,
      ...(init.kind === 'Map' ? { iterations: new Map<number, OpenSpan>() } : {}),
    };
    init.parent?.children.push(span);
    spans.push(span);
    return span;
  };
  const rootAt = (at: number): OpenSpan => {
    root ??= open({ spanId: '0', name: executionName(traceId), kind: 'Execution', start: at });
    return root;
  };

  for (const event of sorted) {
    const id = event.id ?? 0;
    const type = event.type ?? '';
    const at = millis(event.timestamp);
    const details = eventDetails(event);
    const previous = spanOf.get(event.previousEventId ?? 0);
    typeOf.set(id, type);
    let span: OpenSpan | undefined;

    if (type === 'ExecutionStarted') {
      span = root ?? open({ spanId: String(id), name: executionName(traceId), kind: 'Execution', start: at, attributes: data(details.input, undefined) });
      root = span;
    } else if (type.endsWith('StateEntered')) {
      const scope = scopeOfNextState(previous, typeOf.get(event.previousEventId ?? 0), at) ?? rootAt(at);
      span = open({ spanId: String(id), name: details.name ?? '?', kind: type.slice(0, -'StateEntered'.length) as SpanKind, start: at, parent: scope, attributes: data(details.input, undefined) });
      // A Fail state has no exit event: it fails as it is entered.
      if (span.kind === 'Fail') close(span, at, 'FAILED');
    } else if (type.endsWith('StateExited')) {
      span = up(previous, (s) => isState(s) && !s.closed && s.name === details.name) ?? lastOpen(spans, (s) => isState(s) && s.name === details.name);
      if (span) {
        if (details.output !== undefined) span.attributes.output = details.output;
        if (details.assignedVariables && Object.keys(details.assignedVariables).length > 0) span.attributes.assignedVariables = details.assignedVariables;
        close(span, at, span.failed ? 'CAUGHT' : 'SUCCEEDED');
      }
    } else if (type === 'MapIterationStarted') {
      const map = up(previous, (s) => s.kind === 'Map' && !s.closed && s.name === details.name) ?? lastOpen(spans, (s) => s.kind === 'Map' && s.name === details.name);
      if (map) {
        span = open({ spanId: String(id), name: `${map.name}[${details.index}]`, kind: 'MapIteration', start: at, parent: map, attributes: { index: details.index } });
        map.iterations!.set(details.index ?? -1, span);
      }
    } else if (type in ITERATION_ENDS) {
      span = up(previous, (s) => s.kind === 'MapIteration' && s.attributes.index === details.index && s.parent?.name === details.name)
        ?? (up(previous, (s) => s.kind === 'Map' && s.name === details.name) ?? lastOpen(spans, (s) => s.kind === 'Map' && s.name === details.name))
          ?.iterations?.get(details.index ?? -1);
      if (span) closeContainer(span, at, ITERATION_ENDS[type]);
    } else if (type in EXECUTION_ENDS) {
      span = rootAt(at);
      const status = EXECUTION_ENDS[type];
      if (details.error !== undefined || details.cause !== undefined) setError(span, details.error, details.cause);
      // A Fail state's error and cause are only on the execution's failure.
      const failState = previous?.kind === 'Fail' ? previous : undefined;
      if (failState && failState.attributes.error === undefined) setError(failState, details.error, details.cause);
      if (details.output !== undefined) span.attributes.output = details.output;
      closeContainer(span, at, status);
    } else {
      span = up(previous, (s) => isState(s) && !s.closed) ?? lastOpen(spans, isState);
      if (span) recordStateEvent(span, type, at, details);
      const childArn = span?.kind === 'Task' ? nestedExecutionArn(details.output ?? details.cause) : undefined;
      if (childArn) startedBy.set(childArn, span!);
    }

    if (span) {
      spanOf.set(id, span);
      span.lastEventAt = Math.max(span.lastEventAt, at);
    }
  }

  for (const mapRun of options.mapRuns ?? []) {
    const map = spans.find((s) => s.kind === 'Map' && s.attributes.mapRunArn === mapRun.mapRunArn);
    if (!map) continue;
    map.attributes.mapRun = { itemCounts: mapRun.itemCounts, executionCounts: mapRun.executionCounts };
    for (const child of mapRun.children) {
      if (!child) continue; // never started: the map run stopped first
      const span = open({
        spanId: `${map.spanId}/${child.index}`, name: `${map.name}[${child.index}]`, kind: 'ChildExecution', start: child.start, parent: map,
        attributes: { index: child.index, items: child.items, ...child.error !== undefined && { error: child.error }, ...child.cause !== undefined && { cause: child.cause } },
      });
      if (child.status !== 'RUNNING') close(span, child.stop ?? child.start, child.status);
    }
  }

  for (const [n, child] of (options.childExecutions ?? []).entries()) {
    const task = startedBy.get(child.executionArn) ?? (child.state === undefined ? undefined : lastStartedBefore(spans, child.state, child.start));
    if (!task) continue;
    const span = open({
      spanId: `${task.spanId}>${n}`, name: executionName(child.executionArn), kind: 'ChildExecution', start: child.start, parent: task,
      attributes: { executionArn: child.executionArn, ...child.error !== undefined && { error: child.error }, ...child.cause !== undefined && { cause: child.cause } },
    });
    if (child.status !== 'RUNNING') close(span, child.stop ?? child.start, child.status);
    graft(child.trace, span);
  }

  for (const wait of options.localWaits ?? []) {
    if (wait.waitedMs === wait.definedMs) continue;
    const span = lastOpenAt(spans, wait);
    if (span) (span.attributes.waits ??= []).push({ waitedMs: wait.waitedMs, definedMs: wait.definedMs });
  }

  return {
    traceId,
    spans: spans.map(({ traceId: t, spanId, parentSpanId, name, kind, start, end, status, attributes }) => ({
      traceId: t, spanId, ...(parentSpanId === undefined ? {} : { parentSpanId }), name, kind, start, end, status, attributes,
    })),
  };

  /** The child's spans under its span, their ids prefixed with its own: its execution span is `under`. */
  function graft(child: ExecutionTrace | undefined, under: OpenSpan): void {
    const [root, ...rest] = child?.spans ?? [];
    if (!root) return;
    const grafted = new Map<string, OpenSpan>([[root.spanId, under]]);
    for (const s of rest) {
      const parent = grafted.get(s.parentSpanId ?? root.spanId) ?? under;
      const span = open({ spanId: `${under.spanId}/${s.spanId}`, name: s.name, kind: s.kind, start: s.start, parent, attributes: s.attributes });
      span.status = s.status;
      if (s.end !== undefined) close(span, s.end, s.status);
      grafted.set(s.spanId, span);
    }
  }

  function recordStateEvent(span: OpenSpan, type: string, at: number, details: Details): void {
    if (ATTEMPT_STARTS.has(type)) {
      span.attempts += 1;
      if (span.attempts > 1) {
        span.attributes.retries = span.attempts - 1;
        (span.attributes.retriedErrors ??= []).push(span.attributes.error ?? 'unknown');
      }
      span.failed = false;
      if (details.resource) span.attributes.resource = details.resource;
    } else if (type === 'TaskSubmitted') {
      // A `.sync` task is submitted too (its job or child started); only a callback task then waits for a token.
      if (String(details.resource ?? span.attributes.resource).endsWith('.waitForTaskToken')) span.submittedAt = at;
    } else if (ATTEMPT_SUCCESSES.has(type)) {
      endTokenWait(span, at, true);
      span.failed = false;
      delete span.attributes.error;
      delete span.attributes.cause;
      const requestId = lambdaRequestId(details.output);
      if (requestId) span.attributes.requestId = requestId;
      if (span.kind === 'Parallel') closeBranches(span, at);
    } else if (ATTEMPT_FAILURES.has(type)) {
      // A JSONata `Arguments` or `Items` that fails to evaluate fails the state before any attempt started: that was its first attempt.
      span.attempts = Math.max(span.attempts, 1);
      endTokenWait(span, at, type === 'TaskFailed');
      span.failed = true;
      if (details.error !== undefined || details.cause !== undefined) setError(span, details.error, details.cause);
      else copyChildError(span);
      if (span.kind === 'Parallel') closeBranches(span, at);
    } else if (STATE_ABORTS.has(type)) {
      close(span, at, 'ABORTED');
    } else if (type === 'MapRunStarted' && details.mapRunArn) {
      span.attributes.mapRunArn = details.mapRunArn;
    }
  }

  /** A callback task's wait for its token ends: answered (SendTaskSuccess or SendTaskFailure), or not (it timed out). */
  function endTokenWait(span: OpenSpan, at: number, answered: boolean): void {
    if (span.submittedAt === undefined) return;
    (span.attributes.tokenWaits ??= []).push({ waitedMs: at - span.submittedAt, answered });
    span.submittedAt = undefined;
  }

  /** The container the state entered after `previous` runs in; a new branch when it follows ParallelStateStarted. */
  function scopeOfNextState(previous: OpenSpan | undefined, previousType: string | undefined, at: number): OpenSpan | undefined {
    if (!previous) return undefined;
    if (previousType === 'ParallelStateStarted' && previous.kind === 'Parallel') {
      const branch = previous.branchCount ?? 0;
      previous.branchCount = branch + 1;
      return open({ spanId: `${previous.spanId}.${branch}`, name: `branch ${branch}`, kind: 'ParallelBranch', start: at, parent: previous });
    }
    if (CONTAINER_KINDS.has(previous.kind)) return previous;
    return previous.parent;
  }
}

function isState(span: OpenSpan): boolean {
  return !CONTAINER_KINDS.has(span.kind);
}

/** `span` or its nearest ancestor that matches. */
function up(span: OpenSpan | undefined, matches: (s: OpenSpan) => boolean): OpenSpan | undefined {
  for (let s = span; s; s = s.parent) if (matches(s)) return s;
  return undefined;
}

/** The most recently opened span still open that matches: for events whose `previousEventId` does not lead to their span. */
function lastOpen(spans: readonly OpenSpan[], matches: (s: OpenSpan) => boolean): OpenSpan | undefined {
  for (let i = spans.length - 1; i >= 0; i--) if (!spans[i].closed && matches(spans[i])) return spans[i];
  return undefined;
}

/**
 * The span a local wait belongs to: the latest entry of its state (in its Map iteration, when it ran in one) that
 * had begun when the wait began. State names are unique in a state machine; a loop enters a state again later.
 */
function lastOpenAt(spans: readonly OpenSpan[], wait: LocalWaitSummary): OpenSpan | undefined {
  for (let i = spans.length - 1; i >= 0; i--) {
    const span = spans[i];
    if (span.name !== wait.state || !isState(span) || span.start > wait.start) continue;
    if (wait.kind === 'Wait' && span.kind !== 'Wait') continue;
    if (wait.index !== undefined && up(span, (s) => s.kind === 'MapIteration')?.attributes.index !== wait.index) continue;
    return span;
  }
  return undefined;
}

/** The latest Task span of `state` that began at or before `at`: a nested execution's task (a loop runs it again later). */
function lastStartedBefore(spans: readonly OpenSpan[], state: string, at: number): OpenSpan | undefined {
  for (let i = spans.length - 1; i >= 0; i--) if (spans[i].kind === 'Task' && spans[i].name === state && spans[i].start <= at) return spans[i];
  return undefined;
}

function close(span: OpenSpan, at: number, status: SpanStatus): void {
  span.closed = true;
  span.end = at;
  span.status = status;
}

/** Ends an iteration, a branch or the execution, and what is still open inside it. */
function closeContainer(span: OpenSpan, at: number, status: SpanStatus): void {
  for (const child of span.children) closeOpen(child, status);
  if (status !== 'SUCCEEDED' && span.attributes.error === undefined) copyChildError(span);
  close(span, at, status);
}

/**
 * A span left open when its container ended: a state whose failure was not caught failed;
 * anything else ended as its container did (aborted with it, timed out with it).
 */
function closeOpen(span: OpenSpan, containerStatus: SpanStatus): void {
  if (span.closed) return;
  for (const child of span.children) closeOpen(child, containerStatus);
  const status: SpanStatus = span.failed ? 'FAILED' : containerStatus === 'SUCCEEDED' ? 'SUCCEEDED' : containerStatus === 'FAILED' ? 'ABORTED' : containerStatus;
  close(span, span.lastEventAt, status);
}

function closeBranches(parallel: OpenSpan, at: number): void {
  for (const branch of parallel.children) {
    if (branch.kind !== 'ParallelBranch' || branch.closed) continue;
    const failed = branch.children.some((s) => s.failed || s.status === 'FAILED');
    const end = Math.max(branch.start, ...branch.children.map((s) => s.end ?? s.lastEventAt));
    closeContainer(branch, Math.min(end, at), failed ? 'FAILED' : branch.children.some((s) => s.status === 'ABORTED') ? 'ABORTED' : 'SUCCEEDED');
  }
}

/** A container or Map/Parallel state failed without an error of its own: it is its first failed child's. */
function copyChildError(span: OpenSpan): void {
  const child = span.children.find((c) => (c.failed || c.status === 'FAILED' || c.status === 'CAUGHT') && c.attributes.error !== undefined)
    ?? span.children.find((c) => c.attributes.error !== undefined && c.status !== 'SUCCEEDED');
  if (child) setError(span, child.attributes.error, child.attributes.cause);
}

function setError(span: OpenSpan, error: string | undefined, cause: string | undefined): void {
  if (error !== undefined) span.attributes.error = error;
  if (cause !== undefined) span.attributes.cause = cause;
}

function data(input: string | undefined, output: string | undefined): Partial<SpanAttributes> {
  return { ...(input === undefined ? {} : { input }), ...(output === undefined ? {} : { output }) };
}

/** The name of the execution: the last part of its ARN, or for an Express one (`…:express:<machine>:<name>:<id>`) the one before. */
export function executionName(executionArn: string): string {
  const parts = executionArn.split(':');
  return (parts[5] === 'express' && parts.length === 9 ? parts[7] : parts.pop()) || executionArn;
}

/** Timestamps are Dates from the SDK, ISO strings or numbers from recorded JSON. */
function millis(timestamp: unknown): number {
  if (timestamp instanceof Date) return timestamp.getTime();
  if (typeof timestamp === 'number') return timestamp < 1e11 ? timestamp * 1000 : timestamp;
  if (typeof timestamp === 'string') return Date.parse(timestamp);
  return 0;
}

/** The one `...EventDetails` field an event carries, whatever its type. */
function eventDetails(event: HistoryEvent): Details {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventDetails') && value && typeof value === 'object') return value as Details;
  }
  return {};
}

/** The nested execution's ARN in a `states:startExecution` task's result or failure cause (`"ExecutionArn"`). */
export function nestedExecutionArn(text: string | undefined): string | undefined {
  return text === undefined ? undefined : /"ExecutionArn":\s*"(arn:[^"]+:(?:execution|express):[^"]+)"/.exec(text)?.[1];
}

/** The Lambda request id in a `lambda:invoke` task's raw output (`SdkResponseMetadata.RequestId`). */
function lambdaRequestId(output: string | undefined): string | undefined {
  if (!output?.includes('"SdkResponseMetadata"')) return undefined;
  try {
    return (JSON.parse(output) as { SdkResponseMetadata?: { RequestId?: string } }).SdkResponseMetadata?.RequestId;
  } catch {
    return undefined;
  }
}

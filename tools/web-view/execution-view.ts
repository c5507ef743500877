import { allStates, isDistributedMap } from '../assembly/definition-states';
import type { AslDefinition } from '../diagram/mermaid';
import { toMermaidWithIds } from '../diagram/mermaid';
import type { ExecutionTrace, SpanKind, SpanStatus, TraceSpan } from '../trace/execution-trace';
import { executionName } from '../trace/execution-trace';
import { durationStats, repeatedSpansName, repeats, spansByParent } from '../trace/format-trace';

/** What happened to a state in a run, for the diagram: worst first (a state failed in one iteration failed). */
export type StateOutcome = 'failed' | 'caught' | 'running' | 'retried' | 'succeeded' | 'not-reached';

/** Outcomes in the order one outweighs the next. */
const OUTCOME_WEIGHT: readonly StateOutcome[] = ['failed', 'caught', 'running', 'retried', 'succeeded', 'not-reached'];

/** A state of the definition and what the run did to it. */
export interface StateView {
  readonly name: string;
  /** Its node (or subgraph) id in {@link ExecutionView.diagram}. */
  readonly nodeId: string;
  readonly outcome: StateOutcome;
  /** Times the state was entered (once per Map iteration it ran in, once per loop). */
  readonly entered: number;
  /** Attempts after the first, over every time it was entered. */
  readonly retries: number;
}

/** A Map's iterations (or a distributed Map's child executions) that succeeded, in one row that expands. */
export interface IterationsSummary {
  readonly count: number;
  readonly minMs?: number;
  readonly medianMs?: number;
  readonly maxMs?: number;
}

/** One row of the timeline: a span, or the summary of a Map's succeeded iterations. */
export interface TimelineRow {
  /** The span's id; a summary row's is `<map span id>/succeeded`. */
  readonly id: string;
  readonly parentId?: string;
  /** Nesting under the execution (0). */
  readonly depth: number;
  readonly name: string;
  readonly kind: SpanKind | 'Iterations';
  readonly status: SpanStatus;
  /** Milliseconds from the execution's start. */
  readonly offsetMs: number;
  /** Undefined while running. */
  readonly durationMs?: number;
  /** The summary row that hides this row (and its descendants) until it is expanded. */
  readonly collapsedUnder?: string;
  readonly retries: number;
  readonly retriedErrors?: readonly string[];
  readonly error?: string;
  readonly cause?: string;
  /** JSON text, as the history recorded it. */
  readonly input?: string;
  readonly output?: string;
  readonly summary?: IterationsSummary;
}

/** A fan-out job's queues and items, as `sdp run` reports them. */
export interface JobView {
  readonly jobId: string;
  readonly items: number;
  readonly stored: number;
  readonly failed: number;
  readonly deadLettered: number;
  readonly reconciled: boolean;
  readonly failedItems: ReadonlyArray<{ readonly chunkIndex: number; readonly index: number; readonly error: string }>;
}

/** A queue a worker drains: what the worker did, and what its dead-letter queue holds. */
export interface QueueView {
  /** The queue's construct path. */
  readonly path: string;
  /** Messages the worker succeeded on. */
  readonly processed: number;
  /** Deliveries the worker failed (redeliveries counted). */
  readonly failed: number;
  /** Messages in the queue's dead-letter queue. */
  readonly deadLettered: number;
}

/** Everything the execution page shows, as plain JSON (embedded in the static page, served by `sdp serve`). */
export interface ExecutionView {
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachine?: string;
  readonly status: SpanStatus;
  /** Milliseconds since the epoch. */
  readonly start: number;
  readonly durationMs?: number;
  readonly error?: string;
  readonly cause?: string;
  /** The timeline's rows, parents before children. */
  readonly rows: readonly TimelineRow[];
  /** The states of the definition in the diagram's order; empty without a definition. */
  readonly states: readonly StateView[];
  /** The Mermaid chart with each state's outcome as a class; undefined without a definition. */
  readonly diagram?: string;
  readonly jobs?: readonly JobView[];
  readonly queues?: readonly QueueView[];
}

export interface ExecutionViewInput {
  readonly trace: ExecutionTrace;
  /** The state machine's definition, for the diagram and the states. @default - no diagram */
  readonly definition?: AslDefinition;
  readonly stateMachine?: string;
  /** When the execution started (milliseconds since the epoch), for a running one whose history has no event yet. @default 0 */
  readonly start?: number;
  readonly jobs?: readonly JobView[];
  readonly queues?: readonly QueueView[];
}

/** The page's view of an execution: its trace as timeline rows, and its definition's states coloured by the run. */
export function executionView(input: ExecutionViewInput): ExecutionView {
  const { trace, definition } = input;
  const root = trace.spans[0];
  const chart = definition && toMermaidWithIds(definition, { direction: 'TD' });
  const states = chart ? stateViews(chart.nodeIds, trace.spans, definition && distributedProcessorStates(definition)) : [];
  return {
    executionArn: trace.traceId,
    name: root?.name ?? executionName(trace.traceId),
    ...input.stateMachine !== undefined && { stateMachine: input.stateMachine },
    status: root?.status ?? 'RUNNING',
    start: root?.start ?? input.start ?? 0,
    ...root?.end !== undefined && { durationMs: root.end - root.start },
    ...root?.attributes.error !== undefined && { error: root.attributes.error },
    ...root?.attributes.cause !== undefined && { cause: root.attributes.cause },
    rows: timelineRows(trace),
    states,
    ...chart && { diagram: styledChart(chart.chart, states) },
    ...input.jobs && { jobs: input.jobs },
    ...input.queues && { queues: input.queues },
  };
}

/**
 * The spans as timeline rows, depth-first as the text trace prints them. Under each Map, the iterations (or child
 * executions) that succeeded are collapsed into one summary row placed where the first of them starts; the ones that
 * did not succeed stay visible, as `sdp trace` always lists them.
 */
export function timelineRows(trace: ExecutionTrace): TimelineRow[] {
  const children = spansByParent(trace.spans);
  const origin = trace.spans[0]?.start ?? 0;
  const rows: TimelineRow[] = [];

  const add = (span: TraceSpan, depth: number, collapsedUnder: string | undefined): void => {
    const { retries, retriedErrors, error, cause, input, output } = span.attributes;
    rows.push({
      id: span.spanId,
      ...span.parentSpanId !== undefined && { parentId: span.parentSpanId },
      depth,
      name: span.name,
      kind: span.kind,
      status: span.status,
      offsetMs: span.start - origin,
      ...span.end !== undefined && { durationMs: span.end - span.start },
      ...collapsedUnder !== undefined && { collapsedUnder },
      retries,
      ...retriedErrors?.length && { retriedErrors },
      ...error !== undefined && { error },
      ...cause !== undefined && { cause },
      ...input !== undefined && { input },
      ...output !== undefined && { output },
    });
    const kids = children.get(span.spanId) ?? [];
    // Only a Map's iterations and child executions repeat; a nested execution under its Task is shown whole.
    const summarises = span.kind === 'Map';
    const succeeded = kids.filter((kid) => summarises && repeats(kid) && kid.status === 'SUCCEEDED');
    const summaryId = `${span.spanId}/succeeded`;
    let summarised = false;
    for (const kid of kids) {
      const hidden = succeeded.includes(kid);
      if (hidden && !summarised) {
        rows.push(summaryRow(summaryId, span, succeeded, depth + 1, origin, collapsedUnder));
        summarised = true;
      }
      add(kid, depth + 1, hidden ? summaryId : collapsedUnder);
    }
  };
  for (const root of children.get(undefined) ?? []) add(root, 0, undefined);
  return rows;
}

function summaryRow(id: string, map: TraceSpan, spans: readonly TraceSpan[], depth: number, origin: number, collapsedUnder: string | undefined): TimelineRow {
  const start = Math.min(...spans.map((s) => s.start));
  const end = Math.max(...spans.map((s) => s.end!));
  return {
    id,
    parentId: map.spanId,
    depth,
    name: `${spans.length} ${repeatedSpansName(spans[0])} succeeded`,
    kind: 'Iterations',
    status: 'SUCCEEDED',
    offsetMs: start - origin,
    durationMs: end - start,
    ...collapsedUnder !== undefined && { collapsedUnder },
    retries: spans.reduce((sum, s) => sum + s.attributes.retries, 0),
    // Succeeded spans have ended.
    summary: { count: spans.length, ...durationStats(spans)! },
  };
}

/**
 * Each state of the definition (the diagram's nodes) with what the run did to it: the worst outcome over every time it
 * was entered; a state never entered was not reached. The states of a distributed Map's item processor run in child
 * executions, whose histories the execution's does not hold: they take their Map's child executions' outcomes.
 * @param distributedStates the states inside each distributed Map, by the Map's name ({@link distributedProcessorStates})
 */
export function stateViews(
  nodeIds: ReadonlyMap<string, string>, spans: readonly TraceSpan[], distributedStates: ReadonlyMap<string, readonly string[]> = new Map(),
): StateView[] {
  const byName = new Map<string, TraceSpan[]>();
  const add = (name: string, span: TraceSpan) => {
    const entered = byName.get(name);
    if (entered) entered.push(span);
    else byName.set(name, [span]);
  };
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  // A nested execution's states (under its ChildExecution span) are another state machine's, whatever their names.
  const insideChild = (span: TraceSpan): boolean => {
    for (let up = byId.get(span.parentSpanId ?? ''); up; up = byId.get(up.parentSpanId ?? '')) if (up.kind === 'ChildExecution') return true;
    return false;
  };
  for (const span of spans) {
    if (insideChild(span)) continue;
    if (span.kind === 'ChildExecution') {
      const map = byId.get(span.parentSpanId ?? '');
      for (const name of map ? distributedStates.get(map.name) ?? [] : []) add(name, span);
    }
    if (span.kind === 'Execution' || span.kind === 'MapIteration' || span.kind === 'ParallelBranch' || span.kind === 'ChildExecution') continue;
    add(span.name, span);
  }
  return [...nodeIds].map(([name, nodeId]) => {
    const entries = byName.get(name) ?? [];
    const outcomes = entries.map(outcomeOf);
    const outcome = OUTCOME_WEIGHT.find((o) => outcomes.includes(o)) ?? 'not-reached';
    return { name, nodeId, outcome, entered: entries.length, retries: entries.reduce((sum, s) => sum + s.attributes.retries, 0) };
  });
}

/** The states of each distributed Map's item processor (nested ones included), by the Map's name. */
export function distributedProcessorStates(definition: AslDefinition): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const [name, state] of allStates(definition)) {
    if (isDistributedMap(state)) found.set(name, [...allStates(state.ItemProcessor ?? state.Iterator)].map(([inner]) => inner));
  }
  return found;
}

function outcomeOf(span: TraceSpan): StateOutcome {
  switch (span.status) {
    case 'FAILED':
    case 'TIMED_OUT':
      return 'failed';
    case 'CAUGHT':
      return 'caught';
    case 'RUNNING':
      return 'running';
    case 'ABORTED':
      // Stopped with its container (another iteration failed, the execution was aborted): it did not fail itself.
      return 'not-reached';
    default:
      return span.attributes.retries > 0 ? 'retried' : 'succeeded';
  }
}

/**
 * Fill, stroke and border pattern of each outcome in the chart. The pattern (a thick border for failed, a dashed one
 * for caught and retried, dotted for not reached) tells them apart without colour; the page's list says them in words.
 */
const OUTCOME_STYLES: Readonly<Record<StateOutcome, string>> = {
  'failed': 'fill:#fde2e2,stroke:#b71c1c,stroke-width:4px,color:#5f0000',
  'caught': 'fill:#fff3cd,stroke:#8a6d00,stroke-width:3px,stroke-dasharray:8 4,color:#3d3000',
  'running': 'fill:#e3f2fd,stroke:#0d47a1,stroke-width:3px,stroke-dasharray:2 2,color:#0d2a4f',
  'retried': 'fill:#e8f5e9,stroke:#8a6d00,stroke-width:3px,stroke-dasharray:8 4,color:#1b3d1f',
  'succeeded': 'fill:#e8f5e9,stroke:#1b5e20,stroke-width:2px,color:#1b3d1f',
  'not-reached': 'fill:#f5f5f5,stroke:#9e9e9e,stroke-width:1px,stroke-dasharray:2 4,color:#555555',
};

/** The chart with a class per outcome on the states it applies to (Mermaid's `classDef` and `class`). */
function styledChart(chart: string, states: readonly StateView[]): string {
  const lines = [chart.trimEnd()];
  for (const outcome of OUTCOME_WEIGHT) {
    const ids = states.filter((s) => s.outcome === outcome).map((s) => s.nodeId);
    if (ids.length === 0) continue;
    lines.push(`  classDef ${classOf(outcome)} ${OUTCOME_STYLES[outcome]}`, `  class ${ids.join(',')} ${classOf(outcome)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The outcome's class name in the chart (a Mermaid class name cannot hold a dash). */
function classOf(outcome: StateOutcome): string {
  return `outcome_${outcome.replace('-', '_')}`;
}

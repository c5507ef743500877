import type { ExecutionTrace, MapRunCountsSummary, TraceSpan } from './execution-trace';

export interface FormatTraceOptions {
  /**
   * Iterations listed one by one under each Map; beyond them only the ones that did not
   * succeed are listed, and the rest are summarised in one line.
   * @default 20
   */
  readonly maxIterations?: number;
  /**
   * Characters of a cause's one-line summary; `trace --json` (and `status`, and the last line of
   * `sdp run`) has it whole. @default 300
   */
  readonly maxCauseLength?: number;
  /** Characters of each assigned variable's value; `trace --json` has them whole. @default 60 */
  readonly maxValueLength?: number;
}

const HEADER = `${'start'.padStart(10)} ${'duration'.padStart(10)}  ${'status'.padEnd(9)}  ${'retries'.padStart(7)}  span`;
/** Where the span column starts, for the error, cause and summary lines under a span. */
const SPAN_COLUMN = HEADER.length - 'span'.length;

/**
 * The trace as text, one line per span, children indented under their parent: start offset
 * from the execution's start, duration, status, retries, name (kind); the error and cause
 * under a span that failed, was caught, aborted or timed out. A cause is summarised in one line
 * (a Lambda function's error, without its stack trace) and shown once, under the span where it
 * arose: its ancestors, which carry it too, do not repeat it, and a later span with the same
 * cause (a Fail state passing it on) points there. The workflow variables a state assigned are
 * listed under it, each value shortened. Linear in the number of spans.
 */
export function formatTrace(trace: ExecutionTrace, options: FormatTraceOptions = {}): string {
  const maxIterations = options.maxIterations ?? 20;
  const maxCauseLength = options.maxCauseLength ?? 300;
  const maxValueLength = options.maxValueLength ?? 60;
  const children = spansByParent(trace.spans);
  const roots = children.get(undefined) ?? [];
  const origin = roots[0]?.start ?? 0;
  const lines = [HEADER];
  const byId = new Map(trace.spans.map((span) => [span.spanId, span]));
  /** Where each cause was shown, to point at from a later span with the same cause. */
  const shownAt = new Map<string, TraceSpan>();

  const print = (span: TraceSpan, depth: number): void => {
    const indent = '  '.repeat(depth);
    const duration = span.end === undefined ? '-' : `${span.end - span.start} ms`;
    const retries = span.attributes.retries > 0 ? String(span.attributes.retries) : '';
    lines.push(`${`+${span.start - origin} ms`.padStart(10)} ${duration.padStart(10)}  ${span.status.padEnd(9)}  ${retries.padStart(7)}  ${indent}${span.name} (${span.kind})`);
    const note = (text: string) => lines.push(`${' '.repeat(SPAN_COLUMN)}${indent}  ${text}`);
    if (span.attributes.xrayTraceId) note(`x-ray trace: ${span.attributes.xrayTraceId} (the functions' logs carry it as xray_trace_id)`);
    if (span.attributes.retriedErrors?.length) note(`retried after: ${span.attributes.retriedErrors.join(', ')}`);
    const { waits } = span.attributes;
    if (waits) note(`${span.kind === 'Wait' ? 'waited' : 'back-off waited'} ${waits.map((w) => `${readableDuration(w.waitedMs)} for ${readableDuration(w.definedMs)}`).join(', ')}`);
    const { tokenWaits } = span.attributes;
    if (tokenWaits) note(`waited for its task token: ${tokenWaits.map((w) => `${readableDuration(w.waitedMs)}${w.answered ? '' : ' (no answer)'}`).join(', ')}`);
    const { mapRun } = span.attributes;
    if (mapRun) note(`map run: ${counted(mapRun.itemCounts, 'items')} in ${counted(mapRun.executionCounts, 'child executions')}`);
    const kids = children.get(span.spanId) ?? [];
    if (span.status !== 'SUCCEEDED' && span.status !== 'RUNNING') {
      const { error, cause } = span.attributes;
      if (error !== undefined) note(`error: ${error}`);
      // A cause that a child carries too is shown under the child, where it arose.
      if (cause !== undefined && !kids.some((k) => k.attributes.cause === cause)) {
        const first = shownAt.get(cause);
        if (first) note(`cause: as under ${label(first, byId)} above`);
        else {
          shownAt.set(cause, span);
          note(`cause: ${causeSummary(cause, maxCauseLength)}`);
        }
      }
    }
    // After the error: a catcher's Assign ran after it.
    const { assignedVariables } = span.attributes;
    if (assignedVariables) note(`assigned: ${assignments(assignedVariables, maxValueLength)}`);
    const iterations = kids.filter(repeats);
    if (iterations.length <= maxIterations) {
      for (const child of kids) print(child, depth + 1);
      return;
    }
    const hidden: TraceSpan[] = [];
    let shown = 0;
    for (const child of kids) {
      if (!repeats(child) || shown < maxIterations || child.status !== 'SUCCEEDED') {
        if (repeats(child)) shown++;
        print(child, depth + 1);
      } else hidden.push(child);
    }
    if (hidden.length > 0) note(summary(hidden));
  };

  for (const root of roots) print(root, 0);
  return lines.join('\n');
}

/** The spans under each span (`undefined`: the roots), in the trace's order. */
export function spansByParent(spans: readonly TraceSpan[]): Map<string | undefined, TraceSpan[]> {
  const children = new Map<string | undefined, TraceSpan[]>();
  for (const span of spans) {
    const siblings = children.get(span.parentSpanId);
    if (siblings) siblings.push(span);
    else children.set(span.parentSpanId, [span]);
  }
  return children;
}

/** Spans that repeat under their parent, summarised beyond the first few: a Map's iterations, or its child executions. */
export function repeats(span: TraceSpan): boolean {
  return span.kind === 'MapIteration' || span.kind === 'ChildExecution';
}

/** What spans that repeat under a Map are: `child executions` or `iterations`. */
export function repeatedSpansName(span: TraceSpan): string {
  return span.kind === 'ChildExecution' ? 'child executions' : 'iterations';
}

/** The shortest, median and longest duration of the spans that ended, in milliseconds; undefined when none ended. */
export function durationStats(spans: readonly TraceSpan[]): { minMs: number; medianMs: number; maxMs: number } | undefined {
  const durations = spans.filter((s) => s.end !== undefined).map((s) => s.end! - s.start).sort((a, b) => a - b);
  if (durations.length === 0) return undefined;
  return { minMs: durations[0], medianMs: durations[Math.floor((durations.length - 1) / 2)], maxMs: durations[durations.length - 1] };
}

/** `7 items (4 succeeded, 3 failed)`, with the timed out, aborted and never started ones when there are any. */
function counted(counts: MapRunCountsSummary, what: string): string {
  const others = ([['timedOut', 'timed out'], ['aborted', 'aborted'], ['pending', 'not started']] as const)
    .filter(([field]) => counts[field] > 0).map(([field, label]) => `, ${counts[field]} ${label}`).join('');
  return `${counts.total} ${what} (${counts.succeeded} succeeded, ${counts.failed} failed${others})`;
}

/** `jobId="job-42", count=3`: each variable with its value as Step Functions recorded it (JSON text), shortened. */
function assignments(variables: Readonly<Record<string, string>>, maxValueLength: number): string {
  return Object.entries(variables).map(([name, value]) => `${name}=${shorten(value, maxValueLength)}`).join(', ');
}

/** `… 980 more iterations, all SUCCEEDED; durations min 2 ms, median 3 ms, max 9 ms` (or `child executions`). */
function summary(iterations: readonly TraceSpan[]): string {
  const stats = durationStats(iterations);
  const range = stats === undefined ? '' : `; durations min ${stats.minMs} ms, median ${stats.medianMs} ms, max ${stats.maxMs} ms`;
  return `… ${iterations.length} more ${repeatedSpansName(iterations[0])}, all SUCCEEDED${range}`;
}

/**
 * A cause in one line. A Lambda function's error arrives as `{"errorType","errorMessage","trace"}`:
 * its message stands for it (the error line above names the type), the stack trace is left out; a nested
 * execution's description (`{"ExecutionArn","Status","Error",...}`) by the child, its status and error.
 */
export function causeSummary(cause: string, max: number): string {
  let summary = cause;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown; ExecutionArn?: unknown; Name?: unknown; Status?: unknown; Error?: unknown };
    if (typeof parsed?.errorMessage === 'string') summary = parsed.errorMessage;
    // A nested execution's description (`.sync`): the child, shown under the task, has its own cause.
    else if (typeof parsed?.ExecutionArn === 'string' && typeof parsed.Status === 'string') {
      summary = `child execution ${String(parsed.Name)} ${parsed.Status}${parsed.Error === undefined ? '' : ` with ${String(parsed.Error)}`}`;
    }
  } catch {
    // Not JSON: a cause written by hand, or by Step Functions, shown as it is.
  }
  return shorten(summary, max);
}

/** A span's name, with the Map iteration or Parallel branch it is in (names repeat across iterations). */
function label(span: TraceSpan, byId: ReadonlyMap<string, TraceSpan>): string {
  const parent = span.parentSpanId === undefined ? undefined : byId.get(span.parentSpanId);
  return parent && (parent.kind === 'MapIteration' || parent.kind === 'ParallelBranch') ? `${parent.name} › ${span.name}` : span.name;
}

/** `30 ms`, `1.5 s`, `2 min`, `1.25 h`: the unit that keeps the number short, at most two decimals. */
export function readableDuration(ms: number): string {
  const [value, unit] = ms < 1000 ? [ms, 'ms'] : ms < 60_000 ? [ms / 1000, 's'] : ms < 3_600_000 ? [ms / 60_000, 'min'] : [ms / 3_600_000, 'h'];
  return `${Number(value.toFixed(unit === 'ms' ? 0 : 2))} ${unit}`;
}

function shorten(text: string, max: number): string {
  const line = text.replace(/\s*\n\s*/g, ' ');
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

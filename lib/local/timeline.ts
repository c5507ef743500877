import type { StateMachine } from 'aws-local-stepfunctions';

/** An event of aws-local-stepfunctions' execution log (the package does not export the type by name). */
export type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export type StepStatus = 'SUCCEEDED' | 'FAILED' | 'CAUGHT' | 'RUNNING';

/** One state's run, as the local timeline shows it. */
export interface TimelineStep {
  readonly state: string;
  readonly type: string;
  /** Map iteration the step ran in; undefined at the top level. */
  readonly iteration?: number;
  /** Milliseconds from the start of the execution. */
  readonly startOffsetMs: number;
  durationMs: number;
  status: StepStatus;
  retries: number;
}

/** The steps of an execution, in the order they started, from the interpreter's event log. */
export function buildTimeline(events: readonly EventLog[]): TimelineStep[] {
  const start = events.find((e) => e.type === 'ExecutionStarted')?.timestamp ?? events[0]?.timestamp ?? 0;
  const steps: TimelineStep[] = [];
  const open = new Map<string, TimelineStep>();
  for (const event of events) {
    if (!('state' in event)) continue;
    const key = `${event.index ?? ''}/${event.state.name}`;
    if (event.type === 'StateEntered') {
      const step: TimelineStep = {
        state: event.state.name,
        type: event.state.type,
        iteration: event.index,
        startOffsetMs: event.timestamp - start,
        durationMs: 0,
        status: 'RUNNING',
        retries: 0,
      };
      steps.push(step);
      open.set(key, step);
      continue;
    }
    const step = open.get(key);
    if (!step) continue;
    step.durationMs = event.timestamp - start - step.startOffsetMs;
    // A caught state also exits; a retried one may still succeed.
    if (event.type === 'StateRetried') {
      step.retries += 1;
      step.status = 'RUNNING';
    } else if (event.type === 'StateExited' && step.status === 'RUNNING') step.status = 'SUCCEEDED';
    else if (event.type === 'StateCaught') step.status = 'CAUGHT';
    else if (event.type === 'StateFailed') step.status = 'FAILED';
  }
  return steps;
}

/**
 * The timeline as text, one line per step: start offset, duration, status, state.
 * Iterations of a Map state are listed one by one up to `maxIterationLines`
 * per state; beyond that they are summarised in one line.
 */
export function formatTimeline(steps: readonly TimelineStep[], maxIterationLines = 20): string {
  const lines: string[] = [`${'start'.padStart(9)} ${'duration'.padStart(10)}  ${'status'.padEnd(9)}  state`];
  const line = (offset: number, duration: number, status: string, label: string) =>
    `${`+${offset} ms`.padStart(9)} ${`${duration} ms`.padStart(10)}  ${status.padEnd(9)}  ${label}`;
  const iterationsByState = new Map<string, TimelineStep[]>();
  for (const step of steps) {
    if (step.iteration === undefined) continue;
    iterationsByState.set(step.state, [...(iterationsByState.get(step.state) ?? []), step]);
  }
  const summarised = new Set<string>();
  for (const step of steps) {
    const retries = step.retries > 0 ? `, ${step.retries} retries` : '';
    if (step.iteration === undefined) {
      lines.push(line(step.startOffsetMs, step.durationMs, step.status, `${step.state} (${step.type}${retries})`));
      continue;
    }
    const iterations = iterationsByState.get(step.state)!;
    if (iterations.length <= maxIterationLines) {
      lines.push(line(step.startOffsetMs, step.durationMs, step.status, `  ${step.state} [${step.iteration}]${retries ? ` (${retries.slice(2)})` : ''}`));
    } else if (!summarised.has(step.state)) {
      summarised.add(step.state);
      lines.push(summaryLine(step.state, iterations, line));
    }
  }
  return lines.join('\n');
}

function summaryLine(state: string, iterations: TimelineStep[], line: (o: number, d: number, s: string, l: string) => string): string {
  const first = Math.min(...iterations.map((s) => s.startOffsetMs));
  const last = Math.max(...iterations.map((s) => s.startOffsetMs + s.durationMs));
  const durations = iterations.map((s) => s.durationMs).sort((a, b) => a - b);
  const count = (status: StepStatus) => iterations.filter((s) => s.status === status).length;
  const failed = count('FAILED') + count('CAUGHT');
  const retries = iterations.reduce((n, s) => n + s.retries, 0);
  const status = failed > 0 ? 'FAILED' : count('RUNNING') > 0 ? 'RUNNING' : 'SUCCEEDED';
  return line(first, last - first, status,
    `  ${state} ×${iterations.length} (${count('SUCCEEDED')} succeeded, ${failed} failed, ${retries} retries; `
    + `p50 ${durations[Math.floor(durations.length / 2)]} ms, max ${durations[durations.length - 1]} ms)`);
}

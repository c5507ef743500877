import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseServeArgs } from '../../tools/cli/commands/serve';
import { main } from '../../tools/cli/sdp';
import { localWaitsOf } from '../../tools/local/interpreter';
import { LocalRunner } from '../../tools/local/local-runner';
import { toHistoryEvents } from '../../tools/local/history-events';
import { buildTrace } from '../../tools/trace/execution-trace';
import { formatTrace } from '../../tools/trace/format-trace';
import { synthesizeTimeScaleFixture } from '../support/time-scale-fixture-app';
import { useLocalRunner } from '../support/use-local-runner';
import { bufferedIo } from '../cli/buffered-io';

// LocalRunner's timeScale: every Wait state's wait and every retry's back-off multiplied by the factor, recorded with
// what the definition asks for; the run's history has the times it really took.
const assemblyDir = synthesizeTimeScaleFixture();
afterAll(() => fs.rmSync(assemblyDir, { recursive: true, force: true }));
/** A reminder 3 s later, then at a time a minute from now (well after the first waits, however slow the machine). */
const reminder = () => ({ delaySeconds: 3, remindAt: new Date(Date.now() + 60_000).toISOString() });

describe('timeScale 0.01', () => {
  const runner = useLocalRunner(() => ({ assemblyDir, timeScale: 0.01 }));

  test('three waits and retries after 60 s and 120 s wait a hundredth of that, in order', async () => {
    const execution = await runner().execute({ stateMachine: 'PlainReminder', input: reminder() });
    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { retryCount: 2 } });
    const waits = localWaitsOf(execution.events);
    expect(waits.map(({ state, kind, definedMs, waitedMs }) => ({ state, kind, definedMs, waitedMs })).slice(0, 2)).toEqual([
      { state: 'Pause', kind: 'Wait', definedMs: 3000, waitedMs: 30 },
      { state: 'PauseFromInput', kind: 'Wait', definedMs: 3000, waitedMs: 30 },
    ]);
    // A timestamp's wait is what is left of it when the state runs.
    const until = waits[2];
    expect(until).toMatchObject({ state: 'PauseUntil', kind: 'Wait' });
    expect(until.definedMs).toBeGreaterThan(30_000);
    expect(until.definedMs).toBeLessThanOrEqual(60_000);
    expect(until.waitedMs).toBeCloseTo(until.definedMs * 0.01, 6);
    // IntervalSeconds 60, BackoffRate 2: 60 s, then 120 s.
    expect(waits.slice(3).map(({ state, kind, definedMs, waitedMs }) => ({ state, kind, definedMs, waitedMs }))).toEqual([
      { state: 'Send', kind: 'Retry', definedMs: 60_000, waitedMs: 600 },
      { state: 'Send', kind: 'Retry', definedMs: 120_000, waitedMs: 1200 },
    ]);
  });

  test('a JSONata state\'s Seconds and Timestamp expressions and its retries with MaxDelaySeconds and jitter are scaled too', async () => {
    const execution = await runner().execute({ stateMachine: 'JsonataReminder', input: reminder() });
    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { retryCount: 2 } });
    const [seconds, timestamp, ...retries] = localWaitsOf(execution.events);
    expect(seconds).toMatchObject({ state: 'PauseSeconds', kind: 'Wait', definedMs: 3000, waitedMs: 30 });
    expect(timestamp).toMatchObject({ state: 'PauseTimestamp', kind: 'Wait' });
    expect(timestamp.definedMs).toBeGreaterThan(30_000);
    expect(timestamp.definedMs).toBeLessThanOrEqual(60_000);
    // Full jitter: anything from 0 to the interval, 60 s then 120 s bounded by MaxDelaySeconds 90.
    expect(retries.map((r) => [r.state, r.kind])).toEqual([['SendJsonata', 'Retry'], ['SendJsonata', 'Retry']]);
    expect(retries[0].definedMs).toBeLessThanOrEqual(60_000);
    expect(retries[1].definedMs).toBeLessThanOrEqual(90_000);
    for (const wait of [timestamp, ...retries]) expect(wait.waitedMs).toBeCloseTo(wait.definedMs * 0.01, 6);
  });

  test('the trace shows each shortened wait with what the definition asks for', async () => {
    const execution = await runner().execute({ stateMachine: 'PlainReminder', input: { ...reminder(), remindAt: new Date(0).toISOString() } });
    const history = toHistoryEvents(execution.events, execution);
    const trace = buildTrace(execution.executionArn, history, { localWaits: localWaitsOf(execution.events) });
    const span = (name: string) => trace.spans.find((s) => s.name === name)!;
    expect(span('Pause').attributes.waits).toEqual([{ waitedMs: 30, definedMs: 3000 }]);
    expect(span('Send').attributes.waits).toEqual([{ waitedMs: 600, definedMs: 60_000 }, { waitedMs: 1200, definedMs: 120_000 }]);
    // A timestamp in the past asks for no wait: nothing was shortened.
    expect(span('PauseUntil').attributes.waits).toBeUndefined();
    const text = formatTrace(trace);
    expect(text).toMatch(/Pause \(Wait\)\n\s+waited 30 ms for 3 s\n/);
    expect(text).toMatch(/Send \(Task\)\n\s+retried after: NotYet, NotYet\n\s+back-off waited 600 ms for 1 min, 1.2 s for 2 min$/);
  });

  test('the waits of a Map\'s iterations are each shown under their own iteration', async () => {
    const execution = await runner().execute({ stateMachine: 'ReminderList', input: { reminders: [{ delaySeconds: 5 }, { delaySeconds: 1 }, { delaySeconds: 0 }] } });
    expect(execution.status).toBe('SUCCEEDED');
    const trace = buildTrace(execution.executionArn, toHistoryEvents(execution.events, execution), { localWaits: localWaitsOf(execution.events) });
    const waitIn = (iteration: string) => {
      const parent = trace.spans.find((s) => s.name === iteration)!;
      return trace.spans.find((s) => s.parentSpanId === parent.spanId && s.name === 'PauseEach')!.attributes.waits;
    };
    expect([waitIn('Each[0]'), waitIn('Each[1]'), waitIn('Each[2]')]).toEqual([
      [{ waitedMs: 50, definedMs: 5000 }], [{ waitedMs: 10, definedMs: 1000 }], undefined,
    ]);
  });
});

describe('timeScale with maxWaitSeconds', () => {
  const runner = useLocalRunner(() => ({ assemblyDir, timeScale: 0.01, maxWaitSeconds: 0.02 }));

  test('a Wait state waits the scaled time bounded by maxWaitSeconds; a retry\'s back-off is only scaled', async () => {
    const execution = await runner().execute({ stateMachine: 'PlainReminder', input: { delaySeconds: 1, remindAt: new Date(0).toISOString() } });
    expect(execution.status).toBe('SUCCEEDED');
    expect(localWaitsOf(execution.events).map(({ state, definedMs, waitedMs }) => [state, definedMs, waitedMs])).toEqual([
      ['Pause', 3000, 20], // 30 ms scaled, bounded at 20
      ['PauseFromInput', 1000, 10], // 10 ms scaled, under the bound
      ['PauseUntil', 0, 0],
      ['Send', 60_000, 600],
      ['Send', 120_000, 1200],
    ]);
  });
});

test.each([0, 1.5])('timeScale must be more than 0 and at most 1: %p is refused before anything starts', async (timeScale) => {
  await expect(LocalRunner.start({ assemblyDir, timeScale })).rejects.toThrow(`LocalRunner: timeScale must be more than 0 and at most 1 (got ${timeScale})`);
});

test('sdp serve --time-scale gives the factor to the local app', () => {
  expect(parseServeArgs(['--time-scale', '0.01']).timeScale).toBe(0.01);
  expect(parseServeArgs([]).timeScale).toBeUndefined();
});

describe('sdp run --time-scale', () => {
  test('runs the reminder in a moment, the trace saying what each wait stood for', async () => {
    const input = path.join(assemblyDir, 'reminder.json');
    fs.writeFileSync(input, JSON.stringify(reminder()));
    const { io, printed } = bufferedIo();
    const code = await main(['run', 'PlainReminder', '--assembly', assemblyDir, '--input', input, '--time-scale', '0.01'], io);
    expect(code).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual({ retryCount: 2 });
    expect(printed.stderr).toMatch(/PauseFromInput \(Wait\)\n\s+waited 30 ms for 3 s\n/);
    expect(printed.stderr).toContain('back-off waited 600 ms for 1 min, 1.2 s for 2 min');
  });
});

import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { EventLog, toHistoryEvents } from '../../tools/local/history-events';
import { buildTrace, ExecutionTrace } from '../../tools/trace/execution-trace';
import { formatTrace } from '../../tools/trace/format-trace';
import { exampleAssembly } from '../support/example-app';
import { allEvents, recordedHistory } from '../support/recorded-history';
import { useLocalRunner } from '../support/use-local-runner';

const state = (name: string, type = 'Task') => ({ name, type, input: {} }) as any;
const at = (timestamp: number, event: object) => ({ timestamp, ...event }) as EventLog;
const ARN = 'arn:aws:states:us-east-1:000000000000:execution:Local:run';

function recordedEvents(name: string): { executionArn: string; events: HistoryEvent[] } {
  const history = recordedHistory(name);
  return { executionArn: history.executionArn, events: allEvents(history) };
}

/** What must match between a local and an AWS run: each span's path of names, kind, status and retries, ignoring times and order. */
function shape(t: ExecutionTrace): string[] {
  const byId = new Map(t.spans.map((s) => [s.spanId, s]));
  const pathOf = (id: string | undefined): string => {
    const span = id === undefined ? undefined : byId.get(id);
    if (!span) return '';
    return `${pathOf(span.parentSpanId)}/${span.kind === 'Execution' ? 'execution' : span.name}`;
  };
  return t.spans.map((s) => `${pathOf(s.spanId)} ${s.kind} ${s.status} retries=${s.attributes.retries}${s.attributes.error ? ` ${s.attributes.error}` : ''}`).sort();
}

describe('the local event log as history events', () => {
  test('ids in order; each previousEventId an earlier event; task attempts as TaskScheduled/TaskStarted/TaskFailed|TaskSucceeded', () => {
    const events = toHistoryEvents([
      at(100, { type: 'ExecutionStarted', input: {} }),
      at(101, { type: 'StateEntered', state: state('Flaky') }),
      at(101, { type: 'TaskParameters', state: state('Flaky'), parameters: { n: 1 } }),
      at(103, { type: 'StateFailed', state: state('Flaky'), Error: 'Lambda.ServiceException', Cause: 'try again' }),
      at(104, { type: 'StateRetried', state: state('Flaky'), retry: { retrier: {}, attempt: 1 } }),
      at(104, { type: 'TaskParameters', state: state('Flaky'), parameters: { n: 1 } }),
      at(110, { type: 'TaskResult', state: state('Flaky'), result: { ok: true } }),
      at(110, { type: 'StateExited', state: { ...state('Flaky'), output: { n: 1, result: { ok: true } } } }),
      at(111, { type: 'StateEntered', state: state('Broken') }),
      at(111, { type: 'TaskParameters', state: state('Broken'), parameters: {} }),
      at(112, { type: 'StateFailed', state: state('Broken'), Error: 'Boom', Cause: new Error('it broke') }),
      at(112, { type: 'StateCaught', state: state('Broken'), catch: { catcher: {} } }),
      at(112, { type: 'StateExited', state: state('Broken') }),
      at(113, { type: 'StateEntered', state: state('Failed', 'Fail') }),
      at(113, { type: 'StateFailed', state: state('Failed', 'Fail'), Error: 'Boom', Cause: 'it broke' }),
      at(113, { type: 'ExecutionFailed', Error: 'Boom', Cause: 'it broke' }),
    ]);
    // Each attempt scheduled and started, as GetExecutionHistory lists them
    // (https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html).
    expect(events.map((e) => [e.id, e.previousEventId, e.type])).toEqual([
      [1, 0, 'ExecutionStarted'],
      [2, 1, 'TaskStateEntered'], [3, 2, 'TaskScheduled'], [4, 3, 'TaskStarted'], [5, 4, 'TaskFailed'],
      [6, 5, 'TaskScheduled'], [7, 6, 'TaskStarted'], [8, 7, 'TaskSucceeded'], [9, 8, 'TaskStateExited'],
      [10, 9, 'TaskStateEntered'], [11, 10, 'TaskScheduled'], [12, 11, 'TaskStarted'], [13, 12, 'TaskFailed'], [14, 13, 'TaskStateExited'],
      [15, 14, 'FailStateEntered'],
      [16, 15, 'ExecutionFailed'],
    ]);
    expect(events[4].taskFailedEventDetails).toMatchObject({ error: 'Lambda.ServiceException', cause: 'try again' });
    expect(events[12].taskFailedEventDetails).toMatchObject({ error: 'Boom', cause: 'it broke' });
    // The task's input and its result, not the state's input and output.
    expect(events[2].taskScheduledEventDetails?.parameters).toBe('{"n":1}');
    expect(events[7].taskSucceededEventDetails?.output).toBe('{"ok":true}');

    // The same lines as the timeline gave, now from the trace.
    const t = buildTrace(ARN, events);
    expect(t.spans.map((s) => [s.name, s.start - t.spans[0].start, s.end! - s.start, s.status, s.attributes.retries])).toEqual([
      ['run', 0, 13, 'FAILED', 0],
      ['Flaky', 1, 9, 'SUCCEEDED', 1],
      ['Broken', 11, 1, 'CAUGHT', 0],
      ['Failed', 13, 0, 'FAILED', 0],
    ]);
  });

  test('Map iterations: each iteration chained from its MapIterationStarted, the Map ended after them', () => {
    const log: EventLog[] = [at(1000, { type: 'ExecutionStarted', input: {} }), at(1001, { type: 'StateEntered', state: state('Map', 'Map') })];
    for (let i = 0; i < 3; i++) log.push(at(1002 + i, { type: 'MapIterationStarted', parentState: state('Map', 'Map'), index: i }));
    for (let i = 0; i < 3; i++) log.push(at(1002 + i, { type: 'StateEntered', state: state('Item'), index: i }));
    for (let i = 2; i >= 0; i--) {
      log.push(at(1004 + i, { type: 'StateExited', state: state('Item'), index: i }));
      log.push(at(1004 + i, { type: 'MapIterationSucceeded', parentState: state('Map', 'Map'), index: i }));
    }
    log.push(at(1010, { type: 'StateExited', state: state('Map', 'Map') }), at(1011, { type: 'ExecutionSucceeded', output: {} }));
    const events = toHistoryEvents(log);
    const ids = new Map(events.map((e) => [e.id, e]));
    for (const e of events) expect(e.previousEventId! < e.id!).toBe(true);
    const iterationOf = (e: HistoryEvent) => ids.get(e.previousEventId!)?.mapIterationStartedEventDetails?.index;
    expect(events.filter((e) => e.type === 'TaskStateEntered').map(iterationOf)).toEqual([0, 1, 2]);

    const t = buildTrace(ARN, events);
    expect(formatTrace(t).split('\n').slice(1).map((l) => l.slice(43))).toEqual([
      'run (Execution)', '  Map (Map)',
      '    Map[0] (MapIteration)', '      Item (Task)',
      '    Map[1] (MapIteration)', '      Item (Task)',
      '    Map[2] (MapIteration)', '      Item (Task)',
    ]);
    expect(t.spans.filter((s) => s.name === 'Item').map((s) => t.spans.find((p) => p.spanId === s.parentSpanId)!.name)).toEqual(['Map[0]', 'Map[1]', 'Map[2]']);
    expect(t.spans.every((s) => s.status === 'SUCCEEDED')).toBe(true);
  });

  // A Map's start carries its number of items, and its failure is one MapStateFailed after the failed iteration, not one
  // per attempt; the history's event types: https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
  test('a Map retried and failed again: MapStateStarted with its length per attempt, one MapStateFailed, stopped iterations aborted', () => {
    const map = state('Map', 'Map');
    const attempt = (t: number): EventLog[] => [
      at(t, { type: 'MapStateStarted', state: map, length: 2 } as any),
      at(t, { type: 'MapIterationStarted', parentState: map, index: 0 }),
      at(t, { type: 'StateEntered', state: state('Item'), index: 0 }),
      at(t, { type: 'MapIterationStarted', parentState: map, index: 1 }),
      at(t, { type: 'StateEntered', state: state('Item'), index: 1 }),
      at(t + 1, { type: 'StateFailed', state: state('Item'), index: 1, Error: 'Bad', Cause: 'bad item' }),
      at(t + 1, { type: 'MapIterationFailed', parentState: map, index: 1 }),
      at(t + 1, { type: 'MapIterationAborted', parentState: map, index: 0 } as any),
      at(t + 1, { type: 'StateFailed', state: map, Error: 'Bad', Cause: 'bad item' }),
    ];
    const events = toHistoryEvents([
      at(1, { type: 'ExecutionStarted', input: {} }),
      at(2, { type: 'StateEntered', state: map }),
      ...attempt(3),
      at(5, { type: 'StateRetried', state: map, retry: { retrier: {}, attempt: 1 } }),
      ...attempt(6),
      at(8, { type: 'ExecutionFailed', Error: 'Bad', Cause: 'bad item' }),
    ]);
    expect(events.filter((e) => e.type === 'MapStateStarted').map((e) => e.mapStateStartedEventDetails)).toEqual([{ length: 2 }, { length: 2 }]);
    expect(events.filter((e) => e.type === 'MapStateFailed')).toHaveLength(1);
    const failed = events.find((e) => e.type === 'MapStateFailed')!;
    expect(events.find((e) => e.id === failed.previousEventId)?.type).toBe('MapIterationFailed');
    expect(events.filter((e) => e.type === 'TaskStateAborted' || e.type === 'MapIterationAborted').map((e) => e.type)).toEqual([
      'TaskStateAborted', 'MapIterationAborted', 'TaskStateAborted', 'MapIterationAborted',
    ]);
    const t = buildTrace(ARN, events);
    expect(t.spans.find((s) => s.name === 'Map')).toMatchObject({ status: 'FAILED', attributes: { retries: 1 } });
  });

  test('an execution the runner aborted over the payload quota is FAILED with the runner\'s error', () => {
    const events = toHistoryEvents(
      [at(1, { type: 'ExecutionStarted', input: {} }), at(2, { type: 'StateEntered', state: state('Big', 'Pass') }), at(3, { type: 'ExecutionAborted' })],
      { status: 'FAILED', error: 'States.DataLimitExceeded', cause: 'the state output is 300000 bytes' },
    );
    const t = buildTrace(ARN, events);
    expect(t.spans.map((s) => [s.name, s.status])).toEqual([['run', 'FAILED'], ['Big', 'ABORTED']]);
    expect(t.spans[0].attributes).toMatchObject({ error: 'States.DataLimitExceeded', cause: 'the state output is 300000 bytes' });
  });
});

describe('a local run traces like the same run on AWS', () => {
  const runner = useLocalRunner(() => ({ assemblyDir: exampleAssembly().assemblyDir, stackName: 'WordLengthExample' }));

  test('the succeeded run: the same spans, nesting, statuses and retries as the recorded history', async () => {
    const aws = recordedEvents('succeeded');
    const input = JSON.parse(aws.events[0].executionStartedEventDetails!.input!);
    const execution = await runner().execute({ input, name: 'seed-run' });
    expect(execution.status).toBe('SUCCEEDED');
    const local = buildTrace(execution.executionArn, toHistoryEvents(execution.events, execution));
    expect(shape(local)).toEqual(shape(buildTrace(aws.executionArn, aws.events)));
    expect(local.spans.find((s) => s.name === 'ReduceResults')!.attributes.output).toBe('{"totalLength":17}');
  });

  test('a failed iteration: caught by the Map, recorded, failed — the error on the iteration and its ancestors, as on AWS', async () => {
    const aws = recordedEvents('failed-iteration');
    const input = JSON.parse(aws.events[0].executionStartedEventDetails!.input!);
    const execution = await runner().execute({ input, name: 'typo-run' });
    const local = buildTrace(execution.executionArn, toHistoryEvents(execution.events, execution));
    const remote = buildTrace(aws.executionArn, aws.events);
    // Which sibling iterations were still running when one failed depends on timing; the rest does not.
    const settled = (t: ExecutionTrace) => shape(t).filter((line) => !/\/MapItems\[(0|2)\]/.test(line));
    expect(settled(local)).toEqual(settled(remote));
    expect(local.spans[0]).toMatchObject({ status: 'FAILED', attributes: { error: 'WordValidationError' } });
    const text = formatTrace(local);
    expect(text).toMatch(/FAILED\s+MapItems\[1\] \(MapIteration\)\n\s+error: WordValidationError\n/);
    expect(text).toMatch(/MapItem \(Task\)\n\s+error: WordValidationError\n\s+cause: item\.word must be a string \(got undefined\)\n/);
  });
});

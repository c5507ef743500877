import {
  DescribeExecutionCommand, ExecutionDoesNotExist, GetExecutionHistoryCommand, HistoryEvent, SFNClient, SFNServiceException,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { buildTrace, ExecutionTrace, TraceSpan } from '../../tools/trace/execution-trace';
import { formatTrace } from '../../tools/trace/format-trace';
import { main } from '../../tools/cli/sdp';
import { bufferedIo } from '../cli/buffered-io';
import { allEvents, RecordedHistory, recordedHistory } from '../support/recorded-history';
import { pages, wordLengthHistory } from '../support/word-length-history';

const sfn = mockClient(SFNClient);
const XRAY_TRACE_ID = '1-6747c1e0-5d0a1b2c3d4e5f6a7b8c9d0e';
beforeEach(() => {
  sfn.reset();
  // Traced executions (tracingEnabled) carry the X-Ray trace header.
  sfn.on(DescribeExecutionCommand).resolves({ traceHeader: `Root=${XRAY_TRACE_ID};Sampled=1` });
});

/** Serves the pages of a history by nextToken, as GetExecutionHistory does. */
function serve(history: RecordedHistory): void {
  sfn.on(GetExecutionHistoryCommand).callsFake((input: { nextToken?: string }) => {
    const index = input.nextToken === undefined ? 0 : history.pages.findIndex((_, i) => history.pages[i - 1]?.nextToken === input.nextToken);
    if (index < 0) throw new Error(`unexpected nextToken ${input.nextToken}`);
    return history.pages[index];
  });
}

async function trace(...args: string[]) {
  const { io, printed } = bufferedIo();
  const status = await main(['trace', ...args], io, () => new SFNClient({ region: 'ap-northeast-2' }));
  return { status, ...printed };
}

const byName = (t: ExecutionTrace, name: string): TraceSpan[] => t.spans.filter((s) => s.name === name);
const one = (t: ExecutionTrace, name: string): TraceSpan => {
  const found = byName(t, name);
  expect(found).toHaveLength(1);
  return found[0];
};
const parentOf = (t: ExecutionTrace, span: TraceSpan) => t.spans.find((s) => s.spanId === span.parentSpanId);

describe('the trace of a recorded history', () => {
  test('the succeeded run: execution → states, Map → iterations → the state inside each', () => {
    const history = recordedHistory('succeeded');
    const t = buildTrace(history.executionArn, allEvents(history));
    expect(t.traceId).toBe(history.executionArn);
    expect(t.spans[0]).toMatchObject({ kind: 'Execution', name: 'seed-run', spanId: '1', status: 'SUCCEEDED' });
    expect(t.spans[0].parentSpanId).toBeUndefined();
    const tree = t.spans.map((s) => [s.name, s.kind, parentOf(t, s)?.name ?? null, s.status]);
    expect(tree).toEqual([
      ['seed-run', 'Execution', null, 'SUCCEEDED'],
      ['MapItems', 'Map', 'seed-run', 'SUCCEEDED'],
      ['MapItems[0]', 'MapIteration', 'MapItems', 'SUCCEEDED'],
      ['MapItems[1]', 'MapIteration', 'MapItems', 'SUCCEEDED'],
      ['MapItem', 'Task', 'MapItems[0]', 'SUCCEEDED'],
      ['MapItem', 'Task', 'MapItems[1]', 'SUCCEEDED'],
      ['MapItems[2]', 'MapIteration', 'MapItems', 'SUCCEEDED'],
      ['MapItem', 'Task', 'MapItems[2]', 'SUCCEEDED'],
      ['ReduceResults', 'Task', 'seed-run', 'SUCCEEDED'],
      ['StoreResult', 'Task', 'seed-run', 'SUCCEEDED'],
    ]);
    // The second iteration's MapItem continues iteration 1's chain, not iteration 0's, although they interleave.
    const [first, second] = byName(t, 'MapItem');
    expect(parentOf(t, second)!.attributes.index).toBe(1);
    expect(parentOf(t, first)!.attributes.index).toBe(0);
    const reduce = one(t, 'ReduceResults');
    expect(reduce).toMatchObject({ end: expect.any(Number), attributes: { retries: 0, output: '{"totalLength":17}', resource: 'invoke' } });
    expect(reduce.attributes.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(reduce.start).toBeGreaterThan(one(t, 'MapItems').end!);
  });

  test('a failed Map iteration: error and cause on the task, its iteration, the Map (caught) and the execution; the sibling aborted', () => {
    const history = recordedHistory('failed-iteration');
    const t = buildTrace(history.executionArn, allEvents(history));
    const cause = expect.stringContaining('item.word must be a string (got undefined)');
    const failedIteration = byName(t, 'MapItems[1]')[0];
    const failedTask = t.spans.find((s) => s.name === 'MapItem' && s.parentSpanId === failedIteration.spanId)!;
    expect(failedTask).toMatchObject({ status: 'FAILED', attributes: { error: 'WordValidationError', cause } });
    expect(failedIteration).toMatchObject({ status: 'FAILED', attributes: { index: 1, error: 'WordValidationError', cause } });
    expect(one(t, 'MapItems')).toMatchObject({ status: 'CAUGHT', attributes: { error: 'WordValidationError', cause } });
    expect(t.spans[0]).toMatchObject({ status: 'FAILED', attributes: { error: 'WordValidationError', cause } });
    expect(one(t, 'Failed')).toMatchObject({ kind: 'Fail', status: 'FAILED', attributes: { error: 'WordValidationError', cause } });
    expect(one(t, 'MapItems[0]')).toMatchObject({ status: 'ABORTED' });
    expect(byName(t, 'MapItems[2]')).toEqual([]);
    expect(one(t, 'RecordFailure')).toMatchObject({ status: 'SUCCEEDED', parentSpanId: t.spans[0].spanId });
    expect(byName(t, 'ReduceResults')).toEqual([]);
  });

  test('a retried task counts its retries and keeps the errors it was retried after; the retry is not a failure', () => {
    const history = recordedHistory('retried-task');
    const t = buildTrace(history.executionArn, allEvents(history));
    expect(one(t, 'ReduceResults')).toMatchObject({
      status: 'SUCCEEDED', attributes: { retries: 1, retriedErrors: ['Lambda.TooManyRequestsException'] },
    });
    expect(one(t, 'ReduceResults').attributes.error).toBeUndefined();
    expect(byName(t, 'MapItem').map((s) => s.attributes.retries)).toEqual([0, 1, 0]);
    expect(t.spans[0].status).toBe('SUCCEEDED');
  });

  test('events in any order and a history still running: same spans, open ones RUNNING without an end', () => {
    const history = recordedHistory('succeeded');
    const events = allEvents(history);
    const running = events.slice(0, events.findIndex((e) => e.type === 'MapStateSucceeded'));
    const t = buildTrace(history.executionArn, [...running].reverse());
    expect(t.spans.map((s) => [s.name, s.status])).toEqual([
      ['seed-run', 'RUNNING'], ['MapItems', 'RUNNING'],
      ['MapItems[0]', 'SUCCEEDED'], ['MapItems[1]', 'SUCCEEDED'], ['MapItem', 'SUCCEEDED'], ['MapItem', 'SUCCEEDED'],
      ['MapItems[2]', 'SUCCEEDED'], ['MapItem', 'SUCCEEDED'],
    ]);
    expect(t.spans[0].end).toBeUndefined();
  });

  test('a Parallel state: each branch a span under it, the states of a branch under the branch', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 10, 28, 0, 0, s));
    const events: HistoryEvent[] = [
      { id: 1, previousEventId: 0, timestamp: at(0), type: 'ExecutionStarted' },
      { id: 2, previousEventId: 0, timestamp: at(1), type: 'ParallelStateEntered', stateEnteredEventDetails: { name: 'Both' } },
      { id: 3, previousEventId: 2, timestamp: at(1), type: 'ParallelStateStarted' },
      { id: 4, previousEventId: 3, timestamp: at(2), type: 'PassStateEntered', stateEnteredEventDetails: { name: 'A1' } },
      { id: 5, previousEventId: 3, timestamp: at(2), type: 'PassStateEntered', stateEnteredEventDetails: { name: 'B1' } },
      { id: 6, previousEventId: 4, timestamp: at(3), type: 'PassStateExited', stateExitedEventDetails: { name: 'A1' } },
      { id: 7, previousEventId: 6, timestamp: at(3), type: 'WaitStateEntered', stateEnteredEventDetails: { name: 'A2' } },
      { id: 8, previousEventId: 5, timestamp: at(4), type: 'PassStateExited', stateExitedEventDetails: { name: 'B1' } },
      { id: 9, previousEventId: 7, timestamp: at(6), type: 'WaitStateExited', stateExitedEventDetails: { name: 'A2' } },
      { id: 10, previousEventId: 9, timestamp: at(6), type: 'ParallelStateSucceeded' },
      { id: 11, previousEventId: 10, timestamp: at(7), type: 'ParallelStateExited', stateExitedEventDetails: { name: 'Both' } },
      { id: 12, previousEventId: 11, timestamp: at(7), type: 'ExecutionSucceeded' },
    ];
    const t = buildTrace('arn:aws:states:eu-west-1:123456789012:execution:P:p', events);
    expect(t.spans.map((s) => [s.name, s.kind, parentOf(t, s)?.name ?? null, s.spanId, s.status])).toEqual([
      ['p', 'Execution', null, '1', 'SUCCEEDED'],
      ['Both', 'Parallel', 'p', '2', 'SUCCEEDED'],
      ['branch 0', 'ParallelBranch', 'Both', '2.0', 'SUCCEEDED'],
      ['A1', 'Pass', 'branch 0', '4', 'SUCCEEDED'],
      ['branch 1', 'ParallelBranch', 'Both', '2.1', 'SUCCEEDED'],
      ['B1', 'Pass', 'branch 1', '5', 'SUCCEEDED'],
      ['A2', 'Wait', 'branch 0', '7', 'SUCCEEDED'],
    ]);
    expect(one(t, 'branch 0')).toMatchObject({ start: at(2).getTime(), end: at(6).getTime() });
  });
});

describe('the text tree', () => {
  test('one line per span, indented by depth: offset, duration, status, retries, name (kind)', () => {
    const history = recordedHistory('retried-task');
    const lines = formatTrace(buildTrace(history.executionArn, allEvents(history))).split('\n');
    expect(lines[0]).toBe('     start   duration  status     retries  span');
    expect(lines[1]).toBe('     +0 ms    3668 ms  SUCCEEDED           throttled-run (Execution)');
    expect(lines).toContain('  +1706 ms    1920 ms  SUCCEEDED        1    ReduceResults (Task)');
    expect(lines).toContain(`${' '.repeat(43)}    retried after: Lambda.TooManyRequestsException`);
    expect(lines).toContain('    +34 ms    1668 ms  SUCCEEDED               MapItems[1] (MapIteration)');
    expect(lines).toContain('    +35 ms    1666 ms  SUCCEEDED        1        MapItem (Task)');
  });

  test('error and cause under the failed spans; the cause once, where it arose, as one line without the stack trace', () => {
    const history = recordedHistory('failed-iteration');
    const text = formatTrace(buildTrace(history.executionArn, allEvents(history)));
    const lines = text.split('\n');
    expect(lines.filter((l) => l.trim() === 'error: WordValidationError')).toHaveLength(5);
    const causes = lines.filter((l) => l.trim().startsWith('cause: '));
    // The Lambda error's cause is {"errorType","errorMessage","trace"}; its message stands for it. The Fail
    // state that passes it on points at the task instead of repeating it.
    expect(causes.map((l) => l.trim())).toEqual([
      'cause: item.word must be a string (got undefined)',
      'cause: as under MapItems[1] › MapItem above',
    ]);
    expect(text).not.toContain('at wordLength');
    expect(lines[lines.indexOf(causes[0]) - 2]).toMatch(/FAILED\s+MapItem \(Task\)$/);
    expect(lines[lines.indexOf(causes[1]) - 2]).toMatch(/FAILED\s+Failed \(Fail\)$/);
    expect(text).toMatch(/CAUGHT\s+MapItems \(Map\)\n\s+error: WordValidationError\n/);
  });

  test('ported from the timeline: the execution, then each state in order with its offset and duration', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const events: HistoryEvent[] = [
      { id: 1, previousEventId: 0, timestamp: new Date(t0 + 100), type: 'ExecutionStarted' },
      { id: 2, previousEventId: 0, timestamp: new Date(t0 + 101), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Flaky' } },
      { id: 3, previousEventId: 2, timestamp: new Date(t0 + 101), type: 'TaskScheduled' },
      { id: 4, previousEventId: 3, timestamp: new Date(t0 + 103), type: 'TaskFailed', taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'Lambda.ServiceException' } },
      { id: 5, previousEventId: 4, timestamp: new Date(t0 + 104), type: 'TaskScheduled' },
      { id: 6, previousEventId: 5, timestamp: new Date(t0 + 109), type: 'TaskSucceeded' },
      { id: 7, previousEventId: 6, timestamp: new Date(t0 + 110), type: 'TaskStateExited', stateExitedEventDetails: { name: 'Flaky' } },
      { id: 8, previousEventId: 7, timestamp: new Date(t0 + 111), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Broken' } },
      { id: 9, previousEventId: 8, timestamp: new Date(t0 + 111), type: 'TaskScheduled' },
      { id: 10, previousEventId: 9, timestamp: new Date(t0 + 112), type: 'TaskFailed', taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'Boom', cause: 'it broke' } },
      { id: 11, previousEventId: 10, timestamp: new Date(t0 + 112), type: 'TaskStateExited', stateExitedEventDetails: { name: 'Broken' } },
      { id: 12, previousEventId: 11, timestamp: new Date(t0 + 113), type: 'FailStateEntered', stateEnteredEventDetails: { name: 'Failed' } },
      { id: 13, previousEventId: 12, timestamp: new Date(t0 + 113), type: 'ExecutionFailed', executionFailedEventDetails: { error: 'Boom', cause: 'it broke' } },
    ];
    expect(formatTrace(buildTrace('arn:aws:states:eu-west-1:123456789012:execution:S:run', events)).split('\n')).toEqual([
      '     start   duration  status     retries  span',
      '     +0 ms      13 ms  FAILED              run (Execution)',
      '                                             error: Boom',
      '     +1 ms       9 ms  SUCCEEDED        1    Flaky (Task)',
      '                                               retried after: Lambda.ServiceException',
      '    +11 ms       1 ms  CAUGHT                Broken (Task)',
      '                                               error: Boom',
      '                                               cause: it broke',
      '    +13 ms       0 ms  FAILED                Failed (Fail)',
      '                                               error: Boom',
      '                                               cause: as under Broken above',
    ]);
  });

  test('a long cause is cut to maxCauseLength, in one line; different causes are each shown', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const events: HistoryEvent[] = [
      { id: 1, previousEventId: 0, timestamp: new Date(t0), type: 'ExecutionStarted' },
      { id: 2, previousEventId: 1, timestamp: new Date(t0 + 1), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Broken' } },
      { id: 3, previousEventId: 2, timestamp: new Date(t0 + 1), type: 'TaskScheduled' },
      { id: 4, previousEventId: 3, timestamp: new Date(t0 + 2), type: 'TaskFailed', taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'Boom', cause: 'line one\n  line two ' + 'x'.repeat(100) } },
      { id: 5, previousEventId: 4, timestamp: new Date(t0 + 2), type: 'TaskStateExited', stateExitedEventDetails: { name: 'Broken' } },
      { id: 6, previousEventId: 5, timestamp: new Date(t0 + 3), type: 'FailStateEntered', stateEnteredEventDetails: { name: 'Failed' } },
      { id: 7, previousEventId: 6, timestamp: new Date(t0 + 3), type: 'ExecutionFailed', executionFailedEventDetails: { error: 'JobFailed', cause: 'see Broken' } },
    ];
    const causes = formatTrace(buildTrace('arn:aws:states:eu-west-1:123456789012:execution:S:run', events), { maxCauseLength: 20 })
      .split('\n').filter((l) => l.trim().startsWith('cause: ')).map((l) => l.trim());
    expect(causes).toEqual(['cause: line one line two x…', 'cause: see Broken']);
  });

  test('a Map with 1,000 iterations: the first 20 and the failed ones listed, the rest in one summary line', () => {
    const words = Array.from({ length: 1_000 }, (_, i) => 'word'.slice(0, 1 + (i % 4)));
    const arn = 'arn:aws:states:ap-northeast-2:123456789012:execution:WordLengthStateMachine5AE2E759-Hq7Ld0Pm3Kx9:big';
    const events = wordLengthHistory({ executionArn: arn, words, throttledIterations: [500] });
    expect(events.length).toBeGreaterThan(6_000);
    const t = buildTrace(arn, events);
    expect(byName(t, 'MapItem')).toHaveLength(1_000);
    expect(t.spans.filter((s) => s.kind === 'MapIteration').map((s) => s.attributes.index)).toEqual([...Array(1_000).keys()]);
    expect(byName(t, 'MapItem').filter((s) => s.attributes.retries === 1)).toHaveLength(1);
    const durations = t.spans.filter((s) => s.kind === 'MapIteration').slice(20).map((s) => s.end! - s.start).sort((a, b) => a - b);

    const lines = formatTrace(t).split('\n');
    expect(lines.filter((l) => l.includes('(MapIteration)'))).toHaveLength(20);
    expect(lines.filter((l) => l.includes('MapItem (Task)'))).toHaveLength(20);
    expect(lines).toContain(`${' '.repeat(43)}    … 980 more iterations, all SUCCEEDED; durations min ${durations[0]} ms, `
      + `median ${durations[489]} ms, max ${durations[979]} ms`);
    expect(lines.length).toBeLessThan(50);
  });

  test('beyond the limit, an iteration that did not succeed is still listed', () => {
    const arn = 'arn:aws:states:ap-northeast-2:123456789012:execution:W:typo';
    const words = Array.from({ length: 30 }, (_, i) => (i === 25 ? undefined : 'apple'));
    const text = formatTrace(buildTrace(arn, wordLengthHistory({ executionArn: arn, words })), { maxIterations: 5 });
    expect(text).toMatch(/FAILED\s+MapItems\[25\] \(MapIteration\)/);
    expect(text).toMatch(/… \d+ more iterations, all SUCCEEDED/);
  });
});

describe('sdp trace <execution arn>', () => {
  test('reads every page with the execution data and prints the tree; exit 0 for a succeeded execution', async () => {
    const history = recordedHistory('succeeded');
    expect(history.pages.length).toBeGreaterThanOrEqual(2);
    serve(history);
    const run = await trace(history.executionArn);
    expect(run).toMatchObject({ status: 0, stderr: '' });
    const calls = sfn.commandCalls(GetExecutionHistoryCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual(history.pages.map((_, i) => ({
      executionArn: history.executionArn, includeExecutionData: true, maxResults: 1000, nextToken: history.pages[i - 1]?.nextToken,
    })));
    expect(run.stdout).toMatch(/SUCCEEDED\s+StoreResult \(Task\)\n$/);
    expect(run.stdout.split('\n').filter((l) => l.includes('MapItem (Task)'))).toHaveLength(3);
    // The X-Ray trace id under the execution: the handlers' Powertools logs carry it as xray_trace_id.
    expect(run.stdout.split('\n')[2]).toContain(`x-ray trace: ${XRAY_TRACE_ID} (the functions' logs carry it as xray_trace_id)`);
  });

  test('--json prints { traceId, spans } with the stable field names; exit 1 for a failed execution', async () => {
    const history = recordedHistory('failed-iteration');
    serve(history);
    const run = await trace(history.executionArn, '--json');
    expect(run.status).toBe(1);
    const doc = JSON.parse(run.stdout) as ExecutionTrace;
    expect(doc.traceId).toBe(history.executionArn);
    for (const span of doc.spans) {
      expect(Object.keys(span).sort()).toEqual(expect.arrayContaining(['attributes', 'kind', 'name', 'spanId', 'start', 'status', 'traceId']));
      expect(span.traceId).toBe(history.executionArn);
    }
    expect(doc.spans[0]).toEqual({
      traceId: history.executionArn, spanId: '1', name: 'typo-run', kind: 'Execution',
      start: Date.parse('2026-11-28T02:00:00.000Z'), end: Date.parse('2026-11-28T02:00:00.150Z'), status: 'FAILED',
      attributes: expect.objectContaining({ retries: 0, error: 'WordValidationError', cause: expect.any(String), input: expect.any(String) }),
    });
    const failed = doc.spans.find((s) => s.kind === 'MapIteration' && s.status === 'FAILED')!;
    expect(doc.spans.find((s) => s.spanId === failed.parentSpanId)).toMatchObject({ name: 'MapItems', status: 'CAUGHT' });
  });

  test('a retried task: exit 0, the retries shown', async () => {
    serve(recordedHistory('retried-task'));
    const run = await trace(recordedHistory('retried-task').executionArn);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/SUCCEEDED\s+1\s+ReduceResults \(Task\)/);
  });

  test('throttling is retried; an execution that does not exist exits 2 and says so', async () => {
    const history = recordedHistory('succeeded');
    const throttled = new SFNServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: {}, message: 'Rate exceeded' });
    sfn.on(GetExecutionHistoryCommand).rejectsOnce(throttled).resolves({ events: allEvents(history) });
    const run = await trace(history.executionArn);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('GetExecutionHistory throttled (ThrottlingException), retrying in 1 s');

    sfn.reset();
    sfn.on(DescribeExecutionCommand).resolves({});
    sfn.on(GetExecutionHistoryCommand).rejects(new ExecutionDoesNotExist({ $metadata: {}, message: 'Execution Does Not Exist' }));
    const missing = await trace(history.executionArn);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`GetExecutionHistory failed: ExecutionDoesNotExist: there is no execution ${history.executionArn}`);
  });

  test('usage errors exit 2 before any AWS call', async () => {
    for (const args of [[], ['not-an-arn'], ['arn:aws:states:eu-west-1:123456789012:execution:S:x', '--max-iterations', 'many']]) {
      const run = await trace(...args);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('usage: sdp trace <execution arn>');
    }
    expect(sfn.commandCalls(GetExecutionHistoryCommand)).toHaveLength(0);
  });
});

test('pages() splits a history as GetExecutionHistory pages it', () => {
  const events = wordLengthHistory({ executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:S:x', words: ['a'] });
  const split = pages(events, 10);
  expect(split.flatMap((p) => p.events)).toEqual(events);
  expect(split.slice(0, -1).every((p) => p.nextToken)).toBe(true);
  expect(split[split.length - 1].nextToken).toBeUndefined();
});

import { EventLog, toHistoryEvents } from '../../tools/local/history-events';
import { buildTrace, MapRunSummary } from '../../tools/trace/execution-trace';
import { formatTrace } from '../../tools/trace/format-trace';

// A distributed Map in the trace: its history has MapRunStarted/MapRunSucceeded|MapRunFailed (AWS's event types,
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html); its child executions have
// histories of their own, so they come from the map run's record and show under the Map like a large Map's iterations.
const ARN = 'arn:aws:states:us-east-1:000000000000:execution:Job:run';
const MAP_RUN = 'arn:aws:states:us-east-1:000000000000:mapRun:Job/Process:1';
const map = { name: 'Process', type: 'Map', input: {} } as any;
const at = (timestamp: number, event: object) => ({ timestamp, ...event }) as EventLog;
const counts = (total: number, succeeded: number, failed: number) => ({ total, succeeded, failed, timedOut: 0, aborted: 0, pending: 0 });

const log = [
  at(1000, { type: 'ExecutionStarted', input: {} }),
  at(1001, { type: 'StateEntered', state: map }),
  at(1005, { type: 'MapStateStarted', state: map, length: 25_000 }),
  at(1005, { type: 'MapRunStarted', state: map, mapRunArn: MAP_RUN }),
  at(2000, { type: 'MapRunSucceeded', state: map }),
  at(2000, { type: 'StateExited', state: { ...map, output: { MapRunArn: MAP_RUN } } }),
  at(2001, { type: 'ExecutionSucceeded', output: {} }),
];
const mapRun: MapRunSummary = {
  mapRunArn: MAP_RUN,
  itemCounts: counts(25_000, 24_000, 1000),
  executionCounts: counts(25, 24, 1),
  children: Array.from({ length: 25 }, (_, index) => ({
    index, items: 1000, start: 1010 + index, stop: 1110 + index,
    ...index === 22 ? { status: 'FAILED' as const, error: 'ItemFailed', cause: '{"errorType":"ItemFailed","errorMessage":"item w22000 fails","trace":[]}' } : { status: 'SUCCEEDED' as const },
  })),
};

test('the child executions under their Map: the first 20 and those that did not succeed listed, the rest in one line', () => {
  const trace = buildTrace(ARN, toHistoryEvents(log, { status: 'SUCCEEDED' }), { mapRuns: [mapRun] });
  const text = formatTrace(trace);
  expect(text).toContain('  Process (Map)\n');
  expect(text).toContain('map run: 25000 items (24000 succeeded, 1000 failed) in 25 child executions (24 succeeded, 1 failed)');
  expect(text.match(/Process\[\d+\] \(ChildExecution\)/g)).toHaveLength(21);
  expect(text).toMatch(/FAILED\s+Process\[22\] \(ChildExecution\)\n\s+error: ItemFailed\n\s+cause: item w22000 fails/);
  expect(text).toContain('… 4 more child executions, all SUCCEEDED; durations min 100 ms, median 100 ms, max 100 ms');
});

test('without the map run\'s record, the Map shows its map run ARN and no children (as for a deployed execution\'s history alone)', () => {
  const trace = buildTrace(ARN, toHistoryEvents(log, { status: 'SUCCEEDED' }));
  const span = trace.spans.find((s) => s.kind === 'Map')!;
  expect(span).toMatchObject({ status: 'SUCCEEDED', attributes: { mapRunArn: MAP_RUN } });
  expect(trace.spans.filter((s) => s.kind === 'ChildExecution')).toEqual([]);
});

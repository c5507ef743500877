import { buildTimeline, EventLog, formatTimeline } from '../../lib/local/timeline';

const state = (name: string, type = 'Task') => ({ name, type, input: {} }) as any;
const at = (timestamp: number, event: object) => ({ timestamp, ...event }) as EventLog;

function mapRun(iterations: number): EventLog[] {
  const events: EventLog[] = [at(1000, { type: 'ExecutionStarted', input: {} }), at(1001, { type: 'StateEntered', state: state('Map', 'Map') })];
  for (let i = 0; i < iterations; i++) {
    events.push(at(1002 + i, { type: 'StateEntered', state: state('Item'), index: i }));
    events.push(at(1004 + i, { type: 'StateExited', state: state('Item'), index: i }));
  }
  events.push(at(1010 + iterations, { type: 'StateExited', state: state('Map', 'Map') }));
  return events;
}

test('each step has its start offset, duration and status; retried then successful steps count their retries', () => {
  const steps = buildTimeline([
    at(100, { type: 'ExecutionStarted', input: {} }),
    at(101, { type: 'StateEntered', state: state('Flaky') }),
    at(103, { type: 'StateFailed', state: state('Flaky'), Error: 'Lambda.ServiceException', Cause: '' }),
    at(104, { type: 'StateRetried', state: state('Flaky'), retry: { retrier: {}, attempt: 1 } }),
    at(110, { type: 'StateExited', state: state('Flaky') }),
    at(111, { type: 'StateEntered', state: state('Broken') }),
    at(112, { type: 'StateFailed', state: state('Broken'), Error: 'Boom', Cause: '' }),
    at(112, { type: 'StateCaught', state: state('Broken'), catch: { catcher: {} } }),
    at(112, { type: 'StateExited', state: state('Broken') }),
    at(113, { type: 'StateEntered', state: state('Failed', 'Fail') }),
    at(113, { type: 'StateFailed', state: state('Failed', 'Fail'), Error: 'Boom', Cause: '' }),
  ]);
  expect(steps).toEqual([
    { state: 'Flaky', type: 'Task', iteration: undefined, startOffsetMs: 1, durationMs: 9, status: 'SUCCEEDED', retries: 1 },
    { state: 'Broken', type: 'Task', iteration: undefined, startOffsetMs: 11, durationMs: 1, status: 'CAUGHT', retries: 0 },
    { state: 'Failed', type: 'Fail', iteration: undefined, startOffsetMs: 13, durationMs: 0, status: 'FAILED', retries: 0 },
  ]);
  expect(formatTimeline(steps).split('\n')).toEqual([
    '    start   duration  status     state',
    '    +1 ms       9 ms  SUCCEEDED  Flaky (Task, 1 retries)',
    '   +11 ms       1 ms  CAUGHT     Broken (Task)',
    '   +13 ms       0 ms  FAILED     Failed (Fail)',
  ]);
});

test('Map iterations are listed one by one up to the limit, indented under their Map', () => {
  expect(formatTimeline(buildTimeline(mapRun(2))).split('\n')).toEqual([
    '    start   duration  status     state',
    '    +1 ms      11 ms  SUCCEEDED  Map (Map)',
    '    +2 ms       2 ms  SUCCEEDED    Item [0]',
    '    +3 ms       2 ms  SUCCEEDED    Item [1]',
  ]);
});

test('beyond the limit, the iterations of a state are summarised in one line', () => {
  const lines = formatTimeline(buildTimeline(mapRun(30)), 20).split('\n');
  expect(lines).toHaveLength(3);
  expect(lines[2]).toBe('    +2 ms      31 ms  SUCCEEDED    Item ×30 (30 succeeded, 0 failed, 0 retries; p50 2 ms, max 2 ms)');
});

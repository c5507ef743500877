import { DescribeExecutionCommand, DescribeMapRunCommand, GetExecutionHistoryCommand, HistoryEvent, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../tools/cli/sdp';
import { bufferedIo } from '../cli/buffered-io';

// `sdp trace` of a deployed execution with a distributed Map: the history holds the map run's events
// (https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html), DescribeMapRun its counts
// and ListExecutions (with mapRunArn) its child executions, which have histories of their own.
const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:Job:run-1';
const MAP_RUN = 'arn:aws:states:us-east-1:123456789012:mapRun:Job/Process:5d0a1b2c';
const T0 = Date.parse('2026-11-30T08:00:00Z');
const event = (id: number, type: string, ms: number, details: Partial<HistoryEvent> = {}): HistoryEvent =>
  ({ id, previousEventId: id - 1, type, timestamp: new Date(T0 + ms), ...details }) as HistoryEvent;

const sfn = mockClient(SFNClient);
beforeEach(() => {
  sfn.reset();
  sfn.on(DescribeExecutionCommand).resolves({});
  sfn.on(GetExecutionHistoryCommand).resolves({
    events: [
      event(1, 'ExecutionStarted', 0, { previousEventId: 0, executionStartedEventDetails: { input: '{}' } }),
      event(2, 'MapStateEntered', 10, { stateEnteredEventDetails: { name: 'Process', input: '{}' } }),
      event(3, 'MapStateStarted', 20, { mapStateStartedEventDetails: { length: 0 } }),
      event(4, 'MapRunStarted', 30, { mapRunStartedEventDetails: { mapRunArn: MAP_RUN } }),
      event(5, 'MapRunSucceeded', 900),
      event(6, 'MapStateSucceeded', 910),
      event(7, 'MapStateExited', 920, { stateExitedEventDetails: { name: 'Process', output: '{}' } }),
      event(8, 'ExecutionSucceeded', 930, { executionSucceededEventDetails: { output: '{}' } }),
    ],
  });
  const counts = { total: 3, succeeded: 2, failed: 1, timedOut: 0, aborted: 0, pending: 0, running: 0, resultsWritten: 3 };
  sfn.on(DescribeMapRunCommand, { mapRunArn: MAP_RUN }).resolves({ mapRunArn: MAP_RUN, itemCounts: { ...counts, total: 3000, succeeded: 2000, failed: 1000 }, executionCounts: counts });
  const child = (name: string, startMs: number, status: 'SUCCEEDED' | 'FAILED') => ({
    executionArn: `arn:aws:states:us-east-1:123456789012:execution:Job/Process:${name}`, name, status, itemCount: 1000,
    startDate: new Date(T0 + startMs), stopDate: new Date(T0 + startMs + 500), stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Job/Process',
  });
  // Two pages, not in the order the children started.
  sfn.on(ListExecutionsCommand, { mapRunArn: MAP_RUN, nextToken: undefined }).resolves({ executions: [child('c', 60, 'SUCCEEDED'), child('a', 40, 'SUCCEEDED')], nextToken: 'page-2' });
  sfn.on(ListExecutionsCommand, { mapRunArn: MAP_RUN, nextToken: 'page-2' }).resolves({ executions: [child('b', 50, 'FAILED')] });
});

test('the child executions of the map run under their Map, in the order they started, with the run\'s counts', async () => {
  const { io, printed } = bufferedIo();
  const status = await main(['trace', EXECUTION], io, () => new SFNClient({ region: 'us-east-1' }));
  expect(status).toBe(0);
  expect(printed.stdout).toContain('map run: 3000 items (2000 succeeded, 1000 failed) in 3 child executions (2 succeeded, 1 failed)');
  expect(printed.stdout.match(/(SUCCEEDED|FAILED)\s+Process\[\d\] \(ChildExecution\)/g)).toEqual([
    expect.stringMatching(/^SUCCEEDED\s+Process\[0\]/), expect.stringMatching(/^FAILED\s+Process\[1\]/), expect.stringMatching(/^SUCCEEDED\s+Process\[2\]/),
  ]);
  expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(2);
});

test('a role that may not describe the map run still gets the trace, the Map without its children, and a note saying why', async () => {
  const denied = Object.assign(new Error('User is not authorized to perform: states:DescribeMapRun'), { name: 'AccessDeniedException' });
  sfn.on(DescribeMapRunCommand).rejects(denied);
  const { io, printed } = bufferedIo();
  const status = await main(['trace', EXECUTION], io, () => new SFNClient({ region: 'us-east-1' }));
  expect(status).toBe(0);
  expect(printed.stdout).toMatch(/SUCCEEDED\s+Process \(Map\)/);
  expect(printed.stdout).not.toContain('ChildExecution');
  expect(printed.stderr).toContain(`map run ${MAP_RUN}: its child executions are not shown (`);
  expect(printed.stderr).toContain('states:DescribeMapRun');
});

import { DescribeExecutionCommand, ExecutionDoesNotExist, GetExecutionHistoryCommand, HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../tools/cli/sdp';
import { bufferedIo } from '../cli/buffered-io';

// `sdp trace` of a deployed execution whose tasks start nested executions (states:startExecution): the child's ARN is
// in the task's TaskSubmitted and TaskSucceeded output, or in its TaskFailed cause, and the child has a history of its
// own (shapes as recorded on AWS: LocalStack's test_callback.snapshot.json).
const ACCOUNT = 'arn:aws:states:us-east-1:123456789012';
const PARENT = `${ACCOUNT}:execution:Orchestrator:run-1`;
const CHILD_OK = `${ACCOUNT}:execution:ProcessOrder:line-a`;
const CHILD_FAILED = `${ACCOUNT}:execution:ProcessOrder:line-b`;
const NOTICE = `${ACCOUNT}:express:NotifyCustomer:run-1:5d0a1b2c`;
const T0 = Date.parse('2026-11-30T08:00:00Z');
const event = (id: number, type: string, ms: number, details: Partial<HistoryEvent> = {}): HistoryEvent =>
  ({ id, previousEventId: id - 1, type, timestamp: new Date(T0 + ms), ...details }) as HistoryEvent;
const task = (resource: string) => ({ resourceType: 'states', resource });
const description = (arn: string, status: string, more: object = {}) => JSON.stringify({ ExecutionArn: arn, Name: arn.split(':').pop(), Status: status, ...more });

const histories: Record<string, HistoryEvent[]> = {
  [PARENT]: [
    event(1, 'ExecutionStarted', 0, { previousEventId: 0, executionStartedEventDetails: { input: '{}' } }),
    event(2, 'TaskStateEntered', 10, { stateEnteredEventDetails: { name: 'ProcessA', input: '{}' } }),
    event(3, 'TaskScheduled', 11, { taskScheduledEventDetails: { ...task('startExecution.sync:2'), region: 'us-east-1', parameters: '{}' } }),
    event(4, 'TaskStarted', 12, { taskStartedEventDetails: task('startExecution.sync:2') }),
    event(5, 'TaskSubmitted', 13, { taskSubmittedEventDetails: { ...task('startExecution.sync:2'), output: JSON.stringify({ ExecutionArn: CHILD_OK, StartDate: T0 + 13 }) } }),
    event(6, 'TaskSucceeded', 500, { taskSucceededEventDetails: { ...task('startExecution.sync:2'), output: description(CHILD_OK, 'SUCCEEDED') } }),
    event(7, 'TaskStateExited', 501, { stateExitedEventDetails: { name: 'ProcessA', output: '{}' } }),
    event(8, 'TaskStateEntered', 502, { stateEnteredEventDetails: { name: 'ProcessB', input: '{}' } }),
    event(9, 'TaskScheduled', 503, { taskScheduledEventDetails: { ...task('startExecution.sync'), region: 'us-east-1', parameters: '{}' } }),
    event(10, 'TaskStarted', 504, { taskStartedEventDetails: task('startExecution.sync') }),
    event(11, 'TaskFailed', 900, { taskFailedEventDetails: { ...task('startExecution.sync'), error: 'States.TaskFailed', cause: description(CHILD_FAILED, 'FAILED', { Error: 'MissingSku' }) } }),
    event(12, 'TaskStateEntered', 901, { previousEventId: 11, stateEnteredEventDetails: { name: 'Notify', input: '{}' } }),
    event(13, 'TaskScheduled', 902, { taskScheduledEventDetails: { ...task('startExecution'), region: 'us-east-1', parameters: '{}' } }),
    event(14, 'TaskStarted', 903, { taskStartedEventDetails: task('startExecution') }),
    event(15, 'TaskSucceeded', 950, { taskSucceededEventDetails: { ...task('startExecution'), output: JSON.stringify({ ExecutionArn: NOTICE, StartDate: T0 + 940 }) } }),
    event(16, 'TaskStateExited', 951, { stateExitedEventDetails: { name: 'Notify', output: '{}' } }),
    event(17, 'ExecutionSucceeded', 960, { executionSucceededEventDetails: { output: '{}' } }),
  ],
  [CHILD_OK]: [
    event(1, 'ExecutionStarted', 20, { previousEventId: 0, executionStartedEventDetails: { input: '{}' } }),
    event(2, 'PassStateEntered', 30, { stateEnteredEventDetails: { name: 'Price', input: '{}' } }),
    event(3, 'PassStateExited', 40, { stateExitedEventDetails: { name: 'Price', output: '{}' } }),
    event(4, 'ExecutionSucceeded', 450, { executionSucceededEventDetails: { output: '{}' } }),
  ],
  [CHILD_FAILED]: [
    event(1, 'ExecutionStarted', 510, { previousEventId: 0, executionStartedEventDetails: { input: '{}' } }),
    event(2, 'FailStateEntered', 520, { stateEnteredEventDetails: { name: 'Refuse', input: '{}' } }),
    event(3, 'ExecutionFailed', 530, { executionFailedEventDetails: { error: 'MissingSku', cause: 'an order line has no sku' } }),
  ],
};

const sfn = mockClient(SFNClient);
beforeEach(() => {
  sfn.reset();
  sfn.on(DescribeExecutionCommand).resolves({});
  sfn.on(GetExecutionHistoryCommand).callsFake(({ executionArn }: { executionArn: string }) => {
    if (!histories[executionArn]) throw new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${executionArn}'`, $metadata: {} });
    return { events: histories[executionArn] };
  });
});

test('each nested execution under its task, with its own states; an Express child, which has no history, left out saying why', async () => {
  const { io, printed } = bufferedIo();
  expect(await main(['trace', PARENT], io, () => new SFNClient({ region: 'us-east-1' }))).toBe(0);
  const lines = printed.stdout.split('\n');
  const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
  const nameColumn = (i: number) => lines[i].search(/\S+ \(\w+\)$/);
  const processA = at(/SUCCEEDED\s+ProcessA \(Task\)/);
  const childA = at(/SUCCEEDED\s+line-a \(ChildExecution\)/);
  const price = at(/SUCCEEDED\s+Price \(Pass\)/);
  expect([processA + 1, processA + 2]).toEqual([childA, price]);
  expect([nameColumn(childA) - nameColumn(processA), nameColumn(price) - nameColumn(childA)]).toEqual([2, 2]);
  const childB = at(/FAILED\s+line-b \(ChildExecution\)/);
  expect(childB).toBe(at(/FAILED\s+ProcessB \(Task\)/) + 3);
  expect(lines[childB + 1]).toMatch(/error: MissingSku$/);
  expect(printed.stdout).toContain('cause: child execution line-b FAILED with MissingSku');
  expect(printed.stderr).toContain(`nested execution ${NOTICE}: not shown (an Express execution has no history to read`);
  expect(sfn.commandCalls(GetExecutionHistoryCommand).map((call) => call.args[0].input.executionArn)).not.toContain(NOTICE);
});

test('--json: the child span carries the child\'s ARN, its states are its children', async () => {
  const { io, printed } = bufferedIo();
  await main(['trace', PARENT, '--json'], io, () => new SFNClient({ region: 'us-east-1' }));
  const { spans } = JSON.parse(printed.stdout) as { spans: Array<{ spanId: string; parentSpanId?: string; name: string; kind: string; attributes: { executionArn?: string } }> };
  const child = spans.find((s) => s.kind === 'ChildExecution' && s.name === 'line-a')!;
  expect(child.attributes.executionArn).toBe(CHILD_OK);
  expect(spans.find((s) => s.parentSpanId === child.spanId)).toMatchObject({ name: 'Price', kind: 'Pass' });
  expect(spans.find((s) => s.spanId === child.parentSpanId)).toMatchObject({ name: 'ProcessA', kind: 'Task' });
});

test('a child whose history cannot be read is left out, saying why; the parent\'s trace is printed', async () => {
  delete histories[CHILD_OK];
  const { io, printed } = bufferedIo();
  expect(await main(['trace', PARENT], io, () => new SFNClient({ region: 'us-east-1' }))).toBe(0);
  expect(printed.stderr).toContain(`nested execution ${CHILD_OK}: not shown (GetExecutionHistory failed: ExecutionDoesNotExist`);
  expect(printed.stdout).toMatch(/SUCCEEDED\s+ProcessA \(Task\)/);
  expect(printed.stdout).not.toContain('line-a (ChildExecution)');
});

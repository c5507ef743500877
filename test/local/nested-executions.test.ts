import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { InvalidDefinitionError } from '../../tools/local/definition-support';
import { EXPRESS_MAX_SECONDS } from '../../tools/local/local-runner';
import { synthesizeNestedFixture } from '../support/nested-fixture-app';
import { useLocalRunner } from '../support/use-local-runner';

// Nested executions (https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html): each child is an
// execution of the run's Step Functions API. The result shapes are those of executions recorded on AWS (LocalStack's
// snapshots test_callback.snapshot.json and test_sfn_task_service.snapshot.json, recorded against AWS).
const runner = useLocalRunner(() => ({ assemblyDir: synthesizeNestedFixture() }));

const line = (sku: string | undefined, quantity = 2) => ({ ...sku !== undefined && { sku }, quantity, unitCents: 150 });

describe('.sync:2 in a Map, and fire-and-forget', () => {
  test('each line runs as a child; a failed child is caught in the parent; the notice child runs after its parent returned', async () => {
    const execution = await runner().execute({ stateMachine: 'Orchestrator', input: { orderId: 'order-7', lines: [line('A'), line(undefined), line('B', 3)] } });
    expect({ status: execution.status, error: execution.error, cause: execution.cause }).toEqual({ status: 'SUCCEEDED' });
    const output = execution.output as any;
    // `.sync:2`'s Output is JSON (OutputPath $.Output picks it as it is).
    expect(output.results).toEqual([
      { sku: 'A', cents: 300, status: 'stored' },
      { quantity: 2, rejected: true, error: 'States.TaskFailed' },
      { sku: 'B', cents: 450, status: 'stored' },
    ]);
    // Fire-and-forget: StartExecution's response, the child's ARN an Express one (its machine is Express).
    expect(output.notice).toEqual({
      ExecutionArn: expect.stringMatching(/^arn:aws:states:[^:]+:\d+:express:[^:]+:order-7:[0-9a-f-]+$/), StartDate: expect.any(Number),
      SdkHttpMetadata: { HttpStatusCode: 200 }, SdkResponseMetadata: { RequestId: expect.any(String) },
    });
    expect(execution.childExecutions.map((c) => [c.state, c.integration])).toEqual([
      ['ProcessLine', 'startExecution.sync:2'], ['ProcessLine', 'startExecution.sync:2'], ['ProcessLine', 'startExecution.sync:2'], ['Notify', 'startExecution'],
    ]);
    expect(await runner().stepFunctions.settle(10_000)).toBe(0);
    const notice = execution.childExecutions[3].execution;
    expect(notice).toMatchObject({ name: 'order-7', status: 'SUCCEEDED', startedBy: `${execution.executionArn} › Notify` });
    const stored = await runner().dynamodb.client.send(new GetItemCommand({ TableName: runner().tableName('Orders'), Key: { id: { S: 'notice-order-7' } } }));
    expect(stored.Item).toBeDefined();
  });

  test('the child gets the Input with AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID (associateWithParent) and DescribeExecution finds it', async () => {
    const execution = await runner().execute({ stateMachine: 'Orchestrator', input: { orderId: 'order-8', lines: [line('C')] } });
    const child = execution.childExecutions[0].execution;
    expect(JSON.parse(child.input)).toEqual({ line: line('C'), AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: execution.executionArn });
    expect(runner().stepFunctions.describeExecution(child.executionArn)).toMatchObject({ status: 'SUCCEEDED', output: JSON.stringify({ sku: 'C', cents: 300, status: 'stored' }) });
  });

  test('a failed child fails the task with States.TaskFailed, the cause its description with its Error and Cause', async () => {
    const execution = await runner().execute({ stateMachine: 'ProcessOrderSync', input: { line: line(undefined), name: 'no-sku' } });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.TaskFailed' });
    const cause = JSON.parse(execution.cause!);
    expect(Object.keys(cause)).toEqual(['Cause', 'Error', 'ExecutionArn', 'Input', 'InputDetails', 'Name', 'StartDate', 'StateMachineArn', 'Status', 'StopDate']);
    expect(cause).toMatchObject({ Error: 'MissingSku', Status: 'FAILED', Name: 'no-sku', Input: JSON.stringify({ line: line(undefined) }) });
    expect(JSON.parse(cause.Cause)).toMatchObject({ errorMessage: 'an order line has no sku' });
  });
});

describe('a child that does not succeed fails the task with States.TaskFailed, its Status in the cause', () => {
  const machineArn = (id: string) => runner().resourceArn('AWS::StepFunctions::StateMachine', id);

  test('timed out (its TimeoutSeconds)', async () => {
    const execution = await runner().execute({ stateMachine: 'Reviewer', input: { machine: machineArn('HastyReview') } });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.TaskFailed' });
    expect(JSON.parse(execution.cause!)).toMatchObject({ Status: 'TIMED_OUT', Error: 'States.Timeout' });
  });

  test('aborted by StopExecution, with the error and cause it was given', async () => {
    const running = runner().execute({ stateMachine: 'Reviewer', input: { machine: machineArn('SlowReview') } });
    let child: string | undefined;
    for (let i = 0; i < 100 && !child; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      child = runner().stepFunctions.list().find((e) => e.stateMachine.startsWith('SlowReview') && e.status === 'RUNNING')?.executionArn;
    }
    const stopped = await runner().stepFunctions.handle('StopExecution', JSON.stringify({ executionArn: child, error: 'Withdrawn', cause: 'the customer withdrew the order' }));
    expect(stopped.statusCode).toBe(200);
    const execution = await running;
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.TaskFailed' });
    expect(JSON.parse(execution.cause!)).toMatchObject({ Status: 'ABORTED', Error: 'Withdrawn', Cause: 'the customer withdrew the order', ExecutionArn: child });
    expect(runner().stepFunctions.describeExecution(child!)).toMatchObject({ status: 'ABORTED', error: 'Withdrawn' });
  });
});

test('a .sync child still running when its task times out is stopped: it ends ABORTED', async () => {
  const execution = await runner().execute({ stateMachine: 'ImpatientReview', input: {} });
  expect(execution).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
  const [child] = execution.childExecutions;
  await runner().stepFunctions.settle(5_000);
  expect(child.execution.status).toBe('ABORTED');
});

describe('.sync and .sync:2', () => {
  test('the output is DescribeExecution\'s, PascalCase, Input and Output as JSON text, dates in milliseconds', async () => {
    const before = Date.now();
    const execution = await runner().execute({ stateMachine: 'ProcessOrderSync', input: { line: line('D'), name: 'line-d' } });
    expect(execution.status).toBe('SUCCEEDED');
    const output = execution.output as any;
    expect(output).toEqual({
      ExecutionArn: expect.stringMatching(/:execution:[^:]+:line-d$/),
      Input: JSON.stringify({ line: line('D') }),
      InputDetails: { Included: true },
      Name: 'line-d',
      Output: JSON.stringify({ sku: 'D', cents: 300, status: 'stored' }),
      OutputDetails: { Included: true },
      StartDate: expect.any(Number),
      StateMachineArn: runner().resourceArn('AWS::StepFunctions::StateMachine', 'ProcessOrder10906E0C'),
      Status: 'SUCCEEDED',
      StopDate: expect.any(Number),
    });
    expect(output.StartDate).toBeGreaterThanOrEqual(before);
    expect(output.StopDate).toBeGreaterThanOrEqual(output.StartDate);
  });

  test('a Standard parent runs an Express child with .sync:2: its description, the ARN an Express one', async () => {
    const execution = await runner().execute({ stateMachine: 'NotifyAndWait', input: { orderId: 'order-9' } });
    expect(execution.output).toMatchObject({
      ExecutionArn: expect.stringMatching(/:express:/), Status: 'SUCCEEDED', Input: { orderId: 'order-9' }, Output: expect.objectContaining({ SdkHttpMetadata: expect.any(Object) }),
    });
  });

  test('a name already used fails the task with StepFunctions.ExecutionAlreadyExistsException, as StartExecution does', async () => {
    expect((await runner().execute({ stateMachine: 'ProcessOrderSync', input: { line: line('E'), name: 'line-e' } })).status).toBe('SUCCEEDED');
    const again = await runner().execute({ stateMachine: 'ProcessOrderSync', input: { line: line('E'), name: 'line-e' } });
    expect(again).toMatchObject({ status: 'FAILED', error: 'StepFunctions.ExecutionAlreadyExistsException' });
    expect(again.cause).toMatch(/^Execution Already Exists: '.*:line-e' \(Service: AWSStepFunctions; Status Code: 400; Error Code: ExecutionAlreadyExists; Request ID: .+; Proxy: null\)$/);
  });
});

test('a state machine the assembly does not have: StepFunctions.StateMachineDoesNotExistException at run time', async () => {
  const execution = await runner().execute({ stateMachine: 'StartMissing', input: {} });
  expect(execution).toMatchObject({ status: 'FAILED', error: 'StepFunctions.StateMachineDoesNotExistException' });
  expect(execution.cause).toContain('stateMachine:NoSuchMachine');
});

test('an Express state machine with a .sync task is refused before the run: Express takes Request Response only', async () => {
  const refused = runner().execute({ stateMachine: 'ExpressRunner', input: {} });
  await expect(refused).rejects.toThrow(InvalidDefinitionError);
  await expect(refused).rejects.toThrow(/ProcessInExpress \(Resource: an Express state machine takes Request Response integrations only \(got arn:aws:states:::states:startExecution.sync:2\)\)/);
});

// An Express execution runs at most five minutes (https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html).
test('an Express execution longer than five minutes times out with States.Timeout', async () => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'hrtime', 'performance', 'Date'] });
  try {
    const running = runner().execute({ stateMachine: 'SlowNotice', input: {} });
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    jest.advanceTimersByTime(EXPRESS_MAX_SECONDS * 1000);
    expect(await running).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
  } finally {
    jest.useRealTimers();
  }
});

import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { MAX_PAYLOAD_BYTES } from '../../tools/local/local-runner';
import { toHistoryEvents } from '../../tools/local/history-events';
import { buildTrace } from '../../tools/trace/execution-trace';
import { OVER_QUOTA_BYTES, synthesizeStepFunctionsFixture } from '../support/sfn-fixture-app';
import { useLocalRunner } from '../support/use-local-runner';

const runner = useLocalRunner(() => ({ assemblyDir: synthesizeStepFunctionsFixture() }));

const history = (execution: Awaited<ReturnType<ReturnType<typeof runner>['execute']>>) => toHistoryEvents(execution.events, execution);
const types = (events: HistoryEvent[]) => events.map((e) => e.type);

describe('the payload quota, as Step Functions applies it', () => {
  // "States.DataLimitExceeded: ... the output of a connector is larger than payload size quota ... the output of a
  // state is larger than payload size quota" and "States.ALL ... can't catch the States.DataLimitExceeded terminal
  // error": https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
  // The quota, 256 KiB: https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
  test('a task result over 256 KiB fails the task with States.DataLimitExceeded, which a Catch naming it handles', async () => {
    expect(OVER_QUOTA_BYTES).toBeGreaterThan(MAX_PAYLOAD_BYTES);
    const execution = await runner().execute({ stateMachine: 'QuotaCaught', input: {} });
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toMatchObject({ Error: 'States.DataLimitExceeded' });
    expect((execution.output as { Cause: string }).Cause).toMatch(/^the result of task 'Big' is \d+ bytes, over the 262144-byte quota/);
    const events = history(execution);
    expect(events.find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails).toMatchObject({ error: 'States.DataLimitExceeded', resourceType: 'lambda', resource: 'invoke' });
    expect(types(events)).toContain('PassStateEntered');
  });

  test('a Catch on States.ALL does not catch States.DataLimitExceeded: the execution fails', async () => {
    const execution = await runner().execute({ stateMachine: 'QuotaAllCatcher', input: {} });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(types(history(execution))).not.toContain('PassStateEntered');
  });

  test('the last state\'s output over the quota fails the execution, though the task result is under it', async () => {
    // 100 KiB of input plus a 200 KiB result: each under the quota, the state's output over it.
    const execution = await runner().execute({ stateMachine: 'QuotaLastOutput', input: { pad: 'p'.repeat(100 * 1024), bytes: 200 * 1024 } });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(execution.cause).toMatch(/^the output of state 'Grow' is \d+ bytes, over the 262144-byte quota/);
    expect(execution.output).toBeUndefined();
  });
});

describe('a Map iteration failure stops its siblings', () => {
  // A Map state fails when an iteration fails, and its other iterations are stopped: the recorded AWS history of this
  // case (test/fixtures/histories/failed-iteration.json) has TaskStateAborted and MapIterationAborted for the running
  // iteration, one MapStateFailed. Event types: https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
  // Map state: https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
  test('no task of the Map runs after the failure, the running iteration is aborted, and the Catch runs after', async () => {
    const items = [{ index: 0, sleepMs: 3000 }, { index: 1, fail: true }, ...[2, 3, 4, 5].map((index) => ({ index }))];
    const execution = await runner().execute({ stateMachine: 'MapStops', input: { items } });
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toMatchObject({ error: { Error: 'ItemInvalid' } });
    // MaxConcurrency 2: items 0 and 1 ran; none of 2..5 started once 1 had failed.
    const { Items = [] } = await runner().dynamodb.client.send(new ScanCommand({ TableName: runner().tableName('Records') }));
    expect(Items.map((i) => i.id.S).sort()).toEqual(['0', '1']);

    const events = history(execution);
    expect(events.find((e) => e.type === 'MapStateStarted')?.mapStateStartedEventDetails).toEqual({ length: 6 });
    expect(types(events).filter((t) => t?.startsWith('MapIteration') || t === 'MapStateFailed' || t === 'TaskStateAborted')).toEqual([
      'MapIterationStarted', 'MapIterationStarted', 'MapIterationFailed', 'TaskStateAborted', 'MapIterationAborted', 'MapStateFailed',
    ]);
    expect(events.find((e) => e.type === 'MapIterationAborted')?.mapIterationAbortedEventDetails).toEqual({ name: 'Items', index: 0 });
    // Nothing of the Map after the state the Catch went to.
    const afterCatch = events.findIndex((e) => e.type === 'PassStateEntered');
    expect(events.slice(afterCatch).filter((e) => e.type?.startsWith('Task') || e.type?.startsWith('MapIteration'))).toEqual([]);
    const { spans } = buildTrace(execution.executionArn, events);
    expect(spans.filter((s) => s.kind === 'MapIteration').map((s) => [s.name, s.status])).toEqual([['Items[0]', 'ABORTED'], ['Items[1]', 'FAILED']]);
  });
});

describe('errors named as Step Functions names them', () => {
  // "States.Timeout: A Task state either ran longer than the TimeoutSeconds value":
  // https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html; the TaskTimedOut event:
  // https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
  test('a task over its TimeoutSeconds fails with States.Timeout and a TaskTimedOut event', async () => {
    const execution = await runner().execute({ stateMachine: 'TaskTimeout', input: {} });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    const events = history(execution);
    expect(types(events)).toContain('TaskTimedOut');
    expect(events.find((e) => e.type === 'TaskTimedOut')?.taskTimedOutEventDetails).toMatchObject({ error: 'States.Timeout', resourceType: 'lambda', resource: 'invoke' });
  });

  // Step Functions reports a DynamoDB validation error as DynamoDB.AmazonDynamoDBException, with the SDK's message
  // "(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ValidationException; Request ID: ...; Proxy: null)",
  // and a modelled exception under its own name: https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html
  test('a DynamoDB validation error is DynamoDB.AmazonDynamoDBException with the cause in AWS\'s format', async () => {
    const execution = await runner().execute({ stateMachine: 'DynamoDbErrors', input: { item: { id: { S: '' } } } });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'DynamoDB.AmazonDynamoDBException' });
    expect(execution.cause).toMatch(/ \(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ValidationException; Request ID: \S+; Proxy: null\)$/);
  });

  test('a failed condition stays DynamoDB.ConditionalCheckFailedException', async () => {
    const input = { item: { id: { S: 'conditional' } } };
    expect((await runner().execute({ stateMachine: 'DynamoDbErrors', input })).status).toBe('SUCCEEDED');
    const again = await runner().execute({ stateMachine: 'DynamoDbErrors', input });
    expect(again).toMatchObject({ status: 'FAILED', error: 'DynamoDB.ConditionalCheckFailedException' });
    expect(again.cause).toMatch(/Error Code: ConditionalCheckFailedException; Request ID: \S+; Proxy: null\)$/);
  });

  // lambda:invoke passes Payload as the Invoke request's body; Invoke's Payload is "The JSON that you want to provide
  // to your Lambda function as input": https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html and
  // https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
  test('lambda:invoke without a Payload delivers {}; a string Payload is the body, read as JSON', async () => {
    expect((await runner().execute({ stateMachine: 'InvokeNoPayload', input: {} })).output).toEqual({ received: {} });
    expect((await runner().execute({ stateMachine: 'InvokePayload', input: { payload: null } })).output).toEqual({ received: {} });
    expect((await runner().execute({ stateMachine: 'InvokePayload', input: { payload: '{"a":1}' } })).output).toEqual({ received: { a: 1 } });
    const notJson = await runner().execute({ stateMachine: 'InvokePayload', input: { payload: 'not json' } });
    expect(notJson).toMatchObject({ status: 'FAILED', error: 'Lambda.InvalidRequestContentException' });
  });
});

// The context object's State.Name, State.EnteredTime, State.RetryCount and Execution.RoleArn:
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
test('the context object has the state\'s Name and RetryCount and the execution\'s RoleArn', async () => {
  const execution = await runner().execute({ stateMachine: 'ContextObject', input: {} });
  expect(execution.status).toBe('SUCCEEDED');
  expect(execution.output).toEqual({
    name: 'Describe',
    retryCount: 0,
    roleArn: expect.stringMatching(/^arn:aws:iam::000000000000:role\/ContextObjectRole\w+$/),
    // The function failed while $$.State.RetryCount was 0 and 1, and succeeded on the second retry.
    flaky: { retryCount: 2 },
  });
});

test('in a Map iteration, the context object\'s State is the iteration\'s state and Execution.Input the execution\'s', async () => {
  const input = { items: [1, 2] };
  const execution = await runner().execute({ stateMachine: 'ContextInMap', input });
  expect(execution.output).toEqual([{ name: 'Inner', executionInput: input }, { name: 'Inner', executionInput: input }]);
});

// A Task whose Resource is a function ARN is logged as LambdaFunction* events, and TaskSucceeded/LambdaFunctionSucceeded
// carry the task's result, not the state's output: https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
test('a function-ARN task is logged as LambdaFunctionScheduled/Started/Succeeded with the function\'s result', async () => {
  const execution = await runner().execute({ stateMachine: 'FunctionArnTask', input: { n: 1 } });
  expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { n: 1, echoed: { received: { n: 1 } } } });
  const events = history(execution);
  expect(types(events)).toEqual([
    'ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded', 'TaskStateExited', 'ExecutionSucceeded',
  ]);
  expect(events[2].lambdaFunctionScheduledEventDetails?.resource).toMatch(/^arn:aws:lambda:us-east-1:000000000000:function:Echo/);
  expect(JSON.parse(events[4].lambdaFunctionSucceededEventDetails!.output!)).toEqual({ received: { n: 1 } });
});

// A synthesized JSONata state machine runs locally (tools/local/query-language/): the Pass state's Output is evaluated.
// JSONata states: https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
test('a JSONata definition from the assembly runs: its Output expression gives the state\'s output', async () => {
  await expect(runner().execute({ stateMachine: 'JsonataPass', input: { items: [1, 2] } })).resolves.toMatchObject({ status: 'SUCCEEDED', output: { n: 2 } });
});

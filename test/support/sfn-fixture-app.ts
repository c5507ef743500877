import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { fixtureApp, fixtureFunction } from './fixture-function';

export const SFN_FIXTURE_STACK = 'StepFunctionsFixture';

/** Over the 256 KiB payload quota with room to spare, under it alone. */
export const OVER_QUOTA_BYTES = 300 * 1024;

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';

/**
 * Hand-written state machines, each exercising one Step Functions behaviour the local run emulates, with the
 * fixture functions they call, synthesized into a temporary assembly. Each machine's id names its behaviour.
 */
export function synthesizeStepFunctionsFixture(): string {
  const { assemblyDir, app } = fixtureApp('sfn');
  const stack = new Stack(app, SFN_FIXTURE_STACK);
  const handler = (id: string, file: string, environment?: Record<string, string>) => fixtureFunction(stack, id, `${file}.ts`, { environment });
  const table = new dynamodb.Table(stack, 'Records', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  const payloadOfSize = handler('PayloadOfSize', 'payload-of-size');
  const echo = handler('Echo', 'echo');
  const failsUntilRetry = handler('FailsUntilRetry', 'fails-until-retry');
  const recordItem = handler('RecordItem', 'record-item', { TABLE_NAME: table.tableName });
  const sleepy = handler('Sleepy', 'sleepy');

  const machine = (id: string, definition: object) => new sfn.StateMachine(stack, id, {
    stateMachineName: id,
    definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(definition)),
  });
  const invoke = (fn: lambda.IFunction, payload: object | string) => ({
    Type: 'Task', Resource: LAMBDA_INVOKE, Parameters: { FunctionName: fn.functionArn, ...typeof payload === 'string' ? { 'Payload.$': payload } : { Payload: payload } },
  });
  const bigResult = { ...invoke(payloadOfSize, { bytes: OVER_QUOTA_BYTES }), OutputPath: '$.Payload' };

  machine('QuotaCaught', {
    StartAt: 'Big',
    States: {
      Big: { ...bigResult, Catch: [{ ErrorEquals: ['States.DataLimitExceeded'], Next: 'Recovered' }], End: true },
      Recovered: { Type: 'Pass', End: true },
    },
  });
  machine('QuotaAllCatcher', {
    StartAt: 'Big',
    States: {
      Big: { ...bigResult, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Recovered' }], End: true },
      Recovered: { Type: 'Pass', End: true },
    },
  });
  // The task's result is under the quota; the state's output (input + result) is not.
  machine('QuotaLastOutput', {
    StartAt: 'Grow',
    States: { Grow: { ...invoke(payloadOfSize, { 'bytes.$': '$.bytes' }), ResultSelector: { 'data.$': '$.Payload.data' }, ResultPath: '$.result', End: true } },
  });
  machine('MapStops', {
    StartAt: 'Items',
    States: {
      Items: {
        Type: 'Map', ItemsPath: '$.items', MaxConcurrency: 2,
        ItemProcessor: { StartAt: 'Record', States: { Record: { ...invoke(recordItem, '$'), OutputPath: '$.Payload', End: true } } },
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'AfterFailure' }],
        Next: 'AfterFailure',
      },
      AfterFailure: { Type: 'Pass', End: true },
    },
  });
  machine('TaskTimeout', {
    StartAt: 'Slow',
    States: { Slow: { ...invoke(sleepy, { word: 'slow', sleepMs: 3000 }), TimeoutSeconds: 1, End: true } },
  });
  machine('DynamoDbErrors', {
    StartAt: 'Put',
    States: {
      Put: {
        Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem',
        Parameters: { 'TableName': table.tableName, 'Item.$': '$.item', 'ConditionExpression': 'attribute_not_exists(id)' },
        End: true,
      },
    },
  });
  machine('InvokePayload', {
    StartAt: 'Invoke',
    States: { Invoke: { Type: 'Task', Resource: LAMBDA_INVOKE, Parameters: { 'FunctionName': echo.functionArn, 'Payload.$': '$.payload' }, OutputPath: '$.Payload', End: true } },
  });
  machine('InvokeNoPayload', {
    StartAt: 'Invoke',
    States: { Invoke: { Type: 'Task', Resource: LAMBDA_INVOKE, Parameters: { FunctionName: echo.functionArn }, OutputPath: '$.Payload', End: true } },
  });
  machine('ContextObject', {
    StartAt: 'Describe',
    States: {
      Describe: { 'Type': 'Pass', 'Parameters': { 'name.$': '$$.State.Name', 'retryCount.$': '$$.State.RetryCount', 'roleArn.$': '$$.Execution.RoleArn' }, 'Next': 'Flaky' },
      Flaky: {
        ...invoke(failsUntilRetry, { 'retryCount.$': '$$.State.RetryCount', 'succeedOn': 2 }),
        ResultSelector: { 'retryCount.$': '$.Payload.retryCount' },
        ResultPath: '$.flaky',
        Retry: [{ ErrorEquals: ['NotYet'], IntervalSeconds: 1, BackoffRate: 1, MaxAttempts: 3 }],
        End: true,
      },
    },
  });
  machine('ContextInMap', {
    StartAt: 'Items',
    States: {
      Items: {
        Type: 'Map', ItemsPath: '$.items',
        ItemProcessor: { StartAt: 'Inner', States: { Inner: { 'Type': 'Pass', 'Parameters': { 'name.$': '$$.State.Name', 'executionInput.$': '$$.Execution.Input' }, 'End': true } } },
        End: true,
      },
    },
  });
  machine('FunctionArnTask', {
    StartAt: 'Echo',
    States: { Echo: { Type: 'Task', Resource: echo.functionArn, ResultPath: '$.echoed', End: true } },
  });
  machine('JsonataPass', {
    QueryLanguage: 'JSONata',
    StartAt: 'Count',
    States: { Count: { Type: 'Pass', Output: '{% {"n": $count($states.input.items)} %}', End: true } },
  });
  app.synth();
  return assemblyDir;
}

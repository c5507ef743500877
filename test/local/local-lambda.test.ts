import { LocalRunner } from '../../tools/local/local-runner';
import { taskHandlersFor, UnsupportedIntegrationError } from '../../tools/local/task-integrations';
import { FIXTURE_STACK, synthesizeSleepyFixture } from '../support/fixture-app';

let runner: LocalRunner;

beforeAll(async () => {
  runner = await LocalRunner.start({ assemblyDir: synthesizeSleepyFixture(), stackName: FIXTURE_STACK });
});

afterAll(async () => {
  await runner?.stop();
});

const mapFunctionArn = () => runner.definitionOf().States.MapItems.ItemProcessor.States.MapItem.Parameters.FunctionName;

test('a function that outlasts its Timeout fails with Sandbox.Timedout, as Lambda reports it', async () => {
  const execution = await runner.execute({ input: { data: [{ word: 'ok' }, { word: 'slow', sleepMs: 1500 }] } });
  expect(execution.status).toBe('FAILED');
  expect(execution.error).toBe('Sandbox.Timedout');
  expect(JSON.parse(execution.cause!)).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds' });
});

test('the functions run from the bundled asset with the template handler and a Lambda context', async () => {
  expect(mapFunctionArn()).toMatch(/^arn:aws:lambda:us-east-1:000000000000:function:Sleepy[0-9A-F]{8}$/);
  await expect(runner.lambda.invoke(mapFunctionArn(), { word: 'four' })).resolves.toEqual({ length: 4 });
  // A missing function is the Invoke API's ResourceNotFoundException, which Step Functions names Lambda.ResourceNotFoundException
  // (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors,
  // https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html).
  await expect(runner.lambda.invoke('NoSuchFunction', {})).rejects.toMatchObject({
    name: 'Lambda.ResourceNotFoundException',
    message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:NoSuchFunction',
  });
});

describe('task integrations', () => {
  const engines = () => ({ lambda: runner.lambda, dynamodb: runner.dynamodb.client });

  test('lambda:invoke wraps the payload in the Invoke response; a function ARN returns the payload alone', async () => {
    const handlers = taskHandlersFor({
      StartAt: 'Wrapped',
      States: {
        Wrapped: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Next: 'Direct' },
        Direct: { Type: 'Task', Resource: mapFunctionArn(), End: true },
      },
    }, engines());
    await expect(handlers.Wrapped({ FunctionName: mapFunctionArn(), Payload: { word: 'abc' } }))
      .resolves.toEqual({ ExecutedVersion: '$LATEST', Payload: { length: 3 }, StatusCode: 200 });
    await expect(handlers.Direct({ word: 'abcde' })).resolves.toEqual({ length: 5 });
  });

  test('a DynamoDB service error is named DynamoDB.<exception>, as Step Functions names it', async () => {
    const handlers = taskHandlersFor({
      StartAt: 'Put',
      States: { Put: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', End: true } },
    }, engines());
    await expect(handlers.Put({ TableName: 'missing', Item: { id: { S: 'x' } } }))
      .rejects.toMatchObject({ name: 'DynamoDB.ResourceNotFoundException' });
  });

  test('tasks the local run cannot emulate are all reported by name, nested ones included, before anything runs', () => {
    const definition = {
      StartAt: 'Notify',
      States: {
        Notify: { Type: 'Task', Resource: 'arn:aws:states:::ecs:runTask.sync', Next: 'Batch' },
        // The local DynamoDB is there; the AWS SDK integration serves the item calls, query and scan only.
        Batch: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:dynamodb:batchWriteItem', Next: 'Fan' },
        Fan: {
          Type: 'Map',
          ItemProcessor: {
            StartAt: 'Wait',
            States: { Wait: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', End: true } },
          },
          End: true,
        },
      },
    };
    expect(() => taskHandlersFor(definition, engines())).toThrow(UnsupportedIntegrationError);
    expect(() => taskHandlersFor(definition, engines())).toThrow(
      'the local run cannot emulate these tasks: Notify (arn:aws:states:::ecs:runTask.sync), Batch (arn:aws:states:::aws-sdk:dynamodb:batchWriteItem), Wait (arn:aws:states:::sqs:sendMessage.waitForTaskToken)',
    );
  });
});

import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { FanOut, ResultTable } from '../../lib';
import { fixtureApp, fixtureFunction } from './fixture-function';

export const LAMBDA_FIXTURE_STACK = 'LambdaFixture';

const handlers = path.join(__dirname, '..', 'fixtures', 'handlers');
const faultWorker = path.join(handlers, 'fault-worker.ts');

/** A function whose instance state the tests can see, with settings that shape its instances. */
function instanceStateFunction(stack: Stack, id: string, props: Omit<lambda.FunctionProps, 'code' | 'handler' | 'runtime'> = {}): lambda.Function {
  return fixtureFunction(stack, id, 'instance-state.ts', { timeout: Duration.seconds(5), environment: { FIXTURE_SETTING: id }, ...props });
}

/**
 * The local run's Lambda model under faults, synthesized into a temporary assembly:
 * - a fan-out whose consumers share the fault worker (module-level Powertools BatchProcessor) with different settings:
 *   `Poison` (batches of 5, 5 at once), `Flaky` (batches of 2), `Slow` (1 s timeout, 3 receives), `Throttled`
 *   (reserved concurrency 1, so its event source's 5 default pollers are throttled);
 * - functions of the instance-state handler: `Plain` (no reservation), `Limited` (reserved concurrency 1),
 *   `Provisioned` (an alias with 2 provisioned instances);
 * - state machines invoking `Limited` three at once, with Retry (`RetryThrottles`) or Catch (`CatchThrottles`) on
 *   Lambda.TooManyRequestsException, and one invoking a missing function with a Catch (`MissingFunction`).
 */
export function synthesizeLambdaFixture(): string {
  const { assemblyDir, app } = fixtureApp('lambda');
  const stack = new Stack(app, LAMBDA_FIXTURE_STACK);

  new FanOut(stack, 'Faults', {
    resultTable: new ResultTable(stack, 'Results', { partitionKeyName: 'resultId' }),
    consumers: {
      Poison: { entry: faultWorker, batchSize: 5, reservedConcurrency: 5, maxConcurrency: 5 },
      Flaky: { entry: faultWorker, batchSize: 2, reservedConcurrency: 5 },
      Slow: { entry: faultWorker, timeout: Duration.seconds(1), batchSize: 1, reservedConcurrency: 2, maxReceiveCount: 3 },
      Throttled: { entry: faultWorker, batchSize: 2, reservedConcurrency: 1, maxReceiveCount: 10 },
    },
  });

  instanceStateFunction(stack, 'Plain');
  const limited = instanceStateFunction(stack, 'Limited', { reservedConcurrentExecutions: 1 });
  const provisioned = instanceStateFunction(stack, 'Provisioned');
  new lambda.Alias(stack, 'ProvisionedLive', { aliasName: 'live', version: provisioned.currentVersion, provisionedConcurrentExecutions: 2 });

  const threeAtOnce = (id: string, invoke: sfn.IChainable) => new sfn.StateMachine(stack, id, {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Map(stack, `${id}Map`, { itemsPath: '$.items', maxConcurrency: 3 }).itemProcessor(invoke)),
  });
  const invokeLimited = (id: string) => new tasks.LambdaInvoke(stack, id, {
    lambdaFunction: limited,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
  });
  threeAtOnce('RetryThrottles', invokeLimited('InvokeWithRetry').addRetry({
    errors: ['Lambda.TooManyRequestsException'], interval: Duration.seconds(1), maxAttempts: 6, backoffRate: 1,
  }));
  const caught = invokeLimited('InvokeWithCatch');
  caught.addCatch(new sfn.Pass(stack, 'Throttled', { result: sfn.Result.fromObject({ throttled: true }) }), { errors: ['Lambda.TooManyRequestsException'] });
  threeAtOnce('CatchThrottles', caught);

  const missing = lambda.Function.fromFunctionArn(stack, 'Missing', `arn:aws:lambda:us-east-1:000000000000:function:Missing`);
  const invokeMissing = new tasks.LambdaInvoke(stack, 'InvokeMissing', { lambdaFunction: missing, retryOnServiceExceptions: false });
  invokeMissing.addCatch(new sfn.Pass(stack, 'NotFound'), { errors: ['Lambda.ResourceNotFoundException'], resultPath: '$.error' });
  new sfn.StateMachine(stack, 'MissingFunction', { definitionBody: sfn.DefinitionBody.fromChainable(invokeMissing) });

  app.synth();
  return assemblyDir;
}

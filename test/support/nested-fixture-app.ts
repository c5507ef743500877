import { Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { fixtureApp, fixtureFunction } from './fixture-function';

export const NESTED_FIXTURE_STACK = 'NestedFixture';

/**
 * An order orchestrator in the style of the public nested-workflow samples, synthesized into a temporary assembly:
 * - `ProcessOrder` (Standard), the child run per order line: prices the line (`PriceLine`, which refuses a line without
 *   a sku with `MissingSku`), stores it in the table `Orders`, answers `{ sku, cents, status }`;
 * - `NotifyCustomer` (Express), a fire-and-forget child: records a notice of the order in `Orders`;
 * - `Orchestrator` (Standard): a Map over `$.lines` running `ProcessOrder` per line with `.sync:2` (`associateWithParent`),
 *   a failed line caught as `{ quantity, rejected, error }`; then starts `NotifyCustomer` (fire-and-forget, named `$.orderId`);
 * - `NotifyAndWait`: runs the Express `NotifyCustomer` with `.sync:2`;
 * - `ProcessOrderSync`: one `ProcessOrder` with `.sync` (its output as JSON text), named `$.name` when given;
 * - `StartMissing`: `startExecution.sync:2` of a state machine the app does not have;
 * - `ExpressRunner` (Express): runs `ProcessOrder` with `.sync:2`, which an Express state machine does not take;
 * - `SlowNotice` (Express): waits 400 s, longer than an Express execution may run;
 * - `Reviewer` runs the state machine `$.machine` with `.sync:2`: `SlowReview` (waits 30 s, to be stopped) or
 *   `HastyReview` (the same with a 1-second execution timeout); `ImpatientReview` runs `SlowReview` from a task that
 *   times out after 1 second.
 */
export function synthesizeNestedFixture(): string {
  const { assemblyDir, app } = fixtureApp('nested');
  const stack = new Stack(app, NESTED_FIXTURE_STACK);

  const orders = new dynamodb.Table(stack, 'Orders', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  const priceLine = fixtureFunction(stack, 'PriceLine', 'price-line.ts');

  const processOrder = new sfn.StateMachine(stack, 'ProcessOrder', {
    definitionBody: sfn.DefinitionBody.fromChainable(new tasks.LambdaInvoke(stack, 'Price', {
      lambdaFunction: priceLine, inputPath: '$.line', payloadResponseOnly: true, resultPath: '$.priced',
    }).next(new tasks.DynamoPutItem(stack, 'Store', {
      table: orders,
      item: { id: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.priced.sku')), cents: tasks.DynamoAttributeValue.numberFromString(sfn.JsonPath.format('{}', sfn.JsonPath.stringAt('$.priced.cents'))) },
      resultPath: sfn.JsonPath.DISCARD,
    })).next(new sfn.Pass(stack, 'Stored', {
      parameters: { 'sku.$': '$.priced.sku', 'cents.$': '$.priced.cents', 'status': 'stored' },
    }))),
  });

  const notifyCustomer = new sfn.StateMachine(stack, 'NotifyCustomer', {
    stateMachineType: sfn.StateMachineType.EXPRESS,
    definitionBody: sfn.DefinitionBody.fromChainable(new tasks.DynamoPutItem(stack, 'RecordNotice', {
      table: orders,
      item: { id: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.format('notice-{}', sfn.JsonPath.stringAt('$.orderId'))) },
    })),
  });

  const processLine = new tasks.StepFunctionsStartExecution(stack, 'ProcessLine', {
    stateMachine: processOrder,
    integrationPattern: sfn.IntegrationPattern.RUN_JOB,
    input: sfn.TaskInput.fromObject({ 'line.$': '$' }),
    associateWithParent: true,
    outputPath: '$.Output',
  }).addCatch(new sfn.Pass(stack, 'Rejected', {
    parameters: { 'quantity.$': '$.quantity', 'rejected': true, 'error.$': '$.failure.Error' },
  }), { errors: ['States.TaskFailed'], resultPath: '$.failure' });
  const lines = new sfn.Map(stack, 'Lines', { itemsPath: '$.lines', maxConcurrency: 2, resultPath: '$.results' });
  lines.itemProcessor(processLine);
  new sfn.StateMachine(stack, 'Orchestrator', {
    definitionBody: sfn.DefinitionBody.fromChainable(lines.next(new tasks.StepFunctionsStartExecution(stack, 'Notify', {
      stateMachine: notifyCustomer,
      name: sfn.JsonPath.stringAt('$.orderId'),
      input: sfn.TaskInput.fromObject({ 'orderId.$': '$.orderId' }),
      resultPath: '$.notice',
    }))),
  });

  new sfn.StateMachine(stack, 'NotifyAndWait', {
    definitionBody: sfn.DefinitionBody.fromChainable(new tasks.StepFunctionsStartExecution(stack, 'NotifyThenGoOn', {
      stateMachine: notifyCustomer, integrationPattern: sfn.IntegrationPattern.RUN_JOB,
    })),
  });

  // CDK renders RUN_JOB as `.sync:2`; `.sync` (output as JSON text) is written as the samples write it.
  new sfn.StateMachine(stack, 'ProcessOrderSync', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.CustomState(stack, 'ProcessOne', {
      stateJson: {
        Type: 'Task',
        Resource: 'arn:aws:states:::states:startExecution.sync',
        Parameters: { 'StateMachineArn': processOrder.stateMachineArn, 'Input': { 'line.$': '$.line' }, 'Name.$': '$.name' },
      },
    })),
  });

  const missing = sfn.StateMachine.fromStateMachineArn(stack, 'Missing', `arn:aws:states:${stack.region}:${stack.account}:stateMachine:NoSuchMachine`);
  new sfn.StateMachine(stack, 'StartMissing', {
    definitionBody: sfn.DefinitionBody.fromChainable(new tasks.StepFunctionsStartExecution(stack, 'StartNowhere', {
      stateMachine: missing, integrationPattern: sfn.IntegrationPattern.RUN_JOB,
    })),
  });

  new sfn.StateMachine(stack, 'ExpressRunner', {
    stateMachineType: sfn.StateMachineType.EXPRESS,
    definitionBody: sfn.DefinitionBody.fromChainable(new tasks.StepFunctionsStartExecution(stack, 'ProcessInExpress', {
      stateMachine: processOrder, integrationPattern: sfn.IntegrationPattern.RUN_JOB,
    })),
  });

  new sfn.StateMachine(stack, 'SlowNotice', {
    stateMachineType: sfn.StateMachineType.EXPRESS,
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Wait(stack, 'WaitLong', { time: sfn.WaitTime.duration(Duration.seconds(400)) })),
  });

  const review = (id: string, timeout?: Duration) => new sfn.StateMachine(stack, id, {
    timeout, definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Wait(stack, `${id}Wait`, { time: sfn.WaitTime.duration(Duration.seconds(30)) })),
  });
  const slowReview = review('SlowReview');
  review('HastyReview', Duration.seconds(1));
  new sfn.StateMachine(stack, 'ImpatientReview', {
    definitionBody: sfn.DefinitionBody.fromChainable(new tasks.StepFunctionsStartExecution(stack, 'RunSlowReview', {
      stateMachine: slowReview, integrationPattern: sfn.IntegrationPattern.RUN_JOB, taskTimeout: sfn.Timeout.duration(Duration.seconds(1)),
    })),
  });
  new sfn.StateMachine(stack, 'Reviewer', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.CustomState(stack, 'RunReview', {
      stateJson: { 'Type': 'Task', 'Resource': 'arn:aws:states:::states:startExecution.sync:2', 'Parameters': { 'StateMachineArn.$': '$.machine', 'Input': {} } },
    })),
  });

  app.synth();
  return assemblyDir;
}

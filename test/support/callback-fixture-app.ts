import { Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { fixtureApp, fixtureFunction } from './fixture-function';

export const CALLBACK_FIXTURE_STACK = 'CallbackFixture';

/** HeartbeatSeconds of the approval request: the worker heartbeats every 0.3 s through a review of 3 s. */
export const APPROVAL_HEARTBEAT_SECONDS = 2;

/**
 * An order-approval app in the style of the public callback samples, synthesized into a temporary assembly: a workflow
 * sends each order with its task token to a queue (`ApprovalRequests`), a worker fed by it (`Approver`, with
 * `@aws-sdk/client-sfn`) answers the token — SendTaskSuccess with its decision, SendTaskFailure for an order over the
 * limit, heartbeats through a long review — and the workflow records the decision in a table (`Decisions`). State
 * machines, each named for what it does:
 * - `OrderApproval`: RequestApproval (sqs:sendMessage.waitForTaskToken, HeartbeatSeconds 2; a rejection caught), a
 *   Choice on the decision, RecordApproval or RecordRejection (dynamodb:putItem);
 * - `JsonataApproval`: the request as a JSONata state (`$states.context.Task.Token` in its Arguments);
 * - `ShipOrder`: BookShipment (lambda:invoke.waitForTaskToken), the function answering its own token;
 * - `ShipByEvent`: RequestShipment (events:putEvents.waitForTaskToken), the token in the event's detail, which the rule
 *   `ShipmentRequests` gives the same function (InputPath `$.detail`);
 * - `ManualReview`: a request to a queue nothing reads (`ManualReviews`), no heartbeat nor timeout: it waits for an
 *   answer from outside; `NotifyReviewer`: the same published to a topic (`ReviewNotices`) that queue subscribes to
 *   (sns:publish.waitForTaskToken); `TimedReview`: the same with TimeoutSeconds 1; `RetriedReview`: the same with
 *   HeartbeatSecondsPath `$.heartbeatSeconds` and one retry after `States.HeartbeatTimeout`;
 * - `ReviewByChild` runs `ManualReview` as a nested execution (`.sync:2`), `ReviewInBackground` starts it and goes on
 *   (fire-and-forget): a token nothing can answer in a child; `ReviewEach` waits for one per order in a distributed Map's
 *   child executions.
 */
export function synthesizeCallbackFixture(): string {
  const { assemblyDir, app } = fixtureApp('callbacks');
  const stack = new Stack(app, CALLBACK_FIXTURE_STACK);
  const machine = (id: string, definition: sfn.IChainable) => new sfn.StateMachine(stack, id, { definitionBody: sfn.DefinitionBody.fromChainable(definition) });

  const decisions = new dynamodb.Table(stack, 'Decisions', { partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING } });
  const requests = new sqs.Queue(stack, 'ApprovalRequests', { visibilityTimeout: Duration.seconds(30) });
  const approver = fixtureFunction(stack, 'Approver', 'approve-order.ts');
  approver.addEventSource(new SqsEventSource(requests, { batchSize: 1 }));
  requests.grantConsumeMessages(approver);

  const record = (id: string, status: string, detail: Record<string, tasks.DynamoAttributeValue>) => new tasks.DynamoPutItem(stack, id, {
    table: decisions,
    item: { orderId: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.order.orderId')), status: tasks.DynamoAttributeValue.fromString(status), ...detail },
    resultPath: sfn.JsonPath.DISCARD,
  });
  const recordRejection = record('RecordRejection', 'rejected', { reason: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.rejection.Error')) });
  const requestApproval = new tasks.SqsSendMessage(stack, 'RequestApproval', {
    queue: requests,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    messageBody: sfn.TaskInput.fromObject({ order: sfn.JsonPath.objectAt('$.order'), taskToken: sfn.JsonPath.taskToken }),
    heartbeatTimeout: sfn.Timeout.duration(Duration.seconds(APPROVAL_HEARTBEAT_SECONDS)),
    resultPath: '$.approval',
  }).addCatch(recordRejection, { errors: ['OrderRejected'], resultPath: '$.rejection' });
  machine('OrderApproval', requestApproval.next(new sfn.Choice(stack, 'Approved?')
    .when(sfn.Condition.stringEquals('$.approval.decision', 'approved'),
      record('RecordApproval', 'approved', { approver: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.approval.approver')) }))
    .otherwise(new sfn.Fail(stack, 'UnknownDecision', { error: 'UnknownDecision', causePath: '$.approval.decision' }))));

  machine('JsonataApproval', tasks.SqsSendMessage.jsonata(stack, 'RequestApprovalJsonata', {
    queue: requests,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    messageBody: sfn.TaskInput.fromObject({ order: '{% $states.input.order %}', taskToken: '{% $states.context.Task.Token %}' }),
    heartbeatTimeout: sfn.Timeout.duration(Duration.seconds(APPROVAL_HEARTBEAT_SECONDS)),
  }));

  const shipper = fixtureFunction(stack, 'Shipper', 'book-shipment.ts');
  machine('ShipOrder', new tasks.LambdaInvoke(stack, 'BookShipment', {
    lambdaFunction: shipper,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({ orderId: sfn.JsonPath.stringAt('$.orderId'), taskToken: sfn.JsonPath.taskToken }),
  }));

  new events.Rule(stack, 'ShipmentRequests', {
    eventPattern: { source: ['shop.shipping'], detailType: ['ShipmentRequested'] },
    targets: [new targets.LambdaFunction(shipper, { event: events.RuleTargetInput.fromEventPath('$.detail') })],
  });
  machine('ShipByEvent', new tasks.EventBridgePutEvents(stack, 'RequestShipment', {
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    entries: [{
      source: 'shop.shipping', detailType: 'ShipmentRequested',
      detail: sfn.TaskInput.fromObject({ orderId: sfn.JsonPath.stringAt('$.orderId'), taskToken: sfn.JsonPath.taskToken }),
    }],
  }));

  const manualReviews = new sqs.Queue(stack, 'ManualReviews');
  const review = (id: string, props: Partial<tasks.SqsSendMessageProps> = {}) => new tasks.SqsSendMessage(stack, id, {
    queue: manualReviews,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    messageBody: sfn.TaskInput.fromObject({ orderId: sfn.JsonPath.stringAt('$.orderId'), taskToken: sfn.JsonPath.taskToken }),
    ...props,
  });
  const manualReview = machine('ManualReview', review('AwaitReviewer'));
  const reviewNotices = new sns.Topic(stack, 'ReviewNotices');
  reviewNotices.addSubscription(new SqsSubscription(manualReviews, { rawMessageDelivery: true }));
  machine('NotifyReviewer', new tasks.SnsPublish(stack, 'PublishForReview', {
    topic: reviewNotices,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    message: sfn.TaskInput.fromObject({ orderId: sfn.JsonPath.stringAt('$.orderId'), taskToken: sfn.JsonPath.taskToken }),
  }));
  machine('TimedReview', review('AwaitReviewerBriefly', { taskTimeout: sfn.Timeout.duration(Duration.seconds(1)) }));
  machine('RetriedReview', review('AwaitReviewerTwice', { heartbeatTimeout: sfn.Timeout.at('$.heartbeatSeconds') })
    .addRetry({ errors: [sfn.Errors.HEARTBEAT_TIMEOUT], maxAttempts: 1, interval: Duration.seconds(1) }));
  machine('ReviewByChild', new tasks.StepFunctionsStartExecution(stack, 'RunManualReview', {
    stateMachine: manualReview, integrationPattern: sfn.IntegrationPattern.RUN_JOB, input: sfn.TaskInput.fromObject({ 'orderId.$': '$.orderId' }),
  }));
  machine('ReviewEach', new sfn.DistributedMap(stack, 'ReviewOrders', { itemsPath: '$.orders' })
    .itemProcessor(review('AwaitReviewerOfItem')));
  machine('ReviewInBackground', new tasks.StepFunctionsStartExecution(stack, 'StartManualReview', {
    stateMachine: manualReview, input: sfn.TaskInput.fromObject({ 'orderId.$': '$.orderId' }),
  }));

  app.synth();
  return assemblyDir;
}

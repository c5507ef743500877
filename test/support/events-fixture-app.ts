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

export const EVENTS_FIXTURE_STACK = 'ShopEvents';

/**
 * An order pipeline in the style of the public EventBridge samples, synthesized into a temporary assembly:
 * - `PlaceOrder` stores the order (`$.order`: `{ orderId, total }`) in `Orders` and puts `OrderPlaced` (source `shop.orders`);
 * - the rule `StartFulfilment` (an order id starting `o-`, a total over 0) starts `Fulfilment` with `{ orderId, total, rule }`
 *   (an InputTransformer), whose `ReserveStock` marks the order reserved;
 * - the rule `LargeOrders` (a total of 1000 or more) publishes `large order <id>` (an InputTransformer's text) to the topic
 *   `OrderAlerts` (→ `AlertInbox`) and sends the event's detail (InputPath) to `LargeOrderQueue`, whose worker
 *   `ReviewLargeOrder` puts `OrderReviewed` on the bus `ShopBus` through the SDK; there the rule `RecordReviews` invokes
 *   `RecordReview` with the whole event, which records the review on the order;
 * - the rule `Refunds` (source `shop.payments`) matches none of these, and `AuditEverything` (any `shop.` source) is disabled.
 */
export function synthesizeEventsFixture(): string {
  const { assemblyDir, app } = fixtureApp('events');
  const stack = new Stack(app, EVENTS_FIXTURE_STACK);
  const handler = (id: string, file: string, environment: Record<string, string>) => fixtureFunction(stack, id, file, { environment });

  const orders = new dynamodb.Table(stack, 'Orders', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  new sfn.StateMachine(stack, 'PlaceOrder', {
    definitionBody: sfn.DefinitionBody.fromChainable(new tasks.DynamoPutItem(stack, 'StoreOrder', {
      table: orders,
      item: {
        id: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.order.orderId')),
        total: tasks.DynamoAttributeValue.numberFromString(sfn.JsonPath.format('{}', sfn.JsonPath.stringAt('$.order.total'))),
        status: tasks.DynamoAttributeValue.fromString('placed'),
      },
      resultPath: sfn.JsonPath.DISCARD,
    }).next(new tasks.EventBridgePutEvents(stack, 'AnnounceOrder', {
      entries: [{ source: 'shop.orders', detailType: 'OrderPlaced', detail: sfn.TaskInput.fromJsonPathAt('$.order') }],
    }))),
  });

  const reserveStock = handler('ReserveStock', 'reserve-stock.ts', { TABLE_NAME: orders.tableName });
  orders.grantWriteData(reserveStock);
  const fulfilment = new sfn.StateMachine(stack, 'Fulfilment', {
    definitionBody: sfn.DefinitionBody.fromChainable(new tasks.LambdaInvoke(stack, 'Reserve', { lambdaFunction: reserveStock, payloadResponseOnly: true })),
  });
  new events.Rule(stack, 'StartFulfilment', {
    eventPattern: {
      source: ['shop.orders'],
      detailType: ['OrderPlaced'],
      detail: { orderId: events.Match.prefix('o-'), total: events.Match.greaterThan(0) },
    },
    targets: [new targets.SfnStateMachine(fulfilment, {
      input: events.RuleTargetInput.fromObject({
        orderId: events.EventField.fromPath('$.detail.orderId'),
        total: events.EventField.fromPath('$.detail.total'),
        // A predefined variable of input transformers, which EventField has no getter for.
        rule: '<aws.events.rule-name>',
      }),
    })],
  });

  const shopBus = new events.EventBus(stack, 'ShopBus');
  const largeOrders = new sqs.Queue(stack, 'LargeOrderQueue', { visibilityTimeout: Duration.seconds(30) });
  const orderAlerts = new sns.Topic(stack, 'OrderAlerts');
  orderAlerts.addSubscription(new SqsSubscription(new sqs.Queue(stack, 'AlertInbox'), { rawMessageDelivery: true }));
  new events.Rule(stack, 'LargeOrders', {
    eventPattern: { source: ['shop.orders'], detailType: ['OrderPlaced'], detail: { total: events.Match.greaterThanOrEqual(1000) } },
    targets: [
      new targets.SqsQueue(largeOrders, { message: events.RuleTargetInput.fromEventPath('$.detail') }),
      new targets.SnsTopic(orderAlerts, { message: events.RuleTargetInput.fromText(`large order ${events.EventField.fromPath('$.detail.orderId')}`) }),
    ],
  });
  const reviewLargeOrder = handler('ReviewLargeOrder', 'review-large-order.ts', { BUS_NAME: shopBus.eventBusName });
  shopBus.grantPutEventsTo(reviewLargeOrder);
  reviewLargeOrder.addEventSource(new SqsEventSource(largeOrders, { batchSize: 5 }));

  const recordReview = handler('RecordReview', 'record-review.ts', { TABLE_NAME: orders.tableName });
  orders.grantWriteData(recordReview);
  new events.Rule(stack, 'RecordReviews', {
    eventBus: shopBus,
    eventPattern: { source: ['shop.review'], detailType: ['OrderReviewed'] },
    targets: [new targets.LambdaFunction(recordReview)],
  });

  new events.Rule(stack, 'Refunds', {
    eventPattern: { source: ['shop.payments'], detailType: ['Refund'] },
    targets: [new targets.SfnStateMachine(fulfilment)],
  });
  new events.Rule(stack, 'AuditEverything', {
    enabled: false,
    eventPattern: { source: events.Match.prefix('shop.') },
    targets: [new targets.SqsQueue(new sqs.Queue(stack, 'AuditQueue'))],
  });

  app.synth();
  return assemblyDir;
}

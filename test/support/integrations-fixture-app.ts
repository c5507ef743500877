import { Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { fixtureApp, fixtureFunction } from './fixture-function';

export const INTEGRATIONS_FIXTURE_STACK = 'IntegrationsFixture';

/**
 * An app in the style of the public Step Functions samples, synthesized into a temporary assembly: a topic with an SQS
 * subscription (`Notices` → `NoticeInbox`, and FIFO `Alerts` → `AlertInbox`), a queue with a worker that stores orders (`Orders` → `StoreOrder` →
 * `Records`) and a function that sends to it by its `queueUrl` (`ForwardOrder`), a bucket (`Documents`), and state machines calling them through the optimised and AWS SDK
 * integrations, each named for what it does:
 * - `Notify` (sns:publish of `$.message` with a subject and an attribute), `PublishToMissingTopic` (to a topic that does not exist);
 *   `AlertInOrder` (sns:publish to the FIFO topic `Alerts` → `AlertInbox`, in the group `$.group`, deduplicated by `$.dedup`);
 * - `PlaceOrder` (sqs:sendMessage of `$.order` to `Orders`), `JsonataOrder` (the same as a JSONata state, its
 *   `Arguments` building the body), `SendToMissingQueue` (to a queue that does not exist);
 * - `StoreDocuments` (aws-sdk s3 putObject of `$.body` at `$.key`, getObject of `$.readKey`, listObjectsV2);
 * - `QueryRecords` (aws-sdk dynamodb putItem, getItem, query and scan of the table `$.table`);
 * - `AnnounceOne` (events:putEvents of one entry), `AnnounceMany` (events:putEvents of the entries `$.entries`).
 */
export function synthesizeIntegrationsFixture(): string {
  const { assemblyDir, app } = fixtureApp('integrations');
  const stack = new Stack(app, INTEGRATIONS_FIXTURE_STACK);
  const machine = (id: string, definition: sfn.IChainable) => new sfn.StateMachine(stack, id, { definitionBody: sfn.DefinitionBody.fromChainable(definition) });

  const notices = new sns.Topic(stack, 'Notices');
  notices.addSubscription(new SqsSubscription(new sqs.Queue(stack, 'NoticeInbox'), { rawMessageDelivery: true }));
  machine('Notify', new tasks.SnsPublish(stack, 'PublishNotice', {
    topic: notices,
    message: sfn.TaskInput.fromJsonPathAt('$.message'),
    subject: 'Order update',
    messageAttributes: { kind: { value: 'notice' } },
  }));
  const alerts = new sns.Topic(stack, 'Alerts', { fifo: true });
  alerts.addSubscription(new SqsSubscription(new sqs.Queue(stack, 'AlertInbox', { fifo: true }), { rawMessageDelivery: true }));
  machine('AlertInOrder', new tasks.SnsPublish(stack, 'PublishAlert', {
    topic: alerts,
    message: sfn.TaskInput.fromJsonPathAt('$.alert'),
    messageGroupId: sfn.JsonPath.stringAt('$.group'),
    messageDeduplicationId: sfn.JsonPath.stringAt('$.dedup'),
  }));
  const missingTopic = sns.Topic.fromTopicArn(stack, 'MissingTopic', `arn:aws:sns:us-east-1:000000000000:NoSuchTopic`);
  machine('PublishToMissingTopic', new tasks.SnsPublish(stack, 'PublishNowhere', { topic: missingTopic, message: sfn.TaskInput.fromText('lost') }));

  const records = new dynamodb.Table(stack, 'Records', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  const orders = new sqs.Queue(stack, 'Orders', { visibilityTimeout: Duration.seconds(30) });
  const storeOrder = fixtureFunction(stack, 'StoreOrder', 'store-order.ts', { environment: { TABLE_NAME: records.tableName } });
  records.grantWriteData(storeOrder);
  storeOrder.addEventSource(new SqsEventSource(orders, { batchSize: 5 }));
  // Lambda's default timeout, as the function had before it was made here.
  const forwardOrder = fixtureFunction(stack, 'ForwardOrder', 'forward-order.ts', { environment: { QUEUE_URL: orders.queueUrl }, timeout: Duration.seconds(3) });
  orders.grantSendMessages(forwardOrder);
  machine('PlaceOrder', new tasks.SqsSendMessage(stack, 'SendOrder', { queue: orders, messageBody: sfn.TaskInput.fromJsonPathAt('$.order') }));
  machine('JsonataOrder', tasks.SqsSendMessage.jsonata(stack, 'SendOrderJsonata', {
    queue: orders,
    messageBody: sfn.TaskInput.fromObject({ orderId: '{% $states.input.order.orderId %}', total: '{% $states.input.order.total %}' }),
  }));
  const missingQueue = sqs.Queue.fromQueueArn(stack, 'MissingQueue', 'arn:aws:sqs:us-east-1:000000000000:NoSuchQueue');
  machine('SendToMissingQueue', new tasks.SqsSendMessage(stack, 'SendNowhere', { queue: missingQueue, messageBody: sfn.TaskInput.fromText('lost') }));

  const documents = new s3.Bucket(stack, 'Documents');
  const s3Call = (id: string, action: string, parameters: Record<string, unknown>) => new tasks.CallAwsService(stack, id, {
    service: 's3', action, parameters: { Bucket: documents.bucketName, ...parameters }, iamResources: [documents.arnForObjects('*')], resultPath: `$.${id}`,
  });
  machine('StoreDocuments', s3Call('put', 'putObject', { 'Key.$': '$.key', 'Body.$': '$.body' })
    .next(s3Call('get', 'getObject', { 'Key.$': '$.readKey' }))
    .next(s3Call('list', 'listObjectsV2', {})));

  const dynamoDbCall = (id: string, action: string, parameters: Record<string, unknown>) => new tasks.CallAwsService(stack, `${id}Record`, {
    service: 'dynamodb', action, parameters: { 'TableName.$': '$.table', ...parameters }, iamResources: [records.tableArn], resultPath: `$.${id}`,
  });
  machine('QueryRecords', dynamoDbCall('put', 'putItem', { Item: { id: { S: 'sample' }, total: { N: '3' } } })
    .next(dynamoDbCall('get', 'getItem', { Key: { id: { S: 'sample' } } }))
    .next(dynamoDbCall('query', 'query', { KeyConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': { S: 'sample' } } }))
    .next(dynamoDbCall('scan', 'scan', {})));

  machine('AnnounceOne', new tasks.EventBridgePutEvents(stack, 'AnnounceOrder', {
    entries: [{ source: 'sample.orders', detailType: 'OrderPlaced', detail: sfn.TaskInput.fromJsonPathAt('$.order') }],
  }));
  // EventBridgePutEvents takes its entries at synth; the error case needs them from the input.
  machine('AnnounceMany', new sfn.CustomState(stack, 'AnnounceAll', {
    stateJson: { Type: 'Task', Resource: 'arn:aws:states:::events:putEvents', Parameters: { 'Entries.$': '$.entries' } },
  }));

  app.synth();
  return assemblyDir;
}

import { createHash } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { toHistoryEvents } from '../../tools/local/history-events';
import { synthesizeIntegrationsFixture } from '../support/integrations-fixture-app';
import { useLocalRunner } from '../support/use-local-runner';

const runner = useLocalRunner(() => ({ assemblyDir: synthesizeIntegrationsFixture(), visibilityTimeoutSeconds: 2 }));

/** The local queue whose logical id starts with `id` (CDK appends a hash). */
const queueUrl = (id: string) => [...runner().snsSqs!.queues.values()].find((q) => q.logicalId.startsWith(id))!.url;

/** The response metadata an optimised integration adds to the API response. */
const SDK_METADATA = { SdkHttpMetadata: { HttpStatusCode: 200 }, SdkResponseMetadata: { RequestId: expect.any(String) } };

describe('sns:publish', () => {
  // The result is the Publish response with SdkHttpMetadata and SdkResponseMetadata, and a JSON Message is sent as
  // its JSON text: https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html
  test('publishes to the topic, a JSON message as its text, and returns the MessageId with the SDK metadata', async () => {
    const message = { orderId: 'o-1', total: 3 };
    const execution = await runner().execute({ stateMachine: 'Notify', input: { message } });
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toEqual({ MessageId: expect.any(String), ...SDK_METADATA });
    const { Messages = [] } = await runner().snsSqs!.sqs.send(new ReceiveMessageCommand({
      QueueUrl: queueUrl('NoticeInbox'), MessageAttributeNames: ['All'], WaitTimeSeconds: 1,
    }));
    expect(Messages.map((m) => m.Body)).toEqual([JSON.stringify(message)]);
    expect(Messages[0].MessageAttributes?.kind).toMatchObject({ DataType: 'String', StringValue: 'notice' });
  });

  // MessageGroupId and MessageDeduplicationId are Publish's, for FIFO topics:
  // https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
  test('a FIFO topic takes the group and the deduplication id: a duplicate is delivered once, the group in order', async () => {
    for (const [alert, dedup] of [['first', 'a'], ['first again', 'a'], ['second', 'b']]) {
      const execution = await runner().execute({ stateMachine: 'AlertInOrder', input: { alert, group: 'g1', dedup } });
      // AWS adds a SequenceNumber for a FIFO topic; the local SNS (fauxqs) gives none.
      expect(execution.output).toMatchObject({ MessageId: expect.any(String), ...SDK_METADATA });
    }
    const received: string[] = [];
    for (let attempt = 0; attempt < 3 && received.length < 2; attempt++) {
      const { Messages = [] } = await runner().snsSqs!.sqs.send(new ReceiveMessageCommand({
        QueueUrl: queueUrl('AlertInbox'), MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['MessageGroupId'], WaitTimeSeconds: 1,
      }));
      expect(Messages.map((m) => m.Attributes?.MessageGroupId)).toEqual(Messages.map(() => 'g1'));
      received.push(...Messages.map((m) => m.Body!));
      // A FIFO group's next message is delivered once the one before it is deleted.
      for (const { ReceiptHandle } of Messages) await runner().snsSqs!.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl('AlertInbox'), ReceiptHandle }));
    }
    expect(received).toEqual(['first', 'second']);
  });

  // Publish's error for a topic that does not exist is NotFound (NotFoundException):
  // https://docs.aws.amazon.com/sns/latest/api/API_Publish.html#API_Publish_Errors
  test('a topic that does not exist fails the task with SNS.NotFoundException', async () => {
    const execution = await runner().execute({ stateMachine: 'PublishToMissingTopic', input: {} });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'SNS.NotFoundException' });
    expect(execution.cause).toMatch(/\(Service: AmazonSNS; Status Code: 404; Error Code: NotFound; Request ID: \S+; Proxy: null\)$/);
  });
});

describe('sqs:sendMessage', () => {
  // The result is the SendMessage response (MD5OfMessageBody, MessageId) with the SDK metadata:
  // https://docs.aws.amazon.com/step-functions/latest/dg/connect-sqs.html
  test('a workflow sends an order to the queue its worker reads, and the worker stores it', async () => {
    const order = { orderId: 'o-7', total: 12 };
    const execution = await runner().execute({ stateMachine: 'PlaceOrder', input: { order } });
    expect(execution.status).toBe('SUCCEEDED');
    const md5 = createHash('md5').update(JSON.stringify(order)).digest('hex');
    expect(execution.output).toEqual({ MD5OfMessageBody: md5, MessageId: expect.any(String), ...SDK_METADATA });
    const { queues } = await runner().drainQueues();
    expect(Object.values(queues)).toEqual([expect.objectContaining({ messages: 1, processed: 1 })]);
    const { Item } = await runner().dynamodb.client.send(new GetItemCommand({ TableName: runner().tableName('Records'), Key: { id: { S: 'o-7' } } }));
    expect(Item).toEqual({ id: { S: 'o-7' }, total: { N: '12' }, status: { S: 'stored' } });
  });

  test('a JSONata task sends the body its Arguments build, and the worker stores it', async () => {
    const execution = await runner().execute({ stateMachine: 'JsonataOrder', input: { order: { orderId: 'o-8', total: 4 } } });
    expect(execution.output).toMatchObject({ MD5OfMessageBody: expect.any(String), MessageId: expect.any(String), ...SDK_METADATA });
    await runner().drainQueues();
    const { Item } = await runner().dynamodb.client.send(new GetItemCommand({ TableName: runner().tableName('Records'), Key: { id: { S: 'o-8' } } }));
    expect(Item).toEqual({ id: { S: 'o-8' }, total: { N: '4' }, status: { S: 'stored' } });
  });

  // A queue's Ref (queueUrl) is its URL on AWS, and the SDK sends to the host of the QueueUrl it is given: locally the
  // Ref is the local SQS's URL, so a handler configured with it reaches the queue.
  test("a function given the queue's queueUrl sends to it locally, and the worker stores the order", async () => {
    const answer = await runner().invokeFunction('ForwardOrder', { orderId: 'o-9', total: 2 });
    expect(answer).toEqual({ queueUrl: `${runner().snsSqs!.endpoint}${new URL(queueUrl('Orders')).pathname}`, messageId: expect.any(String) });
    await runner().drainQueues();
    const { Item } = await runner().dynamodb.client.send(new GetItemCommand({ TableName: runner().tableName('Records'), Key: { id: { S: 'o-9' } } }));
    expect(Item).toEqual({ id: { S: 'o-9' }, total: { N: '2' }, status: { S: 'stored' } });
  });

  // SendMessage's error for a missing queue: the JSON protocol's QueueDoesNotExist, the query protocol's
  // AWS.SimpleQueueService.NonExistentQueue (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html#API_SendMessage_Errors);
  // Step Functions names it after the SDK's exception class, QueueDoesNotExistException, the code in the cause.
  test('a queue that does not exist fails the task with SQS.QueueDoesNotExistException', async () => {
    const execution = await runner().execute({ stateMachine: 'SendToMissingQueue', input: {} });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'SQS.QueueDoesNotExistException' });
    expect(execution.cause).toMatch(/\(Service: AmazonSQS; Status Code: 400; Error Code: AWS\.SimpleQueueService\.NonExistentQueue; Request ID: \S+; Proxy: null\)$/);
  });
});

describe('aws-sdk:s3', () => {
  // AWS SDK integrations return the API response as the SDK gives it, parameters in PascalCase, and name errors
  // <Service>.<Error> with Exception appended (S3's NoSuchKey is S3.NoSuchKeyException):
  // https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
  test('putObject, getObject (the Body as a string) and listObjectsV2 on the stack\'s bucket', async () => {
    const body = { hello: 'world' };
    const execution = await runner().execute({ stateMachine: 'StoreDocuments', input: { key: 'greeting.json', body, readKey: 'greeting.json' } });
    expect(execution.status).toBe('SUCCEEDED');
    const output = execution.output as Record<string, any>;
    expect(output.put).toMatchObject({ ETag: expect.any(String) });
    expect(output.put.SdkHttpMetadata).toBeUndefined();
    expect(output.get).toMatchObject({ Body: JSON.stringify(body), ContentLength: JSON.stringify(body).length, ETag: output.put.ETag, LastModified: expect.any(String) });
    expect(output.list).toMatchObject({ KeyCount: 1, Contents: [expect.objectContaining({ Key: 'greeting.json', Size: JSON.stringify(body).length })] });
  });

  test('getObject of a missing key fails the task with S3.NoSuchKeyException', async () => {
    const execution = await runner().execute({ stateMachine: 'StoreDocuments', input: { key: 'present.txt', body: 'here', readKey: 'absent.txt' } });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'S3.NoSuchKeyException' });
    expect(execution.cause).toMatch(/\(Service: S3, Status Code: 404, Request ID: \S+\)$/);
    // The history names an AWS SDK task's resource type aws-sdk:<service> and its resource the action.
    const failed = toHistoryEvents(execution.events, execution).find((e) => e.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails).toMatchObject({ resourceType: 'aws-sdk:s3', resource: 'getObject', error: 'S3.NoSuchKeyException' });
  });
});

describe('aws-sdk:dynamodb', () => {
  // The AWS SDK integration's errors take the service name in PascalCase, DynamoDb, where the optimised
  // integration's are DynamoDB.*: https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
  test('putItem, getItem, query and scan return the API responses', async () => {
    const execution = await runner().execute({ stateMachine: 'QueryRecords', input: { table: runner().tableName('Records') } });
    expect(execution.status).toBe('SUCCEEDED');
    const output = execution.output as Record<string, any>;
    const item = { id: { S: 'sample' }, total: { N: '3' } };
    expect(output.put).toEqual({});
    expect(output.get).toEqual({ Item: item });
    expect(output.query).toMatchObject({ Count: 1, ScannedCount: 1, Items: [item] });
    expect(output.scan.Items).toContainEqual(item);
  });

  test('a table that does not exist fails the task with DynamoDb.ResourceNotFoundException', async () => {
    const execution = await runner().execute({ stateMachine: 'QueryRecords', input: { table: 'NoSuchTable' } });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'DynamoDb.ResourceNotFoundException' });
  });
});

describe('events:putEvents', () => {
  // The result is the PutEvents response, { Entries: [{ EventId }], FailedEntryCount }:
  // https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html
  test('records each entry with the execution and the state, and returns an EventId per entry', async () => {
    const order = { orderId: 'o-9' };
    const execution = await runner().execute({ stateMachine: 'AnnounceOne', input: { order } });
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toEqual({ Entries: [{ EventId: expect.any(String) }], FailedEntryCount: 0 });
    expect(execution.putEvents).toEqual([{
      executionArn: execution.executionArn,
      state: 'AnnounceOrder',
      eventId: (execution.output as { Entries: Array<{ EventId: string }> }).Entries[0].EventId,
      entry: { Source: 'sample.orders', DetailType: 'OrderPlaced', Detail: order },
      published: expect.objectContaining({ busName: 'default', rules: [] }),
    }]);
  });

  // "The execution ARN and the state machine ARN are automatically appended to the Resources field of each PutEventsRequestEntry."
  test("the event on the bus names the execution and the state machine in its resources, its Detail an object", async () => {
    const execution = await runner().execute({ stateMachine: 'AnnounceOne', input: { order: { orderId: 'o-10' } } });
    const { event } = execution.putEvents[0].published;
    expect(event).toEqual({
      'version': '0', 'id': execution.putEvents[0].eventId, 'detail-type': 'OrderPlaced', 'source': 'sample.orders', 'account': '000000000000',
      'time': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), 'region': 'us-east-1',
      'resources': [execution.executionArn, runner().resourceArn('AWS::StepFunctions::StateMachine', 'AnnounceOne')], 'detail': { orderId: 'o-10' },
    });
  });

  // "If the response from PutEvents contains a non-zero FailedEntryCount then the Task state fails with the error EventBridge.FailedEntry."
  test('an entry PutEvents refuses (no DetailType) fails the task with EventBridge.FailedEntry; the valid entries are put', async () => {
    const entries = [{ Source: 'sample.orders', DetailType: 'Tick', Detail: { i: 1 } }, { Source: 'sample.orders', Detail: { i: 2 } }];
    const execution = await runner().execute({ stateMachine: 'AnnounceMany', input: { entries } });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'EventBridge.FailedEntry' });
    expect(JSON.parse(execution.cause!)).toEqual({
      Entries: [{ EventId: expect.any(String) }, { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.' }],
      FailedEntryCount: 1,
    });
    expect(execution.putEvents.map((e) => e.entry.DetailType)).toEqual(['Tick']);
  });

  // PutEvents takes 1 to 10 entries: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
  test('more than 10 entries fail the task with EventBridge.AmazonEventBridgeException, recording none', async () => {
    const entries = Array.from({ length: 11 }, (_, i) => ({ Source: 'sample.orders', DetailType: 'Tick', Detail: { i } }));
    const execution = await runner().execute({ stateMachine: 'AnnounceMany', input: { entries } });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'EventBridge.AmazonEventBridgeException', putEvents: [] });
    expect(execution.cause).toMatch(/Error Code: ValidationException/);
  });
});

import { BatchWriteItemCommand, GetItemCommand, PutItemCommand, QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateTopicCommand, PublishBatchCommand, PublishCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { LocalDynamoDb } from '../../tools/local/local-dynamodb';
import { LocalSnsSqs } from '../../tools/local/local-sns-sqs';
import { MeteredOperation, RequestMeter } from '../../tools/local/request-meter';

// The meter counts what AWS bills: DynamoDB request units from the item sizes, SQS and SNS requests per
// 64 KB chunk of payload, S3 requests by kind; the callers get the answers they would without it.

const units = (reading: MeteredOperation[], operation: string) => reading.filter((o) => o.operation === operation).map(({ resource, requests, units: u, empty }) => ({ resource, requests, units: u, empty }));
const text = (bytes: number) => 'x'.repeat(bytes);

describe('DynamoDB', () => {
  const meter = new RequestMeter();
  let db: LocalDynamoDb;
  let afterSetup: MeteredOperation[];
  beforeAll(async () => {
    db = await LocalDynamoDb.start({ meter });
    await db.createTables({
      Resources: {
        Results: { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }] } },
      },
    });
    afterSetup = meter.reading();
  });
  afterAll(() => db.stop());
  beforeEach(() => meter.reset());

  test('writes: one unit per KB of the item; reads: one per 4 KB, half for an eventually consistent read', async () => {
    // 'id' + 'a' + 'body' + 1,500 bytes: 1.5 KB, so 2 write units; read back, 1 unit strongly consistent, 0.5 eventually.
    await db.client.send(new PutItemCommand({ TableName: 'Results', Item: { id: { S: 'a' }, body: { S: text(1_500) } } }));
    await db.client.send(new BatchWriteItemCommand({ RequestItems: { Results: ['b', 'c', 'd'].map((id) => ({ PutRequest: { Item: { id: { S: id } } } })) } }));
    const consistent = await db.client.send(new GetItemCommand({ TableName: 'Results', Key: { id: { S: 'a' } }, ConsistentRead: true }));
    await db.client.send(new GetItemCommand({ TableName: 'Results', Key: { id: { S: 'a' } } }));
    const reading = meter.reading();
    expect(units(reading, 'PutItem')).toEqual([{ resource: 'Results', requests: 1, units: 2, empty: 0 }]);
    expect(units(reading, 'BatchWriteItem')).toEqual([{ resource: 'Results', requests: 1, units: 3, empty: 0 }]);
    expect(units(reading, 'GetItem')).toEqual([{ resource: 'Results', requests: 2, units: 1.5, empty: 0 }]);
    // The caller did not ask for the consumed capacity, so it gets none, as from DynamoDB.
    expect(consistent.ConsumedCapacity).toBeUndefined();
    expect(consistent.Item?.body.S).toHaveLength(1_500);
  });

  test('a write whose condition fails still consumes a unit; a request DynamoDB refuses consumes none', async () => {
    const failed = db.client.send(new PutItemCommand({ TableName: 'Results', Item: { id: { S: 'a' } }, ConditionExpression: 'attribute_not_exists(id)' }));
    await expect(failed).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    // An attribute of the key with the wrong type: a ValidationException.
    await expect(db.client.send(new PutItemCommand({ TableName: 'Results', Item: { id: { N: '1' } } }))).rejects.toMatchObject({ name: 'ValidationException' });
    expect(units(meter.reading(), 'PutItem')).toEqual([{ resource: 'Results', requests: 2, units: 1, empty: 0 }]);
  });

  test('a transaction: 2 write units per item per KB, and none of the reads and writes that emulate it locally', async () => {
    await db.client.send(new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: 'Results', Item: { id: { S: 't1' }, body: { S: text(1_100) } } } }, // over 1 KB: 2 x 2
        { Put: { TableName: 'Results', Item: { id: { S: 't2' } } } }, // 2 x 1
      ],
    }));
    expect(meter.reading().map(({ operation, requests, units: u }) => ({ operation, requests, units: u }))).toEqual([
      { operation: 'TransactWriteItems', requests: 1, units: 6 },
    ]);
  });

  test('a caller that asks for the consumed capacity gets it; a query is billed by the size of what it read', async () => {
    const asked = await db.client.send(new QueryCommand({
      TableName: 'Results', KeyConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': { S: 'a' } }, ReturnConsumedCapacity: 'TOTAL',
    }));
    expect(asked.ConsumedCapacity).toEqual({ TableName: 'Results', CapacityUnits: 0.5 });
    expect(units(meter.reading(), 'Query')).toEqual([{ resource: 'Results', requests: 1, units: 0.5, empty: 0 }]);
  });

  test('creating tables and waiting for them is not counted: it is not part of a job', () => {
    expect(afterSetup).toEqual([]);
  });
});

describe('SNS, SQS and S3', () => {
  const meter = new RequestMeter();
  let engines: LocalSnsSqs;
  let queueUrl: string;
  let topicArn: string;
  beforeAll(async () => {
    engines = await LocalSnsSqs.start({ meter });
    queueUrl = (await engines.sqs.send(new CreateQueueCommand({ QueueName: 'Work' }))).QueueUrl!;
    topicArn = (await engines.sns.send(new CreateTopicCommand({ Name: 'Jobs' }))).TopicArn!;
    await engines.s3.send(new CreateBucketCommand({ Bucket: 'items' }));
  });
  afterAll(() => engines.stop());
  beforeEach(() => meter.reset());

  test('SQS: each 64 KB chunk of a send, a batch or a receive is a request; an empty receive is one, and is marked', async () => {
    await engines.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: text(70_000) })); // 2 chunks
    await engines.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: ['1', '2', '3'].map((Id) => ({ Id, MessageBody: text(100) })) })); // 1
    const { Messages = [] } = await engines.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    for (const m of Messages) await engines.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    const received = Messages.reduce((n, m) => n + m.Body!.length, 0);
    const reading = meter.reading();
    expect(units(reading, 'SendMessage')).toEqual([{ resource: 'Work', requests: 1, units: 2, empty: 0 }]);
    expect(units(reading, 'SendMessageBatch')).toEqual([{ resource: 'Work', requests: 1, units: 1, empty: 0 }]);
    expect(units(reading, 'ReceiveMessage')).toEqual([{ resource: 'Work', requests: 1, units: Math.ceil(received / 65_536), empty: 0 }]);
    expect(units(reading, 'DeleteMessage')).toEqual([{ resource: 'Work', requests: Messages.length, units: Messages.length, empty: 0 }]);
    meter.reset();
    while ((await engines.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }))).Messages?.length);
    expect(units(meter.reading(), 'ReceiveMessage').at(-1)?.empty).toBeGreaterThan(0);
  });

  test('SNS: a publish per 64 KB chunk, a batch by its total payload', async () => {
    await engines.sns.send(new PublishCommand({ TopicArn: topicArn, Message: text(200_000) })); // 4 chunks
    await engines.sns.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: ['1', '2'].map((Id) => ({ Id, Message: text(40_000) })) })); // 80,000 bytes: 2
    const reading = meter.reading();
    expect(units(reading, 'Publish')).toEqual([{ resource: 'Jobs', requests: 1, units: 4, empty: 0 }]);
    expect(units(reading, 'PublishBatch')).toEqual([{ resource: 'Jobs', requests: 1, units: 2, empty: 0 }]);
  });

  test('S3: PUTs, GETs and LISTs by bucket, with the bytes they carried', async () => {
    await engines.s3.send(new PutObjectCommand({ Bucket: 'items', Key: 'jobs/a.json', Body: '[1,2,3]' }));
    const got = await engines.s3.send(new GetObjectCommand({ Bucket: 'items', Key: 'jobs/a.json' }));
    expect(await got.Body!.transformToString()).toBe('[1,2,3]');
    await engines.s3.send(new ListObjectsV2Command({ Bucket: 'items', Prefix: 'jobs/' }));
    expect(meter.reading().map(({ service, resource, operation, requests, payloadBytes }) => ({ service, resource, operation, requests, payloadBytes }))).toEqual([
      { service: 's3', resource: 'items', operation: 'PutObject', requests: 1, payloadBytes: 7 },
      { service: 's3', resource: 'items', operation: 'GetObject', requests: 1, payloadBytes: 7 },
      { service: 's3', resource: 'items', operation: 'ListObjectsV2', requests: 1, payloadBytes: 0 },
    ]);
  });
});

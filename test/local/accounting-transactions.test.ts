import { CreateTableCommand, GetItemCommand, TransactionCanceledException, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { LocalDynamoDb } from '../../tools/local/local-dynamodb';

// The job record contract's worker writes a chunk record (a conditional Put) and the job's counters (an Update)
// in one TransactWriteItems; dynalite has none, the local DynamoDB adds it. AWS's behaviour:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html — all or nothing;
// a failed condition cancels the transaction with TransactionCanceledException and one CancellationReason per item,
// "ConditionalCheckFailed" for the failing one and "None" for the others.
let db: LocalDynamoDb;
beforeAll(async () => {
  db = await LocalDynamoDb.start();
  await db.client.send(new CreateTableCommand({
    TableName: 'Jobs', BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }, { AttributeName: 'recordId', KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: 'jobId', AttributeType: 'S' }, { AttributeName: 'recordId', AttributeType: 'S' }],
  }));
});
afterAll(() => db?.stop());

const recordChunk = (chunkIndex: number) => db.client.send(new TransactWriteItemsCommand({
  TransactItems: [
    {
      Put: {
        TableName: 'Jobs', ConditionExpression: 'attribute_not_exists(recordId)',
        Item: { jobId: { S: 'j' }, recordId: { S: `chunk#${String(chunkIndex).padStart(6, '0')}` }, stored: { N: '10' } },
      },
    },
    {
      Update: {
        TableName: 'Jobs', Key: { jobId: { S: 'j' }, recordId: { S: 'job' } },
        UpdateExpression: 'ADD #s :s, completed :s', ExpressionAttributeNames: { '#s': 'stored' }, ExpressionAttributeValues: { ':s': { N: '10' } },
      },
    },
  ],
}));

const job = async () => (await db.client.send(new GetItemCommand({ TableName: 'Jobs', Key: { jobId: { S: 'j' }, recordId: { S: 'job' } } }))).Item;

test('both items written; a duplicate cancelled with the reasons, nothing of it written', async () => {
  await recordChunk(0);
  await recordChunk(1);
  expect(await job()).toMatchObject({ stored: { N: '20' }, completed: { N: '20' } });
  const duplicate = await recordChunk(1).catch((error) => error);
  expect(duplicate).toBeInstanceOf(TransactionCanceledException);
  expect(duplicate.CancellationReasons).toEqual([{ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }, { Code: 'None' }]);
  expect(await job()).toMatchObject({ stored: { N: '20' }, completed: { N: '20' } });
});

test('a failure after the first item puts the first back as it was', async () => {
  const failed = await db.client.send(new TransactWriteItemsCommand({
    TransactItems: [
      { Update: { TableName: 'Jobs', Key: { jobId: { S: 'j' }, recordId: { S: 'job' } }, UpdateExpression: 'ADD completed :n', ExpressionAttributeValues: { ':n': { N: '1' } } } },
      { ConditionCheck: { TableName: 'Jobs', Key: { jobId: { S: 'j' }, recordId: { S: 'chunk#000009' } }, ConditionExpression: 'attribute_exists(recordId)' } },
    ],
  })).catch((error) => error);
  expect(failed.CancellationReasons.map((r: { Code: string }) => r.Code)).toEqual(['None', 'ConditionalCheckFailed']);
  expect(await job()).toMatchObject({ completed: { N: '20' } });
  expect((await db.client.send(new GetItemCommand({ TableName: 'Jobs', Key: { jobId: { S: 'j' }, recordId: { S: 'chunk#000009' } } }))).Item).toBeUndefined();
});

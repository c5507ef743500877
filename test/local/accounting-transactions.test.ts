import { GetItemCommand, TransactionCanceledException, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { LocalDynamoDb } from '../../tools/local/local-dynamodb';
import { JOB_TABLE_RESOURCE } from '../support/job-table-resource';

// Handlers write several items all or nothing with TransactWriteItems; dynalite has none, the local DynamoDB adds it
// (these tests use the job table's records as the items). AWS's behaviour:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html — all or nothing;
// a failed condition cancels the transaction with TransactionCanceledException and one CancellationReason per item,
// "ConditionalCheckFailed" for the failing one and "None" for the others.
let db: LocalDynamoDb;
beforeAll(async () => {
  db = await LocalDynamoDb.start();
  await db.createTables({ Resources: { Jobs: JOB_TABLE_RESOURCE } });
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

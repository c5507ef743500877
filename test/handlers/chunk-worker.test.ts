import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ChunkWorker, ItemError, MAX_FAILED_ITEMS_LISTED, MAX_ITEM_ERROR_LENGTH } from '../../handlers';

// The accounting half of a worker, against a mocked client: which writes it makes, and when it makes none.
// The writes against a real engine (dynalite) are in test/lambdas/process-chunk.test.ts.
const client = new DynamoDBClient({ region: 'us-east-1' });
const dynamodb = mockClient(client);
beforeEach(() => {
  dynamodb.reset();
  dynamodb.on(PutItemCommand).resolves({});
  dynamodb.on(UpdateItemCommand).resolves({});
});

const chunk = { jobId: 'j', chunkIndex: 7, items: ['a', 'bad', 'c'] };

test('ItemErrors are failed items, listed with their errors (cut to 1000 characters); the others are stored; the outcome is recorded once', async () => {
  const worker = new ChunkWorker<string>({
    client, jobTableName: 'Jobs', maxReceiveCount: 5,
    processItem: async (item) => {
      if (item === 'bad') throw new ItemError('x'.repeat(2000));
    },
  });
  await expect(worker.processChunk(chunk)).resolves.toEqual({
    jobId: 'j', chunkIndex: 7, items: 3, stored: 2, failed: 1, deadLettered: 0, failedItems: [{ index: 1, error: 'x'.repeat(MAX_ITEM_ERROR_LENGTH) }],
  });
  const [put] = dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input);
  expect(put).toMatchObject({ TableName: 'Jobs', Item: { jobId: { S: 'j' }, recordId: { S: 'chunk#000007' }, stored: { N: '2' }, failed: { N: '1' } } });
  const [update] = dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
  expect(update).toMatchObject({
    Key: { jobId: { S: 'j' }, recordId: { S: 'job' } },
    ConditionExpression: 'attribute_exists(#sk) AND NOT contains(#counted, :chunk)',
    ExpressionAttributeValues: { ':s': { N: '2' }, ':f': { N: '1' }, ':d': { N: '0' }, ':n': { N: '3' }, ':chunkSet': { NS: ['7'] }, ':chunk': { N: '7' } },
  });
});

test('a chunk of many invalid items counts them all but lists the first 100, so its record stays under DynamoDB\'s 400 KB', async () => {
  const worker = new ChunkWorker<string>({
    client, jobTableName: 'Jobs',
    processItem: async () => {
      throw new ItemError('e'.repeat(MAX_ITEM_ERROR_LENGTH));
    },
  });
  const outcome = await worker.processChunk({ jobId: 'j', chunkIndex: 0, items: Array.from({ length: 1000 }, (_, i) => `i${i}`) });
  expect(outcome).toMatchObject({ items: 1000, stored: 0, failed: 1000 });
  expect(outcome.failedItems.map((f) => f.index)).toEqual(Array.from({ length: MAX_FAILED_ITEMS_LISTED }, (_, i) => i));
  const [put] = dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input);
  expect(JSON.stringify(put.Item).length).toBeLessThan(400 * 1024);
});

test('when another delivery\'s chunk record is there already, its outcome is what is counted, so counters and records agree', async () => {
  // The other delivery (say, one racing this one) recorded the chunk as dead-lettered; this one found 1 invalid item.
  dynamodb.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
  dynamodb.on(GetItemCommand).resolves({ Item: { stored: { N: '0' }, failed: { N: '0' }, deadLettered: { N: '3' } } });
  const worker = new ChunkWorker<string>({
    client, jobTableName: 'Jobs',
    processItem: async (item) => {
      if (item === 'bad') throw new ItemError('bad item');
    },
  });
  await worker.processChunk(chunk);
  expect(dynamodb.commandCalls(GetItemCommand)[0].args[0].input).toMatchObject({ Key: { jobId: { S: 'j' }, recordId: { S: 'chunk#000007' } }, ConsistentRead: true });
  const [update] = dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
  expect(update.ExpressionAttributeValues).toMatchObject({ ':s': { N: '0' }, ':f': { N: '0' }, ':d': { N: '3' }, ':n': { N: '3' } });
});

test('storeResults gets the accepted items\' results once per chunk, before the outcome is recorded; when it throws, the chunk fails and nothing is recorded', async () => {
  const stored: unknown[] = [];
  const worker = new ChunkWorker<string, number>({
    client, jobTableName: 'Jobs',
    processItem: (item) => {
      if (item === 'bad') throw new ItemError('bad item');
      return item.length;
    },
    storeResults: async (results) => {
      expect(dynamodb.calls()).toHaveLength(0);
      stored.push(...results);
    },
  });
  await expect(worker.processChunk(chunk)).resolves.toMatchObject({ stored: 2, failed: 1 });
  expect(stored).toEqual([{ index: 0, result: 1 }, { index: 2, result: 1 }]);
  expect(dynamodb.commandCalls(PutItemCommand)).toHaveLength(1);

  dynamodb.resetHistory();
  const failing = new ChunkWorker<string, number>({
    client, jobTableName: 'Jobs', processItem: (item) => item.length,
    storeResults: async () => {
      throw new Error('throttled');
    },
  });
  await expect(failing.processChunk(chunk)).rejects.toThrow('throttled');
  expect(dynamodb.calls()).toHaveLength(0);
});

test('any other error fails the chunk once every item has settled, and nothing is recorded: SQS delivers it again', async () => {
  const settled: string[] = [];
  const worker = new ChunkWorker<string>({
    client, jobTableName: 'Jobs',
    processItem: async (item) => {
      if (item === 'bad') throw new Error('throttled');
      await new Promise((resolve) => setImmediate(resolve));
      settled.push(item);
    },
  });
  await expect(worker.processChunk(chunk)).rejects.toThrow('throttled');
  expect(settled.sort()).toEqual(['a', 'c']);
  expect(dynamodb.calls()).toHaveLength(0);
});

test('the last receive is the one at maxReceiveCount; only then is a failing chunk recorded as dead-lettered', async () => {
  const worker = new ChunkWorker<string>({ client, jobTableName: 'Jobs', maxReceiveCount: 3, processItem: async () => undefined });
  const received = (count: number) => ({ attributes: { ApproximateReceiveCount: String(count) } });
  await expect(worker.recordIfLastReceive(received(2), chunk)).resolves.toBe(false);
  expect(dynamodb.calls()).toHaveLength(0);
  await expect(worker.recordIfLastReceive(received(3), chunk)).resolves.toBe(true);
  expect(dynamodb.commandCalls(UpdateItemCommand)[0].args[0].input.ExpressionAttributeValues).toMatchObject({ ':s': { N: '0' }, ':d': { N: '3' }, ':n': { N: '3' } });
});

test('without a job table (no JOB_TABLE_NAME) or a receive limit nothing is recorded', async () => {
  const worker = new ChunkWorker<string>({ client, processItem: async () => undefined });
  await worker.processChunk(chunk);
  await expect(worker.recordIfLastReceive({ attributes: { ApproximateReceiveCount: '100' } }, chunk)).resolves.toBe(false);
  expect(dynamodb.calls()).toHaveLength(0);
});

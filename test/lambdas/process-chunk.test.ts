import { DeleteItemCommand, GetItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { LocalDynamoDb } from '../../tools/local/local-dynamodb';
import { captureLogs, LogEntry } from '../support/captured-logs';
import { JOB_TABLE_RESOURCE } from '../support/job-table-resource';
import { lambdaContext } from '../support/lambda-context';
import type * as ProcessChunk from '../../examples/handlers/process-chunk';
import { openJob } from '../../lambdas/split-job';

// The worker against a real DynamoDB engine (dynalite): conditional writes, Powertools idempotency records
// and the job table's accounting (handlers/chunk-worker.ts) included.
let db: LocalDynamoDb;
let worker: typeof ProcessChunk;

beforeAll(async () => {
  db = await LocalDynamoDb.start();
  await db.createTables({
    Resources: {
      Results: { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [{ AttributeName: 'resultId', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'resultId', AttributeType: 'S' }] } },
      Idempotency: { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }] } },
      Jobs: JOB_TABLE_RESOURCE,
    },
  });
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    RESULT_TABLE_NAME: 'Results', RESULT_TABLE_KEY: 'resultId', IDEMPOTENCY_TABLE_NAME: 'Idempotency', AWS_LAMBDA_FUNCTION_NAME: 'worker',
    JOB_TABLE_NAME: 'Jobs', MAX_RECEIVE_COUNT: '3',
  });
  // The handler reads its configuration at module load, as on Lambda.
  jest.isolateModules(() => {
    worker = require('../../examples/handlers/process-chunk');
  });
});

afterAll(async () => {
  await db?.stop();
});

// The worker logs each failed chunk as an ERROR with its stack: captured, and read by the tests that expect one.
let logEntries: () => LogEntry[];
beforeEach(() => {
  logEntries = captureLogs();
});
afterEach(() => jest.restoreAllMocks());
const chunkFailures = () => logEntries().filter((entry) => entry.level === 'ERROR' && entry.message === 'chunk failed');

const context = lambdaContext({ functionName: 'worker' });
const record = (messageId: string, body: unknown, receiveCount = 1): SQSRecord => ({
  messageId,
  receiptHandle: `rh-${messageId}`,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  attributes: { ApproximateReceiveCount: String(receiveCount) } as SQSRecord['attributes'],
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:work',
  awsRegion: 'us-east-1',
});
const storedIds = async () => (await db.client.send(new ScanCommand({ TableName: 'Results' }))).Items!.map((i) => i.resultId.S).sort();

/** The job record's counts, as the job workflow reads them. */
async function jobCounts(jobId: string) {
  const { Item } = await db.client.send(new GetItemCommand({ TableName: 'Jobs', Key: { jobId: { S: jobId }, recordId: { S: 'job' } }, ConsistentRead: true }));
  const n = (name: string) => Number(Item![name].N);
  return { items: n('items'), stored: n('stored'), failed: n('failed'), deadLettered: n('deadLettered'), completed: n('completed') };
}

async function chunkRecords(jobId: string) {
  const { Items = [] } = await db.client.send(new QueryCommand({
    TableName: 'Jobs',
    KeyConditionExpression: 'jobId = :j AND begins_with(recordId, :c)',
    ExpressionAttributeValues: { ':j': { S: jobId }, ':c': { S: 'chunk#' } },
  }));
  return Items.map((i) => ({
    recordId: i.recordId.S, stored: Number(i.stored.N), failed: Number(i.failed.N), deadLettered: Number(i.deadLettered.N),
    failedItems: i.failedItems.L!.map((f) => ({ index: Number(f.M!.index.N), error: f.M!.error.S })),
  }));
}

test('an invalid item fails alone: listed in its chunk record with its error, the chunk\'s other items stored', async () => {
  await openJob(db.client, 'Jobs', 'invalid', 3, 1);
  const response = await worker.handler({ Records: [record('m', { jobId: 'invalid', chunkIndex: 0, items: [{ word: 'kiwi' }, { word: 7 }, { word: 'lime' }] })] }, context);
  expect(response.batchItemFailures).toEqual([]);
  expect(await storedIds()).toEqual(expect.arrayContaining(['invalid#0#0', 'invalid#0#2']));
  expect((await storedIds()).filter((id) => id!.startsWith('invalid'))).toHaveLength(2);
  expect(await chunkRecords('invalid')).toEqual([{
    recordId: 'chunk#000000', stored: 2, failed: 1, deadLettered: 0,
    failedItems: [{ index: 1, error: 'items[1].word must be a string (got {"word":7})' }],
  }]);
  expect(await jobCounts('invalid')).toEqual({ items: 3, stored: 2, failed: 1, deadLettered: 0, completed: 3 });
});

test('a duplicate delivery changes no counter, even when its idempotency record is gone', async () => {
  await openJob(db.client, 'Jobs', 'dup-count', 2, 1);
  const chunk = { jobId: 'dup-count', chunkIndex: 0, items: [{ word: 'pear' }, { word: 'plum' }] };
  await worker.handler({ Records: [record('first', chunk)] }, context);
  const counted = await jobCounts('dup-count');
  await worker.handler({ Records: [record('second', chunk)] }, context);
  const { Items: idempotencyRecords = [] } = await db.client.send(new ScanCommand({ TableName: 'Idempotency' }));
  await Promise.all(idempotencyRecords.map((i) => db.client.send(new DeleteItemCommand({ TableName: 'Idempotency', Key: { id: i.id } }))));
  await worker.handler({ Records: [record('third', chunk)] }, context);
  expect(counted).toEqual({ items: 2, stored: 2, failed: 0, deadLettered: 0, completed: 2 });
  expect(await jobCounts('dup-count')).toEqual(counted);
  expect(await chunkRecords('dup-count')).toHaveLength(1);
});

test('a chunk that still fails on its last receive is recorded as dead-lettered, and the record still fails', async () => {
  await openJob(db.client, 'Jobs', 'last', 2, 1);
  // A worker whose result table does not exist: every PutItem fails, a failure that is not the items' fault.
  const failing = { jobId: 'last', chunkIndex: 0, items: [{ word: 'x' }, { word: 'y' }] };
  // A batch whose every record failed makes Powertools throw: Lambda then returns the whole batch to the queue.
  const receive = (count: number) => lastWorker!.handler({ Records: [record(`r${count}`, failing, count)] }, context);
  const original = process.env.RESULT_TABLE_NAME;
  let lastWorker: typeof ProcessChunk;
  Object.assign(process.env, { RESULT_TABLE_NAME: 'NoSuchTable' });
  jest.isolateModules(() => {
    lastWorker = require('../../examples/handlers/process-chunk');
  });
  process.env.RESULT_TABLE_NAME = original;
  // Receives before the last (MAX_RECEIVE_COUNT is 3) record nothing: SQS delivers the chunk again.
  for (const count of [1, 2]) {
    await expect(receive(count)).rejects.toMatchObject({ name: 'FullBatchFailureError' });
    expect(await jobCounts('last')).toMatchObject({ completed: 0 });
  }
  await expect(receive(3)).rejects.toMatchObject({ name: 'FullBatchFailureError' });
  expect(await jobCounts('last')).toEqual({ items: 2, stored: 0, failed: 0, deadLettered: 2, completed: 2 });
  expect(await chunkRecords('last')).toEqual([{ recordId: 'chunk#000000', stored: 0, failed: 0, deadLettered: 2, failedItems: [] }]);
  // Each receive logged its failure with the job as correlation id, the receive count and the error.
  expect(chunkFailures().map((entry) => [entry.correlation_id, entry.messageId, entry.receiveCount, entry.error.name]))
    .toEqual([1, 2, 3].map((count) => ['last', `r${count}`, String(count), 'ResourceNotFoundException']));
});

test('counts reconcile: items = stored + failed + deadLettered over a job of stored, invalid and dead-lettered chunks', async () => {
  const chunks = Array.from({ length: 6 }, (_, chunkIndex) => ({
    jobId: 'reconcile', chunkIndex, items: Array.from({ length: 10 }, (_, i) => ((chunkIndex * 10 + i) % 7 === 0 ? { word: null } : { word: `r${chunkIndex}-${i}` })),
  }));
  await openJob(db.client, 'Jobs', 'reconcile', 60, 6);
  const response = await worker.handler({ Records: chunks.map((chunk, i) => record(`c${i}`, chunk)) }, context);
  expect(response.batchItemFailures).toEqual([]);
  const invalid = chunks.flatMap((c) => c.items).filter((item) => item.word === null).length;
  const counts = await jobCounts('reconcile');
  expect(counts).toEqual({ items: 60, stored: 60 - invalid, failed: invalid, deadLettered: 0, completed: 60 });
  expect(counts.stored + counts.failed + counts.deadLettered).toBe(counts.items);
  expect((await storedIds()).filter((id) => id!.startsWith('reconcile#'))).toHaveLength(counts.stored);
  expect((await chunkRecords('reconcile')).flatMap((c) => c.failedItems)).toHaveLength(invalid);
});

test('a malformed record fails alone; the others are stored', async () => {
  const event: SQSEvent = { Records: [
    record('m1', { jobId: 'a', chunkIndex: 0, items: [{ word: 'apple' }, { word: 'fig' }] }),
    record('bad-json', '{not json'),
    record('bad-item', { jobId: 'a', chunkIndex: 1, items: [{ wrd: 1 }] }),
    record('m2', { jobId: 'a', chunkIndex: 2, items: [{ word: 'grape' }] }),
  ] };
  const response = await worker.handler(event, context);
  // The chunk with an invalid item is not a malformed record: its item is failed, the record succeeds.
  expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'bad-json' }]);
  expect(chunkFailures()).toEqual([expect.objectContaining({
    messageId: 'bad-json', error: expect.objectContaining({ name: 'ChunkValidationError', message: 'body is not JSON (got "{not json")' }),
  })]);
  expect((await storedIds()).filter((id) => id!.startsWith('a#'))).toEqual(['a#0#0', 'a#0#1', 'a#2#0']);
});

test('the same chunk delivered twice, even under another message id, stores one result per item', async () => {
  const chunk = { jobId: 'twice', chunkIndex: 0, items: [{ word: 'cherry' }] };
  await worker.handler({ Records: [record('first', chunk)] }, context);
  const again = await worker.handler({ Records: [record('sns-duplicate', chunk)] }, context);
  expect(again.batchItemFailures).toEqual([]);
  expect((await storedIds()).filter((id) => id!.startsWith('twice'))).toEqual(['twice#0#0']);
});

test('results are written 25 a request under keys that are the same on every delivery: a chunk written twice stores each result once', async () => {
  const chunk = { jobId: 'batched', chunkIndex: 3, items: [] };
  const results = Array.from({ length: 60 }, (_, index) => ({ index, result: { word: `w${index}` } }));
  await worker.storeResults(db.client, 'Results', 'resultId', chunk, results);
  // Without the idempotency record (expired), the chunk's results are written again: the same 60 items.
  await worker.storeResults(db.client, 'Results', 'resultId', chunk, results);
  const ids = (await storedIds()).filter((id) => id!.startsWith('batched#'));
  expect(ids).toHaveLength(60);
  expect(ids).toContain('batched#3#59');
});

test('checkWord rejects an item without a string word with an ItemError naming its index', () => {
  // The handler module is loaded in isolation, so its error class is not this test's: compared by name.
  expect(() => worker.checkWord({ word: 1 }, 4)).toThrow(expect.objectContaining({ name: 'ItemError', message: 'items[4].word must be a string (got {"word":1})' }));
  expect(() => worker.checkWord(null, 0)).toThrow(expect.objectContaining({ name: 'ItemError' }));
  expect(worker.checkWord({ word: 'a' }, 0)).toEqual({ word: 'a' });
});

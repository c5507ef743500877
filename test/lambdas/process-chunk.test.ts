import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { LocalDynamoDb } from '../../tools/local/local-dynamodb';
import type * as ProcessChunk from '../../examples/handlers/process-chunk';

// The worker against a real DynamoDB engine (dynalite): conditional writes and Powertools idempotency records included.
let db: LocalDynamoDb;
let worker: typeof ProcessChunk;

beforeAll(async () => {
  db = await LocalDynamoDb.start();
  await db.createTables({
    Resources: {
      Results: { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [{ AttributeName: 'resultId', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'resultId', AttributeType: 'S' }] } },
      Idempotency: { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }] } },
    },
  });
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    RESULT_TABLE_NAME: 'Results', RESULT_TABLE_KEY: 'resultId', IDEMPOTENCY_TABLE_NAME: 'Idempotency', AWS_LAMBDA_FUNCTION_NAME: 'worker',
  });
  // The handler reads its configuration at module load, as on Lambda.
  jest.isolateModules(() => {
    worker = require('../../examples/handlers/process-chunk');
  });
});

afterAll(async () => {
  await db?.stop();
});

const context = { functionName: 'worker', awsRequestId: 'req', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const record = (messageId: string, body: unknown): SQSRecord => ({
  messageId,
  receiptHandle: `rh-${messageId}`,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  attributes: { ApproximateReceiveCount: '1' } as SQSRecord['attributes'],
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:work',
  awsRegion: 'us-east-1',
});
const storedIds = async () => (await db.client.send(new ScanCommand({ TableName: 'Results' }))).Items!.map((i) => i.resultId.S).sort();

test('a malformed record fails alone; the others are stored', async () => {
  const event: SQSEvent = { Records: [
    record('m1', { jobId: 'a', chunkIndex: 0, items: [{ word: 'apple' }, { word: 'fig' }] }),
    record('bad-json', '{not json'),
    record('bad-item', { jobId: 'a', chunkIndex: 1, items: [{ wrd: 1 }] }),
    record('m2', { jobId: 'a', chunkIndex: 2, items: [{ word: 'grape' }] }),
  ] };
  const response = await worker.handler(event, context);
  expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'bad-json' }, { itemIdentifier: 'bad-item' }]);
  expect(await storedIds()).toEqual(['a#0#0', 'a#0#1', 'a#2#0']);
});

test('the same chunk delivered twice, even under another message id, stores one result per item', async () => {
  const chunk = { jobId: 'twice', chunkIndex: 0, items: [{ word: 'cherry' }] };
  await worker.handler({ Records: [record('first', chunk)] }, context);
  const again = await worker.handler({ Records: [record('sns-duplicate', chunk)] }, context);
  expect(again.batchItemFailures).toEqual([]);
  expect((await storedIds()).filter((id) => id!.startsWith('twice'))).toEqual(['twice#0#0']);
});

test('the conditional write alone keeps a result single when the idempotency record is gone', async () => {
  const chunk = worker.parseChunk(JSON.stringify({ jobId: 'cond', chunkIndex: 0, items: [{ word: 'date' }, { word: 'fig' }] }));
  expect(await worker.storeChunkResults(db.client, 'Results', 'resultId', chunk)).toMatchObject({ stored: 2, alreadyStored: 0 });
  expect(await worker.storeChunkResults(db.client, 'Results', 'resultId', chunk)).toMatchObject({ stored: 0, alreadyStored: 2 });
});

test('parseChunk checks the chunk, then each item is a { word }', () => {
  // The handler module is loaded in isolation, so its error class is not this test's: compared by name.
  const rejection = (message: string) => expect.objectContaining({ name: 'ChunkValidationError', message: expect.stringContaining(message) });
  expect(() => worker.parseChunk('{')).toThrow(rejection('body is not JSON'));
  expect(() => worker.parseChunk(JSON.stringify({ jobId: 'j', chunkIndex: 0, items: [{ word: 'a' }, { word: 1 }] }))).toThrow(rejection('items[1].word must be a string'));
  expect(worker.parseChunk(JSON.stringify({ jobId: 'j', chunkIndex: 0, items: [{ word: 'a' }] }))).toEqual({ jobId: 'j', chunkIndex: 0, items: [{ word: 'a' }] });
});

import { BatchWriteItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { chunkOf, inspectDeadLetters, readDeadLetters } from '../../tools/local/dead-letters';
import { accountJob, ChunkRecordCounts, JobRecordCounts, readChunkRecords } from '../../tools/local/job-accounting';
import { LocalDynamoDb } from '../../tools/local/local-dynamodb';
import { JOB_TABLE_RESOURCE } from '../support/job-table-resource';
import { LocalSnsSqs } from '../../tools/local/local-sns-sqs';

// The job accounting's parts on their own: the pure account of a job's records, the paging of its chunk
// records in dynalite, and the reading of a dead-letter queue in fauxqs that leaves every message there.

const job = (items: number, chunks: number, counters: Partial<JobRecordCounts> = {}): JobRecordCounts => ({
  jobId: 'j', items, chunks, stored: 0, failed: 0, deadLettered: 0, completed: 0, ...counters,
});
const chunk = (chunkIndex: number, counts: Partial<ChunkRecordCounts>): ChunkRecordCounts => {
  const { stored = 0, failed = 0, deadLettered = 0 } = counts;
  return { chunkIndex, items: stored + failed + deadLettered, stored, failed, deadLettered, failedItems: [], ...counts };
};
const inDlq = (chunkIndex: number, items: number, messageId = `m${chunkIndex}`) => ({ messageId, jobId: 'j', chunkIndex, items });

describe('accountJob', () => {
  test('every item stored: reconciled', () => {
    expect(accountJob('j', job(25, 3, { stored: 25, completed: 25 }), [chunk(0, { stored: 10 }), chunk(1, { stored: 10 }), chunk(2, { stored: 5 })], []))
      .toMatchObject({ items: 25, stored: 25, failed: 0, deadLettered: 0, reconciled: true, missingItems: 0, missingChunks: [], problems: [] });
  });

  test('failed items: counted from the chunk records, listed by chunk then index', () => {
    const failedItems = [{ chunkIndex: 1, index: 7, error: 'no word' }, { chunkIndex: 1, index: 2, error: 'empty' }];
    const account = accountJob('j', job(20, 2, { stored: 18, failed: 2, completed: 20 }), [chunk(1, { stored: 8, failed: 2, failedItems }), chunk(0, { stored: 10 })], []);
    expect(account).toMatchObject({ items: 20, stored: 18, failed: 2, deadLettered: 0, reconciled: true });
    expect(account.failedItems).toEqual([{ chunkIndex: 1, index: 2, error: 'empty' }, { chunkIndex: 1, index: 7, error: 'no word' }]);
  });

  test('a chunk the worker counted as dead-lettered and that is in the DLQ: counted once', () => {
    expect(accountJob('j', job(20, 2, { stored: 10, deadLettered: 10, completed: 20 }), [chunk(0, { stored: 10 }), chunk(1, { deadLettered: 10 })], [inDlq(1, 10)]))
      .toMatchObject({ items: 20, stored: 10, deadLettered: 10, reconciled: true, uncountedDeadLetters: [] });
  });

  test('a chunk in the DLQ twice without a chunk record: counted once, by chunk index', () => {
    expect(accountJob('j', job(20, 2, { stored: 10, completed: 10 }), [chunk(0, { stored: 10 })], [inDlq(1, 10, 'a'), inDlq(1, 10, 'b')]))
      .toMatchObject({ items: 20, stored: 10, deadLettered: 10, reconciled: true, uncountedDeadLetters: [1] });
  });

  test('a chunk with no record, in no DLQ: not reconciled, the chunk and the items named', () => {
    expect(accountJob('j', job(25, 3, { stored: 15, completed: 15 }), [chunk(0, { stored: 10 }), chunk(2, { stored: 5 })], []))
      .toMatchObject({ items: 25, stored: 15, reconciled: false, missingItems: 10, missingChunks: [1] });
  });

  test('counters of the job record that disagree with its chunk records: not reconciled, said', () => {
    expect(accountJob('j', job(10, 1, { stored: 9, completed: 9 }), [chunk(0, { stored: 10 })], [])).toMatchObject({
      reconciled: false, missingItems: 0,
      problems: ['the job record counts 9 stored, its chunk records 10', 'the job record counts 9 completed, its chunk records 10'],
    });
  });

  test('a job with chunks in a DLQ but no job record: not reconciled, said', () => {
    expect(accountJob('j', undefined, [], [inDlq(0, 4)]))
      .toMatchObject({ items: 4, deadLettered: 4, reconciled: false, problems: ['no job record (the splitter writes it before publishing)'] });
  });
});

describe('chunk records in dynalite', () => {
  let db: LocalDynamoDb;
  beforeAll(async () => {
    db = await LocalDynamoDb.start();
    await db.createTables({ Resources: { Jobs: JOB_TABLE_RESOURCE } });
    // 30 chunks of 100 items, each with 100 failed items of a 1000-character error: about 100 KB a record, so a
    // Query page (at most 1 MB: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html)
    // holds about ten of them.
    const error = 'x'.repeat(1000);
    const records = Array.from({ length: 30 }, (_, i) => ({
      jobId: { S: 'big' }, recordId: { S: `chunk#${String(i).padStart(6, '0')}` }, chunkIndex: { N: String(i) },
      items: { N: '100' }, stored: { N: '0' }, failed: { N: '100' }, deadLettered: { N: '0' },
      failedItems: { L: Array.from({ length: 100 }, (_, index) => ({ M: { index: { N: String(index) }, error: { S: error } } })) },
    }));
    for (let i = 0; i < records.length; i += 25) {
      await db.client.send(new BatchWriteItemCommand({ RequestItems: { Jobs: records.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    }
  });
  afterAll(() => db?.stop());

  test('more chunk records than one 1 MB page holds: every page read', async () => {
    const firstPage = await db.client.send(new QueryCommand({
      TableName: 'Jobs', KeyConditionExpression: 'jobId = :j', ExpressionAttributeValues: { ':j': { S: 'big' } },
    }));
    expect(firstPage.LastEvaluatedKey).toBeDefined();
    expect(firstPage.Items!.length).toBeLessThan(30);
    const chunks = await readChunkRecords(db.client, 'Jobs', 'big');
    expect(chunks.map((c) => c.chunkIndex)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(accountJob('big', job(3000, 30, { failed: 3000, completed: 3000 }), chunks, []))
      .toMatchObject({ items: 3000, stored: 0, failed: 3000, deadLettered: 0, reconciled: true });
  });

  test('pages of a few records each: the same records', async () => {
    expect(await readChunkRecords(db.client, 'Jobs', 'big', 7)).toEqual(await readChunkRecords(db.client, 'Jobs', 'big'));
  });
});

describe('reading a dead-letter queue', () => {
  let snsSqs: LocalSnsSqs;
  beforeAll(async () => {
    snsSqs = await LocalSnsSqs.start();
  });
  afterAll(() => snsSqs?.stop());

  test('chunks counted by their items, other messages as one each; every message left in the queue, visible', async () => {
    const { QueueUrl } = await snsSqs.sqs.send(new CreateQueueCommand({ QueueName: 'dlq', Attributes: { VisibilityTimeout: '30' } }));
    const bodies = [
      ...Array.from({ length: 23 }, (_, i) => JSON.stringify({ jobId: i < 20 ? 'a' : 'b', chunkIndex: i, items: Array.from({ length: i % 3 + 1 }, () => ({})) })),
      'not json', '{"jobId":"a","chunkIndex":"four","items":[]}',
    ];
    for (let i = 0; i < bodies.length; i += 10) {
      await snsSqs.sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: bodies.slice(i, i + 10).map((MessageBody, j) => ({ Id: String(j), MessageBody })) }));
    }
    const read = await readDeadLetters(snsSqs.sqs, QueueUrl!);
    const chunkItems = Array.from({ length: 23 }, (_, i) => i % 3 + 1).reduce((a, b) => a + b, 0);
    expect(read).toMatchObject({ messages: 25, unknownMessages: 2, unread: 0, items: chunkItems + 2 });
    expect(read.chunks.filter((c) => c.jobId === 'b').map((c) => c.chunkIndex).sort()).toEqual([20, 21, 22]);
    const { Attributes } = await snsSqs.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    expect(Attributes).toEqual({ ApproximateNumberOfMessages: '25', ApproximateNumberOfMessagesNotVisible: '0' });
    const { Messages = [] } = await snsSqs.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(Messages).toHaveLength(10);
  });

  // A FIFO queue returns no message of a group while an earlier one of it is in flight, so a read that leaves the
  // messages in the queue cannot see them all: the rest are counted as unread, and fauxqs's inspection reads them.
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
  test('a FIFO queue with several messages in one group: those the SQS API cannot read are unread, the inspection reads all', async () => {
    const { QueueUrl } = await snsSqs.sqs.send(new CreateQueueCommand({ QueueName: 'dlq.fifo', Attributes: { FifoQueue: 'true' } }));
    for (let i = 0; i < 15; i += 5) {
      await snsSqs.sqs.send(new SendMessageBatchCommand({
        QueueUrl,
        Entries: Array.from({ length: 5 }, (_, j) => ({
          Id: String(j), MessageGroupId: 'job', MessageDeduplicationId: String(i + j),
          MessageBody: JSON.stringify({ jobId: 'f', chunkIndex: i + j, items: [{}, {}] }),
        })),
      }));
    }
    const read = await readDeadLetters(snsSqs.sqs, QueueUrl!);
    expect(read.messages + read.unread).toBe(15);
    expect(read.unread).toBeGreaterThan(0);
    const inspected = await inspectDeadLetters(snsSqs.endpoint, 'dlq.fifo');
    expect(inspected).toMatchObject({ messages: 15, unread: 0, unknownMessages: 0, items: 30 });
    expect(inspected.chunks.map((c) => c.chunkIndex).sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    const { Attributes } = await snsSqs.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(Attributes).toEqual({ ApproximateNumberOfMessages: '15' });
  });

  test('chunkOf: the body of a chunk, or nothing', () => {
    expect(chunkOf('m', '{"jobId":"j","chunkIndex":3,"items":[1,2]}')).toEqual({ messageId: 'm', jobId: 'j', chunkIndex: 3, items: 2 });
    for (const body of [undefined, '', 'null', '[]', '{"jobId":"j","chunkIndex":1.5,"items":[]}', '{"jobId":"j","chunkIndex":1}']) {
      expect(chunkOf('m', body)).toBeUndefined();
    }
  });
});

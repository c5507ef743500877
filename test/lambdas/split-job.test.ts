import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import {
  batchEntries, checkItems, chunkJob, compileItemSchema, ItemTooLargeError, JobValidationError, MAX_MESSAGE_BYTES, openJob, publishChunks, PublishFailedError,
  resolveItems, validateJob,
} from '../../lambdas/split-job';
import { LocalDynamoDb } from '../../tools/local/local-dynamodb';
import { JOB_TABLE_RESOURCE } from '../support/job-table-resource';
import { LocalSnsSqs } from '../../tools/local/local-sns-sqs';

const words = (count: number, word = 'apple') => Array.from({ length: count }, () => ({ word }));

describe('chunkJob', () => {
  test('cuts by count, keeping order and numbering the chunks', () => {
    const chunks = chunkJob({ jobId: 'j1', items: words(250) }, 100);
    expect(chunks.map((c) => [c.chunkIndex, c.items.length])).toEqual([[0, 100], [1, 100], [2, 50]]);
    expect(chunks.every((c) => c.jobId === 'j1')).toBe(true);
  });

  test('cuts by bytes so that no message body exceeds the limit', () => {
    const items = words(2_000, 'x'.repeat(500));
    const chunks = chunkJob({ jobId: 'big', items }, 10_000);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(Buffer.byteLength(JSON.stringify(chunk))).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(chunks.flatMap((c) => c.items)).toEqual(items);
  });

  test('an empty job has no chunks', () => {
    expect(chunkJob({ jobId: 'empty', items: [] }, 100)).toEqual([]);
  });

  test('an item larger than a message is a named error', () => {
    expect(() => chunkJob({ jobId: 'j', items: [{ word: 'x'.repeat(MAX_MESSAGE_BYTES) }] }, 10)).toThrow(ItemTooLargeError);
  });
});

test('batchEntries: at most 10 entries and 256 KiB per PublishBatch', () => {
  expect(batchEntries(Array.from({ length: 25 }, () => 'm')).map((b) => b.length)).toEqual([10, 10, 5]);
  const large = 'x'.repeat(100 * 1024);
  expect(batchEntries([large, large, large]).map((b) => b.length)).toEqual([2, 1]);
});

test.each([
  [null, 'job must be an object'],
  [{ items: [] }, 'jobId must be 1..64 letters'],
  [{ jobId: 'has space', items: [] }, 'jobId must be 1..64 letters'],
  [{ jobId: 'j' }, 'items must be an array (got undefined)'],
])('validateJob rejects %j with JobValidationError', (job, message) => {
  expect(() => validateJob(job)).toThrow(JobValidationError);
  expect(() => validateJob(job)).toThrow(message);
});

describe('publishChunks', () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => sns.reset());
  const chunks = chunkJob({ jobId: 'j1', items: words(12) }, 1);

  test('publishes every chunk in batches of 10, each body the chunk JSON', async () => {
    sns.on(PublishBatchCommand).resolves({ Successful: [], Failed: [] });
    await publishChunks(new SNSClient({}), 'arn:aws:sns:us-east-1:000000000000:work', chunks);
    const calls = sns.commandCalls(PublishBatchCommand);
    expect(calls.map((c) => c.args[0].input.PublishBatchRequestEntries!.length)).toEqual([10, 2]);
    expect(JSON.parse(calls[0].args[0].input.PublishBatchRequestEntries![3].Message!)).toEqual(chunks[3]);
    expect(calls[0].args[0].input.PublishBatchRequestEntries![0].MessageGroupId).toBeUndefined();
  });

  test('retries the entries SNS reports as failed, then succeeds', async () => {
    sns.on(PublishBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] })
      .resolves({ Failed: [] });
    await publishChunks(new SNSClient({}), 'arn:aws:sns:us-east-1:000000000000:work', chunks.slice(0, 3));
    const calls = sns.commandCalls(PublishBatchCommand);
    expect(calls.map((c) => c.args[0].input.PublishBatchRequestEntries!.map((e) => e.Id))).toEqual([['0', '1', '2'], ['1']]);
  });

  test('entries still failing after 3 attempts raise PublishFailedError naming them', async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [{ Id: '2', Code: 'KMSThrottling', SenderFault: false }] });
    await expect(publishChunks(new SNSClient({}), 'arn:aws:sns:us-east-1:000000000000:work', chunks.slice(0, 3)))
      .rejects.toThrow(new PublishFailedError('chunks 2 of job j1 were not published after 3 attempts: 2: KMSThrottling'));
  });

  test('a FIFO topic gets the job as message group and job-chunk as de-duplication id', async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [] });
    await publishChunks(new SNSClient({}), 'arn:aws:sns:us-east-1:000000000000:work.fifo', chunks.slice(0, 2));
    expect(sns.commandCalls(PublishBatchCommand)[0].args[0].input.PublishBatchRequestEntries![1])
      .toMatchObject({ Id: '1', MessageGroupId: 'j1', MessageDeduplicationId: 'j1-1' });
  });
});

describe('jobs by reference: items in S3 (fauxqs serves S3 too)', () => {
  let snsSqs: LocalSnsSqs;
  let s3: S3Client;

  beforeAll(async () => {
    snsSqs = await LocalSnsSqs.start();
    s3 = new S3Client({ endpoint: snsSqs.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await s3.send(new CreateBucketCommand({ Bucket: 'jobs' }));
    await s3.send(new PutObjectCommand({ Bucket: 'jobs', Key: 'job-1.json', Body: JSON.stringify(words(3)) }));
    await s3.send(new PutObjectCommand({ Bucket: 'jobs', Key: 'not-a-list.json', Body: '{"word":"apple"}' }));
  });

  afterAll(async () => {
    s3?.destroy();
    await snsSqs?.stop();
  });

  test('the items are read from the object', async () => {
    const job = validateJob({ jobId: 'ref', itemsUri: 's3://jobs/job-1.json' });
    await expect(resolveItems(s3, job)).resolves.toEqual({ jobId: 'ref', items: words(3) });
  });

  test('an object that is not a JSON array is a JobValidationError', async () => {
    await expect(resolveItems(s3, validateJob({ jobId: 'ref', itemsUri: 's3://jobs/not-a-list.json' })))
      .rejects.toThrow(new JobValidationError('s3://jobs/not-a-list.json must hold a JSON array of items'));
  });

  test.each([
    [{ jobId: 'j', itemsUri: 'https://jobs/x.json' }, 'itemsUri must be s3://bucket/key'],
    [{ jobId: 'j', itemsUri: 's3://jobs/x.json', items: [] }, 'give either items or itemsUri, not both'],
  ])('validateJob rejects %j', (job, message) => {
    expect(() => validateJob(job)).toThrow(message);
  });
});

describe('the item schema: every item checked before anything is published', () => {
  const validate = compileItemSchema(JSON.stringify({ type: 'object', required: ['word'], properties: { word: { type: 'string', minLength: 1 } } }));

  test('a job whose items all match passes', () => {
    expect(() => checkItems([{ word: 'a' }, { word: 'bc' }], validate)).not.toThrow();
  });

  test('a job with bad items is rejected naming the first five and why, and how many there are', () => {
    const items = [{ word: 'ok' }, { word: 1 }, {}, ...Array.from({ length: 6 }, () => ({ word: '' }))];
    expect(() => checkItems(items, validate)).toThrow(new JobValidationError(
      '8 of 9 items do not match the item schema; nothing was published: items[1]: /word must be string; '
      + "items[2]: (the item) must have required property 'word'; items[3]: /word must NOT have fewer than 1 characters; "
      + 'items[4]: /word must NOT have fewer than 1 characters; items[5]: /word must NOT have fewer than 1 characters; ...',
    ));
  });
});

describe('openJob: the job record, written before publishing', () => {
  let db: LocalDynamoDb;
  const get = async (jobId: string) => (await db.client.send(new GetItemCommand({ TableName: 'Jobs', Key: { jobId: { S: jobId }, recordId: { S: 'job' } } }))).Item;

  beforeAll(async () => {
    db = await LocalDynamoDb.start();
    await db.createTables({ Resources: { Jobs: JOB_TABLE_RESOURCE } });
  });
  afterAll(async () => {
    await db?.stop();
  });

  test('as the contract says: items, chunks, every count at 0, createdAt', async () => {
    await openJob(db.client, 'Jobs', 'j1', 250, 3, new Date('2026-01-02T03:04:05Z'));
    expect(await get('j1')).toEqual({
      jobId: { S: 'j1' }, recordId: { S: 'job' }, items: { N: '250' }, chunks: { N: '3' },
      stored: { N: '0' }, failed: { N: '0' }, deadLettered: { N: '0' }, completed: { N: '0' }, createdAt: { S: '2026-01-02T03:04:05.000Z' },
    });
  });

  test('splitting the same job again keeps its counts; the same id with another item count is refused', async () => {
    await openJob(db.client, 'Jobs', 'j2', 10, 1);
    await db.client.send(new UpdateItemCommand({
      TableName: 'Jobs', Key: { jobId: { S: 'j2' }, recordId: { S: 'job' } }, UpdateExpression: 'SET #s = :s', ExpressionAttributeNames: { '#s': 'stored' }, ExpressionAttributeValues: { ':s': { N: '4' } },
    }));
    await openJob(db.client, 'Jobs', 'j2', 10, 1);
    expect((await get('j2'))!.stored).toEqual({ N: '4' });
    await expect(openJob(db.client, 'Jobs', 'j2', 11, 1)).rejects.toThrow(new JobValidationError(
      'job j2 was split before with 10 items, and now has 11; a job id names one job, so start this one under another id',
    ));
  });
});

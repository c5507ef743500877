import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishBatchCommand, PublishBatchRequestEntry, SNSClient } from '@aws-sdk/client-sns';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Context } from 'aws-lambda';
import type { ChunkMessage, SplitJobByReferenceEvent, SplitJobEvent, SplitJobResult } from '../../handlers/fan-out-job';
import { JOB_RECORD_ID, JOB_TABLE_PARTITION_KEY, JOB_TABLE_SORT_KEY } from '../../handlers/job-records';
import { withWarmUp } from '../../handlers/warm-up';

/** The job is not `{ jobId: string, items: [] }`. */
export class JobValidationError extends Error {
  override readonly name = 'JobValidationError';
}

/** One item alone is larger than a message may be. */
export class ItemTooLargeError extends Error {
  override readonly name = 'ItemTooLargeError';
}

/** SNS did not take some chunks even after retries; none of the job is lost silently. */
export class PublishFailedError extends Error {
  override readonly name = 'PublishFailedError';
}

/** SNS and SQS take messages of at most 256 KiB; PublishBatch takes at most 10 entries and 256 KiB in all. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
export const MAX_BATCH_ENTRIES = 10;
const PUBLISH_ATTEMPTS = 3;

export function validateJob(event: unknown): SplitJobEvent | SplitJobByReferenceEvent {
  const job = event as Partial<SplitJobEvent & SplitJobByReferenceEvent> | null;
  if (typeof job !== 'object' || job === null) throw new JobValidationError(`job must be an object like {"jobId":"...","items":[...]} (got ${JSON.stringify(event)})`);
  if (typeof job.jobId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(job.jobId)) {
    throw new JobValidationError(`jobId must be 1..64 letters, digits, '-' or '_' (got ${JSON.stringify(job.jobId)})`);
  }
  if (job.itemsUri !== undefined) {
    if (job.items !== undefined) throw new JobValidationError('give either items or itemsUri, not both');
    if (typeof job.itemsUri !== 'string' || !S3_URI.test(job.itemsUri)) throw new JobValidationError(`itemsUri must be s3://bucket/key (got ${JSON.stringify(job.itemsUri)})`);
    return job as SplitJobByReferenceEvent;
  }
  if (!Array.isArray(job.items)) throw new JobValidationError(`items must be an array (got ${JSON.stringify(job.items) ?? 'undefined'})`);
  return job as SplitJobEvent;
}

const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;

/** The job with its items, read from S3 when the job refers to them. */
export async function resolveItems(client: S3Client, job: SplitJobEvent | SplitJobByReferenceEvent): Promise<SplitJobEvent> {
  if (!('itemsUri' in job)) return job;
  const [, Bucket, Key] = job.itemsUri.match(S3_URI)!;
  const object = await client.send(new GetObjectCommand({ Bucket, Key }));
  const text = await object.Body!.transformToString();
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch (error) {
    throw new JobValidationError(`${job.itemsUri} is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(items)) throw new JobValidationError(`${job.itemsUri} must hold a JSON array of items`);
  return { jobId: job.jobId, items };
}

/** Bad items named in a rejection: enough to see the pattern, few enough to read. */
const MAX_ITEMS_NAMED = 5;

/**
 * The item check of a declared JSON Schema, compiled once per instance. ajv (~125 KiB) is bundled apart, in
 * `item-schema.js` beside `index.js`, and loaded only by a splitter that has a schema: one without pays nothing for it.
 */
export function compileItemSchema(schemaJson: string): ValidateFunction {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./item-schema') as typeof import('./item-schema')).compileItemSchema(schemaJson);
}

/** Throws `JobValidationError` naming the first few items that do not match the schema and why; nothing is published then. */
export function checkItems(items: readonly unknown[], validate: ValidateFunction): void {
  const bad: string[] = [];
  let count = 0;
  items.forEach((item, index) => {
    if (validate(item)) return;
    count++;
    if (bad.length < MAX_ITEMS_NAMED) bad.push(`items[${index}]: ${describeErrors(validate.errors ?? [])}`);
  });
  if (count > 0) {
    throw new JobValidationError(`${count} of ${items.length} items do not match the item schema; nothing was published: ${bad.join('; ')}${count > bad.length ? '; ...' : ''}`);
  }
}

function describeErrors(errors: readonly ErrorObject[]): string {
  return errors.map((e) => `${e.instancePath || '(the item)'} ${e.message ?? e.keyword}`).join(', ');
}

/**
 * Writes the job record, with its counts at 0, before any chunk is published, so
 * no worker can count a chunk of a job that does not exist. Splitting the same job
 * again (a retry) leaves the record and its counts as they are; a job id already
 * used for a different number of items is refused.
 */
export async function openJob(client: DynamoDBClient, table: string, jobId: string, items: number, chunks: number, now = new Date()): Promise<void> {
  const key = { [JOB_TABLE_PARTITION_KEY]: { S: jobId }, [JOB_TABLE_SORT_KEY]: { S: JOB_RECORD_ID } };
  const zero = { N: '0' };
  try {
    await client.send(new PutItemCommand({
      TableName: table,
      Item: {
        ...key,
        items: { N: String(items) },
        chunks: { N: String(chunks) },
        stored: zero,
        failed: zero,
        deadLettered: zero,
        completed: zero,
        createdAt: { S: now.toISOString() },
      },
      ConditionExpression: 'attribute_not_exists(#sk)',
      ExpressionAttributeNames: { '#sk': JOB_TABLE_SORT_KEY },
    }));
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException')) throw error;
    const { Item } = await client.send(new GetItemCommand({
      TableName: table, Key: key, ConsistentRead: true, ProjectionExpression: '#items', ExpressionAttributeNames: { '#items': 'items' },
    }));
    const existing = Number(Item?.items?.N);
    if (existing !== items) {
      throw new JobValidationError(`job ${jobId} was split before with ${existing} items, and now has ${items}; a job id names one job, so start this one under another id`);
    }
  }
}

/**
 * Cuts the job into chunks of at most `maxItems` items whose message body stays
 * within `maxBytes`, keeping the items' order.
 */
export function chunkJob(job: SplitJobEvent, maxItems: number, maxBytes = MAX_MESSAGE_BYTES): ChunkMessage[] {
  const bytes = (items: unknown[], chunkIndex: number) => Buffer.byteLength(JSON.stringify({ jobId: job.jobId, chunkIndex, items }));
  const chunks: ChunkMessage[] = [];
  let items: unknown[] = [];
  let size = 0;
  job.items.forEach((item, index) => {
    const itemBytes = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (bytes([item], Number.MAX_SAFE_INTEGER) > maxBytes) {
      throw new ItemTooLargeError(`item [${index}] is ${itemBytes - 1} bytes; a message holds at most ${maxBytes} bytes with its envelope`);
    }
    // The envelope is counted with the largest index it could carry, so the estimate never undercounts.
    if (items.length > 0 && (items.length >= maxItems || size + itemBytes + bytes([], Number.MAX_SAFE_INTEGER) > maxBytes)) {
      chunks.push({ jobId: job.jobId, chunkIndex: chunks.length, items });
      items = [];
      size = 0;
    }
    items.push(item);
    size += itemBytes;
  });
  if (items.length > 0) chunks.push({ jobId: job.jobId, chunkIndex: chunks.length, items });
  return chunks;
}

/** Groups message bodies into PublishBatch calls of at most 10 entries and `maxBytes` in all. */
export function batchEntries(bodies: readonly string[], maxBytes = MAX_MESSAGE_BYTES): string[][] {
  const batches: string[][] = [];
  let batch: string[] = [];
  let size = 0;
  for (const body of bodies) {
    const bodyBytes = Buffer.byteLength(body);
    if (batch.length > 0 && (batch.length >= MAX_BATCH_ENTRIES || size + bodyBytes > maxBytes)) {
      batches.push(batch);
      batch = [];
      size = 0;
    }
    batch.push(body);
    size += bodyBytes;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

const logger = new Logger({ serviceName: 'split-job' });
// Each SDK call a subsegment of the function's X-Ray trace; outside Lambda the Tracer is off and the clients are left as they are.
const tracer = new Tracer({ serviceName: 'split-job' });
const sns = tracer.captureAWSv3Client(new SNSClient({}));
const s3 = tracer.captureAWSv3Client(new S3Client({}));
const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient({}));
const jobTable = process.env.JOB_TABLE_NAME ?? '';
const itemSchema = process.env.ITEM_SCHEMA ? compileItemSchema(process.env.ITEM_SCHEMA) : undefined;
const topicArn = process.env.TOPIC_ARN ?? '';
const chunkSize = Number(process.env.CHUNK_SIZE ?? 100);

/** Publishes the chunks, retrying entries SNS reports as failed; throws if any still fail. */
export async function publishChunks(client: SNSClient, topic: string, chunks: readonly ChunkMessage[]): Promise<void> {
  const fifo = topic.endsWith('.fifo');
  for (const batch of batchEntries(chunks.map((chunk) => JSON.stringify(chunk)))) {
    let entries: PublishBatchRequestEntry[] = batch.map((body) => {
      const { jobId, chunkIndex } = JSON.parse(body) as ChunkMessage;
      return {
        Id: String(chunkIndex),
        Message: body,
        ...fifo && { MessageGroupId: jobId, MessageDeduplicationId: `${jobId}-${chunkIndex}` },
      };
    });
    for (let attempt = 1; entries.length > 0; attempt++) {
      const response = await client.send(new PublishBatchCommand({ TopicArn: topic, PublishBatchRequestEntries: entries }));
      const failed = new Set((response.Failed ?? []).map((f) => f.Id));
      if (failed.size > 0 && attempt >= PUBLISH_ATTEMPTS) {
        throw new PublishFailedError(`chunks ${[...failed].join(', ')} of job ${chunks[0].jobId} were not published after ${attempt} attempts: `
          + (response.Failed ?? []).map((f) => `${f.Id}: ${f.Code} ${f.Message ?? ''}`.trim()).join('; '));
      }
      entries = entries.filter((entry) => failed.has(entry.Id));
    }
  }
}

export const handler = withWarmUp(async (event: unknown, context: Context): Promise<SplitJobResult> => {
  logger.addContext(context);
  const request = validateJob(event);
  // The job id is the correlation id: splitter and worker logs of one job share it.
  logger.setCorrelationId(request.jobId);
  const job = await resolveItems(s3, request);
  if (itemSchema) checkItems(job.items, itemSchema);
  const chunks = chunkJob(job, chunkSize);
  if (jobTable) await openJob(dynamodb, jobTable, job.jobId, job.items.length, chunks.length);
  await publishChunks(sns, topicArn, chunks);
  const result = { jobId: job.jobId, chunks: chunks.length, items: job.items.length };
  logger.info('published job', { ...result });
  return result;
});

import { AttributeValue, DynamoDBClient, paginateQuery, paginateScan, QueryCommandInput, ScanCommandInput } from '@aws-sdk/client-dynamodb';
import {
  CHUNK_RECORD_PREFIX, ChunkRecord, FailedItem, JOB_RECORD_ID, JOB_TABLE_PARTITION_KEY, JOB_TABLE_SORT_KEY, JobRecord,
} from '../../handlers/job-records';
import type { DeadLetteredChunk } from './dead-letters';

// The job accounting of a fan-out, read from its job table (the template's table carrying JOB_TABLE_METADATA):
// the job record contract of the './handlers' entry (handlers/job-records.ts).

/** A job's items by outcome: `items = stored + failed + deadLettered` once every item is accounted for. */
export interface JobCounts {
  readonly items: number;
  readonly stored: number;
  readonly failed: number;
  readonly deadLettered: number;
}

/** An item the worker rejected permanently, with the chunk it was in. */
export interface JobFailedItem extends FailedItem {
  readonly chunkIndex: number;
}

/** The fields of a job record the accounting reads. */
export type JobRecordCounts = Pick<JobRecord, 'jobId' | 'items' | 'chunks' | 'stored' | 'failed' | 'deadLettered' | 'completed'>;

/** The fields of a chunk record the accounting reads, its failed items with their chunk. */
export interface ChunkRecordCounts extends Pick<ChunkRecord, 'chunkIndex' | 'items' | 'stored' | 'failed' | 'deadLettered'> {
  readonly failedItems: readonly JobFailedItem[];
}

/** A job's account: its counts, and when they don't reconcile, why. */
export interface JobAccount extends JobCounts {
  readonly jobId: string;
  /** Whether every item is accounted for: `items = stored + failed + deadLettered`, every chunk recorded or dead-lettered, the job record's counters agree. */
  readonly reconciled: boolean;
  /** Items neither stored, failed nor dead-lettered (0 when reconciled). */
  readonly missingItems: number;
  /** Chunk indexes with no chunk record that are in no dead-letter queue either. */
  readonly missingChunks: readonly number[];
  /** Chunk indexes found in a dead-letter queue without a chunk record (the worker did not count them); their items are in `deadLettered`. */
  readonly uncountedDeadLetters: readonly number[];
  /** Every failed item, by chunk then index. */
  readonly failedItems: readonly JobFailedItem[];
  /** Other disagreements between the records and the dead-letter queues, in words. */
  readonly problems: readonly string[];
}

/** Every item of a Query, page after page (DynamoDB returns at most 1 MB per page): the SDK's paginator. */
export async function queryAll(client: DynamoDBClient, input: QueryCommandInput): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  for await (const page of paginateQuery({ client }, input)) items.push(...page.Items ?? []);
  return items;
}

/** Every item of a Scan, page after page: the SDK's paginator. */
export async function scanAll(client: DynamoDBClient, input: ScanCommandInput): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  for await (const page of paginateScan({ client }, input)) items.push(...page.Items ?? []);
  return items;
}

const num = (value: AttributeValue | undefined) => Number(value?.N ?? 0);

/** The job records of a job table. */
export async function readJobRecords(client: DynamoDBClient, tableName: string): Promise<JobRecordCounts[]> {
  const items = await scanAll(client, {
    TableName: tableName,
    FilterExpression: '#sk = :job',
    ExpressionAttributeNames: { '#sk': JOB_TABLE_SORT_KEY },
    ExpressionAttributeValues: { ':job': { S: JOB_RECORD_ID } },
  });
  return items.map((item) => ({
    jobId: item[JOB_TABLE_PARTITION_KEY].S!,
    items: num(item.items),
    chunks: num(item.chunks),
    stored: num(item.stored),
    failed: num(item.failed),
    deadLettered: num(item.deadLettered),
    completed: num(item.completed),
  }));
}

/** The chunk records of a job, every page of them. `pageLimit` bounds the records per page (tests of the paging). */
export async function readChunkRecords(client: DynamoDBClient, tableName: string, jobId: string, pageLimit?: number): Promise<ChunkRecordCounts[]> {
  const items = await queryAll(client, {
    TableName: tableName,
    KeyConditionExpression: '#pk = :job AND begins_with(#sk, :chunk)',
    ExpressionAttributeNames: { '#pk': JOB_TABLE_PARTITION_KEY, '#sk': JOB_TABLE_SORT_KEY },
    ExpressionAttributeValues: { ':job': { S: jobId }, ':chunk': { S: CHUNK_RECORD_PREFIX } },
    Limit: pageLimit,
  });
  return items.map((item) => {
    const chunkIndex = item.chunkIndex ? num(item.chunkIndex) : Number(item[JOB_TABLE_SORT_KEY].S!.slice(CHUNK_RECORD_PREFIX.length));
    return {
      chunkIndex,
      items: num(item.items),
      stored: num(item.stored),
      failed: num(item.failed),
      deadLettered: num(item.deadLettered),
      failedItems: (item.failedItems?.L ?? []).map((f) => ({ chunkIndex, index: num(f.M?.index), error: f.M?.error?.S ?? '' })),
    };
  });
}

/**
 * A job's account from its job record (undefined when there is none), its chunk records and the chunks of it
 * found in dead-letter queues. Stored and failed items come from the chunk records; dead-lettered ones from
 * the chunk records the worker wrote on a message's last receive, plus, once per chunk index, the chunks found
 * in a dead-letter queue that have no chunk record (the worker could not count them: it timed out, say).
 */
export function accountJob(jobId: string, job: JobRecordCounts | undefined, chunks: readonly ChunkRecordCounts[], deadLettered: readonly DeadLetteredChunk[]): JobAccount {
  const problems: string[] = [];
  const recorded = new Map<number, ChunkRecordCounts>();
  for (const chunk of chunks) recorded.set(chunk.chunkIndex, chunk);
  const sum = (field: keyof JobCounts) => chunks.reduce((total, chunk) => total + chunk[field], 0);
  const uncounted = new Map<number, number>();
  for (const chunk of deadLettered) {
    if (!recorded.has(chunk.chunkIndex)) uncounted.set(chunk.chunkIndex, chunk.items);
  }
  const counts = {
    stored: sum('stored'),
    failed: sum('failed'),
    deadLettered: sum('deadLettered') + [...uncounted.values()].reduce((a, b) => a + b, 0),
  };
  for (const chunk of chunks) {
    if (chunk.items !== chunk.stored + chunk.failed + chunk.deadLettered) {
      problems.push(`chunk ${chunk.chunkIndex} records ${chunk.items} items but ${chunk.stored} stored + ${chunk.failed} failed + ${chunk.deadLettered} dead-lettered`);
    }
  }
  let items: number;
  let missingChunks: number[] = [];
  if (job) {
    items = job.items;
    missingChunks = Array.from({ length: job.chunks }, (_, i) => i).filter((i) => !recorded.has(i) && !uncounted.has(i));
    for (const field of ['stored', 'failed', 'deadLettered'] as const) {
      const fromChunks = sum(field);
      if (job[field] !== fromChunks) problems.push(`the job record counts ${job[field]} ${field}, its chunk records ${fromChunks}`);
    }
    const completed = sum('stored') + sum('failed') + sum('deadLettered');
    if (job.completed !== completed) problems.push(`the job record counts ${job.completed} completed, its chunk records ${completed}`);
    const beyond = [...recorded.keys(), ...uncounted.keys()].filter((i) => i >= job.chunks);
    if (beyond.length > 0) problems.push(`chunk(s) ${beyond.join(', ')} beyond the job's ${job.chunks} chunks`);
  } else {
    // No record of what was published: the items are at least those accounted for.
    items = counts.stored + counts.failed + counts.deadLettered;
    problems.push('no job record (the splitter writes it before publishing)');
  }
  const missingItems = items - (counts.stored + counts.failed + counts.deadLettered);
  return {
    jobId,
    items,
    ...counts,
    reconciled: missingItems === 0 && missingChunks.length === 0 && problems.length === 0,
    missingItems,
    missingChunks,
    uncountedDeadLetters: [...uncounted.keys()].sort((a, b) => a - b),
    failedItems: chunks.flatMap((c) => c.failedItems).sort((a, b) => a.chunkIndex - b.chunkIndex || a.index - b.index),
    problems,
  };
}

/**
 * Every job of the job tables, and every job with a chunk in a dead-letter queue, accounted for. A job's
 * chunk records are in the table that holds its job record; a job that has none is looked up in the first.
 */
export async function accountJobs(client: DynamoDBClient, tableNames: readonly string[], deadLettered: readonly DeadLetteredChunk[]): Promise<JobAccount[]> {
  const jobs = new Map<string, { job: JobRecordCounts; tableName: string }>();
  for (const tableName of tableNames) {
    for (const job of await readJobRecords(client, tableName)) jobs.set(job.jobId, { job, tableName });
  }
  const jobIds = [...new Set([...jobs.keys(), ...deadLettered.map((c) => c.jobId)])].sort();
  const accounts: JobAccount[] = [];
  for (const jobId of jobIds) {
    const tableName = jobs.get(jobId)?.tableName ?? tableNames[0];
    const chunks = await readChunkRecords(client, tableName, jobId);
    accounts.push(accountJob(jobId, jobs.get(jobId)?.job, chunks, deadLettered.filter((c) => c.jobId === jobId)));
  }
  return accounts;
}

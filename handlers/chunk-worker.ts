import type { ChunkMessage } from './fan-out-job';
import { ChunkRecord, chunkRecordId, FailedItem, JOB_RECORD_ID, MAX_FAILED_ITEMS_LISTED, JOB_TABLE_PARTITION_KEY, JOB_TABLE_SORT_KEY, MAX_ITEM_ERROR_LENGTH } from './job-records';

/**
 * A permanent rejection of one work item (it is invalid, and would be on every
 * delivery): the item is counted as failed, with this message, and the other
 * items of its chunk go on. Any other error fails the whole chunk, which SQS
 * delivers again.
 */
export class ItemError extends Error {
  override readonly name = 'ItemError';
}

/** What became of a chunk's items: its chunk record, without the record's key and time. */
export type ChunkOutcome = Omit<ChunkRecord, 'recordId' | 'at'>;

/** Processes one item, returning its result; throws {@link ItemError} to reject it, anything else to fail its chunk for now. */
export type ProcessItem<Item, Result = unknown> = (item: Item, index: number, chunk: ChunkMessage<Item>) => Promise<Result> | Result;

/** The results of a chunk's accepted items, by their index in the chunk. */
export type ItemResults<Result> = ReadonlyArray<{ readonly index: number; readonly result: Result }>;

/** The part of an SQS record that says which receive this is. */
export interface ReceivedRecord {
  readonly attributes: { readonly ApproximateReceiveCount: string };
}

/**
 * A DynamoDB client (`DynamoDBClient` of `@aws-sdk/client-dynamodb`), typed by what the worker calls, so the
 * './handlers' entry's types need no AWS SDK installed.
 */
export interface DynamoDBSender {
  send(command: any): Promise<any>;
}

/** Options of a {@link ChunkWorker}. */
export interface ChunkWorkerOptions<Item, Result = unknown> {
  /** What the worker does with each item of a chunk. */
  readonly processItem: ProcessItem<Item, Result>;
  /**
   * Stores the results of a chunk's accepted items at once, after every item was processed: one call per chunk
   * (a BatchWriteItem of 25 results a request, say) instead of a write per item. Throwing fails the chunk, which
   * SQS delivers again, so write idempotently: results keyed by job, chunk and item index can be rewritten.
   * @default - nothing: `processItem` stores each item itself
   */
  readonly storeResults?: (results: ItemResults<Result>, chunk: ChunkMessage<Item>) => Promise<void>;
  /**
   * The job table the outcomes are recorded in.
   * @default - `JOB_TABLE_NAME` (set by `FanOutConsumer`); when neither is set, nothing is recorded
   */
  readonly jobTableName?: string;
  /**
   * Receives before SQS moves a message to the dead-letter queue: the receive on which a failing chunk is recorded as dead-lettered.
   * @default - `MAX_RECEIVE_COUNT` (set by `FanOutConsumer`); when neither is set, dead-lettered chunks are not recorded
   */
  readonly maxReceiveCount?: number;
  /**
   * The client of the job table's writes. Pass one captured by Powertools Tracer
   * (`tracer.captureAWSv3Client(new DynamoDBClient({}))`) to see its calls in the function's X-Ray trace.
   * @default - a client made on first use, with the Lambda environment's region and credentials, not traced
   */
  readonly client?: DynamoDBSender;
}

/**
 * The accounting half of a fan-out worker, so the worker itself only says what
 * to do with one item: runs a chunk's items through `processItem`, counts the
 * items it rejects with {@link ItemError} as failed, and records the chunk's
 * outcome once in the job table, whatever the number of deliveries; and, on a
 * message's last receive, records a chunk that still fails as dead-lettered.
 *
 * Make it at module load: it reads `JOB_TABLE_NAME` and `MAX_RECEIVE_COUNT` then, as Lambda sets them.
 */
export class ChunkWorker<Item = unknown, Result = unknown> {
  private readonly processItem: ProcessItem<Item, Result>;
  private readonly storeResults?: ChunkWorkerOptions<Item, Result>['storeResults'];
  private readonly tableName?: string;
  private readonly maxReceiveCount?: number;
  private client?: DynamoDBSender;

  constructor(options: ChunkWorkerOptions<Item, Result>) {
    this.processItem = options.processItem;
    this.storeResults = options.storeResults;
    this.tableName = options.jobTableName ?? (process.env.JOB_TABLE_NAME || undefined);
    const maxReceiveCount = options.maxReceiveCount ?? Number(process.env.MAX_RECEIVE_COUNT);
    this.maxReceiveCount = Number.isInteger(maxReceiveCount) && maxReceiveCount > 0 ? maxReceiveCount : undefined;
    this.client = options.client;
  }

  /**
   * Processes every item of the chunk and records the outcome. Throws the first
   * error that is not an {@link ItemError} once every item has settled, and then
   * records nothing: SQS delivers the chunk again.
   */
  async processChunk(chunk: ChunkMessage<Item>): Promise<ChunkOutcome> {
    // async, so an item function that throws before its first await fails its item, not the whole map.
    const settled = await Promise.allSettled(chunk.items.map(async (item, index) => this.processItem(item, index, chunk)));
    const failedItems: FailedItem[] = [];
    const results: Array<{ index: number; result: Result }> = [];
    let failed = 0;
    for (const [index, result] of settled.entries()) {
      if (result.status === 'fulfilled') {
        results.push({ index, result: result.value });
        continue;
      }
      if (!isItemError(result.reason)) throw result.reason;
      failed += 1;
      if (failedItems.length < MAX_FAILED_ITEMS_LISTED) failedItems.push({ index, error: String(result.reason.message).slice(0, MAX_ITEM_ERROR_LENGTH) });
    }
    if (this.storeResults && results.length > 0) await this.storeResults(results, chunk);
    const outcome = {
      jobId: chunk.jobId,
      chunkIndex: chunk.chunkIndex,
      items: chunk.items.length,
      stored: chunk.items.length - failed,
      failed,
      deadLettered: 0,
      failedItems,
    };
    await this.record(outcome);
    return outcome;
  }

  /** Whether this is the message's last receive: if it fails now, SQS moves it to the dead-letter queue. */
  isLastReceive(record: ReceivedRecord): boolean {
    return this.maxReceiveCount !== undefined && Number(record.attributes.ApproximateReceiveCount) >= this.maxReceiveCount;
  }

  /**
   * Call when processing `chunk` from `record` failed, before rethrowing: on the
   * last receive it records the chunk's items as dead-lettered, so the job's
   * count still completes. Returns whether it did.
   */
  async recordIfLastReceive(record: ReceivedRecord, chunk: ChunkMessage<Item>): Promise<boolean> {
    if (!this.isLastReceive(record)) return false;
    await this.record({
      jobId: chunk.jobId, chunkIndex: chunk.chunkIndex, items: chunk.items.length, stored: 0, failed: 0, deadLettered: chunk.items.length, failedItems: [],
    });
    return true;
  }

  /**
   * Adds the chunk record, then counts it on the job record, each write conditional,
   * so a duplicate delivery changes nothing: the count adds the chunk's index to the
   * job record's `countedChunks` set only if it is not there, in one atomic update.
   * What is counted is the chunk record that won: when another delivery's record is
   * there already (deliveries racing, or this one on its last receive), its outcome is
   * read back and counted, so the job's counters always agree with its chunk records.
   * The chunk record comes first, so once a job's count is complete, every chunk's
   * record is there to read. A chunk of a job without a job record (not published by
   * the splitter) is not counted.
   */
  private async record(outcome: ChunkOutcome): Promise<void> {
    if (this.tableName === undefined) return;
    // Loaded on first use, not with the './handlers' entry: a handler that only uses withWarmUp does not pay for the
    // DynamoDB client's load at its cold start (the entry is CommonJS, which bundlers cannot tree-shake).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } = require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
    const client = this.client ??= new DynamoDBClient({});
    const chunkKey = { [JOB_TABLE_PARTITION_KEY]: { S: outcome.jobId }, [JOB_TABLE_SORT_KEY]: { S: chunkRecordId(outcome.chunkIndex) } };
    const written = await ignoringConditionFailure(client.send(new PutItemCommand({
      TableName: this.tableName,
      Item: {
        ...chunkKey,
        chunkIndex: { N: String(outcome.chunkIndex) },
        items: { N: String(outcome.items) },
        stored: { N: String(outcome.stored) },
        failed: { N: String(outcome.failed) },
        deadLettered: { N: String(outcome.deadLettered) },
        failedItems: { L: outcome.failedItems.map((f) => ({ M: { index: { N: String(f.index) }, error: { S: f.error } } })) },
        at: { S: new Date().toISOString() },
      },
      ConditionExpression: 'attribute_not_exists(#sk)',
      ExpressionAttributeNames: { '#sk': JOB_TABLE_SORT_KEY },
    })));
    let counted: Pick<ChunkOutcome, 'stored' | 'failed' | 'deadLettered'> = outcome;
    if (!written) {
      const { Item } = await client.send(new GetItemCommand({ TableName: this.tableName, Key: chunkKey, ConsistentRead: true }));
      counted = { stored: Number(Item?.stored?.N ?? 0), failed: Number(Item?.failed?.N ?? 0), deadLettered: Number(Item?.deadLettered?.N ?? 0) };
    }
    // stored, items and others are DynamoDB reserved words: every name goes through a placeholder.
    await ignoringConditionFailure(client.send(new UpdateItemCommand({
      TableName: this.tableName,
      Key: { [JOB_TABLE_PARTITION_KEY]: { S: outcome.jobId }, [JOB_TABLE_SORT_KEY]: { S: JOB_RECORD_ID } },
      UpdateExpression: 'ADD #stored :s, #failed :f, #deadLettered :d, #completed :n, #counted :chunkSet',
      ConditionExpression: 'attribute_exists(#sk) AND NOT contains(#counted, :chunk)',
      ExpressionAttributeNames: {
        '#sk': JOB_TABLE_SORT_KEY, '#stored': 'stored', '#failed': 'failed', '#deadLettered': 'deadLettered', '#completed': 'completed', '#counted': 'countedChunks',
      },
      ExpressionAttributeValues: {
        ':s': { N: String(counted.stored) },
        ':f': { N: String(counted.failed) },
        ':d': { N: String(counted.deadLettered) },
        ':n': { N: String(counted.stored + counted.failed + counted.deadLettered) },
        ':chunkSet': { NS: [String(outcome.chunkIndex)] },
        ':chunk': { N: String(outcome.chunkIndex) },
      },
    })));
  }
}

/** By name too: a handler bundle may hold another copy of the class than the caller's. */
function isItemError(error: unknown): error is Error {
  return error instanceof ItemError || (error instanceof Error && error.name === 'ItemError');
}

/** Whether the conditional write was made (false: its condition failed). */
async function ignoringConditionFailure(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    // By name: the exception class may come from another copy of the SDK than the one loaded here.
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

import { BatchProcessor, EventType, processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ChunkMessage, ChunkOutcome, ChunkWorker, ItemError, ItemResults, parseChunkMessage, withWarmUp } from 'serverless-distributed-processing/handlers';

/** A work item of seed 001: a word whose length is stored. */
export interface WordItem {
  readonly word: string;
}

/** The item as a word, or an `ItemError`: an item without a string `word` is invalid on every delivery, so only it fails, not its chunk. */
export function checkWord(item: unknown, index: number): WordItem {
  if (typeof (item as Partial<WordItem> | null)?.word !== 'string') throw new ItemError(`items[${index}].word must be a string (got ${JSON.stringify(item)})`);
  return item as WordItem;
}

const logger = new Logger({ serviceName: 'process-chunk' });
// Each DynamoDB call (results, job table, idempotency records) a subsegment of the worker's X-Ray trace; outside
// Lambda the Tracer is off and the clients are left as they are.
const tracer = new Tracer({ serviceName: 'process-chunk' });
const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient({}));
const resultTable = process.env.RESULT_TABLE_NAME ?? '';
const resultKey = process.env.RESULT_TABLE_KEY ?? 'executionId';
const standardProcessor = new BatchProcessor(EventType.SQS);
// FIFO: a failed record also fails the records after it in its message group, so order holds; other groups go on.
const fifoProcessor = new SqsFifoPartialProcessorAsync();

/** DynamoDB's BatchWriteItem takes at most 25 requests. */
const BATCH_WRITE_LIMIT = 25;
const BATCH_WRITE_ATTEMPTS = 5;

/** Thrown when DynamoDB leaves writes unprocessed after every attempt: the chunk fails, SQS delivers it again. */
export class ResultsNotStoredError extends Error {
  override readonly name = 'ResultsNotStoredError';
}

/**
 * Stores the chunk's results, one per accepted item under `<jobId>#<chunkIndex>#<item index>`, with BatchWriteItem,
 * 25 a request: a write per item was what bound the worker (measured locally: 566 items/s with one PutItem per item,
 * 4,359 items/s with no write at all). The key is the same on every delivery, so a redelivered chunk rewrites the
 * same items: a result is never stored twice. Writes DynamoDB leaves unprocessed (throttling) are sent again with
 * back-off; the SDK has no helper for that loop.
 */
export async function storeResults(client: DynamoDBClient, table: string, key: string, chunk: ChunkMessage, results: ItemResults<WordItem>): Promise<void> {
  const requests = results.map(({ index, result }) => ({
    PutRequest: {
      Item: {
        [key]: { S: `${chunk.jobId}#${chunk.chunkIndex}#${index}` },
        jobId: { S: chunk.jobId },
        word: { S: result.word },
        length: { N: String(result.word.length) },
      },
    },
  }));
  for (let start = 0; start < requests.length; start += BATCH_WRITE_LIMIT) {
    let pending = requests.slice(start, start + BATCH_WRITE_LIMIT);
    for (let attempt = 1; pending.length > 0; attempt++) {
      const { UnprocessedItems } = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
      pending = (UnprocessedItems?.[table] ?? []) as typeof pending;
      if (pending.length === 0) break;
      if (attempt >= BATCH_WRITE_ATTEMPTS) throw new ResultsNotStoredError(`${pending.length} results of chunk ${chunk.chunkIndex} left unprocessed after ${attempt} attempts`);
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
}

// Checks each item, stores the chunk's results in batches, and records the chunk's outcome in the job table
// (JOB_TABLE_NAME): items stored, items rejected and why.
const chunkWorker = new ChunkWorker<unknown, WordItem>({
  client: dynamodb,
  processItem: (item, index) => checkWord(item, index),
  storeResults: (results, chunk) => storeResults(dynamodb, resultTable, resultKey, chunk, results),
});

const idempotencyConfig = new IdempotencyConfig({ eventKeyJmesPath: '[jobId, chunkIndex]', expiresAfterSeconds: 24 * 60 * 60 });
const processChunkOnce = makeIdempotent(
  async (chunk: ChunkMessage): Promise<ChunkOutcome> => chunkWorker.processChunk(chunk),
  {
    // A client of its own: the persistence layer marks its client's calls with Powertools' idempotency user agent.
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: process.env.IDEMPOTENCY_TABLE_NAME ?? '',
      awsSdkV3Client: tracer.captureAWSv3Client(new DynamoDBClient({})),
    }),
    // A chunk is the same work whichever delivery (or SNS duplicate) brings it.
    config: idempotencyConfig,
  },
);

async function processRecord(record: SQSRecord): Promise<ChunkOutcome> {
  // Records of a batch run concurrently, so the correlation id (the job id, as the splitter logs it) goes on each entry, not on the logger.
  let correlation: { correlation_id?: string } = {};
  let chunk: ChunkMessage | undefined;
  try {
    chunk = parseChunkMessage(record.body);
    correlation = { correlation_id: chunk.jobId };
    const outcome = await processChunkOnce(chunk);
    logger.info('processed chunk', { ...correlation, messageId: record.messageId, ...outcome });
    return outcome;
  } catch (error) {
    // Only this record fails; SQS redelivers it and, after maxReceiveCount receives, moves it to the dead-letter queue.
    logger.error('chunk failed', { ...correlation, messageId: record.messageId, receiveCount: record.attributes.ApproximateReceiveCount, error: error as Error });
    // On the last receive the job still learns what became of these items: they are dead-lettered.
    if (chunk) await chunkWorker.recordIfLastReceive(record, chunk);
    throw error;
  }
}

// The warm-up check comes first: a warm-up call never reaches the batch processor, idempotency or DynamoDB.
export const handler = withWarmUp(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  // Lets an in-progress record expire with this invocation if it times out.
  idempotencyConfig.registerLambdaContext(context);
  const fifo = event.Records[0]?.eventSourceARN.endsWith('.fifo') ?? false;
  return fifo
    ? processPartialResponse(event, processRecord, fifoProcessor, { context, skipGroupOnError: true })
    : processPartialResponse(event, processRecord, standardProcessor, { context });
});

import { BatchProcessor, EventType, processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ChunkMessage, ChunkOutcome, ChunkWorker, ItemError, parseChunkMessage, withWarmUp } from 'serverless-distributed-processing/handlers';

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
const dynamodb = new DynamoDBClient({});
const resultTable = process.env.RESULT_TABLE_NAME ?? '';
const resultKey = process.env.RESULT_TABLE_KEY ?? 'executionId';
const standardProcessor = new BatchProcessor(EventType.SQS);
// FIFO: a failed record also fails the records after it in its message group, so order holds; other groups go on.
const fifoProcessor = new SqsFifoPartialProcessorAsync();

/**
 * Stores the result of one item under `<jobId>#<chunkIndex>#<item index>`. The
 * write is conditional, so a redelivered chunk (SQS delivers at least once) never
 * writes a result twice, even when its idempotency record has expired.
 */
export async function storeResult(client: DynamoDBClient, table: string, key: string, chunk: ChunkMessage, word: WordItem, index: number): Promise<'stored' | 'alreadyStored'> {
  try {
    await client.send(new PutItemCommand({
      TableName: table,
      Item: {
        [key]: { S: `${chunk.jobId}#${chunk.chunkIndex}#${index}` },
        jobId: { S: chunk.jobId },
        word: { S: word.word },
        length: { N: String(word.word.length) },
      },
      ConditionExpression: 'attribute_not_exists(#key)',
      ExpressionAttributeNames: { '#key': key },
    }));
    return 'stored';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') return 'alreadyStored';
    throw error;
  }
}

// Records each chunk's outcome in the job table (JOB_TABLE_NAME): items stored, items rejected and why.
const chunkWorker = new ChunkWorker({
  processItem: (item, index, chunk) => storeResult(dynamodb, resultTable, resultKey, chunk, checkWord(item, index), index),
});

const idempotencyConfig = new IdempotencyConfig({ eventKeyJmesPath: '[jobId, chunkIndex]', expiresAfterSeconds: 24 * 60 * 60 });
const processChunkOnce = makeIdempotent(
  async (chunk: ChunkMessage): Promise<ChunkOutcome> => chunkWorker.processChunk(chunk),
  {
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: process.env.IDEMPOTENCY_TABLE_NAME ?? '' }),
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

import { BatchProcessor, EventType, processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ChunkMessage, ChunkValidationError, parseChunkMessage, withWarmUp } from 'serverless-distributed-processing/handlers';

export interface ChunkResult {
  readonly jobId: string;
  readonly chunkIndex: number;
  /** Results written now. */
  readonly stored: number;
  /** Results that a delivery before this one had written already. */
  readonly alreadyStored: number;
}

/** A chunk whose work items are seed 001's words. */
export type WordChunk = ChunkMessage<{ readonly word: string }>;

/** Parses and checks a message body: a chunk of `{ word }` items. */
export function parseChunk(body: string): WordChunk {
  return parseChunkMessage(body, (item: any, index) => {
    if (typeof item?.word !== 'string') throw new ChunkValidationError(`items[${index}].word must be a string (got ${JSON.stringify(item)})`);
    return item as { word: string };
  });
}

const logger = new Logger({ serviceName: 'process-chunk' });
const dynamodb = new DynamoDBClient({});
const resultTable = process.env.RESULT_TABLE_NAME ?? '';
const resultKey = process.env.RESULT_TABLE_KEY ?? 'executionId';
const standardProcessor = new BatchProcessor(EventType.SQS);
// FIFO: a failed record also fails the records after it in its message group, so order holds; other groups go on.
const fifoProcessor = new SqsFifoPartialProcessorAsync();

/**
 * Stores one result per item under `<jobId>#<chunkIndex>#<item index>`. The write
 * is conditional, so a redelivered chunk (SQS delivers at least once) never
 * writes a result twice, even when its idempotency record has expired.
 */
export async function storeChunkResults(client: DynamoDBClient, table: string, key: string, chunk: WordChunk): Promise<ChunkResult> {
  const outcomes = await Promise.all(chunk.items.map(async (item, index) => {
    try {
      await client.send(new PutItemCommand({
        TableName: table,
        Item: {
          [key]: { S: `${chunk.jobId}#${chunk.chunkIndex}#${index}` },
          jobId: { S: chunk.jobId },
          word: { S: item.word },
          length: { N: String(item.word.length) },
        },
        ConditionExpression: 'attribute_not_exists(#key)',
        ExpressionAttributeNames: { '#key': key },
      }));
      return 'stored' as const;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') return 'alreadyStored' as const;
      throw error;
    }
  }));
  return {
    jobId: chunk.jobId,
    chunkIndex: chunk.chunkIndex,
    stored: outcomes.filter((o) => o === 'stored').length,
    alreadyStored: outcomes.filter((o) => o === 'alreadyStored').length,
  };
}

const idempotencyConfig = new IdempotencyConfig({ eventKeyJmesPath: '[jobId, chunkIndex]', expiresAfterSeconds: 24 * 60 * 60 });
const processChunkOnce = makeIdempotent(
  async (chunk: WordChunk): Promise<ChunkResult> => storeChunkResults(dynamodb, resultTable, resultKey, chunk),
  {
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: process.env.IDEMPOTENCY_TABLE_NAME ?? '' }),
    // A chunk is the same work whichever delivery (or SNS duplicate) brings it.
    config: idempotencyConfig,
  },
);

async function processRecord(record: SQSRecord): Promise<ChunkResult> {
  // Records of a batch run concurrently, so the correlation id (the job id, as the splitter logs it) goes on each entry, not on the logger.
  let correlation: { correlation_id?: string } = {};
  try {
    const chunk = parseChunk(record.body);
    correlation = { correlation_id: chunk.jobId };
    const result = await processChunkOnce(chunk);
    logger.info('processed chunk', { ...correlation, messageId: record.messageId, ...result });
    return result;
  } catch (error) {
    // Only this record fails; SQS redelivers it and, after maxReceiveCount receives, moves it to the dead-letter queue.
    logger.error('chunk failed', { ...correlation, messageId: record.messageId, receiveCount: record.attributes.ApproximateReceiveCount, error: error as Error });
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

/**
 * The fan-out job contract: what the library's splitter (`JobSplitter`) takes,
 * what it returns, and what each worker of a `FanOutConsumer` receives.
 */

/** A job to fan out: its id and its work items. */
export interface SplitJobEvent {
  readonly jobId: string;
  readonly items: readonly unknown[];
}

/** A job whose items are a JSON array in S3, for jobs larger than an invocation payload (6 MB). */
export interface SplitJobByReferenceEvent {
  readonly jobId: string;
  /** `s3://bucket/key` of a JSON array of work items. */
  readonly itemsUri: string;
}

/** What the splitter returns: how the job was cut. */
export interface SplitJobResult {
  readonly jobId: string;
  readonly chunks: number;
  readonly items: number;
}

/** One published chunk: the body of each SQS message a worker receives. */
export interface ChunkMessage<Item = unknown> {
  readonly jobId: string;
  /** Position of the chunk in the job, from 0: with `jobId`, a key that is the same on every delivery. */
  readonly chunkIndex: number;
  readonly items: readonly Item[];
}

/** An SQS message body is not a chunk `{ jobId, chunkIndex, items: [...] }`. */
export class ChunkValidationError extends Error {
  override readonly name = 'ChunkValidationError';
}

/**
 * Parses an SQS message body into a chunk, checking its shape (not its items':
 * pass `checkItem` to check each one, throwing `ChunkValidationError` with the index).
 */
export function parseChunkMessage<Item = unknown>(body: string, checkItem?: (item: unknown, index: number) => Item): ChunkMessage<Item> {
  let chunk: any;
  try {
    chunk = JSON.parse(body);
  } catch {
    throw new ChunkValidationError(`body is not JSON (got ${JSON.stringify(body.slice(0, 80))})`);
  }
  if (typeof chunk?.jobId !== 'string') throw new ChunkValidationError(`jobId must be a string (got ${JSON.stringify(chunk?.jobId)})`);
  if (!Number.isInteger(chunk.chunkIndex) || chunk.chunkIndex < 0) {
    throw new ChunkValidationError(`chunkIndex must be a non-negative integer (got ${JSON.stringify(chunk.chunkIndex)})`);
  }
  if (!Array.isArray(chunk.items)) throw new ChunkValidationError(`items must be an array (got ${JSON.stringify(chunk.items)})`);
  return checkItem ? { ...chunk, items: chunk.items.map(checkItem) } : chunk;
}

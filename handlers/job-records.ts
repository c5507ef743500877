/**
 * The job record contract: what a fan-out job's accounting looks like in its
 * job table (`JobTable`). The splitter writes the job record before it
 * publishes; each worker adds one chunk record per chunk outcome, then counts
 * that record's outcome on the job record (two conditional writes, each
 * idempotent). A job is complete when
 * `completed >= items`, and succeeded when `stored == items`.
 */

/** Partition key of the job table: the job id. */
export const JOB_TABLE_PARTITION_KEY = 'jobId';
/** Sort key of the job table: `job` for the job record, `chunk#000042` for a chunk record. */
export const JOB_TABLE_SORT_KEY = 'recordId';
/** Sort key of a job's own record. */
export const JOB_RECORD_ID = 'job';
/** What the sort key of every chunk record starts with. */
export const CHUNK_RECORD_PREFIX = 'chunk#';
/**
 * The metadata by which the local run and `sdp` find a job table in any template:
 * `"sdp:role": "job-table"` on the table resource (`JobTable` adds it).
 */
export const JOB_TABLE_METADATA = { key: 'sdp:role', value: 'job-table' } as const;
/** Most characters of an item's error kept in a chunk record. */
export const MAX_ITEM_ERROR_LENGTH = 1000;
/**
 * Most failed items a chunk record lists (its `failed` counts them all), so that with
 * {@link MAX_ITEM_ERROR_LENGTH} a record stays below DynamoDB's 400 KB item limit whatever the chunk size.
 */
export const MAX_FAILED_ITEMS_LISTED = 100;

/** Sort key of a chunk's record: zero-padded, so records sort by chunk index. */
export function chunkRecordId(chunkIndex: number): string {
  return `${CHUNK_RECORD_PREFIX}${String(chunkIndex).padStart(6, '0')}`;
}

/** A job's record: how many items it has, and how many the workers have accounted for so far. */
export interface JobRecord {
  readonly jobId: string;
  readonly recordId: typeof JOB_RECORD_ID;
  readonly items: number;
  readonly chunks: number;
  readonly stored: number;
  readonly failed: number;
  readonly deadLettered: number;
  /** stored + failed + deadLettered. */
  readonly completed: number;
  /**
   * Indexes of the chunks counted so far (a DynamoDB number set, absent until the first): what makes a
   * worker's count idempotent in one single-item update. A set holds up to 400 KB, some 40,000 chunks.
   */
  readonly countedChunks?: readonly number[];
  /** ISO 8601. */
  readonly createdAt: string;
}

/** An item a worker rejected permanently, by its index in the chunk. */
export interface FailedItem {
  readonly index: number;
  readonly error: string;
}

/** The outcome of one chunk, written once whatever the number of deliveries. */
export interface ChunkRecord {
  readonly jobId: string;
  readonly recordId: string;
  readonly chunkIndex: number;
  readonly items: number;
  readonly stored: number;
  readonly failed: number;
  readonly deadLettered: number;
  /** The first {@link MAX_FAILED_ITEMS_LISTED} failed items, with their errors. */
  readonly failedItems: readonly FailedItem[];
  /** ISO 8601. */
  readonly at: string;
}

// What Lambda handlers use, yours and the library's: the package's './handlers' entry.
// Nothing here imports aws-cdk-lib; of the AWS SDK only the DynamoDB client (when a ChunkWorker first records an outcome)
// and the S3 client (when MapRunResults first reads), loaded on first use: the Lambda Node.js runtime provides them and
// bundles leave them external, so a handler bundle stays small.
export {
  isWarmUpEvent,
  withWarmUp,
  WARMER_ID,
  type WarmableHandler,
  type WarmerInput,
  type WarmTargetInput,
  type WarmUpEvent,
  type WarmUpResult,
} from './warm-up';
export {
  ChunkValidationError,
  parseChunkMessage,
  type ChunkMessage,
  type SplitJobByReferenceEvent,
  type SplitJobEvent,
  type SplitJobResult,
} from './fan-out-job';
export {
  ChunkWorker, ItemError, type ChunkOutcome, type ChunkWorkerOptions, type DynamoDBSender, type ItemResults, type ProcessItem, type ReceivedRecord,
} from './chunk-worker';
export {
  CHUNK_RECORD_PREFIX,
  chunkRecordId,
  JOB_RECORD_ID,
  JOB_TABLE_METADATA,
  JOB_TABLE_PARTITION_KEY,
  JOB_TABLE_SORT_KEY,
  MAX_FAILED_ITEMS_LISTED,
  MAX_ITEM_ERROR_LENGTH,
  type ChunkRecord,
  type FailedItem,
  type JobRecord,
} from './job-records';
export {
  MapRunResults,
  MapRunResultsError,
  parseMapRunOutput,
  type FailedChildExecution,
  type MapRunManifest,
  type MapRunOutput,
  type MapRunResultFile,
  type MapRunResultsOptions,
  type S3Sender,
} from './map-run-results';

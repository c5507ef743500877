// What Lambda handlers use, yours and the library's: the package's './handlers' entry.
// Nothing here imports AWS SDK or aws-cdk-lib, so a handler bundle stays small.
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

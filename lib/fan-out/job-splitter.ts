import { Annotations, Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import Ajv from 'ajv';
import { Construct } from 'constructs';
import { FunctionMetricsBase } from '../core/function-metrics';
import { nagArnReference } from '../core/nag-names';
import { entryCode, libraryHandlerCode } from '../core/handler-code';
import { createHandlerFunction } from '../core/handler-function';
import { largestJsonBytes } from '../core/json-size-bound';
import { PropValidator } from '../core/validation';
import { JobTable } from '../storage/job-table';
import { FanOut } from './fan-out';

/** Properties for a {@link JobSplitter}. */
export interface JobSplitterProps {
  /** The fan-out whose topic the chunks are published to. */
  readonly fanOut: FanOut;
  /**
   * Most work items per chunk; chunks are also cut so no message exceeds 256 KiB.
   * @default 100
   */
  readonly chunkSize?: number;
  /**
   * TypeScript entry file of the splitter (export `handler`), bundled with esbuild into a Node.js 24 function.
   * Whichever handler it is, it must write the job's record in the job table (`JOB_TABLE_NAME`) before it publishes,
   * as the library's does: `FanOutJobWorkflow` waits on that record.
   * @default - the library's `lambdas/split-job` (`{ jobId, items }` or `{ jobId, itemsUri }` in, `{ jobId, chunks, items }` out)
   */
  readonly entry?: string;
  /**
   * Bucket the splitter may read jobs from (s3:GetObject on its objects, and decrypt with its key if it has one),
   * for jobs given as `{ jobId, itemsUri: "s3://bucket/key" }`.
   * @default - jobs carry their items inline
   */
  readonly itemsBucket?: s3.IBucket;
  /** Timeout of the splitter. @default Duration.minutes(1) */
  readonly timeout?: Duration;
  /** Log retention of the splitter. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /**
   * JSON Schema (draft-07) every work item must match. The splitter checks every item of a job before it
   * publishes anything, and rejects a job with a bad item with `JobValidationError`, naming the first few bad
   * items and why; the schema itself is checked at synth. It travels in the splitter's environment
   * (`ITEM_SCHEMA`), so it must stay within 3 KiB as JSON (Lambda allows 4 KiB for all variables).
   * Declare here what the workers would otherwise reject item by item: an item the schema lets through and a
   * worker rejects is counted as failed, not stored.
   * @default - items are not checked before publishing
   */
  readonly itemSchema?: Record<string, unknown>;
  /**
   * Reserved concurrency of the splitter: how many jobs it splits at once. A job
   * split while it is at the limit is throttled, and its caller retries.
   * @default 2
   */
  readonly reservedConcurrency?: number;
}

/**
 * A Lambda that cuts a job into chunks by count and by bytes and publishes
 * them to a fan-out's topic with PublishBatch.
 */
export class JobSplitter extends FunctionMetricsBase {
  readonly function: lambda.Function;
  /** Where the splitter opens each job (its fan-out's job table), and where the workers account for its items. */
  readonly jobTable: JobTable;

  constructor(scope: Construct, id: string, props: JobSplitterProps) {
    super(scope, id);
    const chunkSize = props.chunkSize ?? 100;
    const v = new PropValidator('JobSplitter', this);
    const reservedConcurrency = props.reservedConcurrency ?? 2;
    v.integerInRange('chunkSize', chunkSize, 1, 10_000);
    v.integerInRange('reservedConcurrency', reservedConcurrency, 1, 1000);
    v.existingFile('entry', props.entry);
    if (props.itemSchema !== undefined) validateItemSchema(v, props.itemSchema);
    v.throwIfAny();
    if (props.itemSchema !== undefined) this.warnAboutMessageSize(chunkSize, props.itemSchema);

    this.function = createHandlerFunction(this, 'Function', {
      code: props.entry === undefined ? libraryHandlerCode('split-job') : entryCode(props.entry),
      timeout: props.timeout ?? Duration.minutes(1),
      memorySize: 256,
      reservedConcurrency,
      logRetention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      environment: {
        TOPIC_ARN: props.fanOut.topic.topicArn,
        CHUNK_SIZE: String(chunkSize),
        JOB_TABLE_NAME: props.fanOut.jobTable.tableName,
        ...props.itemSchema && { ITEM_SCHEMA: JSON.stringify(props.itemSchema) },
      },
      invokedBy: 'its caller (a schedule, an API or a workflow), which sees the error and retries the whole job',
    });
    props.fanOut.grantPublish(this.function);
    this.jobTable = props.fanOut.jobTable;
    this.jobTable.grantCreateJobs(this.function);
    if (props.itemsBucket) this.grantReadJobs(props.itemsBucket);
    Validations.of(this.function.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: `kms:GenerateDataKey* on the key of ${props.fanOut.topic.node.path} only, which SNS needs to encrypt what the splitter publishes (topic.grantPublish).`,
    });
  }

  protected get measuredFunction(): lambda.IFunction {
    return this.function;
  }

  /** Lets `grantee` invoke the splitter: split a job outside a {@link FanOutJobWorkflow} (which has the grant itself). */
  grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return this.function.grantInvoke(grantee);
  }

  /**
   * Chunks are cut by bytes at run time, whatever chunkSize says; when the item schema bounds an item's size,
   * say at synth whether an item can outgrow a message, or a chunk of chunkSize items can.
   */
  private warnAboutMessageSize(chunkSize: number, itemSchema: Record<string, unknown>): void {
    const itemBytes = largestJsonBytes(itemSchema);
    if (itemBytes === undefined) return;
    const room = MAX_MESSAGE_BYTES - CHUNK_ENVELOPE_BYTES;
    const warn = (id: string, message: string) => Annotations.of(this).addWarningV2(`@sdp/fan-out:${id}`, message);
    if (itemBytes > room) {
      warn('item-exceeds-message', `itemSchema allows an item of up to ${itemBytes} bytes as JSON, more than an SNS/SQS message holds `
        + `(${room} bytes besides the chunk's envelope): the splitter would reject a job holding one (ItemTooLargeError). `
        + 'Lower the schema\'s bounds (maxLength, maxItems), or pass large items by reference (an S3 key)');
      return;
    }
    // n items joined by commas take n × itemBytes + (n - 1) bytes.
    const fitting = Math.floor((room + 1) / (itemBytes + 1));
    if (chunkSize > fitting) {
      warn('chunk-exceeds-message', `a chunk of chunkSize ${chunkSize} items of up to ${itemBytes} bytes each (itemSchema) can exceed `
        + `the 256 KiB SNS/SQS message limit; the splitter then cuts chunks by bytes, to as few as ${fitting} items. `
        + `Set chunkSize to at most ${fitting}, or tighten the schema's bounds`);
    }
  }

  /**
   * s3:GetObject on the bucket's objects and nothing else: bucket.grantRead
   * would add s3:GetObject*, s3:GetBucket* and s3:List*, none of which the
   * splitter calls.
   */
  private grantReadJobs(bucket: s3.IBucket): void {
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] }));
    bucket.encryptionKey?.grantDecrypt(this.function);
    const bucketArn = nagArnReference(bucket, bucket.bucketArn);
    if (bucketArn === undefined) return;
    Validations.of(this.function.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${bucketArn}/*]`,
      reason: `s3:GetObject on the objects of ${bucket.node.path}: a job names its items file by itemsUri, so any key of the jobs bucket may be read.`,
    });
  }
}

/** SNS and SQS take messages of at most 256 KiB (the splitter's handler cuts chunks to it too). */
const MAX_MESSAGE_BYTES = 256 * 1024;
/** The largest envelope of a chunk's items: a 64-character job id (the most the splitter accepts) and the largest index. */
const CHUNK_ENVELOPE_BYTES = Buffer.byteLength(JSON.stringify({ jobId: 'x'.repeat(64), chunkIndex: Number.MAX_SAFE_INTEGER, items: [] }));

/** Most bytes of the item schema as JSON: Lambda allows 4 KiB for all environment variables of a function. */
const MAX_ITEM_SCHEMA_BYTES = 3 * 1024;

/** The schema must compile as the splitter will compile it, so a mistake shows at synth, not on the first job. */
function validateItemSchema(v: PropValidator, schema: Record<string, unknown>): void {
  const bytes = Buffer.byteLength(JSON.stringify(schema) ?? '');
  v.check(bytes <= MAX_ITEM_SCHEMA_BYTES, `itemSchema must be at most ${MAX_ITEM_SCHEMA_BYTES} bytes as JSON (got ${bytes})`);
  try {
    new Ajv({ allErrors: true }).compile(schema);
  } catch (error) {
    v.check(false, `itemSchema is not a valid JSON Schema (draft-07): ${(error as Error).message}`);
  }
}

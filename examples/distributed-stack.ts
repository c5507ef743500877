import * as path from 'node:path';
import { Stack, StackProps } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { createJobsBucket } from './jobs-bucket';
import { ItemSource, MapReduceWorkflow, PipelineMonitoring, ResultTable } from 'serverless-distributed-processing';

/** Prefix of the job files in the jobs bucket: each execution names its file as `{ "itemsKey": "jobs/<job>.json" }`. */
export const DISTRIBUTED_JOBS_PREFIX = 'jobs/';

/**
 * Seed 004's job as a Step Functions job: a job file of words in S3 (a JSON array, as the fan-out's splitter
 * reads it) mapped in batches by a Distributed Map — Express child executions, each one Lambda invocation over a
 * batch — with the results written to S3, then summed a page at a time by the reduce step into
 * `{ items, measured, failed, totalLength }`, stored in DynamoDB. The same job the fan-out example runs through
 * SNS and SQS, so the two designs can be compared (`npm start -- distributed --items 200000`, `sdp cost`).
 */
/** Properties of the {@link DistributedStack}. */
export interface DistributedStackProps extends StackProps {
  /** The query language of the job's definition. @default sfn.QueryLanguage.JSON_PATH */
  readonly queryLanguage?: sfn.QueryLanguage;
}

export class DistributedStack extends Stack {
  readonly workflow: MapReduceWorkflow;
  readonly jobsBucket: s3.Bucket;
  readonly results: ResultTable;
  readonly monitoring: PipelineMonitoring;

  constructor(scope: Construct, id: string, props: DistributedStackProps = {}) {
    super(scope, id, props);
    this.jobsBucket = createJobsBucket(this, 'the map run reads; each read is in the execution\'s history (the map run)');
    this.results = new ResultTable(this, 'Results');
    this.workflow = new MapReduceWorkflow(this, 'Job', {
      itemSource: ItemSource.jsonArray(this.jobsBucket, { keyPrefix: DISTRIBUTED_JOBS_PREFIX }),
      mapEntry: path.join(__dirname, 'handlers', 'word-length-batch', 'index.ts'),
      reduceEntry: path.join(__dirname, 'handlers', 'sum-map-run-lengths', 'index.ts'),
      // 3,000 words or 64 KiB a batch, whichever comes first: a batch's outcomes (the child's output) stay under
      // 256 KiB even if every item is rejected with its message (about the item's size and 56 bytes).
      maxItemsPerBatch: 3000,
      maxInputBytesPerBatch: 64 * 1024,
      maxConcurrency: 10,
      resultTable: this.results,
      queryLanguage: props.queryLanguage,
    });
    this.monitoring = new PipelineMonitoring(this, 'Monitoring', { alarmEmail: 'alerts@example.com' });
    this.monitoring.monitorWorkflow(this.workflow);
    this.monitoring.monitorFunction(this.workflow.mapFunction);
    this.monitoring.monitorFunction(this.workflow.reduceFunction);
  }
}

import * as path from 'node:path';
import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FanOut, IdempotencyTable, JobSplitter, ResultTable } from '../lib';

/**
 * Seed 004's distributed job: a splitter cuts the work into chunks and
 * publishes them; each chunk reaches a worker through SNS → SQS; results land in
 * DynamoDB exactly once; failures end in a dead-letter queue and an e-mail.
 */
export interface FanOutStackProps extends StackProps {
  /** Work items per chunk. @default 100 */
  readonly chunkSize?: number;
}

export class FanOutStack extends Stack {
  readonly fanOut: FanOut;
  readonly splitter: JobSplitter;
  readonly results: ResultTable;

  constructor(scope: Construct, id: string, props: FanOutStackProps = {}) {
    super(scope, id, props);
    this.results = new ResultTable(this, 'Results', { partitionKeyName: 'resultId' });
    this.fanOut = new FanOut(this, 'Work', {
      resultTable: this.results,
      idempotencyTable: new IdempotencyTable(this, 'Idempotency'),
      alarmEmail: 'alerts@example.com',
      consumers: {
        Words: {
          workerHandlerEntry: path.join(__dirname, '..', 'lambdas', 'process-chunk', 'index.ts'),
          batchSize: 10,
          reservedConcurrency: 10,
          maxConcurrency: 5,
        },
      },
    });
    this.splitter = new JobSplitter(this, 'Splitter', { fanOut: this.fanOut, chunkSize: props.chunkSize ?? 100 });
  }
}

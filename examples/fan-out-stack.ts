import * as path from 'node:path';
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { createJobsBucket } from './jobs-bucket';
import { ApiTrigger, FanOut, FanOutJobWorkflow, IdempotencyTable, JobSplitter, LambdaWarmer, PipelineMonitoring, ResultTable, ScheduleTrigger } from 'serverless-distributed-processing';

/** Key of the job the schedule runs, in the jobs bucket: the export of the internal system the job pulls from. */
export const SCHEDULED_JOB_KEY = 'jobs/scheduled.json';

export interface FanOutStackProps extends StackProps {
  /** Work items per chunk. @default 100 */
  readonly chunkSize?: number;
  /** The query language of the job workflow's definition. @default sfn.QueryLanguage.JSON_PATH */
  readonly queryLanguage?: sfn.QueryLanguage;
}

/**
 * Seed 004's whole system in one stack: a job every 5 minutes and on demand
 * through an API; a splitter cuts the work into chunks and publishes them; each
 * chunk reaches a worker through SNS → SQS; results land in DynamoDB exactly
 * once; failures end in a dead-letter queue and an e-mail. Every part is
 * alarmed and graphed on one dashboard, all alarms e-mailing through one topic.
 */
export class FanOutStack extends Stack {
  readonly fanOut: FanOut;
  readonly splitter: JobSplitter;
  readonly results: ResultTable;
  readonly jobs: FanOutJobWorkflow;
  readonly jobsBucket: s3.Bucket;
  readonly schedule: ScheduleTrigger;
  readonly api: ApiTrigger;
  readonly warmer: LambdaWarmer;
  readonly monitoring: PipelineMonitoring;

  constructor(scope: Construct, id: string, props: FanOutStackProps = {}) {
    super(scope, id, props);
    this.results = new ResultTable(this, 'Results', { partitionKeyName: 'resultId' });
    this.fanOut = new FanOut(this, 'Work', {
      resultTable: this.results,
      idempotencyTable: new IdempotencyTable(this, 'Idempotency'),
      alarmEmail: 'alerts@example.com',
      consumers: {
        Words: {
          entry: path.join(__dirname, 'handlers', 'process-chunk', 'index.ts'),
          batchSize: 10,
          reservedConcurrency: 10,
          maxConcurrency: 5,
        },
      },
    });

    this.jobsBucket = createJobsBucket(this, 'the splitter reads; reads are traced in the splitter\'s logs and X-Ray');
    // Room for two warmed instances and two jobs split at once, so a warm-up never throttles a job.
    this.splitter = new JobSplitter(this, 'Splitter', {
      fanOut: this.fanOut, chunkSize: props.chunkSize ?? 100, itemsBucket: this.jobsBucket, reservedConcurrency: 4,
    });
    this.jobs = new FanOutJobWorkflow(this, 'RunJob', { splitter: this.splitter, queryLanguage: props.queryLanguage });

    this.schedule = new ScheduleTrigger(this, 'Every5Minutes', {
      stateMachine: this.jobs.stateMachine,
      rate: Duration.minutes(5),
      input: { itemsUri: `s3://${this.jobsBucket.bucketName}/${SCHEDULED_JOB_KEY}` },
      alarmTopic: this.fanOut.alarmTopic,
    });

    // Urgent data can't wait for the schedule: POST /executions runs a job now; its Idempotency-Key is the job id.
    this.api = new ApiTrigger(this, 'RunJobApi', {
      stateMachine: this.jobs.stateMachine,
      inputSchema: {
        type: apigateway.JsonSchemaType.OBJECT,
        description: 'A fan-out job: its work items, or where they are stored',
        properties: {
          items: { type: apigateway.JsonSchemaType.ARRAY, minItems: 1, maxItems: 10_000, items: { type: apigateway.JsonSchemaType.OBJECT } },
          itemsUri: { type: apigateway.JsonSchemaType.STRING, pattern: '^s3://[a-z0-9.-]{3,63}/.+$' },
        },
        minProperties: 1,
        maxProperties: 1,
      },
    });

    // The splitter answers on-demand jobs: two instances kept warm in Seoul business hours, one at night.
    this.warmer = new LambdaWarmer(this, 'Warmer', {
      targets: [{ function: this.splitter.function }],
      windows: [
        { cron: '0/5 9-18 ? * MON-FRI *', timeZone: 'Asia/Seoul', concurrency: 2 },
        { cron: '0/5 0-8,19-23 ? * MON-FRI *', timeZone: 'Asia/Seoul', concurrency: 1 },
        { cron: '0/5 * ? * SAT,SUN *', timeZone: 'Asia/Seoul', concurrency: 1 },
      ],
      preWarm: true,
      alarmTopic: this.fanOut.alarmTopic,
    });

    // One topic for every alarm: the fan-out's, which already e-mails alerts@example.com.
    this.monitoring = new PipelineMonitoring(this, 'Monitoring', { alarmTopic: this.fanOut.alarmTopic });
    this.monitoring.monitorWorkflow(this.jobs);
    this.monitoring.monitorFunction(this.splitter.function);
    this.monitoring.monitorFanOut(this.fanOut);
    this.monitoring.monitorSchedule(this.schedule);
    this.monitoring.monitorApi(this.api);
    this.monitoring.monitorWarmer(this.warmer);
  }
}

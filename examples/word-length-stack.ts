import * as path from 'node:path';
import { Stack, StackProps } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { MapReduceWorkflow, PipelineMonitoring, ResultTable } from 'serverless-distributed-processing';

export interface WordLengthStackProps extends StackProps {
  /** The query language of the workflow's definition. @default sfn.QueryLanguage.JSON_PATH */
  readonly queryLanguage?: sfn.QueryLanguage;
}

/**
 * Seed 001's map/reduce job: the length of each word of `$.data`, two at a time,
 * summed into `{ "totalLength": n }` and stored in a result table; failed,
 * timed-out or throttled runs and function errors alarm by e-mail.
 */
export class WordLengthStack extends Stack {
  readonly workflow: MapReduceWorkflow;
  readonly results: ResultTable;
  readonly monitoring: PipelineMonitoring;

  constructor(scope: Construct, id: string, props: WordLengthStackProps = {}) {
    super(scope, id, props);
    this.results = new ResultTable(this, 'Results');
    this.workflow = new MapReduceWorkflow(this, 'WordLength', {
      mapEntry: path.join(__dirname, 'handlers', 'word-length', 'index.ts'),
      reduceEntry: path.join(__dirname, 'handlers', 'sum-lengths', 'index.ts'),
      itemsPath: '$.data',
      resultPath: '$.mappedResults',
      maxConcurrency: 2,
      // Seed 001's jobs are small; the bound keeps the execution's history under its 25,000-event quota (synth warns
      // without it). Larger jobs belong in distributed mode: the distributed example.
      maxItems: 3000,
      resultTable: this.results,
      queryLanguage: props.queryLanguage,
    });

    this.monitoring = new PipelineMonitoring(this, 'Monitoring', { alarmEmail: 'alerts@example.com' });
    this.monitoring.monitorWorkflow(this.workflow);
    this.monitoring.monitorFunction(this.workflow.mapFunction);
    this.monitoring.monitorFunction(this.workflow.reduceFunction);
  }
}

import * as path from 'node:path';
import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { MapReduceWorkflow, ResultTable } from '../lib';

/**
 * Seed 001's map/reduce job: the length of each word of `$.data`, two at a time,
 * summed into `{ "totalLength": n }` and stored in a result table.
 */
export class WordLengthStack extends Stack {
  readonly workflow: MapReduceWorkflow;
  readonly results: ResultTable;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.results = new ResultTable(this, 'Results');
    this.workflow = new MapReduceWorkflow(this, 'WordLength', {
      mapHandlerEntry: path.join(__dirname, '..', 'lambdas', 'word-length', 'index.ts'),
      reduceHandlerEntry: path.join(__dirname, '..', 'lambdas', 'sum-lengths', 'index.ts'),
      itemsPath: '$.data',
      resultPath: '$.mappedResults',
      maxConcurrency: 2,
      resultTable: this.results,
    });
  }
}

import { App, CloudFormationValidatePlugin, Validations } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { DistributedStack } from './distributed-stack';
import { FanOutStack } from './fan-out-stack';
import { WordLengthStack } from './word-length-stack';

/** Stack ids of the example app, as `npm start -- <example>` names them. */
export const EXAMPLE_STACKS = { 'word-length': 'WordLengthExample', 'fan-out': 'FanOutExample', 'distributed': 'DistributedExample' } as const;
export type ExampleName = keyof typeof EXAMPLE_STACKS;

export interface ExampleAppOptions {
  /** Cloud assembly directory. @default - the CDK default (`cdk.out`, or the CLI's `--output`) */
  readonly outdir?: string;
  /** Work items per chunk of the fan-out example. @default 100 */
  readonly fanOutChunkSize?: number;
  /**
   * The query language of the three workflows' definitions.
   * @default - the context value `queryLanguage` ('JSONata' or 'JSONPath'), else sfn.QueryLanguage.JSON_PATH
   */
  readonly queryLanguage?: sfn.QueryLanguage;
}

/**
 * The context key choosing the examples' query language: `"context": { "queryLanguage": "JSONata" }` in cdk.json makes
 * `npm start` run the JSONata definitions; `npx cdk synth -c queryLanguage=JSONata` synthesizes them.
 */
export const QUERY_LANGUAGE_CONTEXT = 'queryLanguage';

/**
 * The example app. Synth fails on any unacknowledged finding of the cdk-nag
 * AwsSolutions and Serverless packs, and on any error of aws-cdk-lib's
 * CloudFormation validation (resource schemas and default rules, run offline).
 */
export function createExampleApp(options: ExampleAppOptions = {}): App {
  const app = new App({
    outdir: options.outdir,
    // Without this flag the CloudFormation validation plugin downgrades its errors to warnings.
    context: { '@aws-cdk/core:validateAgainstDefaultRules': true },
  });
  const queryLanguage = options.queryLanguage ?? contextQueryLanguage(app);
  new WordLengthStack(app, EXAMPLE_STACKS['word-length'], {
    description: 'Seed 001 map/reduce: word lengths summed, result stored in DynamoDB',
    queryLanguage,
  });
  new FanOutStack(app, EXAMPLE_STACKS['fan-out'], {
    chunkSize: options.fanOutChunkSize,
    queryLanguage,
    description: 'Seed 004 fan-out: split, SNS -> SQS -> worker Lambda, results in DynamoDB exactly once, DLQ alarms by e-mail',
  });
  new DistributedStack(app, EXAMPLE_STACKS.distributed, {
    queryLanguage,
    description: 'Seed 004\'s job as a Step Functions job: a job file in S3 mapped in batches by a Distributed Map, results in S3, summed into DynamoDB',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app), new CloudFormationValidatePlugin());
  return app;
}

/** The query language the app's context names, if any; another value is an error naming the two it may be. */
function contextQueryLanguage(app: App): sfn.QueryLanguage | undefined {
  const value: unknown = app.node.tryGetContext(QUERY_LANGUAGE_CONTEXT);
  if (value === undefined) return undefined;
  const languages: unknown[] = Object.values(sfn.QueryLanguage);
  if (!languages.includes(value)) throw new Error(`context ${QUERY_LANGUAGE_CONTEXT} must be ${languages.map((l) => `'${l}'`).join(' or ')} (got ${JSON.stringify(value)})`);
  return value as sfn.QueryLanguage;
}

import { CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { fixtureApp, fixtureFunction } from './fixture-function';

export const JOB_TABLE_FIXTURE_STACK = 'JobTableFixture';

/** How many receives a chunk gets before its message moves to the dead-letter queue. */
export const FIXTURE_MAX_RECEIVE_COUNT = 2;

/**
 * A fan-out that keeps the job record contract with a test handler (test/fixtures/handlers/job-records.ts):
 * a table with `"sdp:role": "job-table"` metadata, a work queue with a dead-letter queue and a worker fed from
 * it, and a job workflow that splits, then (when the split says `wait`) polls the job record until the job is
 * complete, waiting 5 s between polls (a Wait state the local run shortens).
 */
export function synthesizeJobTableFixture(): string {
  const { assemblyDir, app } = fixtureApp('job-table');
  const stack = new Stack(app, JOB_TABLE_FIXTURE_STACK);
  const table = new dynamodb.Table(stack, 'Jobs', {
    partitionKey: { name: 'jobId', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'recordId', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  });
  (table.node.defaultChild as CfnResource).addMetadata('sdp:role', 'job-table');
  const deadLetterQueue = new sqs.Queue(stack, 'DeadLetterQueue');
  const queue = new sqs.Queue(stack, 'WorkQueue', { deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: FIXTURE_MAX_RECEIVE_COUNT } });
  const environment = {
    JOB_TABLE_NAME: table.tableName,
    QUEUE_NAME: queue.queueName,
    DEAD_LETTER_QUEUE_NAME: deadLetterQueue.queueName,
    MAX_RECEIVE_COUNT: String(FIXTURE_MAX_RECEIVE_COUNT),
  };
  const worker = fixtureFunction(stack, 'Worker', 'job-records.ts', { environment });
  worker.addEventSource(new SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }));
  const splitter = fixtureFunction(stack, 'Splitter', 'job-records.ts', { environment });
  const split = new tasks.LambdaInvoke(stack, 'Split', { lambdaFunction: splitter, payloadResponseOnly: true });
  const poll = new tasks.LambdaInvoke(stack, 'Poll', {
    lambdaFunction: splitter, payloadResponseOnly: true,
    payload: sfn.TaskInput.fromObject({ 'poll.$': '$.jobId' }), resultPath: '$.poll',
  });
  const done = new sfn.Succeed(stack, 'Done');
  const wait = new sfn.Wait(stack, 'WaitForWorkers', { time: sfn.WaitTime.duration(Duration.seconds(5)) });
  const complete = new sfn.Choice(stack, 'Complete?').when(sfn.Condition.booleanEquals('$.poll.done', true), done).otherwise(wait);
  wait.next(poll);
  poll.next(complete);
  new sfn.StateMachine(stack, 'RunJob', {
    definitionBody: sfn.DefinitionBody.fromChainable(split.next(new sfn.Choice(stack, 'Wait?')
      .when(sfn.Condition.booleanEquals('$.wait', true), poll)
      .otherwise(done))),
  });
  app.synth();
  return assemblyDir;
}

import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { JOB_RECORD_ID } from '../../handlers/job-records';
import { WorkflowBase } from '../core/workflow';
import { JobTable } from '../storage/job-table';
import { createTracedStateMachine } from '../core/traced-state-machine';
import { PropValidator } from '../core/validation';
import { DYNAMODB_POLL_ERRORS, LAMBDA_TRANSIENT_ERRORS, taskRetry } from '../core/task-retries';
import { JobSplitter } from './job-splitter';

/** Properties for a {@link FanOutJobWorkflow}. */
export interface FanOutJobWorkflowProps {
  /** The splitter that cuts each job into chunks and publishes them. */
  readonly splitter: JobSplitter;
  /**
   * Time after which an execution ends TIMED_OUT (States.Timeout), whether it is splitting or waiting for the
   * workers: the bound of a job's wait. Give a job the time its slowest chunk may take, retries included
   * (maxReceiveCount × the visibility timeout).
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;
  /**
   * How often the execution reads the job record while the workers process the chunks: between 1 second and
   * 1 hour, and shorter than `timeout`. Each poll is 4 state transitions and one strongly consistent GetItem.
   * @default Duration.seconds(10)
   */
  readonly pollInterval?: Duration;
  /**
   * Longest the execution waits for the workers after the split. A job not complete by then (a chunk its worker
   * could not count: it timed out on its last receive, or its message was not a chunk) ends FAILED with error
   * `JobIncomplete` and the counts so far as the cause, rather than TIMED_OUT with none. At least `pollInterval`.
   * @default - `timeout` less the splitter's timeout and one `pollInterval`, so the job ends FAILED with its counts before the execution would time out
   */
  readonly maxWait?: Duration;
  /** Retention of the execution log. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A Standard workflow that runs one fan-out job per execution, so schedules
 * and the API can start jobs the same way: the input is `{ items: [...] }` or
 * `{ itemsUri: "s3://bucket/key" }`, and the execution name is the job id.
 * Starting an execution twice with the same name (an API request's
 * Idempotency-Key) runs the job once; chunks already processed are skipped by
 * the workers' idempotency records even across runs of the same job id.
 *
 * A job ends when its work has ended: after the split, the execution polls the
 * job record in the fan-out's {@link JobTable} (Wait `pollInterval` → GetItem →
 * Choice → count the poll) until the workers have accounted for every item
 * (`completed >= items`), then ends with `{ jobId, items, stored, failed, deadLettered }`:
 * SUCCEEDED when every item is stored, FAILED with error `JobItemsFailed` and
 * that JSON as the cause otherwise. `maxWait` bounds the wait: a job not complete
 * by then (a chunk no worker could count) ends FAILED with error `JobIncomplete`
 * and the counts so far; `timeout` bounds the whole execution (TIMED_OUT).
 *
 * What the wait costs: 4 state transitions per poll (Wait, GetItem, Choice, the
 * poll's count), so at the default 10-second interval 24 transitions per minute a
 * job runs, 1,440 per hour: at Standard workflows' $0.025 per 1,000 transitions,
 * about $0.0006 per job minute ($0.036 per job hour), plus one strongly consistent
 * read of the job record per poll (1 read unit: only the counts are projected).
 */
export class FanOutJobWorkflow extends WorkflowBase {
  readonly stateMachine: sfn.StateMachine;
  /** Log group of the execution history. */
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: FanOutJobWorkflowProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.minutes(15);
    const pollInterval = props.pollInterval ?? Duration.seconds(10);
    const v = new PropValidator('FanOutJobWorkflow', this);
    v.wholeSecondsInRange('timeout', timeout, Duration.minutes(1), Duration.days(365));
    v.wholeSecondsInRange('pollInterval', pollInterval, Duration.seconds(1), Duration.hours(1));
    if (!pollInterval.isUnresolved() && !timeout.isUnresolved()) {
      v.check(pollInterval.toMilliseconds() < timeout.toMilliseconds(),
        `pollInterval must be shorter than timeout, or the job could never be seen complete (got ${pollInterval.toHumanString()} >= ${timeout.toHumanString()})`);
    }
    const splitter = props.splitter.function;
    const splitTimeout = splitter.timeout ?? Duration.minutes(1);
    // In seconds, from milliseconds: a Duration of a fraction of a second would not convert (validated above).
    const seconds = (d: Duration) => d.toMilliseconds() / 1000;
    const maxWaitSeconds = props.maxWait ? seconds(props.maxWait) : seconds(timeout) - seconds(splitTimeout) - seconds(pollInterval);
    if (props.maxWait) {
      v.check(maxWaitSeconds >= seconds(pollInterval) && maxWaitSeconds <= seconds(timeout),
        `maxWait must be at least pollInterval (${pollInterval.toHumanString()}) and at most timeout (${timeout.toHumanString()}) (got ${props.maxWait.toHumanString()})`);
    } else if (seconds(timeout) >= 60 && seconds(pollInterval) < seconds(timeout)) {
      v.check(maxWaitSeconds >= seconds(pollInterval), `timeout must leave time to wait for the workers: at least the splitter's timeout and two `
        + `pollIntervals (${seconds(splitTimeout) + 2 * seconds(pollInterval)} seconds), or give maxWait (got ${timeout.toHumanString()})`);
    }
    v.throwIfAny();

    const split = (stateName: string, job: Record<string, unknown>) => new tasks.LambdaInvoke(this, stateName, {
      stateName,
      lambdaFunction: splitter,
      payload: sfn.TaskInput.fromObject({ jobId: sfn.JsonPath.executionName, ...job }),
      outputPath: '$.Payload',
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(splitTimeout),
    }).addRetry({ ...taskRetry(), errors: LAMBDA_TRANSIENT_ERRORS }).next(waitForWorkers);

    const waitForWorkers = this.waitForWorkers(props.splitter.jobTable, pollInterval, Math.floor(maxWaitSeconds / seconds(pollInterval)));

    // The splitter validates the job in depth; this only routes it, and names the error when there is nothing to route.
    const definition = new sfn.Choice(this, 'WhereAreTheItems', { stateName: 'WhereAreTheItems' })
      .when(sfn.Condition.isPresent('$.itemsUri'), split('SplitStoredJob', { itemsUri: sfn.JsonPath.stringAt('$.itemsUri') }))
      .when(sfn.Condition.isPresent('$.items'), split('SplitInlineJob', { items: sfn.JsonPath.listAt('$.items') }))
      .otherwise(new sfn.Fail(this, 'NoItems', {
        stateName: 'NoItems',
        error: 'JobValidationError',
        cause: 'The job input needs items (an array of work items) or itemsUri (s3://bucket/key of a JSON array).',
      }));

    ({ stateMachine: this.stateMachine, logGroup: this.logGroup } = createTracedStateMachine(this, {
      definition,
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout,
      logRetention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      invokedFunctions: [splitter],
    }));
  }

  /**
   * The polling loop: Wait → read the job record's counts → loop until every item
   * is accounted for, then shape the outcome and end by whether every item was stored;
   * after `maxPolls` polls, end FAILED with the counts so far.
   */
  private waitForWorkers(jobTable: JobTable, pollInterval: Duration, maxPolls: number): sfn.IChainable {
    const startWaiting = new sfn.Pass(this, 'StartWaiting', { stateName: 'StartWaiting', result: sfn.Result.fromObject({ polls: 0 }), resultPath: '$.wait' });
    const wait = new sfn.Wait(this, 'WaitForWorkers', { stateName: 'WaitForWorkers', time: sfn.WaitTime.duration(pollInterval) });
    const counts = ['items', 'stored', 'failed', 'deadLettered', 'completed'];
    // DynamoDB returns numbers as strings; the Choice compares numbers. Only the counts are read: the record's
    // set of counted chunks grows with the job and has no place in the state's data.
    const readJob = new tasks.DynamoGetItem(this, 'ReadJobRecord', {
      stateName: 'ReadJobRecord',
      table: jobTable.table,
      key: {
        [JobTable.PARTITION_KEY]: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.jobId')),
        [JobTable.SORT_KEY]: tasks.DynamoAttributeValue.fromString(JOB_RECORD_ID),
      },
      consistentRead: true,
      // Every count's name is a DynamoDB reserved word or may become one: each goes through a placeholder.
      expressionAttributeNames: Object.fromEntries(counts.map((name) => [`#${name}`, name])),
      projectionExpression: counts.map((name) => new tasks.DynamoProjectionExpression().withAttribute(`#${name}`)),
      resultSelector: Object.fromEntries(counts.map((name) => [name, sfn.JsonPath.stringToJson(sfn.JsonPath.stringAt(`$.Item.${name}.N`))])),
      resultPath: '$.job',
    });
    readJob.addRetry({
      errors: DYNAMODB_POLL_ERRORS,
      interval: Duration.seconds(1),
      maxAttempts: 5,
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
    });

    const jobCounts = {
      jobId: sfn.JsonPath.stringAt('$.jobId'),
      items: sfn.JsonPath.numberAt('$.job.items'),
      stored: sfn.JsonPath.numberAt('$.job.stored'),
      failed: sfn.JsonPath.numberAt('$.job.failed'),
      deadLettered: sfn.JsonPath.numberAt('$.job.deadLettered'),
    };
    const outcome = new sfn.Pass(this, 'JobOutcome', { stateName: 'JobOutcome', parameters: jobCounts });
    // The cause is rendered by a Pass, not by the Fail's CausePath intrinsic (which AWS allows): the local
    // interpreter (aws-local-stepfunctions 3) resolves CausePath as a plain path only.
    const failWithCounts = (describe: string, error: string) => new sfn.Pass(this, describe, {
      stateName: describe,
      parameters: { cause: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$')) },
    }).next(new sfn.Fail(this, error, { stateName: error, error, causePath: '$.cause' }));
    const ended = outcome.next(new sfn.Choice(this, 'AllItemsStored', { stateName: 'AllItemsStored' })
      .when(sfn.Condition.numberEqualsJsonPath('$.stored', '$.items'), new sfn.Succeed(this, 'JobSucceeded', { stateName: 'JobSucceeded' }))
      .otherwise(failWithCounts('DescribeFailedItems', 'JobItemsFailed')));
    const gaveUp = new sfn.Pass(this, 'IncompleteOutcome', { stateName: 'IncompleteOutcome', parameters: jobCounts })
      .next(failWithCounts('DescribeIncompleteJob', 'JobIncomplete'));
    const countPoll = new sfn.Pass(this, 'CountPoll', {
      stateName: 'CountPoll',
      parameters: { polls: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.wait.polls'), 1) },
      resultPath: '$.wait',
    });

    return startWaiting.next(wait).next(readJob).next(new sfn.Choice(this, 'AllItemsAccountedFor', { stateName: 'AllItemsAccountedFor' })
      .when(sfn.Condition.numberGreaterThanEqualsJsonPath('$.job.completed', '$.job.items'), ended)
      .when(sfn.Condition.numberGreaterThanEquals('$.wait.polls', maxPolls - 1), gaveUp)
      .otherwise(countPoll.next(wait)));
  }
}

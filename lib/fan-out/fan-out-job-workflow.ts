import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { JOB_RECORD_ID } from '../../handlers/job-records';
import { isJsonata, jsonata } from '../core/jsonata';
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
  /**
   * The query language the state machine's definition is written in. With JSONATA the definition has
   * `"QueryLanguage": "JSONata"` at its top and its states move data with `Arguments`, `Output` and `Assign`
   * (`{% ... %}` expressions) instead of Parameters, ResultSelector, ResultPath and OutputPath. The other props mean
   * the same in both, and the executions behave the same: same input and output, errors, retries and permissions.
   * @default sfn.QueryLanguage.JSON_PATH
   */
  readonly queryLanguage?: sfn.QueryLanguage;
}

/** How the execution polls the job record, in either query language. */
interface JobPoll {
  readonly jobTable: JobTable;
  readonly pollInterval: Duration;
  /** Polls before the job ends FAILED JobIncomplete. */
  readonly maxPolls: number;
}

/** The job record's counts the execution reads: DynamoDB reserved words, or words that may become reserved. */
const JOB_RECORD_COUNTS = ['items', 'stored', 'failed', 'deadLettered', 'completed'];
/** The counts a job ends with, after its id. */
const JOB_OUTCOME_COUNTS = ['items', 'stored', 'failed', 'deadLettered'];

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
    v.oneOf('queryLanguage', props.queryLanguage, sfn.QueryLanguage);
    v.throwIfAny();

    const poll: JobPoll = { jobTable: props.splitter.jobTable, pollInterval, maxPolls: Math.floor(maxWaitSeconds / seconds(pollInterval)) };
    const definition = isJsonata(props.queryLanguage)
      ? this.jsonataDefinition(splitter, splitTimeout, poll)
      : this.jsonPathDefinition(splitter, splitTimeout, poll);

    ({ stateMachine: this.stateMachine, logGroup: this.logGroup } = createTracedStateMachine(this, {
      definition,
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout,
      logRetention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      queryLanguage: props.queryLanguage,
      invokedFunctions: [splitter],
    }));
  }

  /** The JSONPath definition: the state's data carries the job id, the poll count and the counts from state to state. */
  private jsonPathDefinition(splitter: lambda.IFunction, splitTimeout: Duration, poll: JobPoll): sfn.IChainable {
    const split = (stateName: string, job: Record<string, unknown>) => this.splitTask(stateName, splitter, splitTimeout, sfn.QueryLanguage.JSON_PATH, {
      payload: sfn.TaskInput.fromObject({ jobId: sfn.JsonPath.executionName, ...job }),
      outputPath: '$.Payload',
    }).next(waitForWorkers);

    const waitForWorkers = this.waitForWorkers(poll);

    return this.routeJob(sfn.QueryLanguage.JSON_PATH, {
      stored: sfn.Condition.isPresent('$.itemsUri'),
      inline: sfn.Condition.isPresent('$.items'),
      splitStored: split('SplitStoredJob', { itemsUri: sfn.JsonPath.stringAt('$.itemsUri') }),
      splitInline: split('SplitInlineJob', { items: sfn.JsonPath.listAt('$.items') }),
    });
  }

  /**
   * The JSONata definition: the job id, the poll count and the counts are variables, assigned where they are
   * learnt (the split, each poll) and read where they are needed, so no state reshapes the data in between.
   */
  private jsonataDefinition(splitter: lambda.IFunction, splitTimeout: Duration, poll: JobPoll): sfn.IChainable {
    const wait = sfn.Wait.jsonata(this, 'WaitForWorkers', { stateName: 'WaitForWorkers', time: sfn.WaitTime.duration(poll.pollInterval) });
    const split = (stateName: string, job: Record<string, unknown>) => this.splitTask(stateName, splitter, splitTimeout, sfn.QueryLanguage.JSONATA, {
      payload: sfn.TaskInput.fromObject({ jobId: jsonata('$states.context.Execution.Name'), ...job }),
      outputs: jsonata('$states.result.Payload'),
      assign: { jobId: jsonata('$states.result.Payload.jobId'), polls: 0 },
    }).next(wait);

    // DynamoDB returns numbers as strings; the Choices compare numbers.
    const number = (name: string) => `$number($states.result.Item.${name}.N)`;
    const readJob = this.readJobRecord(poll.jobTable, sfn.QueryLanguage.JSONATA, jsonata('$jobId'), {
      assign: {
        counts: jsonata(`{ "jobId": $jobId, ${JOB_OUTCOME_COUNTS.map((name) => `"${name}": ${number(name)}`).join(', ')} }`),
        completed: jsonata(number('completed')),
      },
    });
    const countsAsCause = jsonata('$string($counts)');
    const ended = sfn.Choice.jsonata(this, 'AllItemsStored', { stateName: 'AllItemsStored' })
      .when(sfn.Condition.jsonata(jsonata('$counts.stored = $counts.items')),
        sfn.Succeed.jsonata(this, 'JobSucceeded', { stateName: 'JobSucceeded', outputs: jsonata('$counts') }))
      .otherwise(sfn.Fail.jsonata(this, 'JobItemsFailed', { stateName: 'JobItemsFailed', error: 'JobItemsFailed', cause: countsAsCause }));
    const countPoll = sfn.Pass.jsonata(this, 'CountPoll', { stateName: 'CountPoll', assign: { polls: jsonata('$polls + 1') } });
    wait.next(readJob).next(sfn.Choice.jsonata(this, 'AllItemsAccountedFor', { stateName: 'AllItemsAccountedFor' })
      .when(sfn.Condition.jsonata(jsonata('$completed >= $counts.items')), ended)
      .when(sfn.Condition.jsonata(jsonata(`$polls >= ${poll.maxPolls - 1}`)),
        sfn.Fail.jsonata(this, 'JobIncomplete', { stateName: 'JobIncomplete', error: 'JobIncomplete', cause: countsAsCause }))
      .otherwise(countPoll.next(wait)));

    return this.routeJob(sfn.QueryLanguage.JSONATA, {
      stored: sfn.Condition.jsonata(jsonata('$exists($states.input.itemsUri)')),
      inline: sfn.Condition.jsonata(jsonata('$exists($states.input.items)')),
      splitStored: split('SplitStoredJob', { itemsUri: jsonata('$states.input.itemsUri') }),
      splitInline: split('SplitInlineJob', { items: jsonata('$states.input.items') }),
    });
  }

  /** The splitter validates the job in depth; this only routes it, and names the error when there is nothing to route. */
  private routeJob(queryLanguage: sfn.QueryLanguage, route: { stored: sfn.Condition; inline: sfn.Condition; splitStored: sfn.IChainable; splitInline: sfn.IChainable }): sfn.Choice {
    return new sfn.Choice(this, 'WhereAreTheItems', { stateName: 'WhereAreTheItems', queryLanguage })
      .when(route.stored, route.splitStored)
      .when(route.inline, route.splitInline)
      .otherwise(new sfn.Fail(this, 'NoItems', {
        stateName: 'NoItems',
        queryLanguage,
        error: 'JobValidationError',
        cause: 'The job input needs items (an array of work items) or itemsUri (s3://bucket/key of a JSON array).',
      }));
  }

  /** A synchronous invocation of the splitter, retried on Lambda's transient errors only, timing out with it. */
  private splitTask(
    stateName: string, splitter: lambda.IFunction, splitTimeout: Duration, queryLanguage: sfn.QueryLanguage,
    props: Pick<tasks.LambdaInvokeProps, 'payload' | 'outputPath' | 'outputs' | 'assign'>,
  ): sfn.TaskStateBase {
    const invoke = { ...props, stateName, lambdaFunction: splitter, retryOnServiceExceptions: false, taskTimeout: sfn.Timeout.duration(splitTimeout) };
    const task = isJsonata(queryLanguage) ? tasks.LambdaInvoke.jsonata(this, stateName, invoke) : new tasks.LambdaInvoke(this, stateName, invoke);
    return task.addRetry({ ...taskRetry(), errors: LAMBDA_TRANSIENT_ERRORS });
  }

  /**
   * A strongly consistent GetItem of the job record's counts, retried on throttling. Only the counts are read: the
   * record's set of counted chunks grows with the job and has no place in the state's data.
   */
  private readJobRecord(
    jobTable: JobTable, queryLanguage: sfn.QueryLanguage, jobId: string,
    props: Pick<tasks.DynamoGetItemProps, 'resultSelector' | 'resultPath' | 'assign'>,
  ): sfn.TaskStateBase {
    const read = {
      ...props,
      stateName: 'ReadJobRecord',
      table: jobTable.table,
      key: {
        [JobTable.PARTITION_KEY]: tasks.DynamoAttributeValue.fromString(jobId),
        [JobTable.SORT_KEY]: tasks.DynamoAttributeValue.fromString(JOB_RECORD_ID),
      },
      consistentRead: true,
      // Every count's name is a DynamoDB reserved word or may become one: each goes through a placeholder.
      expressionAttributeNames: Object.fromEntries(JOB_RECORD_COUNTS.map((name) => [`#${name}`, name])),
      projectionExpression: JOB_RECORD_COUNTS.map((name) => new tasks.DynamoProjectionExpression().withAttribute(`#${name}`)),
    };
    const task = isJsonata(queryLanguage) ? tasks.DynamoGetItem.jsonata(this, 'ReadJobRecord', read) : new tasks.DynamoGetItem(this, 'ReadJobRecord', read);
    return task.addRetry({
      errors: DYNAMODB_POLL_ERRORS,
      interval: Duration.seconds(1),
      maxAttempts: 5,
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
    });
  }

  /**
   * The polling loop (JSONPath): Wait → read the job record's counts → loop until every item
   * is accounted for, then shape the outcome and end by whether every item was stored;
   * after `maxPolls` polls, end FAILED with the counts so far.
   */
  private waitForWorkers({ jobTable, pollInterval, maxPolls }: JobPoll): sfn.IChainable {
    const startWaiting = new sfn.Pass(this, 'StartWaiting', { stateName: 'StartWaiting', result: sfn.Result.fromObject({ polls: 0 }), resultPath: '$.wait' });
    const wait = new sfn.Wait(this, 'WaitForWorkers', { stateName: 'WaitForWorkers', time: sfn.WaitTime.duration(pollInterval) });
    // DynamoDB returns numbers as strings; the Choice compares numbers.
    const readJob = this.readJobRecord(jobTable, sfn.QueryLanguage.JSON_PATH, sfn.JsonPath.stringAt('$.jobId'), {
      resultSelector: Object.fromEntries(JOB_RECORD_COUNTS.map((name) => [name, sfn.JsonPath.stringToJson(sfn.JsonPath.stringAt(`$.Item.${name}.N`))])),
      resultPath: '$.job',
    });

    const jobCounts = {
      jobId: sfn.JsonPath.stringAt('$.jobId'),
      ...Object.fromEntries(JOB_OUTCOME_COUNTS.map((name) => [name, sfn.JsonPath.numberAt(`$.job.${name}`)])),
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

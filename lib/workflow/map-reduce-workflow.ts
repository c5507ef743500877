import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { entryCode } from '../core/handler-code';
import { createHandlerFunction } from '../core/handler-function';
import { DYNAMODB_TRANSIENT_ERRORS, LAMBDA_TRANSIENT_ERRORS } from '../core/task-retries';
import { createTracedStateMachine } from '../core/traced-state-machine';
import { knownReservedConcurrency } from '../core/known-settings';
import { isReferencePath, PropValidator } from '../core/validation';
import { ResultTable } from '../storage/result-table';

/** Retry settings for the workflow's Lambda and DynamoDB tasks (transient service errors and throttling only). */
export interface TaskRetryProps {
  /**
   * How many times a failed task is retried.
   * @default 6
   */
  readonly maxAttempts?: number;
  /**
   * Wait before the first retry.
   * @default Duration.seconds(2)
   */
  readonly interval?: Duration;
  /**
   * Multiplier of the wait on each further retry.
   * @default 2
   */
  readonly backoffRate?: number;
  /**
   * Upper bound of any single wait.
   * @default Duration.seconds(60)
   */
  readonly maxDelay?: Duration;
}

/** Properties for a {@link MapReduceWorkflow}. */
export interface MapReduceWorkflowProps {
  /**
   * Function applied to each item. Give this or `mapHandlerEntry`.
   * @default - a function built from `mapHandlerEntry`
   */
  readonly mapFunction?: lambda.IFunction;
  /**
   * TypeScript entry file of the map handler (export `handler`), bundled with esbuild into a Node.js 22 function.
   * @default - `mapFunction` is used
   */
  readonly mapHandlerEntry?: string;
  /**
   * Function given the array of mapped results; its return value is the workflow's output. Give this or `reduceHandlerEntry`.
   * @default - a function built from `reduceHandlerEntry`
   */
  readonly reduceFunction?: lambda.IFunction;
  /**
   * TypeScript entry file of the reduce handler (export `handler`).
   * @default - `reduceFunction` is used
   */
  readonly reduceHandlerEntry?: string;
  /**
   * Reference path of the array of items in the execution input.
   * @default '$.data'
   */
  readonly itemsPath?: string;
  /**
   * How many items are mapped at once. Inline Map states run at most 40 iterations concurrently.
   * @default 10
   */
  readonly maxConcurrency?: number;
  /**
   * Where the mapped results are collected: `$` or a dot path such as `$.mappedResults`.
   * The items themselves are dropped after the map, so the state stays under the 256 KiB payload quota.
   * @default '$.mappedResults'
   */
  readonly resultPath?: string;
  /**
   * Standard (exactly-once steps, up to a year) or Express (at-least-once, up to 5 minutes).
   * @default sfn.StateMachineType.STANDARD
   */
  readonly workflowType?: sfn.StateMachineType;
  /**
   * Time after which the whole execution fails with States.Timeout.
   * @default Duration.hours(1) for Standard, Duration.minutes(5) for Express
   */
  readonly workflowTimeout?: Duration;
  /**
   * Time after which one map or reduce task fails with States.Timeout. Functions built from an entry get this timeout too.
   * @default Duration.minutes(1)
   */
  readonly taskTimeout?: Duration;
  /**
   * Retries of transient Lambda service errors and throttling (and DynamoDB throttling), with exponential backoff and full jitter.
   * Errors thrown by the handlers themselves are not retried.
   * @default - 6 attempts, 2 s interval, backoff rate 2, at most 60 s between attempts
   */
  readonly retry?: TaskRetryProps;
  /**
   * Table the final output (or the error) is written to, keyed by execution id, through Step Functions' direct DynamoDB integration.
   * @default - the output is not stored
   */
  readonly resultTable?: ResultTable;
  /**
   * Retention of the execution log and of the built functions' logs.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Memory of the functions built from entries, in MiB.
   * @default 256
   */
  readonly handlerMemorySize?: number;
  /**
   * Reserved concurrency of the map function built from `mapHandlerEntry`; at least `maxConcurrency`,
   * or the Map's own iterations would throttle each other. Throttled tasks are retried (see `retry`).
   * @default 2 × maxConcurrency: room for two executions mapping at once
   */
  readonly mapReservedConcurrency?: number;
  /**
   * Reserved concurrency of the reduce function built from `reduceHandlerEntry`: how many executions reduce at once.
   * @default 2
   */
  readonly reduceReservedConcurrency?: number;
  /**
   * Physical name of the state machine.
   * @default - a name CloudFormation generates
   */
  readonly stateMachineName?: string;
}

const INLINE_MAP_MAX_CONCURRENCY = 40;
const EXPRESS_MAX_DURATION = Duration.minutes(5);
const STANDARD_MAX_DURATION = Duration.days(365);
const LAMBDA_MAX_TIMEOUT = Duration.minutes(15);

/**
 * A Step Functions workflow that maps a function over the items of its input,
 * with bounded concurrency, then hands the collected results to a reduce function.
 *
 * Lambda service errors and throttling are retried with backoff and jitter; any
 * other failure ends in a Fail state that carries the error and cause (and is
 * recorded in the result table when one is given). Execution logging (ALL) and
 * X-Ray tracing are on.
 */
export class MapReduceWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly mapFunction: lambda.IFunction;
  readonly reduceFunction: lambda.IFunction;
  /** Log group of the execution history. */
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: MapReduceWorkflowProps) {
    super(scope, id);
    const settings = resolveSettings(props);
    validateMapReduceWorkflowProps(id, props, settings);

    this.mapFunction = props.mapFunction ?? createHandlerFunction(this, 'MapFunction', {
      code: entryCode(props.mapHandlerEntry!),
      timeout: settings.taskTimeout,
      memorySize: settings.handlerMemorySize,
      logRetention: settings.logRetention,
      reservedConcurrency: settings.mapReservedConcurrency,
      invokedBy: 'Step Functions, which retries and catches its errors',
    });
    this.reduceFunction = props.reduceFunction ?? createHandlerFunction(this, 'ReduceFunction', {
      code: entryCode(props.reduceHandlerEntry!),
      timeout: settings.taskTimeout,
      memorySize: settings.handlerMemorySize,
      logRetention: settings.logRetention,
      reservedConcurrency: settings.reduceReservedConcurrency,
      invokedBy: 'Step Functions, which retries and catches its errors',
    });

    const retry: sfn.RetryProps = {
      maxAttempts: settings.retry.maxAttempts,
      interval: settings.retry.interval,
      backoffRate: settings.retry.backoffRate,
      maxDelay: settings.retry.maxDelay,
      jitterStrategy: sfn.JitterType.FULL,
    };

    const failed = new sfn.Fail(this, 'Failed', {
      stateName: 'Failed',
      errorPath: '$.Error',
      causePath: '$.Cause',
    });
    const onError: sfn.IChainable = props.resultTable
      ? recordFailure(this, props.resultTable, retry).next(failed)
      : failed;

    const mapItem = new tasks.LambdaInvoke(this, 'MapItem', {
      stateName: 'MapItem',
      lambdaFunction: this.mapFunction,
      outputPath: '$.Payload',
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(settings.taskTimeout),
    }).addRetry({ ...retry, errors: LAMBDA_TRANSIENT_ERRORS });

    const mapItems = new sfn.Map(this, 'MapItems', {
      stateName: 'MapItems',
      itemsPath: settings.itemsPath,
      maxConcurrency: settings.maxConcurrency,
      ...collectResultsAt(settings.resultPath),
    });
    mapItems.itemProcessor(mapItem);
    mapItems.addCatch(onError, { errors: [sfn.Errors.ALL] });

    const reduceResults = new tasks.LambdaInvoke(this, 'ReduceResults', {
      stateName: 'ReduceResults',
      lambdaFunction: this.reduceFunction,
      payload: sfn.TaskInput.fromJsonPathAt(settings.resultPath),
      outputPath: '$.Payload',
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(settings.taskTimeout),
    })
      .addRetry({ ...retry, errors: LAMBDA_TRANSIENT_ERRORS })
      .addCatch(onError, { errors: [sfn.Errors.ALL] });

    let definition = mapItems.next(reduceResults);
    if (props.resultTable) {
      definition = definition.next(storeResult(this, props.resultTable, retry, onError));
    }

    ({ stateMachine: this.stateMachine, logGroup: this.logGroup } = createTracedStateMachine(this, {
      definition,
      stateMachineType: settings.workflowType,
      timeout: settings.workflowTimeout,
      logRetention: settings.logRetention,
      stateMachineName: props.stateMachineName,
      invokedFunctions: [this.mapFunction, this.reduceFunction],
    }));
  }

  /** Lets `grantee` start executions. */
  grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  /** Lets `grantee` list and describe executions and read their history. */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantRead(grantee);
  }

  /** Executions that failed. */
  metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricFailed(props);
  }

  /** Executions that timed out. */
  metricTimedOut(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricTimedOut(props);
  }

  /** Executions that succeeded. */
  metricSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricSucceeded(props);
  }

  /** Executions that were throttled. */
  metricThrottled(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricThrottled(props);
  }
}

interface WorkflowSettings {
  readonly itemsPath: string;
  readonly resultPath: string;
  readonly maxConcurrency: number;
  readonly workflowType: sfn.StateMachineType;
  readonly workflowTimeout: Duration;
  readonly taskTimeout: Duration;
  readonly retry: Required<TaskRetryProps>;
  readonly logRetention: logs.RetentionDays;
  readonly handlerMemorySize: number;
  readonly mapReservedConcurrency: number;
  readonly reduceReservedConcurrency: number;
}

function resolveSettings(props: MapReduceWorkflowProps): WorkflowSettings {
  const workflowType = props.workflowType ?? sfn.StateMachineType.STANDARD;
  const maxConcurrency = props.maxConcurrency ?? 10;
  return {
    itemsPath: props.itemsPath ?? '$.data',
    resultPath: props.resultPath ?? '$.mappedResults',
    maxConcurrency,
    workflowType,
    workflowTimeout: props.workflowTimeout
      ?? (workflowType === sfn.StateMachineType.EXPRESS ? EXPRESS_MAX_DURATION : Duration.hours(1)),
    taskTimeout: props.taskTimeout ?? Duration.minutes(1),
    retry: {
      maxAttempts: props.retry?.maxAttempts ?? 6,
      interval: props.retry?.interval ?? Duration.seconds(2),
      backoffRate: props.retry?.backoffRate ?? 2,
      maxDelay: props.retry?.maxDelay ?? Duration.seconds(60),
    },
    logRetention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    handlerMemorySize: props.handlerMemorySize ?? 256,
    // An unresolved maxConcurrency cannot be doubled at synth; the 40 of the inline Map's limit is always enough.
    mapReservedConcurrency: props.mapReservedConcurrency ?? (Token.isUnresolved(maxConcurrency) ? INLINE_MAP_MAX_CONCURRENCY : 2 * maxConcurrency),
    reduceReservedConcurrency: props.reduceReservedConcurrency ?? 2,
  };
}

/** Every rule of the props, checked together so one synth shows all problems. */
function validateMapReduceWorkflowProps(id: string, props: MapReduceWorkflowProps, s: WorkflowSettings): void {
  const v = new PropValidator('MapReduceWorkflow', id);
  v.exactlyOne('mapFunction', props.mapFunction, 'mapHandlerEntry', props.mapHandlerEntry);
  v.exactlyOne('reduceFunction', props.reduceFunction, 'reduceHandlerEntry', props.reduceHandlerEntry);
  v.check(
    isReferencePath(s.itemsPath),
    `itemsPath must be a JSONPath reference path such as '$.data' (got '${s.itemsPath}')`,
  );
  v.check(
    s.resultPath === '$' || /^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(s.resultPath),
    `resultPath must be '$' or a dot path such as '$.mappedResults' (got '${s.resultPath}')`,
  );
  v.integerInRange('maxConcurrency', s.maxConcurrency, 1, INLINE_MAP_MAX_CONCURRENCY, 'for inline maps');
  const maxWorkflow = s.workflowType === sfn.StateMachineType.EXPRESS ? EXPRESS_MAX_DURATION : STANDARD_MAX_DURATION;
  v.wholeSecondsInRange('workflowTimeout', s.workflowTimeout, Duration.seconds(1), maxWorkflow, `for ${s.workflowType} workflows`);
  v.wholeSecondsInRange('taskTimeout', s.taskTimeout, Duration.seconds(1), LAMBDA_MAX_TIMEOUT);
  v.notLonger('taskTimeout', s.taskTimeout, 'workflowTimeout', s.workflowTimeout);
  v.integerInRange('retry.maxAttempts', s.retry.maxAttempts, 0, 99_999_999);
  v.check(
    Token.isUnresolved(s.retry.backoffRate) || s.retry.backoffRate >= 1,
    `retry.backoffRate must be at least 1 (got ${s.retry.backoffRate})`,
  );
  v.wholeSecondsInRange('retry.interval', s.retry.interval, Duration.seconds(1), Duration.seconds(99_999_999));
  v.wholeSecondsInRange('retry.maxDelay', s.retry.maxDelay, Duration.seconds(1), Duration.seconds(31_622_400));
  v.notLonger('retry.interval', s.retry.interval, 'retry.maxDelay', s.retry.maxDelay);
  v.integerInRange('handlerMemorySize', s.handlerMemorySize, 128, 10_240, 'MiB');
  v.check(props.mapFunction === undefined || props.mapReservedConcurrency === undefined,
    'mapReservedConcurrency applies to a map function built from mapHandlerEntry; set it on the mapFunction itself');
  v.check(props.reduceFunction === undefined || props.reduceReservedConcurrency === undefined,
    'reduceReservedConcurrency applies to a reduce function built from reduceHandlerEntry; set it on the reduceFunction itself');
  // 0 would disable the function: every task would fail.
  v.integerInRange('mapReservedConcurrency', props.mapReservedConcurrency, 1, 1000);
  v.integerInRange('reduceReservedConcurrency', props.reduceReservedConcurrency, 1, 1000);
  const mapReserved = props.mapFunction ? knownReservedConcurrency(props.mapFunction) : s.mapReservedConcurrency;
  v.check(
    mapReserved === undefined || Token.isUnresolved(s.maxConcurrency) || mapReserved >= s.maxConcurrency,
    `the map function's reserved concurrency must be at least maxConcurrency (got ${mapReserved} < ${s.maxConcurrency}); `
    + 'the Map would run more iterations at once than the function may, and throttle itself',
  );
  v.existingFile('mapHandlerEntry', props.mapHandlerEntry);
  v.existingFile('reduceHandlerEntry', props.reduceHandlerEntry);
  const name = props.stateMachineName;
  v.check(
    name === undefined || Token.isUnresolved(name) || /^[A-Za-z0-9_-]{1,80}$/.test(name),
    `stateMachineName must be 1..80 letters, digits, '-' or '_' (got '${name}')`,
  );
  v.throwIfAny();
}

/** Map props that leave only the results, under `resultPath`, in the state. */
function collectResultsAt(resultPath: string): Pick<sfn.MapProps, 'resultSelector' | 'resultPath'> {
  if (resultPath === '$') return { resultPath: '$' };
  const fields = resultPath.slice(2).split('.');
  let selector: Record<string, unknown> = { [`${fields.pop()}.$`]: '$' };
  while (fields.length > 0) selector = { [fields.pop()!]: selector };
  return { resultSelector: selector, resultPath: '$' };
}

/**
 * A direct DynamoDB PutItem of this execution's record: key = execution id,
 * `status`, the given fields and `completedAt`. The PutItem response is
 * discarded, so the state after it sees what this state saw (the reduce result,
 * or the caught error the Fail state reports).
 */
function putExecutionRecord(
  scope: Construct,
  stateName: string,
  table: ResultTable,
  retry: sfn.RetryProps,
  status: 'SUCCEEDED' | 'FAILED',
  fields: Record<string, string>,
): sfn.TaskStateBase {
  const attribute = tasks.DynamoAttributeValue.fromString;
  return new tasks.DynamoPutItem(scope, stateName, {
    stateName,
    table: table.table,
    item: {
      [table.partitionKeyName]: attribute(sfn.JsonPath.executionId),
      status: attribute(status),
      ...Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, attribute(value)])),
      completedAt: attribute(sfn.JsonPath.stateEnteredTime),
    },
    resultPath: sfn.JsonPath.DISCARD,
  }).addRetry({ ...retry, errors: DYNAMODB_TRANSIENT_ERRORS });
}

function storeResult(scope: Construct, table: ResultTable, retry: sfn.RetryProps, onError: sfn.IChainable): sfn.TaskStateBase {
  return putExecutionRecord(scope, 'StoreResult', table, retry, 'SUCCEEDED', {
    output: sfn.JsonPath.jsonToString(sfn.JsonPath.entirePayload),
  }).addCatch(onError, { errors: [sfn.Errors.ALL] });
}

/** Writes the caught error to the table so failed runs are as visible as successful ones. */
function recordFailure(scope: Construct, table: ResultTable, retry: sfn.RetryProps): sfn.TaskStateBase {
  return putExecutionRecord(scope, 'RecordFailure', table, retry, 'FAILED', {
    error: sfn.JsonPath.stringAt('$.Error'),
    cause: sfn.JsonPath.stringAt('$.Cause'),
  });
}

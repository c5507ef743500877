import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, IConstruct } from 'constructs';
import { knownReservedConcurrency, knownTimeoutSeconds } from '../core/known-settings';
import { isJsonata } from '../core/jsonata';
import { isReferencePath, PropValidator } from '../core/validation';
import { resolveTaskRetry, TaskRetryProps } from '../core/task-retries';
import type { MapReduceWorkflowProps } from './map-reduce-workflow';

/** How a {@link MapReduceWorkflow} maps its items. */
export enum MapMode {
  /** An inline Map over an array in the execution input: at most 40 at once, in the parent's history and 256 KiB state. */
  INLINE = 'INLINE',
  /** A Distributed Map over items in S3: batches in Express child executions, up to 10,000 at once, results written to S3. */
  DISTRIBUTED = 'DISTRIBUTED',
}

// Step Functions quotas: https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
export const INLINE_MAP_MAX_CONCURRENCY = 40;
export const DISTRIBUTED_MAP_MAX_CONCURRENCY = 10_000;
/** The payload quota, which a distributed map's batch input (MaxInputBytesPerBatch) may not exceed. */
export const MAX_BATCH_INPUT_BYTES = 256 * 1024;
export const EXPRESS_MAX_DURATION = Duration.minutes(5);
const STANDARD_MAX_DURATION = Duration.days(365);
const LAMBDA_MAX_TIMEOUT = Duration.minutes(15);
/** History events of one Standard execution. */
export const HISTORY_EVENTS_QUOTA = 25_000;
/**
 * History events an inline Map iteration that invokes one Lambda task adds: MapIterationStarted, TaskStateEntered,
 * TaskScheduled, TaskStarted, TaskSucceeded, TaskStateExited, MapIterationSucceeded (a measured 1,000-iteration
 * run recorded 7,016 events).
 */
export const HISTORY_EVENTS_PER_INLINE_ITEM = 7;
/** Events kept for the states around the Map, the execution's own and a few retries. */
const HISTORY_EVENTS_AROUND_MAP = 100;
/** The most items an inline Map of a Standard workflow is sure to take within the history quota, without retries. */
export const INLINE_MAP_MAX_ITEMS = Math.floor((HISTORY_EVENTS_QUOTA - HISTORY_EVENTS_AROUND_MAP) / HISTORY_EVENTS_PER_INLINE_ITEM);

const DISTRIBUTED_DEFAULT_MAX_CONCURRENCY = 100;
/**
 * A quarter of the 256 KiB quota, because a batch's results are its child execution's output, under the
 * same quota: results up to four times the size of their items still fit.
 */
const DEFAULT_MAX_INPUT_BYTES_PER_BATCH = 64 * 1024;

export interface WorkflowSettings {
  readonly mode: MapMode;
  readonly itemsPath: string;
  readonly resultPath: string;
  readonly maxConcurrency: number;
  readonly workflowType: sfn.StateMachineType;
  readonly timeout: Duration;
  readonly taskTimeout: Duration;
  readonly retry: Required<TaskRetryProps>;
  readonly logRetention: logs.RetentionDays;
  readonly memorySize: number;
  readonly mapReservedConcurrency: number;
  readonly reduceReservedConcurrency: number;
  /** Distributed mode: the ItemBatcher's bounds (at least one is set). */
  readonly maxItemsPerBatch?: number;
  readonly maxInputBytesPerBatch?: number;
  readonly toleratedFailurePercentage?: number;
  readonly toleratedFailureCount?: number;
  readonly resultsPrefix: string;
  readonly resultsExpiration: Duration;
  readonly logExecutionData: boolean;
  readonly queryLanguage: sfn.QueryLanguage;
}

export function resolveSettings(props: MapReduceWorkflowProps): WorkflowSettings {
  const mode = props.mode ?? (props.itemSource ? MapMode.DISTRIBUTED : MapMode.INLINE);
  const distributed = mode === MapMode.DISTRIBUTED;
  const workflowType = props.workflowType ?? sfn.StateMachineType.STANDARD;
  const maxConcurrency = props.maxConcurrency ?? (distributed ? DISTRIBUTED_DEFAULT_MAX_CONCURRENCY : 10);
  const unbatched = props.maxItemsPerBatch === undefined && props.maxInputBytesPerBatch === undefined;
  return {
    mode,
    itemsPath: props.itemsPath ?? '$.data',
    resultPath: props.resultPath ?? '$.mappedResults',
    maxConcurrency,
    workflowType,
    timeout: props.timeout
      ?? (workflowType === sfn.StateMachineType.EXPRESS ? EXPRESS_MAX_DURATION : Duration.hours(1)),
    taskTimeout: props.taskTimeout ?? Duration.minutes(1),
    retry: resolveTaskRetry(props.retry),
    logRetention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    memorySize: props.memorySize ?? 256,
    mapReservedConcurrency: props.mapReservedConcurrency ?? defaultMapReservedConcurrency(distributed, maxConcurrency),
    reduceReservedConcurrency: props.reduceReservedConcurrency ?? 2,
    maxItemsPerBatch: props.maxItemsPerBatch,
    maxInputBytesPerBatch: props.maxInputBytesPerBatch ?? (unbatched ? DEFAULT_MAX_INPUT_BYTES_PER_BATCH : undefined),
    toleratedFailurePercentage: props.toleratedFailurePercentage,
    toleratedFailureCount: props.toleratedFailureCount,
    resultsPrefix: props.resultsPrefix ?? 'map-runs',
    resultsExpiration: props.resultsExpiration ?? Duration.days(7),
    // A distributed map's batches would pass through the log: more than the rest of its bill (README, sdp cost).
    logExecutionData: props.logExecutionData ?? !distributed,
    queryLanguage: props.queryLanguage ?? sfn.QueryLanguage.JSON_PATH,
  };
}

/**
 * Inline: room for two executions mapping at once. Distributed: one map run at full concurrency, since twice a
 * concurrency in the hundreds would take most of an account's 1,000; a second job at the same time is throttled
 * and retried. An unresolved maxConcurrency cannot be used at synth: the mode's usual bound stands in.
 */
function defaultMapReservedConcurrency(distributed: boolean, maxConcurrency: number): number {
  if (distributed) return Token.isUnresolved(maxConcurrency) ? DISTRIBUTED_DEFAULT_MAX_CONCURRENCY : maxConcurrency;
  return Token.isUnresolved(maxConcurrency) ? INLINE_MAP_MAX_CONCURRENCY : 2 * maxConcurrency;
}

/** Every rule of the props, checked together so one synth shows all problems. */
export function validateMapReduceWorkflowProps(workflow: IConstruct, props: MapReduceWorkflowProps, s: WorkflowSettings): void {
  const v = new PropValidator('MapReduceWorkflow', workflow);
  const distributed = s.mode === MapMode.DISTRIBUTED;
  v.exactlyOne('mapFunction', props.mapFunction, 'mapEntry', props.mapEntry);
  v.exactlyOne('reduceFunction', props.reduceFunction, 'reduceEntry', props.reduceEntry);
  v.check(
    isReferencePath(s.itemsPath),
    `itemsPath must be a JSONPath reference path such as '$.data' (got '${s.itemsPath}')`,
  );
  v.check(
    s.resultPath === '$' || /^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(s.resultPath),
    `resultPath must be '$' or a dot path such as '$.mappedResults' (got '${s.resultPath}')`,
  );
  if (distributed) {
    validateDistributedProps(v, props, s);
  } else {
    v.integerInRange('maxConcurrency', s.maxConcurrency, 1, INLINE_MAP_MAX_CONCURRENCY, `for inline maps, or up to ${DISTRIBUTED_MAP_MAX_CONCURRENCY} in distributed mode with an itemSource`);
    validateInlineProps(v, props);
  }
  const maxWorkflow = s.workflowType === sfn.StateMachineType.EXPRESS ? EXPRESS_MAX_DURATION : STANDARD_MAX_DURATION;
  v.wholeSecondsInRange('timeout', s.timeout, Duration.seconds(1), maxWorkflow, `for ${s.workflowType} workflows`);
  v.wholeSecondsInRange('taskTimeout', s.taskTimeout, Duration.seconds(1), LAMBDA_MAX_TIMEOUT);
  v.notLonger('taskTimeout', s.taskTimeout, 'timeout', s.timeout);
  v.integerInRange('retry.maxAttempts', s.retry.maxAttempts, 0, 99_999_999);
  v.check(
    Token.isUnresolved(s.retry.backoffRate) || s.retry.backoffRate >= 1,
    `retry.backoffRate must be at least 1 (got ${s.retry.backoffRate})`,
  );
  v.wholeSecondsInRange('retry.interval', s.retry.interval, Duration.seconds(1), Duration.seconds(99_999_999));
  v.wholeSecondsInRange('retry.maxDelay', s.retry.maxDelay, Duration.seconds(1), Duration.seconds(31_622_400));
  v.notLonger('retry.interval', s.retry.interval, 'retry.maxDelay', s.retry.maxDelay);
  v.integerInRange('memorySize', s.memorySize, 128, 10_240, 'MiB');
  v.oneOf('queryLanguage', props.queryLanguage, sfn.QueryLanguage);
  v.check(props.mapFunction === undefined || props.mapReservedConcurrency === undefined,
    'mapReservedConcurrency applies to a map function built from mapEntry; set it on the mapFunction itself');
  v.check(props.reduceFunction === undefined || props.reduceReservedConcurrency === undefined,
    'reduceReservedConcurrency applies to a reduce function built from reduceEntry; set it on the reduceFunction itself');
  // 0 would disable the function: every task would fail. The upper bound is a distributed map's 10,000 (a default
  // reservation follows maxConcurrency): what an account can afford is the app-level budget check's to say
  // (ACCOUNT_CONCURRENCY_CONTEXT_KEY, 1,000 for a new account).
  if (props.mapFunction === undefined) v.integerInRange('mapReservedConcurrency', s.mapReservedConcurrency, 1, DISTRIBUTED_MAP_MAX_CONCURRENCY);
  v.integerInRange('reduceReservedConcurrency', props.reduceReservedConcurrency, 1, 1000);
  const mapReserved = props.mapFunction ? knownReservedConcurrency(props.mapFunction) : s.mapReservedConcurrency;
  v.check(
    mapReserved === undefined || Token.isUnresolved(s.maxConcurrency) || mapReserved >= s.maxConcurrency,
    `the map function's reserved concurrency must be at least maxConcurrency (got ${mapReserved} < ${s.maxConcurrency}); `
    + 'the Map would run more iterations at once than the function may, and throttle itself',
  );
  v.existingFile('mapEntry', props.mapEntry);
  v.existingFile('reduceEntry', props.reduceEntry);
  const name = props.stateMachineName;
  v.check(
    name === undefined || Token.isUnresolved(name) || /^[A-Za-z0-9_-]{1,80}$/.test(name),
    `stateMachineName must be 1..80 letters, digits, '-' or '_' (got '${name}')`,
  );
  v.throwIfAny();
}

const DISTRIBUTED_ONLY_PROPS = [
  'maxItemsPerBatch', 'maxInputBytesPerBatch', 'toleratedFailurePercentage', 'toleratedFailureCount',
  'resultsBucket', 'resultsPrefix', 'resultsExpiration',
] as const;

function positiveInteger(v: PropValidator, prop: string, value: number | undefined): void {
  v.check(value === undefined || Token.isUnresolved(value) || (Number.isInteger(value) && value >= 1),
    `${prop} must be a positive integer (got ${value})`);
}

function validateInlineProps(v: PropValidator, props: MapReduceWorkflowProps): void {
  v.check(props.itemSource === undefined,
    'itemSource applies to distributed mode (got mode INLINE); leave mode unset or set it to MapMode.DISTRIBUTED');
  for (const prop of DISTRIBUTED_ONLY_PROPS) {
    v.check(props[prop] === undefined, `${prop} applies to distributed mode; give an itemSource to map items in S3`);
  }
  positiveInteger(v, 'maxItems', props.maxItems);
}

function validateDistributedProps(v: PropValidator, props: MapReduceWorkflowProps, s: WorkflowSettings): void {
  v.check(props.itemSource !== undefined, 'mode DISTRIBUTED reads its items from S3: give an itemSource (e.g. ItemSource.jsonArray(bucket))');
  v.check(props.itemSource?.problem === undefined, props.itemSource?.problem ?? '');
  v.check(props.itemsPath === undefined, 'itemsPath applies to inline mode; in distributed mode the items come from itemSource');
  v.check(props.maxItems === undefined, 'maxItems bounds the items of an inline map; a distributed map has no history limit to check it against');
  v.check(s.workflowType === sfn.StateMachineType.STANDARD,
    `distributed mode needs a STANDARD workflowType (got ${s.workflowType}): Express workflows cannot run a Distributed Map`);
  v.integerInRange('maxConcurrency', s.maxConcurrency, 1, DISTRIBUTED_MAP_MAX_CONCURRENCY, 'for distributed maps');
  if (isJsonata(s.queryLanguage)) v.check(props.itemSource?.jsonataProblem === undefined, props.itemSource?.jsonataProblem ?? '');
  positiveInteger(v, 'maxItemsPerBatch', s.maxItemsPerBatch);
  v.integerInRange('maxInputBytesPerBatch', s.maxInputBytesPerBatch, 1, MAX_BATCH_INPUT_BYTES,
    `bytes: a batch is a child execution's input, which Step Functions caps at 256 KiB; lower it, or bound batches by maxItemsPerBatch`);
  v.check(
    props.toleratedFailurePercentage === undefined || Token.isUnresolved(props.toleratedFailurePercentage)
      || (props.toleratedFailurePercentage >= 0 && props.toleratedFailurePercentage <= 100),
    `toleratedFailurePercentage must be 0..100 (got ${props.toleratedFailurePercentage})`,
  );
  v.check(
    props.toleratedFailureCount === undefined || Token.isUnresolved(props.toleratedFailureCount)
      || (Number.isInteger(props.toleratedFailureCount) && props.toleratedFailureCount >= 0),
    `toleratedFailureCount must be an integer of at least 0 (got ${props.toleratedFailureCount})`,
  );
  // The children are Express executions, which Step Functions stops after 5 minutes whatever the task's timeout.
  v.wholeSecondsInRange('taskTimeout', s.taskTimeout, Duration.seconds(1), EXPRESS_MAX_DURATION,
    'in distributed mode, where each batch runs in an Express child execution');
  const prefix = s.resultsPrefix;
  v.check(
    Token.isUnresolved(prefix) || /^[A-Za-z0-9!_.*'()=-]+(\/[A-Za-z0-9!_.*'()=-]+)*$/.test(prefix) && prefix.length <= 512,
    `resultsPrefix must be 1..512 characters of S3-safe key segments separated by '/', without a leading or trailing '/' (got '${prefix}')`,
  );
  v.check(props.resultsBucket === undefined || props.resultsExpiration === undefined,
    'resultsExpiration applies to the results bucket the workflow creates; set a lifecycle rule on resultsBucket itself');
  const expiration = s.resultsExpiration;
  v.check(
    expiration.isUnresolved() || (expiration.toMilliseconds() >= Duration.days(1).toMilliseconds() && expiration.toMilliseconds() % Duration.days(1).toMilliseconds() === 0),
    `resultsExpiration must be a whole number of days, at least 1 (got ${expiration.toHumanString()})`,
  );
}

/**
 * Designs that synthesize and deploy but may fail or mislead at run time, reported as synth warnings:
 * an inline Map whose input is not bounded within the history quota, and a task timeout its function
 * cannot reach.
 */
export function warnAboutLimits(scope: Construct, props: MapReduceWorkflowProps, s: WorkflowSettings): void {
  const warn = (id: string, message: string) => Annotations.of(scope).addWarningV2(`@sdp/workflow:${id}`, message);
  if (s.mode === MapMode.INLINE && s.workflowType === sfn.StateMachineType.STANDARD
    && (props.maxItems === undefined || Token.isUnresolved(props.maxItems) || props.maxItems > INLINE_MAP_MAX_ITEMS)) {
    warn('inline-map-history', `an inline Map in a Standard workflow adds ${HISTORY_EVENTS_PER_INLINE_ITEM} history events per item, `
      + `so an input of more than ${INLINE_MAP_MAX_ITEMS} items can exceed the ${HISTORY_EVENTS_QUOTA}-event history quota and fail the execution`
      + `${props.maxItems === undefined ? '' : ` (maxItems is ${props.maxItems})`}. `
      + `State the bound with maxItems (at most ${INLINE_MAP_MAX_ITEMS}), or put the items in S3 and use distributed mode (itemSource, mode: MapMode.DISTRIBUTED)`);
  }
  const checkTimeout = (role: string, fn: lambda.IFunction | undefined) => {
    const seconds = fn && knownTimeoutSeconds(fn);
    if (seconds === undefined || s.taskTimeout.isUnresolved() || seconds >= s.taskTimeout.toSeconds()) return;
    warn('task-timeout-beyond-function', `taskTimeout (${s.taskTimeout.toHumanString()}) is longer than the ${role} function's timeout `
      + `(${Duration.seconds(seconds).toHumanString()}): Lambda stops the function first, so the task never waits that long. `
      + `Set taskTimeout to at most ${Duration.seconds(seconds).toHumanString()}, or raise the ${role} function's timeout`);
  };
  checkTimeout('map', props.mapFunction);
  checkTimeout('reduce', props.reduceFunction);
}

import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { STEPFUNCTIONS_USE_DISTRIBUTED_MAP_RESULT_WRITER_V2 } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { entryCode } from '../core/handler-code';
import { createHandlerFunction } from '../core/handler-function';
import { isJsonata, jsonata, referencePathExpression } from '../core/jsonata';
import { LAMBDA_TRANSIENT_ERRORS, taskRetry, TaskRetryProps } from '../core/task-retries';
import { createTracedStateMachine } from '../core/traced-state-machine';
import { WorkflowBase } from '../core/workflow';
import { ResultTable } from '../storage/result-table';
import { acknowledgeDistributedMapFindings } from './distributed-map-findings';
import { ItemSource } from './item-source';
import { MapMode, resolveSettings, validateMapReduceWorkflowProps, warnAboutLimits, WorkflowSettings } from './map-reduce-settings';
import { createResultsBucket, MapResultsLocation } from './map-results';
import { recordFailure, storeResult } from './result-record';
import { RESULT_TABLE_FAILURE_RECORD } from '../core/runbook';

/** Properties for a {@link MapReduceWorkflow}. */
export interface MapReduceWorkflowProps {
  /**
   * Function applied to each item. Give this or `mapEntry`.
   * @default - a function built from `mapEntry`
   */
  readonly mapFunction?: lambda.IFunction;
  /**
   * TypeScript entry file of the map handler (export `handler`), bundled with esbuild into a Node.js 24 function.
   * @default - `mapFunction` is used
   */
  readonly mapEntry?: string;
  /**
   * Function given the array of mapped results; its return value is the workflow's output. Give this or `reduceEntry`.
   * @default - a function built from `reduceEntry`
   */
  readonly reduceFunction?: lambda.IFunction;
  /**
   * TypeScript entry file of the reduce handler (export `handler`).
   * @default - `reduceFunction` is used
   */
  readonly reduceEntry?: string;
  /**
   * Inline (items in the execution input, at most 40 at once) or distributed (items in S3, read in batches by
   * Express child executions, up to 10,000 at once, results written to S3).
   * @default - MapMode.DISTRIBUTED when an `itemSource` is given, MapMode.INLINE otherwise
   */
  readonly mode?: MapMode;
  /**
   * Inline mode: reference path of the array of items in the execution input.
   * @default '$.data'
   */
  readonly itemsPath?: string;
  /**
   * Inline mode: the most items one execution's input holds, as the callers promise it (a declaration for the synth-time
   * check, not enforced at run time: the execution fails on its own if the history outgrows its quota). An inline Map
   * in a Standard workflow adds 7 history events per item, and an execution fails past 25,000; without a bound that
   * fits (at most 3,557 items), synth warns.
   * @default - unbounded, with a synth warning for Standard workflows
   */
  readonly maxItems?: number;
  /**
   * How many items (inline) or batches (distributed) are mapped at once. Inline Map states run at most
   * 40 iterations concurrently, distributed ones 10,000.
   * @default 10 inline, 100 distributed
   */
  readonly maxConcurrency?: number;
  /**
   * Distributed mode: where the items are, in S3 (`ItemSource.jsonArray(bucket)`, `jsonLines`, `csv` or `objects`).
   * By default the key (or prefix) comes from each execution's input (`{ "itemsKey": "..." }`), so one state machine runs many jobs.
   * @default - inline mode: the items are in the execution input at `itemsPath`
   */
  readonly itemSource?: ItemSource;
  /**
   * Distributed mode: the most items one map invocation gets (the map handler receives `{ items: [...] }`).
   * @default - batches are bounded by `maxInputBytesPerBatch` only
   */
  readonly maxItemsPerBatch?: number;
  /**
   * Distributed mode: the most bytes of items one map invocation gets, at most 262,144 (256 KiB, a child execution's
   * input quota). A batch's results are its child execution's output, under the same quota.
   * @default 65,536 when `maxItemsPerBatch` is not given either (results up to 4 × their items' size fit), else unbounded
   */
  readonly maxInputBytesPerBatch?: number;
  /**
   * Distributed mode: the percentage of items that may fail (their batch failed) without failing the map run.
   * The results of failed batches are left out of the SUCCEEDED result files the reduce reads.
   * @default - none: one failed batch fails the execution
   */
  readonly toleratedFailurePercentage?: number;
  /**
   * Distributed mode: the number of items that may fail without failing the map run.
   * @default - none: one failed batch fails the execution
   */
  readonly toleratedFailureCount?: number;
  /**
   * Distributed mode: the bucket the map runs write their results to (under `resultsPrefix`).
   * @default - a bucket the workflow creates: SSE-S3, SSL only, no public access, results expiring after `resultsExpiration`
   */
  readonly resultsBucket?: s3.IBucket;
  /**
   * Distributed mode: the key prefix of the map runs' results; each run writes `<prefix>/<map run id>/manifest.json`
   * and its result files. The state machine may write, and the reduce function read, only under it.
   * @default 'map-runs'
   */
  readonly resultsPrefix?: string;
  /**
   * Distributed mode: how long the results stay in the bucket the workflow creates (whole days).
   * @default Duration.days(7)
   */
  readonly resultsExpiration?: Duration;
  /**
   * Where the map's output is put for the reduce task: `$` or a dot path such as `$.mappedResults`.
   * Inline, the output is the array of results; distributed, it is where the results were written:
   * `{ MapRunArn, ResultWriterDetails: { Bucket, Key } }` (Key names the map run's manifest.json).
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
  readonly timeout?: Duration;
  /**
   * Time after which one map or reduce task fails with States.Timeout. Functions built from an entry get this timeout too.
   * At most 5 minutes in distributed mode (a batch runs in an Express child execution).
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
   * Whether the execution log holds each state's input and output (level ALL logs every event either way). In distributed
   * mode every batch's items and results would pass through the log (the child executions log as their parent does):
   * about $0.027 per million word-sized items, measured with `sdp cost`, more than the rest of the bill together; the results
   * are in S3 and a Standard execution's own history keeps its states' data, so the log need not.
   * @default - true inline; false in distributed mode
   */
  readonly logExecutionData?: boolean;
  /**
   * Retention of the execution log and of the built functions' logs.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Memory of the functions built from entries, in MiB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Reserved concurrency of the map function built from `mapEntry`; at least `maxConcurrency`,
   * or the Map's own iterations would throttle each other. Throttled tasks are retried (see `retry`).
   * @default inline: 2 × maxConcurrency, room for two executions mapping at once; distributed: maxConcurrency,
   *   one map run at full speed (twice a distributed concurrency would take much of an account's 1,000)
   */
  readonly mapReservedConcurrency?: number;
  /**
   * Reserved concurrency of the reduce function built from `reduceEntry`: how many executions reduce at once.
   * @default 2
   */
  readonly reduceReservedConcurrency?: number;
  /**
   * Physical name of the state machine.
   * @default - a name CloudFormation generates
   */
  readonly stateMachineName?: string;
  /**
   * The query language the state machine's definition is written in. With JSONATA the definition has
   * `"QueryLanguage": "JSONata"` at its top and its states move data with `Arguments`, `Output` and `Assign`
   * (`{% ... %}` expressions) instead of Parameters, ResultSelector, ResultPath and OutputPath. The other props mean
   * the same in both, and the executions behave the same: same input and output, errors, retries and permissions —
   * but for an input without its items (nothing at `itemsPath`): Step Functions fails a JSONPath execution with
   * `States.Runtime`, which no Catch takes, so no failure record is written; a JSONata one with
   * `States.QueryEvaluationError`, which is caught and recorded like any error.
   * @default sfn.QueryLanguage.JSON_PATH
   */
  readonly queryLanguage?: sfn.QueryLanguage;
}

/**
 * A Step Functions workflow that maps a function over the items of its input,
 * with bounded concurrency, then hands the collected results to a reduce function.
 * Inline (items in the input, one invocation per item) by default; distributed
 * (items in S3, one invocation per batch in Express child executions, results
 * written to S3 for the reduce to read) when given an `itemSource`.
 *
 * Lambda service errors and throttling are retried with backoff and jitter; any
 * other failure ends in a Fail state that carries the error and cause (and is
 * recorded in the result table when one is given). Execution logging (ALL) and
 * X-Ray tracing are on.
 */
export class MapReduceWorkflow extends WorkflowBase {
  readonly stateMachine: sfn.StateMachine;
  readonly mapFunction: lambda.IFunction;
  readonly reduceFunction: lambda.IFunction;
  /** Log group of the execution history. */
  readonly logGroup: logs.LogGroup;
  /** How the items are mapped. */
  readonly mode: MapMode;
  /** Distributed mode: where the map runs write their results (bucket and prefix); undefined inline. */
  readonly results?: MapResultsLocation;

  constructor(scope: Construct, id: string, props: MapReduceWorkflowProps) {
    super(scope, id, { failureRecord: props.resultTable && RESULT_TABLE_FAILURE_RECORD });
    const settings = resolveSettings(props);
    validateMapReduceWorkflowProps(this, props, settings);
    this.mode = settings.mode;
    if (settings.mode === MapMode.DISTRIBUTED) {
      // ResultWriterV2 (WriterConfig, prefix-scoped) is only rendered under this feature flag; set here, before any child
      // exists, it holds for this workflow alone.
      this.node.setContext(STEPFUNCTIONS_USE_DISTRIBUTED_MAP_RESULT_WRITER_V2, true);
    }

    this.mapFunction = props.mapFunction ?? this.createFunction('MapFunction', props.mapEntry!, settings, settings.mapReservedConcurrency);
    this.reduceFunction = props.reduceFunction ?? this.createFunction('ReduceFunction', props.reduceEntry!, settings, settings.reduceReservedConcurrency);
    warnAboutLimits(this, props, settings);
    if (settings.mode === MapMode.DISTRIBUTED) {
      this.results = new MapResultsLocation(
        props.resultsBucket ?? createResultsBucket(this, 'ResultsBucket', settings.resultsExpiration),
        settings.resultsPrefix,
      );
    }

    ({ stateMachine: this.stateMachine, logGroup: this.logGroup } = createTracedStateMachine(this, {
      definition: this.stateGraph(props, settings),
      stateMachineType: settings.workflowType,
      timeout: settings.timeout,
      logRetention: settings.logRetention,
      stateMachineName: props.stateMachineName,
      includeExecutionData: settings.logExecutionData,
      queryLanguage: settings.queryLanguage,
      invokedFunctions: [this.mapFunction, this.reduceFunction],
    }));
    if (this.results) this.grantDistributedAccess(props.itemSource!, this.results);
  }

  /** A map or reduce function built from its entry file. */
  private createFunction(id: string, entry: string, settings: WorkflowSettings, reservedConcurrency: number): lambda.IFunction {
    return createHandlerFunction(this, id, {
      code: entryCode(entry),
      timeout: settings.taskTimeout,
      memorySize: settings.memorySize,
      logRetention: settings.logRetention,
      reservedConcurrency,
      invokedBy: 'Step Functions, which retries and catches its errors',
    });
  }

  /**
   * Map the items, reduce the results, then (with a result table) store the output; any error that is
   * not retried away is recorded in the result table (when there is one) and ends in the Fail state.
   */
  private stateGraph(props: MapReduceWorkflowProps, settings: WorkflowSettings): sfn.IChainable {
    const retry = taskRetry(settings.retry);
    const failed = isJsonata(settings.queryLanguage)
      ? sfn.Fail.jsonata(this, 'Failed', { stateName: 'Failed', error: jsonata('$states.input.Error'), cause: jsonata('$states.input.Cause') })
      : new sfn.Fail(this, 'Failed', { stateName: 'Failed', errorPath: '$.Error', causePath: '$.Cause' });
    const onError: sfn.IChainable = props.resultTable
      ? recordFailure(this, props.resultTable, retry, settings.queryLanguage).next(failed)
      : failed;

    const mapItems = this.results
      ? this.distributedMap(props.itemSource!, this.results, settings, retry)
      : this.inlineMap(settings, retry);
    mapItems.addCatch(onError, { errors: [sfn.Errors.ALL] });
    const reduceResults = this.invokeTask('ReduceResults', this.reduceFunction, settings, retry, inputAt(settings.resultPath, settings.queryLanguage))
      .addCatch(onError, { errors: [sfn.Errors.ALL] });

    const mapThenReduce = mapItems.next(reduceResults);
    return props.resultTable ? mapThenReduce.next(storeResult(this, props.resultTable, retry, onError, settings.queryLanguage)) : mapThenReduce;
  }

  /** Distributed mode: the state machine reads the items and writes the results, the map function reads the items, the reduce the results. */
  private grantDistributedAccess(source: ItemSource, results: MapResultsLocation): void {
    source.bucket.encryptionKey?.grantDecrypt(this.stateMachine);
    source.grantItemAccess(this.mapFunction);
    results.grantWrite(this.stateMachine);
    results.grantRead(this.reduceFunction);
    acknowledgeDistributedMapFindings(this, source, results);
  }

  /** A synchronous invocation whose output is the function's return value, retried on Lambda's transient errors only. */
  private invokeTask(stateName: string, fn: lambda.IFunction, settings: WorkflowSettings, retry: sfn.RetryProps, payload?: sfn.TaskInput): sfn.TaskStateBase {
    const invoke = {
      stateName,
      lambdaFunction: fn,
      payload,
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(settings.taskTimeout),
    };
    const task = isJsonata(settings.queryLanguage)
      ? tasks.LambdaInvoke.jsonata(this, stateName, { ...invoke, outputs: jsonata('$states.result.Payload') })
      : new tasks.LambdaInvoke(this, stateName, { ...invoke, outputPath: '$.Payload' });
    return task.addRetry({ ...retry, errors: LAMBDA_TRANSIENT_ERRORS });
  }

  /** One Lambda task per item, in the parent execution. */
  private inlineMap(settings: WorkflowSettings, retry: sfn.RetryProps): sfn.Map {
    const mapItem = this.invokeTask('MapItem', this.mapFunction, settings, retry);

    const map = { stateName: 'MapItems', maxConcurrency: settings.maxConcurrency };
    const mapItems = isJsonata(settings.queryLanguage)
      ? sfn.Map.jsonata(this, 'MapItems', {
        ...map,
        items: sfn.ProvideItems.jsonata(jsonata(referencePathExpression(settings.itemsPath))),
        outputs: nestAt(settings.resultPath, jsonata('$states.result')),
      })
      : new sfn.Map(this, 'MapItems', { ...map, itemsPath: settings.itemsPath, ...collectResultsAt(settings.resultPath) });
    return mapItems.itemProcessor(mapItem);
  }

  /**
   * One Lambda task per batch, `{ items: [...] }` in and an array of results out, in an Express child
   * execution; the results flattened into JSON Lines files in S3, and the Map's output naming them.
   */
  private distributedMap(source: ItemSource, results: MapResultsLocation, settings: WorkflowSettings, retry: sfn.RetryProps): sfn.DistributedMap {
    const jsonataStates = isJsonata(settings.queryLanguage);
    const mapBatch = this.invokeTask('MapBatch', this.mapFunction, settings, retry,
      sfn.TaskInput.fromObject({ items: jsonataStates ? jsonata('$states.input.Items') : sfn.JsonPath.listAt('$.Items') }));

    const map = {
      stateName: 'MapItems',
      itemReader: source.itemReader(settings.queryLanguage),
      itemBatcher: new sfn.ItemBatcher({
        maxItemsPerBatch: settings.maxItemsPerBatch,
        maxInputBytesPerBatch: settings.maxInputBytesPerBatch,
      }),
      maxConcurrency: settings.maxConcurrency,
      mapExecutionType: sfn.StateMachineType.EXPRESS,
      toleratedFailurePercentage: settings.toleratedFailurePercentage,
      toleratedFailureCount: settings.toleratedFailureCount,
      resultWriterV2: results.resultWriter(),
    };
    const mapItems = jsonataStates
      ? sfn.DistributedMap.jsonata(this, 'MapItems', { ...map, outputs: nestAt(settings.resultPath, jsonata('$states.result')) })
      : new sfn.DistributedMap(this, 'MapItems', { ...map, ...collectResultsAt(settings.resultPath) });
    return mapItems.itemProcessor(mapBatch);
  }

  /** Lets `grantee` read the map runs' results (distributed mode): s3:GetObject under the results prefix. */
  grantReadResults(grantee: iam.IGrantable): iam.Grant {
    if (!this.results) throw new Error(`MapReduceWorkflow '${this.node.path}': grantReadResults needs distributed mode; inline results are in the execution's output`);
    return this.results.grantRead(grantee);
  }
}

/** Map props that leave only the results, under `resultPath`, in the state (JSONPath). */
function collectResultsAt(resultPath: string): Pick<sfn.MapProps, 'resultSelector' | 'resultPath'> {
  if (resultPath === '$') return { resultPath: '$' };
  return { resultSelector: nestAt(resultPath, '$', (field) => `${field}.$`) as Record<string, unknown>, resultPath: '$' };
}

/**
 * `value` under the fields of the dot path `resultPath` (`$.a.b` → `{ a: { b: value } }`), the last field's key
 * written by `leafKey`; `value` itself for `$`.
 */
function nestAt(resultPath: string, value: unknown, leafKey = (field: string) => field): unknown {
  if (resultPath === '$') return value;
  const fields = resultPath.slice(2).split('.');
  let nested: Record<string, unknown> = { [leafKey(fields.pop()!)]: value };
  while (fields.length > 0) nested = { [fields.pop()!]: nested };
  return nested;
}

/** The value at the reference path `path` of the state input, as a task's input in the definition's query language. */
function inputAt(path: string, queryLanguage: sfn.QueryLanguage): sfn.TaskInput {
  return isJsonata(queryLanguage)
    ? sfn.TaskInput.fromText(jsonata(referencePathExpression(path)))
    : sfn.TaskInput.fromJsonPathAt(path);
}

import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type * as Asl from 'aws-local-stepfunctions';
import { isDistributedMap } from '../assembly/definition-states';
import type { LocalWaitSummary } from '../trace/execution-trace';
import { adjustCallbackTasks } from './callback-tasks';
import { compileDefinitionSchemasOnce } from './definition-schema-check';
import { adjustForQueryLanguages, withVariableReferences } from './query-language/query-language-states';

/** Step Functions' quota on the size of a state's input or output, in bytes. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** The error Step Functions reports for a payload over the quota; `States.ALL` does not match it. */
export class DataLimitExceededError extends Error {
  constructor(what: string, bytes: number) {
    super(`${what} is ${bytes} bytes, over the ${MAX_PAYLOAD_BYTES}-byte quota of a Step Functions payload`);
    this.name = 'States.DataLimitExceeded';
  }
}

/** Why `value` breaks the payload quota, as the error to throw, or undefined when it does not. */
export function payloadOverLimit(value: unknown, what: string): DataLimitExceededError | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(value ?? null));
  return bytes > MAX_PAYLOAD_BYTES ? new DataLimitExceededError(what, bytes) : undefined;
}

/**
 * The classes of aws-local-stepfunctions this module adjusts; the package exports only `StateMachine`,
 * so its build is loaded once more with them exported too (nothing in node_modules is changed).
 */
const INTERNALS = [
  'StateExecutor', 'MapStateAction', 'ParallelStateAction', 'ChoiceStateAction', 'TaskStateAction', 'EventLogger',
  'ExecutionAbortedError', 'StatesNoChoiceMatchedError', 'jsonPathQuery', 'jsonPathQueryOfInput',
  'processPayloadTemplate', 'processResultPath', 'processOutputPath', 'sleep',
  'WaitStateAction', 'IntegerConstraint', 'RFC3339TimestampConstraint',
] as const;

/**
 * The one function of the build replaced in its text: every JSONPath the interpreter evaluates goes through
 * `jsonPathQuery`, a function its classes call directly, so `$name` (a workflow variable) can only be read there.
 */
const JSON_PATH_QUERY = 'function jsonPathQuery(pathExpression, json, context, options) {';

type Interpreter = typeof Asl & { __internals: Record<(typeof INTERNALS)[number], any> };

/** The longest delay a Node.js timer takes (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Where the events of a Map iteration's execution go: its Map state's event log, at once and in order. */
interface IterationLog {
  readonly logger: any;
  readonly index: number;
  readonly mapStateName: string;
  readonly rawInput: unknown;
}

/** What a Map state in distributed mode gets to run itself: its definition, effective input, context and interpreter options. */
export interface DistributedMapCall {
  readonly state: any;
  readonly stateName: string;
  readonly input: unknown;
  readonly context: any;
  /** The interpreter's options of the running state: `runOptions`, `stateMachineOptions`, `eventLogger`. */
  readonly options: any;
}

/** Runs a distributed Map state and returns its result (before ResultSelector, ResultPath and OutputPath). */
export type DistributedMapRunner = (call: DistributedMapCall) => Promise<unknown>;


/**
 * How long the local run waits (run option `localWaitTime`), in milliseconds, for a wait the definition asks for: a
 * Wait state's (`Seconds`, `SecondsPath`, `Timestamp`, `TimestampPath`, JSONata ones evaluated), or a retry's
 * back-off (`IntervalSeconds` × `BackoffRate`^n, bounded by `MaxDelaySeconds`, with its jitter).
 */
export type LocalWaitTime = (definedMs: number, kind: LocalWaitSummary['kind']) => number;

/** The waits of an execution's event log (its `LocalWait` events), in the order they began: what the trace shows of them. */
export function localWaitsOf(log: readonly unknown[]): LocalWaitSummary[] {
  return (log as any[]).filter((event) => event.type === 'LocalWait')
    .map(({ state, index, kind, timestamp, definedMs, waitedMs }) => ({ state: state.name, ...index !== undefined && { index }, kind, start: timestamp, definedMs, waitedMs }));
}

/** The events this module and tools/local/distributed-map.ts add to the interpreter's log. */
const ADDED_EVENTS = ['TaskResult', 'TaskParameters', 'TaskSubmitted', 'MapStateStarted', 'MapRunStarted', 'MapRunSucceeded', 'MapRunFailed', 'LocalWait'];

/** The Map iteration whose execution is being started (set while its first event is dispatched, synchronously). */
let startingIteration: IterationLog | undefined;

function load(): Interpreter {
  const file = require.resolve('aws-local-stepfunctions');
  const build = fs.readFileSync(file, 'utf8');
  if (build.split(JSON_PATH_QUERY).length !== 2) throw new Error('aws-local-stepfunctions has no jsonPathQuery of its own: the local run is written against its 3.0 build');
  const hooked = build.replace(JSON_PATH_QUERY, `function jsonPathQuery(pathExpression, json, context, options) {
  return __hooks.jsonPathQuery(pathExpression, json, context, options);
}
function jsonPathQueryOfInput(pathExpression, json, context, options) {`);
  const source = `${hooked}\nmodule.exports.__internals = { ${INTERNALS.join(', ')} };\n`;
  const hooks: { jsonPathQuery?: (...args: any[]) => unknown } = {};
  const interpreterRequire = createRequire(file);
  compileDefinitionSchemasOnce(interpreterRequire);
  // Compiled by this realm's Function, not by Node's loader: the interpreter tells plain objects by their prototype,
  // and a definition made under a test runner's vm context has that context's Object.prototype.
  const loaded = { exports: {} as Interpreter };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('exports', 'require', 'module', '__filename', '__dirname', '__hooks', source)(loaded.exports, interpreterRequire, loaded, file, path.dirname(file), hooks);
  const interpreter = loaded.exports;
  const missing = INTERNALS.filter((name) => typeof interpreter.__internals[name] !== 'function');
  if (missing.length > 0) throw new Error(`aws-local-stepfunctions has no ${missing.join(', ')}: the local run is written against its 3.0 build`);
  hooks.jsonPathQuery = withVariableReferences(interpreter.__internals.jsonPathQueryOfInput);
  // First, so that the adjustments below wrap the JSONata states' execution too.
  adjustForQueryLanguages(interpreter.__internals);
  adjust(interpreter.__internals);
  return interpreter;
}

/**
 * Makes the interpreter behave as Step Functions does where its options cannot:
 * - a Task without `TimeoutSeconds` is not stopped after the interpreter's 60 s;
 * - the context object's `State` (`Name`, `EnteredTime`, `RetryCount`) is the running state's, per execution and
 *   Map iteration, as AWS sets it, and a Map iteration's `Execution` is the execution's (run option `execution`);
 * - a state whose output is over the payload quota fails with `States.DataLimitExceeded`, before the next state runs;
 *   `States.ALL` neither retries nor catches that error;
 * - once a Map's iteration fails, the Map's other iterations stop: none starts or enters a state any more, and the
 *   running ones end as aborted (a `MapIterationAborted` event);
 * - a Map iteration's events reach the execution's log as they happen (the package forwards them asynchronously,
 *   which put them after the Map's own failure), and the Map's start is logged with its number of items, a Task's
 *   input (after Parameters) and result with it (events `MapStateStarted`, `TaskParameters`, `TaskResult`);
 * - a Map in distributed mode is run by the run option `distributedMap` (tools/local/distributed-map.ts), which
 *   the interpreter has no notion of;
 * - a Wait state's wait and a retry's back-off last what the run option `localWaitTime` makes of them (each logged as
 *   a `LocalWait` event): the interpreter's `waitTimeOverrides` and `retryIntervalOverrides` are fixed per state, and
 *   the wait of a `SecondsPath` or a `Timestamp`, or a back-off after `BackoffRate`, is only known as the state runs;
 * - a callback task (`.waitForTaskToken`) has a token per attempt and waits for its answer (tools/local/callback-tasks.ts).
 */
function adjust(internals: Interpreter['__internals']): void {
  const { StateExecutor, MapStateAction, TaskStateAction, EventLogger, ExecutionAbortedError, jsonPathQuery } = internals;
  // A Task without TimeoutSeconds has none to speak of on AWS (99999999 s,
  // https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html); the interpreter would stop it after 60 s.
  const getTimeoutMs = TaskStateAction.prototype.getTimeoutMs;
  TaskStateAction.prototype.getTimeoutMs = function (this: any, ...args: unknown[]) {
    const { TimeoutSeconds, TimeoutSecondsPath } = this.stateDefinition;
    return TimeoutSeconds || TimeoutSecondsPath ? getTimeoutMs.apply(this, args) : MAX_TIMER_MS;
  };

  const execute = StateExecutor.prototype.execute;
  StateExecutor.prototype.execute = async function (this: any, input: unknown, context: any, options: any) {
    // A state of an aborted execution (a stopped Map iteration) does not start, nor start again on a retry.
    if (options.abortSignal?.aborted) throw new ExecutionAbortedError();
    // The executor is created per state entry and runs itself again for each retry.
    this.retryCount = this.retryCount === undefined ? 0 : this.retryCount + 1;
    this.enteredTime ??= new Date().toISOString();
    context.State = { Name: this.stateName, EnteredTime: this.enteredTime, RetryCount: this.retryCount };
    // A Map iteration runs as an execution of its own in the interpreter, its item as the execution's input.
    const execution = options.runOptions?.execution;
    if (execution) Object.assign(context.Execution, execution);
    this.eventLogger = options.eventLogger;
    this.runOptions = options.runOptions;
    const outcome = await execute.call(this, input, context, options);
    // The task's own result, before ResultSelector, ResultPath and OutputPath, is what TaskSucceeded carries.
    if ('taskResult' in this) options.eventLogger?.dispatch({ type: 'TaskResult', timestamp: Date.now(), state: { name: this.stateName, type: 'Task' }, result: this.taskResult });
    const over = payloadOverLimit(outcome.stateResult, `the output of state '${this.stateName}'`);
    if (over) throw over;
    return outcome;
  };

  const processInput = StateExecutor.prototype.processInput;
  StateExecutor.prototype.processInput = function (this: any, ...args: unknown[]) {
    const parameters = processInput.apply(this, args);
    // What TaskScheduled records: the task's input after InputPath and Parameters.
    if (this.stateDefinition.Type === 'Task') this.eventLogger?.dispatch({ type: 'TaskParameters', timestamp: Date.now(), state: { name: this.stateName, type: 'Task' }, parameters });
    return parameters;
  };

  const processResult = StateExecutor.prototype.processResult;
  StateExecutor.prototype.processResult = function (this: any, result: unknown, ...rest: unknown[]) {
    if (this.stateDefinition.Type === 'Task') this.taskResult = result;
    return processResult.call(this, result, ...rest);
  };

  for (const [method, field] of [['shouldRetry', 'Retry'], ['catchError', 'Catch']] as const) {
    const original = StateExecutor.prototype[method];
    StateExecutor.prototype[method] = function (this: any, error: Error, ...rest: unknown[]) {
      if (!(error instanceof DataLimitExceededError)) return original.call(this, error, ...rest);
      const definition = this.stateDefinition;
      this.stateDefinition = {
        ...definition,
        ...definition[field] && { [field]: definition[field].map((r: any) => ({ ...r, ErrorEquals: r.ErrorEquals.filter((e: string) => e !== 'States.ALL') })) },
      };
      try {
        return original.call(this, error, ...rest);
      } finally {
        this.stateDefinition = definition;
      }
    };
  }

  adjustWaits(internals);
  adjustCallbackTasks(internals);

  const mapExecute = MapStateAction.prototype.execute;
  MapStateAction.prototype.execute = function (this: any, input: unknown, context: any, options: any) {
    if (isDistributedMap(this.stateDefinition)) {
      const runner: DistributedMapRunner | undefined = options.runOptions?.distributedMap;
      if (!runner) throw new Error(`state '${this.stateName}' is a Map in distributed mode, which this run has no runner for`);
      return runner({ state: this.stateDefinition, stateName: this.stateName, input, context, options }).then((result) => this.buildExecutionResult(result));
    }
    let length: number | undefined;
    try {
      const items = this.stateDefinition.ItemsPath ? jsonPathQuery(this.stateDefinition.ItemsPath, input, context) : input;
      if (Array.isArray(items)) length = items.length;
    } catch {
      // The Map fails on its items path itself, with the interpreter's error.
    }
    options.eventLogger?.dispatch({ type: 'MapStateStarted', timestamp: Date.now(), state: { name: this.stateName, type: 'Map' }, length });
    return mapExecute.call(this, input, context, options);
  };

  const processItem = MapStateAction.prototype.processItem;
  MapStateAction.prototype.processItem = function (this: any, machine: unknown, item: unknown, input: unknown, context: unknown, index: number, options: any) {
    // Iterations still waiting for a MaxConcurrency slot never start once the Map has failed.
    if (this.failed) return Promise.resolve(null);
    startingIteration = options.eventLogger && { logger: options.eventLogger, index, mapStateName: this.stateName, rawInput: options.rawInput };
    let result: Promise<unknown>;
    try {
      result = processItem.call(this, machine, item, input, context, index, options);
    } finally {
      startingIteration = undefined;
    }
    // A failed iteration fails the Map: stop the others now, before any of them moves on to another state.
    result.catch(() => {
      if (this.failed) return;
      this.failed = true;
      for (const abort of this.executionAbortFuncs) abort();
    });
    return result;
  };

  const dispatch = EventLogger.prototype.dispatch;
  EventLogger.prototype.dispatch = function (this: any, event: any) {
    // An iteration's log is created by the run that processItem starts, whose first event is dispatched at once.
    if (this.iterationOf === undefined) this.iterationOf = startingIteration ?? null;
    const iteration: IterationLog | null = this.iterationOf;
    if (!iteration) return dispatch.call(this, event);
    if (this.isLoggerClosed) return;
    // The package forwards the events it knows with their iteration index; these are the ones this module adds.
    if (ADDED_EVENTS.includes(event.type)) event.index = iteration.index;
    if (event.type === 'ExecutionAborted') {
      iteration.logger.dispatch({ type: 'MapIterationAborted', timestamp: event.timestamp, index: iteration.index, parentState: { name: iteration.mapStateName, type: 'Map', input: iteration.rawInput } });
    } else {
      iteration.logger.forwardNestedMapEvent(event, iteration.index, iteration.mapStateName, iteration.rawInput);
    }
  };
}

/** Gives Wait states and retries the local run's wait times (run option `localWaitTime`), each logged as a `LocalWait` event. */
function adjustWaits({ StateExecutor, WaitStateAction, IntegerConstraint, RFC3339TimestampConstraint, jsonPathQuery }: Interpreter['__internals']): void {
  const logWait = (logger: any, state: { name: string; type: string }, kind: LocalWaitSummary['kind'], definedMs: number, waitedMs: number) => {
    logger?.dispatch({ type: 'LocalWait', timestamp: Date.now(), state, kind, definedMs, waitedMs });
  };

  /** What the Wait state asks for, in milliseconds, read as the interpreter reads it (its errors for a bad path value). */
  const definedWaitMs = (state: any, input: unknown, context: unknown): number => {
    if (state.Seconds !== undefined) return state.Seconds * 1000;
    if (state.SecondsPath !== undefined) return jsonPathQuery(state.SecondsPath, input, context, { constraints: [IntegerConstraint.greaterThanOrEqual(0)] }) * 1000;
    const timestamp = state.TimestampPath !== undefined
      ? jsonPathQuery(state.TimestampPath, input, context, { constraints: [RFC3339TimestampConstraint] })
      : state.Timestamp;
    return timestamp === undefined ? 0 : Math.max(0, Date.parse(timestamp) - Date.now());
  };

  // Called on the executor's handler table, not the executor: everything it needs is in its arguments.
  const executeWaitState = StateExecutor.prototype.executeWaitState;
  StateExecutor.prototype.executeWaitState = function (this: unknown, state: any, rawInput: unknown, input: unknown, context: unknown, stateName: string, options: any) {
    const localWaitTime: LocalWaitTime | undefined = options.runOptions?.localWaitTime;
    if (!localWaitTime || options.runOptions?.overrides?.waitTimeOverrides?.[stateName] !== undefined) {
      return executeWaitState.call(this, state, rawInput, input, context, stateName, options);
    }
    const definedMs = definedWaitMs(state, input, context);
    const waitedMs = localWaitTime(definedMs, 'Wait');
    logWait(options.eventLogger, { name: stateName, type: 'Wait' }, 'Wait', definedMs, waitedMs);
    return new WaitStateAction(state, stateName).execute(input, context, { waitTimeOverrideOption: waitedMs, abortSignal: options.abortSignal });
  };

  // JSONPath and JSONata states alike decide a retry here, then sleep for the decision's wait.
  const shouldRetry = StateExecutor.prototype.shouldRetry;
  StateExecutor.prototype.shouldRetry = function (this: any, ...args: unknown[]) {
    const decision = shouldRetry.apply(this, args);
    const localWaitTime: LocalWaitTime | undefined = this.runOptions?.localWaitTime;
    if (!decision.shouldRetry || !localWaitTime) return decision;
    const waitedMs = localWaitTime(decision.waitTimeBeforeRetry, 'Retry');
    logWait(this.eventLogger, { name: this.stateName, type: this.stateDefinition.Type }, 'Retry', decision.waitTimeBeforeRetry, waitedMs);
    return { ...decision, waitTimeBeforeRetry: waitedMs };
  };
}

let interpreter: Interpreter | undefined;

/** aws-local-stepfunctions, adjusted to behave as Step Functions does where it differs (see {@link adjust}). */
export function localInterpreter(): Pick<Interpreter, 'StateMachine' | 'ExecutionTimeoutError' | 'ExecutionAbortedError' | 'ExecutionError'> {
  interpreter ??= load();
  return interpreter;
}

/** The definitions the interpreter has validated. */
const validated = new WeakSet<object>();

/**
 * The interpreter's state machine for `definition`, checked by its validator (asl-validator) the first time it gets
 * this definition object only: every execution of `sdp serve` and every local run of a test would otherwise check the
 * same definition again (LocalRunner keeps one object per state machine).
 */
export function localStateMachine(definition: any): InstanceType<Interpreter['StateMachine']> {
  const { StateMachine } = localInterpreter();
  const machine = new StateMachine(definition, validated.has(definition) ? { validationOptions: { noValidate: true } } : undefined);
  validated.add(definition);
  return machine;
}

/** The interpreter's evaluation of a payload template (`Parameters`, `ItemSelector`): its `.$` fields against `input` and `context`. */
export function evaluatePayloadTemplate(template: unknown, input: unknown, context: unknown): any {
  interpreter ??= load();
  return interpreter.__internals.processPayloadTemplate(template, input, context);
}

/** The interpreter's evaluation of a JSONPath (`$.x`, `$$.Execution.Id`) against `input` and `context`. */
export function evaluatePath(path: string, input: unknown, context: unknown): any {
  interpreter ??= load();
  return interpreter.__internals.jsonPathQuery(path, input, context);
}

import { evaluateJsonata, isJsonataExpression, QueryEvaluationError, StatesVariable } from './jsonata-expressions';
import { VARIABLE_NAME_SOURCE, VariableRuntimeError, VariableScope } from './workflow-variables';

/**
 * What aws-local-stepfunctions 3.0 lacks and this module adds to it: JSONata states and workflow variables.
 *
 * The interpreter's input and output processing is synchronous and JSONPath only, while `jsonata` evaluates
 * asynchronously; so a JSONata state is run here (its fields evaluated, then the interpreter's own action for the
 * state type run on a JSONPath view of it: literal `TimeoutSeconds`, `Seconds`, `Error`...), with the interpreter's
 * retriers and catchers and its events. JSONPath states keep the interpreter's processing, with `Assign` evaluated
 * from the result after `ResultSelector` (the order AWS documents) and `$name` resolved in every path.
 * Writing a JSONata evaluator or a second interpreter was not needed; the package's classes are adjusted in place.
 */

/**
 * Where a context object carries its execution's variables: a symbol key, which JSONPath, JSONata and JSON never
 * show (so neither `$$` nor `$states.context` has it), and which a spread of the context copies, so a Map item's
 * context (`{ ...context, Map }`) keeps the variables.
 */
const SCOPE = Symbol('workflow variables');

/**
 * On the JSONPath view of a JSONata distributed Map: its `ItemSelector`, for the items the map run reads
 * (tools/local/distributed-map.ts calls it once they are read).
 */
export const SELECT_ITEMS = Symbol('select items');

/** States whose `$states.result` is the work they did; `Output` defaults to it. The others output their input. */
const RESULT_STATE_TYPES = new Set(['Task', 'Map', 'Parallel']);

/** A path that starts with a variable: `$name`, `$name.field`, `$name[0]` — not `$`, `$.x`, `$[0]` nor `$$`. */
const VARIABLE_PATH = new RegExp(`^\\$(${VARIABLE_NAME_SOURCE})(.*)$`, 'su');

/** The interpreter's classes and functions this module adjusts or uses. */
export interface QueryLanguageInternals {
  readonly StateExecutor: any;
  readonly MapStateAction: any;
  readonly ParallelStateAction: any;
  readonly ChoiceStateAction: any;
  readonly EventLogger: any;
  readonly StatesNoChoiceMatchedError: any;
  readonly processPayloadTemplate: (template: unknown, json: unknown, context: unknown) => any;
  readonly processResultPath: (path: unknown, rawInput: unknown, result: unknown) => any;
  readonly processOutputPath: (path: unknown, result: unknown, context: unknown) => any;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

type PathQuery = (path: string, json: unknown, context: any, options?: unknown) => unknown;

/** The interpreter's JSONPath query with `$name` read from the workflow variables its context carries. */
export function withVariableReferences(query: PathQuery): PathQuery {
  return (path, json, context, options) => {
    const reference = typeof path === 'string' ? VARIABLE_PATH.exec(path) : null;
    if (!reference) return query(path, json, context, options);
    const [, name, rest] = reference;
    const scope: VariableScope | undefined = context?.[SCOPE];
    if (!scope?.has(name)) throw new VariableRuntimeError(`The JSONPath '${path}' reads variable '${name}', which no state of this scope has assigned`);
    return query(`$${rest}`, scope.get(name), context, options);
  };
}

/**
 * Gives every state of `definition` its query language: its own `QueryLanguage`, else the state machine's, else
 * JSONPath. States of Map processors and Parallel branches take the state machine's, as AWS does.
 */
export function withStateQueryLanguages(definition: any, language: string = definition.QueryLanguage ?? 'JSONPath'): any {
  const states = Object.fromEntries(Object.entries<any>(definition.States ?? {}).map(([name, state]) => {
    const own = { ...state, QueryLanguage: state.QueryLanguage ?? language };
    if (state.ItemProcessor) own.ItemProcessor = withStateQueryLanguages(state.ItemProcessor, language);
    if (state.Iterator) own.Iterator = withStateQueryLanguages(state.Iterator, language);
    if (state.Branches) own.Branches = state.Branches.map((branch: any) => withStateQueryLanguages(branch, language));
    return [name, own];
  }));
  return { ...definition, States: states };
}

/**
 * The context object of a Map's item (`$$.Map.Item.Index` and `Value`, `$states.context.Map.Item`) over the Map
 * state's context, with the variables the state's context carries.
 */
export function contextWithMapItem(context: any, index: number, value: unknown): any {
  return { ...context, Map: { Item: { Index: index, Value: value } } };
}

/** The variables of the run the options belong to; its scope is made on first use. */
function scopeOf(options: any): VariableScope {
  options.runOptions ??= {};
  return (options.runOptions.variables ??= new VariableScope());
}

/** Run options for a Map iteration or a Parallel branch: a scope of its own over the state's. */
function innerRunOptions(options: any): any {
  return { ...options, runOptions: { ...options.runOptions, variables: scopeOf(options).child() } };
}

/** Adjusts the interpreter's classes (see the module comment). Call before other adjustments that wrap the same methods. */
export function adjustForQueryLanguages(internals: QueryLanguageInternals): void {
  const { StateExecutor, MapStateAction, ParallelStateAction, ChoiceStateAction, EventLogger } = internals;
  const { processPayloadTemplate, processResultPath, processOutputPath } = internals;

  const execute = StateExecutor.prototype.execute;
  StateExecutor.prototype.execute = async function (this: any, input: unknown, context: any, options: any) {
    const scope = scopeOf(options);
    context[SCOPE] = scope;
    this.context = context;
    const state = this.stateDefinition;
    const jsonata = state.QueryLanguage === 'JSONata';
    if (state.Type === 'Choice' && !jsonata && !this.recordsChoiceRule) {
      // Which rule matched decides which Assign applies; the interpreter's result says only where to go next.
      const choose = this.stateHandlers.Choice;
      this.stateHandlers.Choice = async (...args: unknown[]) => {
        const outcome = await choose(...args);
        // null when Default was taken: the state's own Assign applies then.
        this.choiceRule = outcome.choiceRule ?? null;
        return outcome;
      };
      this.recordsChoiceRule = true;
    }
    const outcome = jsonata ? await executeJsonataState(this, internals, input, context, options) : await execute.call(this, input, context, options);
    // New values take effect once the state is done: every expression of the state read the old ones.
    const assigned = this.pendingAssignments;
    this.pendingAssignments = undefined;
    if (assigned !== undefined) {
      scope.assign(assigned, this.stateName);
      options.eventLogger.assignedVariables = assigned;
    }
    return outcome;
  };

  // JSONPath: Assign reads the result after ResultSelector (a Choice or Wait: its effective input), before
  // ResultPath and OutputPath, which still read the old values.
  const processResult = StateExecutor.prototype.processResult;
  StateExecutor.prototype.processResult = function (this: any, result: unknown, rawInput: unknown, context: unknown) {
    const state = this.stateDefinition;
    const assign = state.Type === 'Choice' ? choiceField(this.choiceRule, state, 'Assign') : state.Assign;
    if (assign === undefined) return processResult.call(this, result, rawInput, context);
    let output = 'ResultSelector' in state ? processPayloadTemplate(state.ResultSelector, result, context) : result;
    this.pendingAssignments = processPayloadTemplate(assign, output, context);
    if ('ResultPath' in state) output = processResultPath(state.ResultPath, rawInput, output);
    if ('OutputPath' in state) output = processOutputPath(state.OutputPath, output, context);
    return output;
  };

  // JSONPath: a catcher's Assign reads the error output; the state's own Assign does not apply.
  const catchError = StateExecutor.prototype.catchError;
  StateExecutor.prototype.catchError = function (this: any, error: Error, ...rest: unknown[]) {
    const caught = catchError.call(this, error, ...rest);
    this.pendingAssignments = undefined;
    if (caught.nextState && this.stateDefinition.QueryLanguage !== 'JSONata') {
      const catcher = this.stateDefinition.Catch[caught.catcherIndex];
      if (catcher.Assign !== undefined) this.pendingAssignments = processPayloadTemplate(catcher.Assign, caught.errorOutput, this.context);
    }
    return caught;
  };

  ChoiceStateAction.prototype.execute = async function (this: any, input: unknown, context: unknown) {
    const state = this.stateDefinition;
    const rule = state.Choices.find((choice: any) => this.testChoiceRule(choice, input, context));
    if (rule) return { stateResult: input, nextState: rule.Next, isEndState: false, choiceRule: rule };
    if (state.Default) return { stateResult: input, nextState: state.Default, isEndState: false };
    throw new internals.StatesNoChoiceMatchedError();
  };

  const processItem = MapStateAction.prototype.processItem;
  MapStateAction.prototype.processItem = function (this: any, machine: unknown, item: unknown, input: unknown, context: unknown, index: number, options: any) {
    return processItem.call(this, machine, item, input, context, index, innerRunOptions(options));
  };
  const processBranch = ParallelStateAction.prototype.processBranch;
  ParallelStateAction.prototype.processBranch = function (this: any, branch: unknown, input: unknown, context: unknown, options: any) {
    return processBranch.call(this, branch, input, context, innerRunOptions(options));
  };

  // What GetExecutionHistory shows: the variables a state assigned, on its StateExited event.
  const dispatchStateExited = EventLogger.prototype.dispatchStateExitedEvent;
  EventLogger.prototype.dispatchStateExitedEvent = function (this: any, name: string, type: string, input: unknown, output: unknown) {
    const assignedVariables = this.assignedVariables;
    this.assignedVariables = undefined;
    if (assignedVariables === undefined) return dispatchStateExited.call(this, name, type, input, output);
    return this.dispatch({ type: 'StateExited', timestamp: Date.now(), state: { name, type, input, output, assignedVariables } });
  };
}

/**
 * Runs one entry (or retry) of a JSONata state as the interpreter runs a JSONPath one: fields evaluated, the state
 * type's action run, then `Output` and `Assign` together (both read the values from before the state); on an error,
 * the interpreter's retriers and catchers, a catcher's `Output` and `Assign` reading `$states.errorOutput`
 * (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html).
 */
async function executeJsonataState(executor: any, internals: QueryLanguageInternals, input: unknown, context: any, options: any): Promise<any> {
  const state = executor.stateDefinition;
  const name: string = executor.stateName;
  const rawInput = cloneJson(input);
  const variables = scopeOf(options).visible();
  // The context itself, not a copy: expressions do not change what they read, their results are copied, and a Map
  // iteration's context holds the execution's whole input, which a copy per state would copy per iteration.
  const base: StatesVariable = { input: rawInput, context };
  const evaluate = (template: unknown, field: string, states: StatesVariable = base) => evaluateJsonata(template, field, states, variables);
  try {
    const { view, handlerInput } = await jsonPathView(state, rawInput, base, evaluate);
    if (state.Type === 'Task') executor.eventLogger?.dispatch({ type: 'TaskParameters', timestamp: Date.now(), state: { name, type: 'Task' }, parameters: handlerInput });
    const outcome = state.Type === 'Choice'
      ? await choose(state, base, evaluate, internals)
      : await executor.stateHandlers[state.Type](view, rawInput, handlerInput, context, name, options);
    const result = outcome.stateResult;
    // The task's result, recorded now: Output or Assign may still fail the state after the task succeeded.
    if (state.Type === 'Task') executor.eventLogger?.dispatch({ type: 'TaskResult', timestamp: Date.now(), state: { name, type: 'Task' }, result });
    const returnsResult = RESULT_STATE_TYPES.has(state.Type);
    const states = returnsResult ? { ...base, result } : base;
    const outputTemplate = state.Type === 'Choice' ? choiceField(outcome.choiceRule, state, 'Output') : state.Output;
    const assignTemplate = state.Type === 'Choice' ? choiceField(outcome.choiceRule, state, 'Assign') : state.Assign;
    const [output, assigned] = await Promise.all([
      outputTemplate !== undefined ? evaluate(outputTemplate, 'Output', states) : returnsResult ? result : rawInput,
      assignTemplate !== undefined ? evaluate(assignTemplate, 'Assign', states) : undefined,
    ]);
    executor.pendingAssignments = assigned;
    return { stateResult: output, nextState: outcome.nextState, isEndState: outcome.isEndState };
  } catch (error) {
    options.eventLogger.dispatchStateFailedEvent(name, state.Type, input, error);
    const { shouldRetry, waitTimeBeforeRetry, retrierIndex } = executor.shouldRetry(error, options.runOptions?.overrides?.retryIntervalOverrides);
    if (shouldRetry) {
      await internals.sleep(waitTimeBeforeRetry, options.abortSignal);
      options.eventLogger.dispatchStateRetriedEvent(name, state.Type, input, state.Retry[retrierIndex], executor.retrierAttempts[retrierIndex]);
      return executor.execute(input, context, options);
    }
    const caught = executor.catchError(error);
    if (!caught.nextState || !caught.errorOutput) throw error;
    const catcher = state.Catch[caught.catcherIndex];
    options.eventLogger.dispatchStateCaughtEvent(name, state.Type, input, catcher);
    const states = { ...base, errorOutput: caught.errorOutput };
    const [output, assigned] = await Promise.all([
      catcher.Output !== undefined ? evaluate(catcher.Output, `Catch[${caught.catcherIndex}].Output`, states) : caught.errorOutput,
      catcher.Assign !== undefined ? evaluate(catcher.Assign, `Catch[${caught.catcherIndex}].Assign`, states) : undefined,
    ]);
    executor.pendingAssignments = assigned;
    return { stateResult: output, nextState: caught.nextState, isEndState: false };
  }
}

type Evaluate = (template: unknown, field: string, states?: StatesVariable) => Promise<unknown>;

/**
 * The state as the interpreter's action for its type reads it — every JSONata field evaluated to a literal — and
 * the input that action gets: a Task's or Parallel's `Arguments`, a Map's items (each through `ItemSelector`).
 */
async function jsonPathView(state: any, rawInput: unknown, base: StatesVariable, evaluate: Evaluate): Promise<{ view: any; handlerInput: unknown }> {
  const view = { ...state };
  let handlerInput = rawInput;
  const integerField = async (field: string, minimum: number) => {
    if (!isJsonataExpression(state[field])) return;
    const value = await evaluate(state[field], field);
    if (!Number.isInteger(value) || (value as number) < minimum) {
      throw new QueryEvaluationError(`The JSONata expression '${state[field]}' specified for the field '${field}' gave ${JSON.stringify(value)}, not an integer of at least ${minimum}.`);
    }
    view[field] = value;
  };
  const stringField = async (field: string) => {
    if (!isJsonataExpression(state[field])) return;
    const value = await evaluate(state[field], field);
    if (typeof value !== 'string') throw new QueryEvaluationError(`The JSONata expression '${state[field]}' specified for the field '${field}' gave ${JSON.stringify(value)}, not a string.`);
    view[field] = value;
  };
  switch (state.Type) {
    case 'Task':
      if ('Arguments' in state) handlerInput = await evaluate(state.Arguments, 'Arguments');
      await integerField('TimeoutSeconds', 1);
      await integerField('HeartbeatSeconds', 1);
      break;
    case 'Parallel':
      if ('Arguments' in state) handlerInput = await evaluate(state.Arguments, 'Arguments');
      break;
    case 'Map': {
      const selectItems = (items: unknown[]) => Promise.all(items.map((value, index) => evaluate(state.ItemSelector, 'ItemSelector', {
        ...base, context: contextWithMapItem(base.context, index, value),
      })));
      delete view.Items;
      delete view.ItemSelector;
      await integerField('MaxConcurrency', 0);
      if ((state.ItemProcessor ?? state.Iterator)?.ProcessorConfig?.Mode === 'DISTRIBUTED') {
        // The map run (tools/local/distributed-map.ts) reads the JSONPath fields: each JSONata one evaluated into its
        // JSONPath counterpart (an ItemReader's or ResultWriter's Arguments into Parameters), once per map run.
        for (const field of ['ItemReader', 'ResultWriter'] as const) {
          if (state[field] === undefined) continue;
          const { Arguments, ...rest } = state[field];
          view[field] = { ...(await evaluate(rest, field) as object), ...(Arguments !== undefined && { Parameters: await evaluate(Arguments, `${field}.Arguments`) }) };
        }
        if (state.ItemBatcher !== undefined) view.ItemBatcher = await evaluate(state.ItemBatcher, 'ItemBatcher');
        await integerField('ToleratedFailureCount', 0);
        if (isJsonataExpression(state.ToleratedFailurePercentage)) view.ToleratedFailurePercentage = await evaluate(state.ToleratedFailurePercentage, 'ToleratedFailurePercentage');
        if (state.ItemReader === undefined) handlerInput = await mapItems(state, rawInput, evaluate);
        if ('ItemSelector' in state) view[SELECT_ITEMS] = selectItems;
        break;
      }
      const items = await mapItems(state, rawInput, evaluate);
      // Each item's selector is evaluated before the iterations start (AWS evaluates it as each one starts): the
      // same values, but a failing selector fails the Map before any iteration runs.
      handlerInput = 'ItemSelector' in state ? await selectItems(items) : items;
      break;
    }
    case 'Wait':
      await integerField('Seconds', 0);
      await stringField('Timestamp');
      break;
    case 'Fail':
      await stringField('Error');
      await stringField('Cause');
      break;
  }
  return { view, handlerInput };
}

/** A JSONata Map's items: its `Items`, else its input; an array either way. */
async function mapItems(state: any, rawInput: unknown, evaluate: Evaluate): Promise<unknown[]> {
  const items = 'Items' in state ? await evaluate(state.Items, 'Items') : rawInput;
  if (!Array.isArray(items)) {
    // JSONata gives a path's one match as that value, not an array of one: a frequent surprise, so said.
    throw new QueryEvaluationError(`The field 'Items' gave ${JSON.stringify(items)?.slice(0, 80)}, not an array${isJsonataExpression(state.Items) ? ' (JSONata gives a single match as the value itself: end the path with [] to keep an array)' : ''}.`);
  }
  return items;
}

/**
 * A Choice's `Assign` or `Output`: the matched rule's (none if it has none), the state's own when `Default` was
 * taken — as AWS ran LocalStack's recorded case (tests/aws/services/stepfunctions/v2/assign, choice_condition_jsonata);
 * the Choice page's wording ("applies regardless of which rule matches") reads otherwise, and the recording wins.
 */
function choiceField(rule: any, state: any, field: 'Assign' | 'Output'): unknown {
  return rule ? rule[field] : state[field];
}

/** A JSONata Choice: the first rule whose `Condition` is true, else `Default`. */
async function choose(state: any, base: StatesVariable, evaluate: Evaluate, internals: QueryLanguageInternals): Promise<any> {
  for (const [i, rule] of state.Choices.entries()) {
    const holds = await evaluate(rule.Condition, `Choices[${i}].Condition`, base);
    if (typeof holds !== 'boolean') throw new QueryEvaluationError(`The JSONata expression '${rule.Condition}' specified for the field 'Choices[${i}].Condition' gave ${JSON.stringify(holds)}, not a boolean.`);
    if (holds) return { stateResult: base.input, nextState: rule.Next, isEndState: false, choiceRule: rule };
  }
  if (state.Default) return { stateResult: base.input, nextState: state.Default, isEndState: false };
  throw new internals.StatesNoChoiceMatchedError();
}

function cloneJson<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

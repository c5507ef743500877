import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { StateMachine } from 'aws-local-stepfunctions';

/** An event of aws-local-stepfunctions' execution log (the package does not export the type by name). */
export type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** How the local run ended, when the log does not say it (the runner aborts an execution over the payload quota). */
export interface LocalOutcome {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly error?: string;
  readonly cause?: string;
  /** The `Resource` of each Task state, by state name, for the Task and Lambda events' resource fields. */
  readonly taskResources?: Readonly<Record<string, string>>;
}

/** Events the local run adds to the interpreter's log (tools/local/interpreter.ts). */
type AddedEvent =
  | { type: 'TaskResult'; timestamp: number; index?: number; state: { name: string }; result: unknown }
  | { type: 'TaskParameters'; timestamp: number; index?: number; state: { name: string }; parameters: unknown }
  | { type: 'TaskSubmitted'; timestamp: number; index?: number; state: { name: string }; output: unknown }
  | { type: 'MapStateStarted'; timestamp: number; index?: number; state: { name: string }; length?: number }
  | { type: 'MapIterationAborted'; timestamp: number; index: number; parentState: { name: string } }
  | { type: 'MapRunStarted'; timestamp: number; index?: number; state: { name: string }; mapRunArn: string }
  | { type: 'MapRunSucceeded'; timestamp: number; index?: number; state: { name: string } }
  | { type: 'MapRunFailed'; timestamp: number; index?: number; state: { name: string }; error?: string; cause?: string };

/**
 * How the history names a Task's resource: a Lambda function ARN is a LambdaFunction task, else `<service>:<action>`,
 * an AWS SDK integration's resource type being `aws-sdk:<service>` (as AWS's history has `aws-sdk:s3`, `getObject`).
 */
function taskResource(resource: string | undefined): { lambdaFunction: boolean; resourceType: string; resource: string } {
  if (resource && /^arn:[^:]+:lambda:[^:]*:[^:]*:function:/.test(resource)) return { lambdaFunction: true, resourceType: 'lambda', resource };
  const integration = resource?.match(/^arn:[^:]+:states:::(aws-sdk:[^:]+|[^:]+):(.+)$/);
  return integration
    ? { lambdaFunction: false, resourceType: integration[1], resource: integration[2] }
    : { lambdaFunction: false, resourceType: 'local', resource: resource ?? 'unknown' };
}

/** Where the next event of a scope (the execution, a Map iteration, a Parallel state's branches) continues from. */
interface Scope {
  lastId: number;
}

interface OpenState {
  readonly name: string;
  /** The Map iteration the state runs in, as the interpreter reports it. */
  readonly index?: number;
  readonly type: string;
  readonly scope: Scope;
  lastId: number;
  failed: boolean;
  /** When a Map's failure is logged: once it is not retried (the history has one MapStateFailed per failure). */
  pendingFailure?: number;
  /** The MapIterationFailed event that failed the Map's attempt: its MapStateFailed follows it. */
  failedIterationId?: number;
  /** The task's result, for TaskSucceeded (the state's output has ResultSelector, ResultPath and OutputPath applied). */
  taskResult?: { value: unknown };
  /** Whether this attempt's task was scheduled: a JSONata `Arguments` that fails fails the state before. */
  scheduled?: boolean;
  /** A Map state's iterations, by index. */
  readonly iterations: Map<number, Scope>;
  /** A Parallel state's branches, which the interpreter does not tell apart. */
  branches?: Scope;
}

/**
 * The local interpreter's event log as Step Functions history events — ids in order,
 * `previousEventId` chained per state, iteration and branch as Step Functions chains them,
 * Task attempts as TaskScheduled/TaskStarted/TaskSucceeded|TaskFailed|TaskTimedOut (LambdaFunction*
 * for a function ARN; a callback task's TaskSubmitted, with its call's output, before its end), a Map's start with its length, its stopped iterations as MapIterationAborted, a distributed
 * Map's run as MapRunStarted and MapRunSucceeded|MapRunFailed (its child executions have histories of their own) —
 * so that `buildTrace` reads a local run as it reads GetExecutionHistory
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html).
 *
 * What the interpreter does not record stays out: the branch a Parallel state's inner state ran
 * in (they are shown in one branch), and the inner index of a Map nested in a Map's iteration (its
 * states are shown in the outer iteration).
 */
export function toHistoryEvents(log: readonly EventLog[], outcome?: LocalOutcome): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const top: Scope = { lastId: 0 };
  const open: OpenState[] = [];

  const emit = (type: string, previousEventId: number, timestamp: number, details: Partial<HistoryEvent> = {}): number => {
    const id = events.length + 1;
    events.push({ id, previousEventId, timestamp: new Date(timestamp), type: type as HistoryEvent['type'], ...details });
    return id;
  };
  // Iterations run the same states at once: a state is known by its name and its iteration.
  const findOpen = (name: string, index?: number): OpenState | undefined => {
    for (let i = open.length - 1; i >= 0; i--) if (open[i].name === name && open[i].index === index) return open[i];
    return undefined;
  };
  /** A Map state by name, in whichever iteration it runs (iteration events do not say). */
  const findMap = (name: string): OpenState | undefined => {
    for (let i = open.length - 1; i >= 0; i--) if (open[i].name === name && open[i].type === 'Map') return open[i];
    return undefined;
  };
  /** The scope a state event belongs to: its Map iteration, the branches of the Parallel state it runs in, or the execution. */
  const scopeOf = (name: string, index: number | undefined): Scope => {
    for (let i = open.length - 1; i >= 0; i--) {
      const state = open[i];
      if (state.name === name) continue;
      if (index !== undefined && state.type === 'Map' && state.iterations.has(index)) return state.iterations.get(index)!;
      if (index === undefined && state.type === 'Parallel' && state.branches) return state.branches;
    }
    return top;
  };

  for (const logged of log) {
    const event = logged as EventLog | AddedEvent;
    const at = event.timestamp;
    switch (event.type) {
      case 'TaskResult': {
        const state = findOpen(event.state.name, event.index);
        if (state) state.taskResult = { value: event.result };
        break;
      }
      case 'TaskParameters': {
        const state = findOpen(event.state.name, event.index);
        if (state) scheduleTask(state, at, event.parameters);
        break;
      }
      // A callback task's call was made (its output), and the task waits for its token's answer.
      case 'TaskSubmitted': {
        const state = findOpen(event.state.name, event.index);
        const task = taskResource(outcome?.taskResources?.[event.state.name]);
        if (state) state.lastId = emit('TaskSubmitted', state.lastId, at, { taskSubmittedEventDetails: { resourceType: task.resourceType, resource: task.resource, output: json(event.output) } });
        break;
      }
      case 'MapStateStarted': {
        const state = findOpen(event.state.name, event.index);
        if (state) state.lastId = emit('MapStateStarted', state.lastId, at, { mapStateStartedEventDetails: { length: event.length } });
        break;
      }
      // A distributed Map's map run, between MapStateStarted and the Map's success or failure, as AWS's history has it.
      case 'MapRunStarted': {
        const state = findOpen(event.state.name, event.index);
        if (state) state.lastId = emit('MapRunStarted', state.lastId, at, { mapRunStartedEventDetails: { mapRunArn: event.mapRunArn } });
        break;
      }
      case 'MapRunSucceeded': {
        const state = findOpen(event.state.name, event.index);
        if (state) state.lastId = emit('MapRunSucceeded', state.lastId, at);
        break;
      }
      case 'MapRunFailed': {
        const state = findOpen(event.state.name, event.index);
        if (state) state.lastId = emit('MapRunFailed', state.lastId, at, { mapRunFailedEventDetails: { error: event.error, cause: event.cause } });
        break;
      }
      case 'MapIterationAborted': {
        const map = findMap(event.parentState.name);
        const iteration = map?.iterations.get(event.index);
        if (!map || !iteration) break;
        // The state the iteration was running is aborted with it; what it still reports is not the execution's any more.
        for (let i = open.length - 1; i >= 0; i--) {
          const running = open[i];
          if (running.index !== event.index || running.scope !== iteration) continue;
          iteration.lastId = emit(`${running.type}StateAborted`, running.lastId, at, { stateExitedEventDetails: { name: running.name } });
          open.splice(i, 1);
        }
        map.lastId = emit('MapIterationAborted', iteration.lastId, at, { mapIterationAbortedEventDetails: { name: map.name, index: event.index } });
        break;
      }
      case 'ExecutionStarted':
        top.lastId = emit('ExecutionStarted', 0, at, { executionStartedEventDetails: { input: json(event.input) } });
        break;
      case 'StateEntered': {
        const { name, type, input } = event.state;
        const scope = scopeOf(name, event.index);
        const id = emit(`${type}StateEntered`, scope.lastId, at, { stateEnteredEventDetails: { name, input: json(input) } });
        scope.lastId = id;
        const state: OpenState = { name, index: event.index, type, scope, lastId: id, failed: false, iterations: new Map() };
        open.push(state);
        startAttempt(state, at);
        break;
      }
      case 'StateFailed': {
        const state = findOpen(event.state.name, event.index);
        if (!state || state.type === 'Fail') break; // a Fail state's error is the execution's
        state.failed = true;
        const failure = { error: event.Error, cause: text(event.Cause) };
        const evaluation = () => emit('EvaluationFailed', state.lastId, at, { evaluationFailedEventDetails: { state: state.name, ...failure } });
        if (state.type === 'Task' && event.Error === 'States.QueryEvaluationError' && (!state.scheduled || state.taskResult)) {
          // A JSONata field failed around the task, not the task: before it was scheduled (Arguments), or after it
          // succeeded (Output, Assign), when the history has its TaskSucceeded first.
          if (state.taskResult) succeedTask(state, at, state.taskResult.value);
          state.lastId = evaluation();
        } else if (state.type === 'Task') {
          const task = taskResource(outcome?.taskResources?.[state.name]);
          const timedOut = event.Error === 'States.Timeout' || event.Error === 'States.HeartbeatTimeout';
          const type = `${task.lambdaFunction ? 'LambdaFunction' : 'Task'}${timedOut ? 'TimedOut' : 'Failed'}`;
          const details = task.lambdaFunction ? failure : { resourceType: task.resourceType, resource: task.resource, ...failure };
          state.lastId = emit(type, state.lastId, at, { [`${type[0].toLowerCase()}${type.slice(1)}EventDetails`]: details });
        } else if (state.type === 'Map') {
          state.pendingFailure = at;
        } else if (state.type === 'Parallel') {
          state.lastId = emit('ParallelStateFailed', state.branches?.lastId ?? state.lastId, at);
        } else {
          state.lastId = evaluation();
        }
        break;
      }
      case 'StateRetried': {
        const state = findOpen(event.state.name, event.index);
        if (!state) break;
        state.pendingFailure = undefined;
        state.failedIterationId = undefined;
        startAttempt(state, at);
        break;
      }
      case 'StateExited': {
        const state = findOpen(event.state.name, event.index);
        if (!state) break;
        flushFailure(state);
        if (!state.failed && state.type === 'Task') {
          succeedTask(state, at, state.taskResult ? state.taskResult.value : event.state.output);
        } else if (!state.failed && (state.type === 'Map' || state.type === 'Parallel')) {
          state.lastId = emit(`${state.type}StateSucceeded`, state.branches?.lastId ?? state.lastId, at);
        }
        state.scope.lastId = emit(`${state.type}StateExited`, state.lastId, at, { stateExitedEventDetails: { name: state.name, output: json(event.state.output), ...assignedVariables((event.state as { assignedVariables?: Record<string, unknown> }).assignedVariables) } });
        open.splice(open.lastIndexOf(state), 1);
        break;
      }
      case 'MapIterationStarted': {
        const map = findMap(event.parentState.name);
        if (!map) break;
        const id = emit('MapIterationStarted', map.lastId, at, { mapIterationStartedEventDetails: { name: map.name, index: event.index } });
        map.iterations.set(event.index, { lastId: id });
        break;
      }
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const map = findMap(event.parentState.name);
        const iteration = map?.iterations.get(event.index);
        if (!map || !iteration) break;
        map.lastId = emit(event.type, iteration.lastId, at, { [`${event.type === 'MapIterationSucceeded' ? 'mapIterationSucceeded' : 'mapIterationFailed'}EventDetails`]: { name: map.name, index: event.index } });
        if (event.type === 'MapIterationFailed') map.failedIterationId ??= map.lastId;
        break;
      }
      case 'ExecutionSucceeded':
        open.forEach(flushFailure);
        emit('ExecutionSucceeded', top.lastId, at, { executionSucceededEventDetails: { output: json(event.output) } });
        break;
      case 'ExecutionFailed':
        open.forEach(flushFailure);
        emit('ExecutionFailed', top.lastId, at, { executionFailedEventDetails: { error: event.Error, cause: text(event.Cause) } });
        break;
      case 'ExecutionAborted':
      case 'ExecutionTimeout':
        open.forEach(flushFailure);
        endAborted(event.type, at);
        break;
      default: // Parallel branch events: Step Functions' history has none
        break;
    }
  }
  return events;

  /** A Map's failure, once it is known not to be retried. */
  function flushFailure(state: OpenState): void {
    if (state.pendingFailure === undefined) return;
    state.lastId = emit('MapStateFailed', state.failedIterationId ?? state.lastId, state.pendingFailure);
    state.pendingFailure = undefined;
  }

  /** A new attempt of a state (the first, or after a retry); a Task's is logged with its input, a Map's with its length. */
  function startAttempt(state: OpenState, at: number): void {
    state.failed = false;
    state.taskResult = undefined;
    state.scheduled = false;
    if (state.type === 'Parallel') {
      state.lastId = emit('ParallelStateStarted', state.lastId, at);
      state.branches = { lastId: state.lastId };
    }
  }

  /**
   * A Task attempt, once its input is known: TaskScheduled (with the input after InputPath and Parameters) and
   * TaskStarted, or LambdaFunctionScheduled and LambdaFunctionStarted for a function ARN.
   */
  function scheduleTask(state: OpenState, at: number, parameters: unknown): void {
    state.scheduled = true;
    const task = taskResource(outcome?.taskResources?.[state.name]);
    if (task.lambdaFunction) {
      state.lastId = emit('LambdaFunctionScheduled', state.lastId, at, { lambdaFunctionScheduledEventDetails: { resource: task.resource, input: json(parameters) } });
      state.lastId = emit('LambdaFunctionStarted', state.lastId, at);
    } else {
      state.lastId = emit('TaskScheduled', state.lastId, at, { taskScheduledEventDetails: { resourceType: task.resourceType, resource: task.resource, region: 'local', parameters: json(parameters) } });
      state.lastId = emit('TaskStarted', state.lastId, at, { taskStartedEventDetails: { resourceType: task.resourceType, resource: task.resource } });
    }
  }

  /** TaskSucceeded (LambdaFunctionSucceeded for a function ARN) with the task's result. */
  function succeedTask(state: OpenState, at: number, result: unknown): void {
    const task = taskResource(outcome?.taskResources?.[state.name]);
    const output = json(result);
    state.lastId = task.lambdaFunction
      ? emit('LambdaFunctionSucceeded', state.lastId, at, { lambdaFunctionSucceededEventDetails: { output } })
      : emit('TaskSucceeded', state.lastId, at, { taskSucceededEventDetails: { resourceType: task.resourceType, resource: task.resource, output } });
  }

  /** The interpreter's abort and timeout carry no error; the runner's outcome says what they were. */
  function endAborted(type: 'ExecutionAborted' | 'ExecutionTimeout', at: number): void {
    if (type === 'ExecutionTimeout' || outcome?.status === 'TIMED_OUT') {
      emit('ExecutionTimedOut', top.lastId, at, { executionTimedOutEventDetails: { error: outcome?.error ?? 'States.Timeout', cause: outcome?.cause } });
    } else if (outcome?.status === 'FAILED') {
      emit('ExecutionFailed', top.lastId, at, { executionFailedEventDetails: { error: outcome.error, cause: outcome.cause } });
    } else {
      emit('ExecutionAborted', top.lastId, at, { executionAbortedEventDetails: { error: outcome?.error, cause: outcome?.cause } });
    }
  }
}

function json(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

/** The interpreter's causes are strings, or the error object a handler threw. */
function text(cause: unknown): string | undefined {
  if (cause === undefined || typeof cause === 'string') return cause;
  if (cause instanceof Error) return cause.message;
  return JSON.stringify(cause);
}

/** A StateExited event's record of the variables its state assigned, as GetExecutionHistory gives it: each value as JSON text. */
function assignedVariables(values: Record<string, unknown> | undefined): object {
  if (values === undefined) return {};
  return {
    assignedVariables: Object.fromEntries(Object.entries(values).map(([name, value]) => [name, JSON.stringify(value)])),
    assignedVariablesDetails: { truncated: false },
  };
}

import { TaskTokens } from './task-tokens';

type JsonValue = any;

/** The integrations whose call takes a task token, each by `<service>:<action>` (https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html). */
export const CALLBACK_INTEGRATIONS: ReadonlySet<string> = new Set(['lambda:invoke', 'sqs:sendMessage', 'sns:publish', 'events:putEvents']);

const WAIT_FOR_TASK_TOKEN = '.waitForTaskToken';

/** The resource a callback task calls: its `Resource` without `.waitForTaskToken`; undefined for another task. */
export function callbackCall(resource: string): string | undefined {
  return resource.endsWith(WAIT_FOR_TASK_TOKEN) ? resource.slice(0, -WAIT_FOR_TASK_TOKEN.length) : undefined;
}

/** What a callback task's handler gets beside its input: its attempt's token and how to wait for its answer. */
export interface CallbackAttempt {
  /** The attempt's task token, as `$$.Task.Token` gave it to Parameters or Arguments. */
  readonly token: string;
  /** Marks the call made (TaskSubmitted, with the call's output) and waits for the token's answer. */
  readonly submitted: (output: unknown) => Promise<unknown>;
}

/**
 * A callback task's handler (`.waitForTaskToken`): it makes the integration's call (the message, the payload, the
 * publish, the event), whose output is only the history's TaskSubmitted, then waits until the token is answered —
 * the task's result is the output SendTaskSuccess gives
 * (https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token).
 */
export function waitingForTaskToken(call: (input: JsonValue) => Promise<JsonValue>) {
  return async (input: JsonValue, attempt?: CallbackAttempt): Promise<JsonValue> => {
    if (!attempt) throw new Error('a callback task ran without its task token: the local interpreter was not adjusted for it');
    return attempt.submitted(await call(input));
  };
}

/** The classes of aws-local-stepfunctions this module adjusts (tools/local/interpreter.ts loads them). */
interface CallbackInternals {
  readonly StateExecutor: any;
  readonly TaskStateAction: any;
  readonly IntegerConstraint: any;
  readonly jsonPathQuery: (path: string, json: unknown, context: unknown, options?: unknown) => any;
}

/**
 * The execution the registry counts a state and its token under: the run's `rootExecutionArn`, which a distributed
 * Map's child executions inherit with the run options (their states and tokens are their parent's, which ends them and
 * which may wait only for them), else the context's execution.
 */
function registryExecutionArn(options: any, context: any): string | undefined {
  return options.runOptions?.rootExecutionArn ?? context?.Execution?.Id;
}

function isCallbackTask(state: any): boolean {
  return state?.Type === 'Task' && typeof state.Resource === 'string' && callbackCall(state.Resource) !== undefined;
}

/**
 * Runs callback tasks as Step Functions does, with the run option `taskTokens` (a {@link TaskTokens}):
 * - each attempt of a callback task (its first and each retry) has a token of its own in the context object
 *   (`$$.Task.Token`, `$states.context.Task.Token`), on a copy of the context for that attempt only, so that states
 *   running at once (a Map's iterations, a Parallel's branches) never read one another's;
 * - its handler gets the token and how to wait for it ({@link CallbackAttempt}): the interpreter calls a local handler
 *   with the input only;
 * - HeartbeatSeconds (or HeartbeatSecondsPath, read from the state's input; a JSONata one evaluated) is given to the
 *   token: no heartbeat or answer within it fails the attempt with `States.HeartbeatTimeout`; TimeoutSeconds stays the
 *   interpreter's (`States.Timeout`), after which, as after any end of the attempt, its token is dead;
 * - the states each execution runs are counted, so that a run can tell an execution that only waits for answers (a
 *   distributed Map's child executions' states and tokens counted as their parent's: run option `rootExecutionArn`).
 */
export function adjustCallbackTasks({ StateExecutor, TaskStateAction, IntegerConstraint, jsonPathQuery }: CallbackInternals): void {
  const execute = StateExecutor.prototype.execute;
  StateExecutor.prototype.execute = async function (this: any, input: unknown, context: any, options: any) {
    const tokens: TaskTokens | undefined = options.runOptions?.taskTokens;
    const executionArn = registryExecutionArn(options, context);
    // Map and Parallel states only hold the states they run.
    const counted = tokens && executionArn && this.stateDefinition.Type !== 'Map' && this.stateDefinition.Type !== 'Parallel';
    if (counted) tokens.stateStarted(executionArn);
    try {
      const attemptContext = isCallbackTask(this.stateDefinition) ? { ...context, Task: { Token: TaskTokens.newToken() } } : context;
      return await execute.call(this, input, attemptContext, options);
    } finally {
      if (counted) tokens.stateEnded(executionArn);
    }
  };

  // Called on the executor's handler table: everything it needs is in its arguments.
  const executeTaskState = StateExecutor.prototype.executeTaskState;
  StateExecutor.prototype.executeTaskState = async function (this: unknown, state: any, rawInput: unknown, input: unknown, context: any, stateName: string, options: any) {
    const tokens: TaskTokens | undefined = options.runOptions?.taskTokens;
    const token: string | undefined = context?.Task?.Token;
    if (!isCallbackTask(state) || !tokens || !token) return executeTaskState.call(this, state, rawInput, input, context, stateName, options);
    const handler = options.runOptions?.overrides?.taskResourceLocalHandlers?.[stateName];
    const heartbeatSeconds: number | undefined = state.HeartbeatSeconds
      ?? (state.HeartbeatSecondsPath !== undefined ? jsonPathQuery(state.HeartbeatSecondsPath, rawInput, context, { constraints: [IntegerConstraint.greaterThanOrEqual(1)] }) : undefined);
    // The interpreter ends a task at its timeout; whether it has one is all the watcher of unanswerable tokens needs.
    const hasTimeout = state.TimeoutSeconds !== undefined || state.TimeoutSecondsPath !== undefined;
    const answered = tokens.wait(token, { executionArn: registryExecutionArn(options, context)!, state: stateName, heartbeatSeconds, hasTimeout });
    const attempt: CallbackAttempt = {
      token,
      submitted: (output) => {
        tokens.submitted(token);
        options.eventLogger?.dispatch({ type: 'TaskSubmitted', timestamp: Date.now(), state: { name: stateName, type: 'Task' }, output });
        return answered;
      },
    };
    try {
      return await new TaskStateAction(state, stateName).execute(input, context, {
        overrideFn: (handlerInput: unknown) => handler(handlerInput, attempt),
        awsConfig: options.stateMachineOptions?.awsConfig,
      });
    } finally {
      // Answered, failed, timed out (the interpreter's TimeoutSeconds leaves the handler waiting) or stopped: the token is dead.
      tokens.end(token);
    }
  };
}

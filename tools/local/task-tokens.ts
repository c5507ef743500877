import { randomUUID } from 'node:crypto';
import { MAX_PAYLOAD_BYTES } from './interpreter';
import { StepFunctionsApiError } from './local-step-functions';

/** What the local tokens decode to: a prefix, then the task's id. AWS's tokens are opaque too; a worker only passes them back. */
const TOKEN_PREFIX = 'sdp-local-task:';

/** SendTaskFailure's `error` and `cause` quotas (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskFailure.html). */
const MAX_ERROR_LENGTH = 256;
const MAX_CAUSE_LENGTH = 32768;
/** A task token is 1 to 1024 characters (the Send* pages' Request Parameters). */
const MAX_TOKEN_LENGTH = 1024;
/** How often, and how many times in a row, an execution is found waiting for answers nothing can give before it is stopped. */
const UNANSWERABLE_CHECK_MS = 250;
const UNANSWERABLE_CHECKS = 4;

/** A callback task's attempt that has not ended: its token is answered, or the task ends another way. */
export interface WaitingTask {
  readonly token: string;
  readonly executionArn: string;
  readonly state: string;
  /** When the attempt started waiting, in milliseconds since the epoch. */
  readonly since: number;
  /** HeartbeatSeconds of the attempt. @default - none */
  readonly heartbeatSeconds?: number;
  /** Whether the task has a TimeoutSeconds or TimeoutSecondsPath (the interpreter ends it then). @default false: up to a year on AWS */
  readonly hasTimeout?: boolean;
  /** Whether the task's call (the message, the payload, the publish) was made: only then can anything answer it. */
  submitted: boolean;
}

interface OpenTask extends WaitingTask {
  readonly resolve: (output: unknown) => void;
  readonly reject: (error: Error) => void;
  heartbeatTimer?: NodeJS.Timeout;
}

/** The error of a task whose worker sent no heartbeat (nor answer) within its HeartbeatSeconds. */
export class HeartbeatTimeoutError extends Error {
  constructor(seconds: number) {
    super(`no heartbeat nor answer for the task token within HeartbeatSeconds (${seconds} s)`);
    this.name = 'States.HeartbeatTimeout';
  }
}

/**
 * The error SendTaskFailure fails a task with: its `error` and `cause`, either of which may be omitted (the history's
 * TaskFailed then has none).
 */
export class TaskFailureError extends Error {
  constructor(error: string | undefined, cause: string | undefined) {
    super(cause ?? '');
    // No name at all when the worker gave none: the error output and the history leave it out.
    Object.defineProperty(this, 'name', { value: error, enumerable: false, configurable: true, writable: true });
  }
}

/**
 * The task tokens of the callback tasks (`.waitForTaskToken`) of a local run, and the API that answers them:
 * SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat with the errors AWS gives by name — `InvalidToken` for a
 * token that is not one, `TaskDoesNotExist` for one that never was a task of this run, `TaskTimedOut` for one whose
 * attempt already ended (answered, timed out, retried, or its execution stopped), `InvalidOutput` for output that is
 * not JSON, `ValidationException` past a length quota
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html and its siblings).
 * Each attempt of a task has a token of its own.
 */
export class TaskTokens {
  private readonly open = new Map<string, OpenTask>();
  /** Tokens whose attempt ended: an answer to them is `TaskTimedOut`. */
  private readonly ended = new Set<string>();
  /** States running now (not Map or Parallel, which only hold others), by execution: what may still answer a token. */
  private readonly runningStates = new Map<string, number>();
  /** `.sync` tasks waiting for their nested execution, by execution. */
  private readonly childWaits = new Map<string, number>();

  /** A new token, for the context object's `Task.Token` of a callback task's attempt. */
  static newToken(): string {
    return Buffer.from(`${TOKEN_PREFIX}${randomUUID()}`).toString('base64');
  }

  /**
   * Opens the attempt of `token` and returns what it ends with: the output SendTaskSuccess gives, or the error of
   * SendTaskFailure, or `States.HeartbeatTimeout` when HeartbeatSeconds pass without a heartbeat or an answer.
   */
  wait(token: string, task: Omit<WaitingTask, 'token' | 'since' | 'submitted'>): Promise<unknown> {
    let settle!: Pick<OpenTask, 'resolve' | 'reject'>;
    const answered = new Promise<unknown>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // Awaited once the call is made; a heartbeat timeout during the call must not be an unhandled rejection meanwhile.
    answered.catch(() => undefined);
    const open: OpenTask = { ...task, token, since: Date.now(), submitted: false, ...settle };
    this.open.set(token, open);
    this.restartHeartbeat(open);
    return answered;
  }

  /** The task's call was made: from now on only an answer moves it on. */
  submitted(token: string): void {
    const task = this.open.get(token);
    if (task) task.submitted = true;
  }

  /** Ends the attempt of `token` (it succeeded, failed, timed out or was stopped): an answer to it is `TaskTimedOut` from now on. */
  end(token: string): void {
    const task = this.open.get(token);
    if (task?.heartbeatTimer) clearTimeout(task.heartbeatTimer);
    this.open.delete(token);
    this.ended.add(token);
  }

  /**
   * Ends every attempt still open of the execution, once it stopped: each one's wait ends too, so that nothing of the
   * stopped execution (the interpreter's timer of its task) outlives it.
   */
  endExecution(executionArn: string): void {
    for (const task of [...this.open.values()]) {
      if (task.executionArn !== executionArn) continue;
      this.end(task.token);
      task.reject(new Error(`the execution stopped while state '${task.state}' waited for its task token`));
    }
    this.runningStates.delete(executionArn);
    this.childWaits.delete(executionArn);
  }

  /** The attempts of `executionArn` waiting for their token. */
  waiting(executionArn: string): WaitingTask[] {
    return [...this.open.values()].filter((t) => t.executionArn === executionArn)
      .map(({ token, executionArn: arn, state, since, heartbeatSeconds, hasTimeout, submitted }) => ({ token, executionArn: arn, state, since, heartbeatSeconds, hasTimeout, submitted }));
  }

  /** A state of the execution started (counted until {@link stateEnded}). */
  stateStarted(executionArn: string): void {
    addTo(this.runningStates, executionArn, 1);
  }

  stateEnded(executionArn: string): void {
    addTo(this.runningStates, executionArn, -1);
  }

  /**
   * The callback tasks the execution waits on when that is all it does — every state it runs is a callback task whose
   * call was made, none with HeartbeatSeconds or TimeoutSeconds to end it — else none: what only an answer from
   * outside the execution can move on.
   */
  waitingOnlyForAnswers(executionArn: string): WaitingTask[] {
    const waiting = (this.childWaits.get(executionArn) ?? 0) === 0 ? this.awaitedAnswers(executionArn) : undefined;
    return waiting ?? [];
  }

  /**
   * The callback tasks the execution waits on when everything it runs is either such a task (its call made, nothing to
   * end it) or a `.sync` task waiting for a nested execution — an empty list when all it runs are the latter —, else
   * undefined: it does something else, or nothing.
   */
  private awaitedAnswers(executionArn: string): WaitingTask[] | undefined {
    const running = this.runningStates.get(executionArn) ?? 0;
    const waiting = this.waiting(executionArn);
    if (running === 0 || waiting.length + (this.childWaits.get(executionArn) ?? 0) !== running) return undefined;
    return waiting.every((t) => t.submitted && t.heartbeatSeconds === undefined && !t.hasTimeout) ? waiting : undefined;
  }

  /** A `.sync` task of the execution waits for its nested execution (counted until {@link childWaitEnded}). */
  childWaitStarted(executionArn: string): void {
    addTo(this.childWaits, executionArn, 1);
  }

  childWaitEnded(executionArn: string): void {
    addTo(this.childWaits, executionArn, -1);
  }

  /**
   * The callback tasks of `executions` (what runs now) when that is all they wait on — each runs only callback tasks
   * whose call was made, with nothing to end them ({@link waitingOnlyForAnswers}), and `.sync` tasks waiting for a
   * nested execution — else none: a parent waiting for its child waits on what its child waits on.
   */
  waitingOnlyForAnswersIn(executions: readonly string[]): WaitingTask[] {
    const waiting: WaitingTask[] = [];
    for (const executionArn of executions) {
      const answers = this.awaitedAnswers(executionArn);
      if (!answers) return [];
      waiting.push(...answers);
    }
    return waiting;
  }

  /**
   * Calls `stop` with the waiting tasks once the executions running now ({@link waitingOnlyForAnswersIn}) only wait for
   * answers and `nothingRuns` says nothing of the run could give one, a few checks in a row (a message between a task
   * and its worker is in a queue, its worker's invocation runs), then watches on (an execution started later may wait
   * too); returns what ends the watch.
   */
  watchUnanswerable(executions: () => string[], nothingRuns: () => Promise<boolean>, stop: (waiting: WaitingTask[]) => void): () => void {
    let quietChecks = 0;
    let ended = false;
    let timer: NodeJS.Timeout | undefined;
    const check = async () => {
      const waiting = this.waitingOnlyForAnswersIn(executions());
      quietChecks = waiting.length > 0 && await nothingRuns() ? quietChecks + 1 : 0;
      if (ended) return;
      if (quietChecks >= UNANSWERABLE_CHECKS) {
        quietChecks = 0;
        stop(waiting);
      }
      timer = setTimeout(() => void check(), UNANSWERABLE_CHECK_MS);
    };
    timer = setTimeout(() => void check(), UNANSWERABLE_CHECK_MS);
    return () => {
      ended = true;
      clearTimeout(timer);
    };
  }

  /** Answers SendTaskSuccess, SendTaskFailure or SendTaskHeartbeat (the JSON protocol's request); undefined for another action. */
  answer(action: string, request: any): Record<string, never> | undefined {
    if (action === 'SendTaskSuccess') this.sendTaskSuccess(request);
    else if (action === 'SendTaskFailure') this.sendTaskFailure(request);
    else if (action === 'SendTaskHeartbeat') this.sendTaskHeartbeat(request);
    else return undefined;
    return {};
  }

  /** SendTaskSuccess: the task succeeds with `output` (JSON text) as its result. */
  sendTaskSuccess(request: { taskToken?: unknown; output?: unknown }): void {
    const output = request.output;
    if (typeof output !== 'string') throw validation('output', 'Member must not be null');
    if (Buffer.byteLength(output) > MAX_PAYLOAD_BYTES) throw validation('output', `Member must have length less than or equal to ${MAX_PAYLOAD_BYTES}`);
    let value: unknown;
    try {
      value = JSON.parse(output);
    } catch (error) {
      throw new StepFunctionsApiError('InvalidOutput', `Invalid Output: '${(error as Error).message}'`);
    }
    const task = this.taskOf(request.taskToken);
    this.end(task.token);
    task.resolve(value);
  }

  /** SendTaskFailure: the task fails with `error` and `cause`, which its Retry and Catch see. */
  sendTaskFailure(request: { taskToken?: unknown; error?: unknown; cause?: unknown }): void {
    const { error, cause } = request;
    if (error !== undefined && (typeof error !== 'string' || error.length > MAX_ERROR_LENGTH)) throw validation('error', `Member must have length less than or equal to ${MAX_ERROR_LENGTH}`);
    if (cause !== undefined && (typeof cause !== 'string' || cause.length > MAX_CAUSE_LENGTH)) throw validation('cause', `Member must have length less than or equal to ${MAX_CAUSE_LENGTH}`);
    const task = this.taskOf(request.taskToken);
    this.end(task.token);
    task.reject(new TaskFailureError(error, cause));
  }

  /** SendTaskHeartbeat: the task's HeartbeatSeconds start again; it writes nothing in the history. */
  sendTaskHeartbeat(request: { taskToken?: unknown }): void {
    this.restartHeartbeat(this.taskOf(request.taskToken));
  }

  /** The open attempt of a token, or the API's error for it. */
  private taskOf(token: unknown): OpenTask {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      throw validation('taskToken', `Member must have length between 1 and ${MAX_TOKEN_LENGTH}`);
    }
    const open = this.open.get(token);
    if (open) return open;
    if (this.ended.has(token)) throw new StepFunctionsApiError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    if (!Buffer.from(token, 'base64').toString('utf8').startsWith(TOKEN_PREFIX)) throw new StepFunctionsApiError('InvalidToken', "Invalid Token: 'Invalid token'");
    throw new StepFunctionsApiError('TaskDoesNotExist', 'Task Does Not Exist');
  }

  private restartHeartbeat(task: OpenTask): void {
    const seconds = task.heartbeatSeconds;
    if (seconds === undefined) return;
    if (task.heartbeatTimer) clearTimeout(task.heartbeatTimer);
    task.heartbeatTimer = setTimeout(() => {
      this.end(task.token);
      task.reject(new HeartbeatTimeoutError(seconds));
    }, seconds * 1000);
  }
}

/** Adds `delta` to the count of `key`, which is dropped at 0 (and never goes below: an execution's end drops its counts). */
function addTo(counts: Map<string, number>, key: string, delta: number): void {
  const count = (counts.get(key) ?? 0) + delta;
  if (count > 0) counts.set(key, count);
  else counts.delete(key);
}

/** The JSON protocol's answer to a request that breaks a field's constraint. */
function validation(field: string, rule: string): StepFunctionsApiError {
  return new StepFunctionsApiError('ValidationException', `1 validation error detected: Value at '${field}' failed to satisfy constraint: ${rule}`);
}

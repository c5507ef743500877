import { randomUUID } from 'node:crypto';
import { executionNameProblem } from './execution-name';
import { MAX_PAYLOAD_BYTES } from './interpreter';
import type { EventLog } from './history-events';
import type { LocalExecution, LocalRunner } from './local-runner';
import { TaskTokens } from './task-tokens';

/** Waits for `promise`, at most `ms` (what a stop gives running work before the engines go). */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms));
  })]);
  clearTimeout(timer);
}

/** `…:express:<state machine name>:<name>:<id>`: an Express execution's ARN, as StartSyncExecution answers it. */
function expressExecutionArn(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':express:')}:${name}:${randomUUID()}`;
}

/** An execution's status as DescribeExecution gives it. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** An execution the local Step Functions started, while it runs and after. */
export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  /** Logical id of the state machine. */
  readonly stateMachine: string;
  readonly name: string;
  /** The input as given: JSON text. */
  readonly input: string;
  /** Milliseconds since the epoch. */
  readonly startDate: number;
  /** Who started it, for the log: e.g. `POST /executions`, or a schedule's path. */
  readonly startedBy?: string;
  status: ExecutionStatus;
  stopDate?: number;
  /** The whole local execution (events, map runs), once it stopped. */
  result?: LocalExecution;
  /** Aborts the run; with the error and cause StopExecution gave, which the aborted execution reports. */
  readonly stopper?: AbortController & { error?: string; cause?: string };
  /** The interpreter's event log so far, growing while the execution runs (what the web view shows of a running one). */
  readonly liveEvents: EventLog[];
}

/**
 * An error of the Step Functions API, as its JSON protocol answers it: HTTP 400 and
 * `{ "__type": "com.amazonaws.swf.service.v2.model#<Name>", "message" }`
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html and each action's Errors).
 */
export class StepFunctionsApiError extends Error {
  constructor(readonly errorName: string, message: string, readonly statusCode = 400) {
    super(message);
    this.name = errorName;
  }

  /** The body of the HTTP answer. */
  toJSON(): { __type: string; message: string } {
    return { __type: `com.amazonaws.swf.service.v2.model#${this.errorName}`, message: this.message };
  }
}

export interface StartExecutionRequest {
  readonly stateMachineArn: string;
  /** @default - a random UUID */
  readonly name?: string;
  /** JSON text. @default '{}' */
  readonly input?: string;
}

/**
 * The Step Functions API of a local run, for what starts executions from outside a workflow (an API's direct
 * integration, a schedule): StartExecution, StartSyncExecution and DescribeExecution on the runner's state machines,
 * with the service's rules — a name already used is `ExecutionAlreadyExists` unless the same input is still running
 * (then the call answers as the first did: StartExecution is idempotent for a running Standard execution), Express
 * executions are neither deduplicated nor described, an input over 256 KiB or not JSON is refused
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html). Executions are kept for the
 * session; names are not freed after 90 days.
 */
export class LocalStepFunctions {
  /** Standard executions by ARN: what DescribeExecution and the names' idempotency see. */
  private readonly executions = new Map<string, ExecutionRecord>();
  /** Express executions, which are neither described nor deduplicated. */
  private readonly express: ExecutionRecord[] = [];
  private readonly running = new Set<Promise<unknown>>();
  /** The end of each Standard execution, by ARN: a repeated start of a running one waits on the first. */
  private readonly stopped = new Map<string, Promise<ExecutionRecord>>();
  private readonly machines: Map<string, { logicalId: string; type: 'STANDARD' | 'EXPRESS' }>;
  private readonly executionEndListeners: Array<(record: ExecutionRecord) => void> = [];

  /** The task tokens of the run's callback tasks, which SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat answer. */
  readonly taskTokens = new TaskTokens();

  /** The API of `runner`'s state machines: the runner makes it ({@link LocalRunner.stepFunctions}). */
  constructor(private readonly runner: LocalRunner) {
    this.machines = new Map(runner.stateMachines().map((logicalId) => [
      runner.resourceArn('AWS::StepFunctions::StateMachine', logicalId),
      { logicalId, type: runner.stack.template.Resources[logicalId].Properties?.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD' },
    ]));
  }

  /**
   * Starts an execution and answers at once, as StartExecution does. A Standard workflow's name is its idempotency key; an
   * Express workflow's is not ("starting multiple workflows with the same name results in concurrent executions",
   * https://docs.aws.amazon.com/step-functions/latest/dg/express-at-least-once-execution.html), and DescribeExecution does
   * not serve it.
   */
  startExecution(request: StartExecutionRequest, startedBy?: string): { executionArn: string; startDate: number } {
    const { record } = this.start(request, startedBy);
    return { executionArn: record.executionArn, startDate: record.startDate };
  }

  /**
   * Starts an execution as {@link startExecution} does (the same rules and errors), answering its record and the
   * promise of its end: what a nested execution's task (`states:startExecution.sync`) waits on.
   */
  start(request: StartExecutionRequest, startedBy?: string): { record: ExecutionRecord; stopped: Promise<ExecutionRecord> } {
    const { machine, name, input, executionArn } = this.checkStart(request);
    if (machine.type === 'EXPRESS') {
      const record = this.newRecord(machine.logicalId, request.stateMachineArn, expressExecutionArn(request.stateMachineArn, name), name, input, startedBy);
      this.express.push(record);
      return { record, stopped: this.track(this.run(record)) };
    }
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return { record: existing, stopped: this.stopped.get(executionArn)! };
      throw new StepFunctionsApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record = this.newRecord(machine.logicalId, request.stateMachineArn, executionArn, name, input, startedBy);
    this.executions.set(executionArn, record);
    const stopped = this.track(this.run(record));
    this.stopped.set(executionArn, stopped);
    return { record, stopped };
  }

  /** Runs an Express execution to its end and answers its outcome, as StartSyncExecution does. */
  async startSyncExecution(request: StartExecutionRequest, startedBy?: string): Promise<Record<string, unknown>> {
    const { machine, name, input } = this.checkStart(request);
    if (machine.type !== 'EXPRESS') {
      throw new StepFunctionsApiError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
    }
    const record = this.newRecord(machine.logicalId, request.stateMachineArn, expressExecutionArn(request.stateMachineArn, name), name, input, startedBy);
    this.express.push(record);
    await this.track(this.run(record));
    return { ...this.describe(record), billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: Math.max(100, (record.stopDate ?? 0) - record.startDate) } };
  }

  /**
   * StopExecution: a running Standard execution of this session ends ABORTED, with the error and cause given; one that
   * already stopped is left as it is. Express executions are not stopped (nor described) by the API.
   * https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html
   */
  stopExecution(request: { executionArn?: string; error?: string; cause?: string }): { stopDate: number } {
    const record = this.standardExecution(request?.executionArn);
    this.stop(record, request.error, request.cause);
    return { stopDate: record.stopDate ?? Date.now() };
  }

  /** Aborts the execution if it still runs (Standard or Express): it ends ABORTED, with this error and cause. */
  stop(record: ExecutionRecord, error?: string, cause?: string): void {
    if (record.status !== 'RUNNING' || !record.stopper || record.stopper.signal.aborted) return;
    Object.assign(record.stopper, { error, cause });
    record.stopper.abort();
  }

  /** DescribeExecution: Standard executions of this session. */
  describeExecution(executionArn: string): Record<string, unknown> {
    return this.describe(this.standardExecution(executionArn));
  }

  /** The Standard execution of that ARN, or the API's error: InvalidArn, ExecutionDoesNotExist. */
  private standardExecution(executionArn: unknown): ExecutionRecord {
    if (typeof executionArn !== 'string' || !/^arn:[^:]+:states:[^:]*:\d*:execution:[^:]+:[^:]+$/.test(executionArn)) {
      throw new StepFunctionsApiError('InvalidArn', `Invalid Arn: '${executionArn}'`);
    }
    const record = this.executions.get(executionArn);
    if (!record) throw new StepFunctionsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return record;
  }

  /** The executions started in this session, Standard and Express, newest first. */
  list(): readonly ExecutionRecord[] {
    return [...this.executions.values(), ...this.express].sort((a, b) => b.startDate - a.startDate);
  }

  /**
   * Answers an action of the Step Functions API as its HTTP endpoint does (JSON protocol): status and body text. What an
   * API Gateway AWS integration calls.
   */
  async handle(action: string, body: string, startedBy?: string): Promise<{ statusCode: number; body: string }> {
    try {
      let request: any;
      try {
        request = JSON.parse(body || '{}');
      } catch {
        throw new StepFunctionsApiError('SerializationException', 'Start of structure or map found where not expected.');
      }
      const answer = action === 'StartExecution' ? this.startExecution(request, startedBy)
        : action === 'StartSyncExecution' ? await this.startSyncExecution(request, startedBy)
          : action === 'DescribeExecution' ? this.describeExecution(request?.executionArn)
            : action === 'StopExecution' ? this.stopExecution(request)
              : this.taskTokens.answer(action, request);
      if (answer === undefined) throw new StepFunctionsApiError('UnknownOperationException', `sdp serve does not run the Step Functions action ${action}`);
      return { statusCode: 200, body: JSON.stringify(answer, (key, value) => (key === 'startDate' || key === 'stopDate' ? value / 1000 : value)) };
    } catch (error) {
      if (error instanceof StepFunctionsApiError) return { statusCode: error.statusCode, body: JSON.stringify(error) };
      return { statusCode: 500, body: JSON.stringify(new StepFunctionsApiError('InternalServerError', (error as Error).message, 500)) };
    }
  }

  /** Calls `listener` each time an execution stops (succeeded, failed or timed out). */
  onExecutionEnd(listener: (record: ExecutionRecord) => void): void {
    this.executionEndListeners.push(listener);
  }

  /** Waits until every execution started so far has stopped, or `timeoutMs` passed; answers how many still run. */
  async settle(timeoutMs: number): Promise<number> {
    await settledWithin(Promise.allSettled([...this.running]), timeoutMs);
    return this.running.size;
  }

  private checkStart(request: StartExecutionRequest) {
    // What the JSON protocol refuses before any rule: a field of the wrong type (e.g. a template's unquoted input object).
    if (typeof request !== 'object' || request === null || [request.name, request.input].some((v) => v !== undefined && typeof v !== 'string')) {
      throw new StepFunctionsApiError('SerializationException', 'name and input must be strings');
    }
    const machine = this.machines.get(request.stateMachineArn);
    if (!machine) {
      if (typeof request.stateMachineArn !== 'string' || !request.stateMachineArn.startsWith('arn:')) {
        throw new StepFunctionsApiError('InvalidArn', `Invalid Arn: '${request.stateMachineArn}'`);
      }
      throw new StepFunctionsApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${request.stateMachineArn}'`);
    }
    const name = request.name ?? randomUUID();
    const nameProblem = executionNameProblem(name, 'name');
    if (nameProblem) throw new StepFunctionsApiError('InvalidName', `Invalid Name: '${name}' (${nameProblem})`);
    const input = request.input ?? '{}';
    if (Buffer.byteLength(input) > MAX_PAYLOAD_BYTES) {
      throw new StepFunctionsApiError('InvalidExecutionInput', `The input is ${Buffer.byteLength(input)} bytes, over the ${MAX_PAYLOAD_BYTES}-byte quota`);
    }
    try {
      JSON.parse(input);
    } catch (error) {
      throw new StepFunctionsApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(error as Error).message}'`);
    }
    const executionArn = `${request.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    return { machine, name, input, executionArn };
  }

  /** Keeps a running execution until it stops, so {@link settle} can wait for it. */
  private track<T>(running: Promise<T>): Promise<T> {
    this.running.add(running);
    void running.finally(() => this.running.delete(running));
    return running;
  }

  private newRecord(logicalId: string, stateMachineArn: string, executionArn: string, name: string, input: string, startedBy?: string): ExecutionRecord {
    return {
      executionArn, stateMachineArn, stateMachine: logicalId, name, input, startDate: Date.now(), status: 'RUNNING', stopper: new AbortController(), liveEvents: [],
      ...startedBy && { startedBy },
    };
  }

  private async run(record: ExecutionRecord): Promise<ExecutionRecord> {
    // On the next tick: a nested execution's task may start it within a Map iteration's first synchronous steps, and
    // the interpreter gives an event log to the iteration whose start is under way when the log's first event comes.
    await Promise.resolve();
    try {
      const result = await this.runner.execute({
        stateMachine: record.stateMachine, name: record.name, executionArn: record.executionArn, input: JSON.parse(record.input), abortSignal: record.stopper?.signal,
        liveEvents: record.liveEvents,
      });
      const { error, cause } = record.stopper ?? {};
      record.result = result.status === 'ABORTED' ? { ...result, ...error !== undefined && { error }, ...cause !== undefined && { cause } } : result;
      record.status = result.status;
    } catch (error) {
      // The run could not go on (e.g. a definition the local run refuses): the execution failed, saying why.
      record.status = 'FAILED';
      record.result = {
        executionArn: record.executionArn, stateMachine: record.stateMachine, status: 'FAILED', error: (error as Error).name, cause: (error as Error).message,
        events: [], taskResources: {}, mapRuns: [], putEvents: [], childExecutions: [],
      };
    }
    record.stopDate = Date.now();
    for (const listener of this.executionEndListeners) listener(record);
    return record;
  }

  /** DescribeExecution's answer (dates in milliseconds; {@link handle} gives them in seconds, as the JSON protocol does). */
  private describe(record: ExecutionRecord): Record<string, unknown> {
    const { result } = record;
    return {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: record.startDate,
      ...record.stopDate !== undefined && { stopDate: record.stopDate },
      input: record.input,
      inputDetails: { included: true },
      ...result?.status === 'SUCCEEDED' && { output: JSON.stringify(result.output ?? null), outputDetails: { included: true } },
      ...result?.error !== undefined && { error: result.error },
      ...result?.cause !== undefined && { cause: result.cause },
    };
  }
}

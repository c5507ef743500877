import { randomUUID } from 'node:crypto';
import { optimisedIntegrationError, withSdkMetadata } from './integration-responses';
import { ExecutionRecord, LocalStepFunctions, StartExecutionRequest, StepFunctionsApiError } from './local-step-functions';

type JsonValue = any;

/** How a `states:startExecution` task waits for its child: not at all, for its output as JSON text, or as JSON. */
export type NestedIntegration = 'startExecution' | 'startExecution.sync' | 'startExecution.sync:2';

/** A nested execution a task of the execution started, and where. */
export interface ChildExecution {
  /** The Task state that started it. */
  readonly state: string;
  readonly integration: NestedIntegration;
  /** The child as the local Step Functions keeps it: its status, and its whole run (`result`) once it stopped. */
  readonly execution: ExecutionRecord;
}

/** What a `states:startExecution` task needs: the run's Step Functions API, and where the execution keeps its children. */
export interface NestedExecutionEngine {
  readonly stepFunctions: Pick<LocalStepFunctions, 'start' | 'taskTokens'>;
  /** The parent execution's ARN: each child's `startedBy`, with the task's name. */
  readonly executionArn: string;
  readonly children: ChildExecution[];
}

/** `arn:aws:states:::states:startExecution`, `.sync` or `.sync:2`; `.waitForTaskToken` is not among them. */
const NESTED_RESOURCE = /^arn:[^:]+:states:::states:(startExecution(?:\.sync(?::2)?)?)$/;

/** The integration of a Task's `Resource`, when it starts a nested execution the local run emulates. */
export function nestedIntegrationOf(resource: string): NestedIntegration | undefined {
  return NESTED_RESOURCE.exec(resource)?.[1] as NestedIntegration | undefined;
}

const STEP_FUNCTIONS = {
  prefix: 'StepFunctions', javaService: 'AWSStepFunctions', baseException: 'AWSStepFunctionsException', named: () => true,
};

/**
 * `arn:aws:states:::states:startExecution[.sync[:2]]` (https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html):
 * starts the child through the run's Step Functions API, so it is an execution of the session like any other
 * (DescribeExecution finds a Standard one, `sdp serve` lists it). `Input` is the child's input, an object as its JSON
 * text, a string as it is, none as `{}`. The result:
 * - fire-and-forget: StartExecution's response, `{ ExecutionArn, StartDate, SdkHttpMetadata, SdkResponseMetadata }`;
 * - `.sync`: DescribeExecution's, PascalCase (`ExecutionArn`, `Input`, `InputDetails`, `Name`, `Output`, `OutputDetails`,
 *   `StartDate`, `StateMachineArn`, `Status`, `StopDate`), `Input` and `Output` as JSON text;
 * - `.sync:2`: the same with `Input` and `Output` as JSON.
 * Dates are milliseconds since the epoch. A child that fails, times out or is aborted fails the task with
 * `States.TaskFailed`, its cause that description as JSON text (with the child's `Error` and `Cause`). An error of
 * the API (ExecutionAlreadyExists, StateMachineDoesNotExist, InvalidName...) is `StepFunctions.<Error>Exception`.
 * The shapes are those of executions recorded on AWS (LocalStack's snapshots of test_callback and test_sfn_task_service).
 */
export async function startNestedExecution(engine: NestedExecutionEngine, state: string, integration: NestedIntegration, input: JsonValue): Promise<JsonValue> {
  let started: { record: ExecutionRecord; stopped: Promise<ExecutionRecord> };
  try {
    started = engine.stepFunctions.start(startRequest(input), `${engine.executionArn} › ${state}`);
  } catch (error) {
    if (!(error instanceof StepFunctionsApiError)) throw error;
    throw optimisedIntegrationError(Object.assign(error, { $metadata: { httpStatusCode: error.statusCode, requestId: randomUUID() } }), STEP_FUNCTIONS);
  }
  engine.children.push({ state, integration, execution: started.record });
  if (integration === 'startExecution') {
    const { executionArn, startDate } = started.record;
    return withSdkMetadata({ ExecutionArn: executionArn, StartDate: startDate, $metadata: { httpStatusCode: 200, requestId: randomUUID() } });
  }
  // While it waits, the parent waits on what its child waits on (a task token nothing may answer).
  const { taskTokens } = engine.stepFunctions;
  taskTokens.childWaitStarted(engine.executionArn);
  const child = await started.stopped.finally(() => taskTokens.childWaitEnded(engine.executionArn));
  const description = describedAsTheIntegration(child, integration === 'startExecution.sync:2');
  if (child.status === 'SUCCEEDED') return description;
  const failure = new Error(JSON.stringify(description));
  failure.name = 'States.TaskFailed';
  throw failure;
}

/** StartExecution's request from the task's parameters. */
function startRequest(input: JsonValue): StartExecutionRequest {
  const childInput = input?.Input;
  return {
    stateMachineArn: input?.StateMachineArn,
    ...input?.Name !== undefined && { name: input.Name },
    input: childInput === undefined || childInput === null ? '{}' : typeof childInput === 'string' ? childInput : JSON.stringify(childInput),
  };
}

/** The child's DescribeExecution as the `.sync` integrations give it: PascalCase, in the service's (alphabetical) order. */
function describedAsTheIntegration(child: ExecutionRecord, asJson: boolean): Record<string, unknown> {
  const { result } = child;
  const data = (text: string) => (asJson ? JSON.parse(text) : text);
  return {
    ...result?.cause !== undefined && { Cause: result.cause },
    ...result?.error !== undefined && { Error: result.error },
    ExecutionArn: child.executionArn,
    Input: data(child.input),
    InputDetails: { Included: true },
    Name: child.name,
    ...child.status === 'SUCCEEDED' && { Output: data(JSON.stringify(result?.output ?? null)), OutputDetails: { Included: true } },
    StartDate: child.startDate,
    StateMachineArn: child.stateMachineArn,
    Status: child.status,
    StopDate: child.stopDate,
  };
}

import { randomUUID } from 'node:crypto';
import { ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import { AssemblyStack, readCloudAssembly, resourcesOfType, selectStack } from './cloud-assembly';
import { IntrinsicResolver, LOCAL_REGION } from './intrinsics';
import { LocalDynamoDb } from './local-dynamodb';
import { LocalLambdaRuntime } from './local-lambda';
import { allStates, taskHandlersFor } from './task-integrations';
import type { EventLog } from './timeline';

/** Step Functions' quota on the size of a state's input or output, in bytes. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

export interface LocalRunnerOptions {
  /** Cloud assembly directory (`cdk.out`). */
  readonly assemblyDir: string;
  /** Stack to run. @default - the assembly's only stack */
  readonly stackName?: string;
}

export interface LocalExecutionRequest {
  /** Logical id of the state machine, or a part of its construct path. @default - the stack's only state machine */
  readonly stateMachine?: string;
  readonly input: unknown;
  /** Execution name. @default - a random UUID */
  readonly name?: string;
}

/** The outcome of a local execution, shaped like DescribeExecution plus the event log. */
export interface LocalExecution {
  readonly executionArn: string;
  readonly stateMachine: string;
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly events: readonly EventLog[];
}

/**
 * Runs the state machines of a synthesized stack on this machine: the
 * definition comes from the cloud assembly, aws-local-stepfunctions interprets
 * it, Lambda tasks run the functions' bundled assets in-process and DynamoDB
 * tasks go to an embedded dynalite holding the stack's tables.
 */
export class LocalRunner {
  private constructor(
    readonly stack: AssemblyStack,
    readonly dynamodb: LocalDynamoDb,
    readonly lambda: LocalLambdaRuntime,
    private readonly resolver: IntrinsicResolver,
  ) {}

  /** Reads the assembly, starts the embedded DynamoDB and creates the stack's tables. */
  static async start(options: LocalRunnerOptions): Promise<LocalRunner> {
    const stack = selectStack(readCloudAssembly(options.assemblyDir), options.stackName);
    const dynamodb = await LocalDynamoDb.start();
    try {
      await dynamodb.createTables(stack.template);
      // One process hosts every function: SDK clients the handlers create talk to the local engines.
      Object.assign(process.env, {
        AWS_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      });
      return new LocalRunner(stack, dynamodb, new LocalLambdaRuntime(stack), new IntrinsicResolver(stack.template));
    } catch (error) {
      await dynamodb.stop();
      throw error;
    }
  }

  /** Logical ids of the stack's state machines. */
  stateMachines(): string[] {
    return resourcesOfType(this.stack.template, 'AWS::StepFunctions::StateMachine');
  }

  /** The state machine's definition with every intrinsic resolved to local names. */
  definitionOf(stateMachine?: string): any {
    const logicalId = this.findStateMachine(stateMachine);
    const props = this.stack.template.Resources[logicalId].Properties ?? {};
    const definition = props.Definition ?? JSON.parse(String(this.resolver.resolve(props.DefinitionString)));
    return withoutWholeStateResultPaths(this.resolver.resolve(definition));
  }

  async execute(request: LocalExecutionRequest): Promise<LocalExecution> {
    const logicalId = this.findStateMachine(request.stateMachine);
    const definition = this.definitionOf(logicalId);
    const taskResourceLocalHandlers = taskHandlersFor(definition, { lambda: this.lambda, dynamodb: this.dynamodb.client });
    const name = request.name ?? randomUUID();
    const stateMachineArn = this.resolver.arn(logicalId);
    const executionArn = stateMachineArn.replace(':stateMachine:', ':execution:') + `:${name}`;
    const input = request.input as any;

    const execution = new StateMachine(definition).run(input, {
      overrides: { taskResourceLocalHandlers },
      context: {
        Execution: { Id: executionArn, Name: name, Input: input, StartTime: new Date().toISOString() },
        StateMachine: { Id: stateMachineArn, Name: this.resolver.physicalName(logicalId) },
        // The interpreter keeps no per-state context; a getter gives the time at which a state reads it, which is its entry.
        State: {
          get EnteredTime() {
            return new Date().toISOString();
          },
        },
      } as any,
    });
    const events: EventLog[] = [];
    let limitExceeded: string | undefined;
    const collecting = (async () => {
      for await (const event of execution.eventLogs) {
        events.push(event);
        limitExceeded ??= payloadOverLimit(event);
        if (limitExceeded) execution.abort();
      }
    })();
    const base = { executionArn, stateMachine: logicalId, events };
    try {
      const output = await execution.result;
      await collecting;
      return { ...base, status: 'SUCCEEDED', output };
    } catch (error) {
      await collecting;
      if (limitExceeded) return { ...base, status: 'FAILED', error: 'States.DataLimitExceeded', cause: limitExceeded };
      if (error instanceof ExecutionTimeoutError) return { ...base, status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out (TimeoutSeconds).' };
      const failure = (error as Error).cause instanceof Error ? (error as Error).cause as Error : error as Error;
      return { ...base, status: 'FAILED', error: failure.name, cause: failure.message };
    }
  }

  async stop(): Promise<void> {
    await this.dynamodb.stop();
  }

  private findStateMachine(selector?: string): string {
    const ids = this.stateMachines();
    const paths = (id: string) => String(this.stack.template.Resources[id].Metadata?.['aws:cdk:path'] ?? '');
    const matches = selector === undefined ? ids : ids.filter((id) => id === selector || paths(id).includes(selector));
    if (matches.length !== 1) {
      const what = selector === undefined ? 'state machines' : `state machines matching '${selector}'`;
      throw new Error(`stack ${this.stack.name} has ${matches.length} ${what} (${ids.join(', ') || 'none'}); name one`);
    }
    return matches[0];
  }
}

/** Why the event's payload breaks the 256 KiB quota, or undefined when it does not. */
function payloadOverLimit(event: EventLog): string | undefined {
  let payload: unknown;
  let where: string;
  if (event.type === 'ExecutionStarted') {
    [payload, where] = [event.input, 'the execution input'];
  } else if (event.type === 'StateExited') {
    [payload, where] = [event.state.output, `the output of state '${event.state.name}'`];
  } else {
    return undefined;
  }
  const bytes = Buffer.byteLength(JSON.stringify(payload ?? null));
  return bytes > MAX_PAYLOAD_BYTES
    ? `${where} is ${bytes} bytes, over the ${MAX_PAYLOAD_BYTES}-byte quota of a Step Functions payload`
    : undefined;
}

/**
 * Drops `"ResultPath": "$"` from states and catchers. It means the same as no
 * ResultPath (the result replaces the state), but aws-local-stepfunctions 3.0
 * treats the `$` as a field name.
 */
function withoutWholeStateResultPaths(definition: any): any {
  for (const [, state] of allStates(definition)) {
    for (const holder of [state, ...(state.Catch ?? [])]) {
      if (holder.ResultPath === '$') delete holder.ResultPath;
    }
  }
  return definition;
}

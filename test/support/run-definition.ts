import { refuseUnsupportedFields } from '../../tools/local/definition-support';
import { distributedMapRunner } from '../../tools/local/distributed-map';
import { EventLog, toHistoryEvents } from '../../tools/local/history-events';
import { localStateMachine } from '../../tools/local/interpreter';
import { withStateQueryLanguages } from '../../tools/local/query-language/query-language-states';

/** How a definition run by {@link runDefinition} ended, with its history as GetExecutionHistory would give it. */
export interface DefinitionRun {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: any;
  readonly error?: string;
  readonly cause?: string;
  readonly history: ReturnType<typeof toHistoryEvents>;
}

/**
 * Runs a definition on the local run's interpreter as LocalRunner does (the same checks before, the same query
 * languages), without an app: Task states are answered by `tasks`, by state name. A distributed Map runs its
 * children here too, from its input's items (no S3: no ItemReader or ResultWriter).
 */
export async function runDefinition(definition: any, input: unknown, tasks: Record<string, (input: any) => Promise<unknown>> = {}): Promise<DefinitionRun> {
  refuseUnsupportedFields(definition);
  const stateMachineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:Machine';
  const distributedMap = distributedMapRunner({ s3: undefined, stateMachineArn, executionArn: 'arn:aws:states:us-east-1:000000000000:execution:Machine:run-1' });
  const execution = localStateMachine(withStateQueryLanguages(definition)).run(input as any, {
    overrides: { taskResourceLocalHandlers: tasks as any },
    distributedMap: distributedMap.run,
    context: { Execution: { Id: 'arn:aws:states:us-east-1:000000000000:execution:Machine:run-1', Name: 'run-1' }, StateMachine: { Id: stateMachineArn, Name: 'Machine' } } as any,
  } as any);
  const events: EventLog[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  try {
    const output = await execution.result;
    await collecting;
    return { status: 'SUCCEEDED', output, history: toHistoryEvents(events, { status: 'SUCCEEDED' }) };
  } catch (error) {
    await collecting;
    const failure = (error as Error).cause instanceof Error ? (error as Error).cause as Error : error as Error;
    return { status: 'FAILED', error: failure.name, cause: failure.message, history: toHistoryEvents(events, { status: 'FAILED', error: failure.name, cause: failure.message }) };
  }
}

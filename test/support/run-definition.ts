import { refuseUnsupportedFields } from '../../tools/local/definition-support';
import { distributedMapRunner } from '../../tools/local/distributed-map';
import { toHistoryEvents } from '../../tools/local/history-events';
import { localStateMachine } from '../../tools/local/interpreter';
import { settleRun } from '../../tools/local/local-runner';
import { withStateQueryLanguages } from '../../tools/local/query-language/query-language-states';

/** How a definition run by {@link runDefinition} ended, with its history as GetExecutionHistory would give it. */
export interface DefinitionRun {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
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
  const { events, status, output, error, cause } = await settleRun(execution);
  return { status, output, error, cause, history: toHistoryEvents(events, { status, error, cause }) };
}

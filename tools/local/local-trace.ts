import { buildTrace, ExecutionTrace, NestedExecutionSummary } from '../trace/execution-trace';
import { toHistoryEvents } from './history-events';
import { localWaitsOf } from './interpreter';
import type { LocalExecution } from './local-runner';
import type { ChildExecution } from './step-functions-integrations';

/**
 * The trace of a local execution: its history, its map runs' child executions under their Map, its waits, and the
 * nested executions its tasks started under each task, with their own states (their children under them in turn).
 */
export function localExecutionTrace(execution: LocalExecution): ExecutionTrace {
  return buildTrace(execution.executionArn, toHistoryEvents(execution.events, execution), {
    mapRuns: execution.mapRuns,
    localWaits: localWaitsOf(execution.events),
    childExecutions: execution.childExecutions.map(nestedSummary),
  });
}

function nestedSummary({ state, execution }: ChildExecution): NestedExecutionSummary {
  const { result } = execution;
  return {
    state,
    executionArn: execution.executionArn,
    status: execution.status,
    start: execution.startDate,
    ...execution.stopDate !== undefined && { stop: execution.stopDate },
    ...result?.error !== undefined && { error: result.error },
    ...result?.cause !== undefined && { cause: result.cause },
    ...result && { trace: localExecutionTrace(result) },
  };
}

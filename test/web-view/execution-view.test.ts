import { assemblyStateMachines } from '../../tools/diagram/assembly';
import { buildTrace, ExecutionTrace, TraceSpan } from '../../tools/trace/execution-trace';
import { distributedProcessorStates, executionView, stateViews, timelineRows } from '../../tools/web-view/execution-view';
import { exampleAssembly } from '../support/example-app';
import { allEvents, recordedHistory } from '../support/recorded-history';
import { wordLengthHistory } from '../support/word-length-history';

// The execution page's model, without a browser: a trace's spans as timeline rows, the definition's states by outcome.
const wordLength = assemblyStateMachines(exampleAssembly().assemblyDir).find((m) => m.id === 'WordLengthExample/WordLength')!;

function traceOf(name: string): ExecutionTrace {
  const history = recordedHistory(name);
  return buildTrace(history.executionArn, allEvents(history));
}

describe('timeline rows', () => {
  test('offsets from the execution start, durations, depth under the parent; parents before children', () => {
    const trace = traceOf('succeeded');
    const rows = timelineRows(trace);
    const [execution, map] = rows;
    expect(execution).toMatchObject({ name: 'seed-run', kind: 'Execution', depth: 0, offsetMs: 0, status: 'SUCCEEDED' });
    expect(execution.durationMs).toBe(trace.spans[0].end! - trace.spans[0].start);
    const mapSpan = trace.spans.find((s) => s.name === 'MapItems')!;
    expect(map).toMatchObject({ name: 'MapItems', kind: 'Map', depth: 1, offsetMs: mapSpan.start - trace.spans[0].start, parentId: execution.id });
    const seen = new Set<string>();
    for (const row of rows) {
      if (row.parentId !== undefined) expect(seen).toContain(row.parentId);
      seen.add(row.id);
    }
    expect(rows.find((r) => r.name === 'MapItem')!.input).toEqual(expect.stringContaining('"word"'));
  });

  test('a Map\'s succeeded iterations are collapsed under one summary row with their count and durations; each row once', () => {
    const trace = traceOf('succeeded');
    const rows = timelineRows(trace);
    const summary = rows.find((r) => r.kind === 'Iterations')!;
    const iterations = trace.spans.filter((s) => s.kind === 'MapIteration');
    const durations = iterations.map((s) => s.end! - s.start).sort((a, b) => a - b);
    expect(summary).toMatchObject({
      name: `${iterations.length} iterations succeeded`, status: 'SUCCEEDED', depth: 2,
      summary: { count: iterations.length, minMs: durations[0], maxMs: durations[durations.length - 1] },
    });
    expect(rows.filter((r) => r.kind === 'MapIteration').every((r) => r.collapsedUnder === summary.id)).toBe(true);
    // What is inside an iteration is hidden with it.
    expect(rows.filter((r) => r.name === 'MapItem').every((r) => r.collapsedUnder === summary.id)).toBe(true);
    expect(rows.filter((r) => r.name === 'ReduceResults')[0].collapsedUnder).toBeUndefined();
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    expect(rows.filter((r) => r.kind !== 'Iterations')).toHaveLength(trace.spans.length);
  });

  test('iterations that did not succeed stay visible beside the summary, with their error and cause', () => {
    const rows = timelineRows(traceOf('failed-iteration'));
    const failed = rows.find((r) => r.name === 'MapItems[1]')!;
    expect(failed).toMatchObject({ status: 'FAILED', error: 'WordValidationError', cause: expect.stringContaining('item.word must be a string') });
    expect(failed.collapsedUnder).toBeUndefined();
    expect(rows.find((r) => r.name === 'MapItems[0]')).toMatchObject({ status: 'ABORTED' });
    expect(rows.find((r) => r.name === 'MapItems[0]')!.collapsedUnder).toBeUndefined();
  });

  test('a running execution: its open spans have no duration', () => {
    const history = recordedHistory('succeeded');
    const events = allEvents(history);
    const trace = buildTrace(history.executionArn, events.slice(0, events.findIndex((e) => e.type === 'MapStateSucceeded')));
    const rows = timelineRows(trace);
    expect(rows[0]).toMatchObject({ status: 'RUNNING' });
    expect(rows[0].durationMs).toBeUndefined();
  });

  test('a running execution before its first event: named by its name, an Express one\'s too (not its ARN\'s id)', () => {
    const express = 'arn:aws:states:us-east-1:123456789012:express:WordLength:typo-run:0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
    const standard = 'arn:aws:states:us-east-1:123456789012:execution:WordLength:typo-run';
    for (const arn of [express, standard]) {
      expect(executionView({ trace: buildTrace(arn, []), start: 1_000 })).toMatchObject({ name: 'typo-run', status: 'RUNNING', start: 1_000, rows: [] });
    }
  });

  test('a retried task: its retries and the errors it was retried after', () => {
    const rows = timelineRows(traceOf('retried-task'));
    expect(rows.find((r) => r.name === 'ReduceResults')).toMatchObject({ retries: 1, retriedErrors: ['Lambda.TooManyRequestsException'] });
  });
});

describe('states by outcome', () => {
  const outcomes = (trace: ExecutionTrace) => Object.fromEntries(executionView({ trace, definition: wordLength.definition }).states.map((s) => [s.name, s.outcome]));

  test('a failed iteration, caught by the Map: the task failed, the Map caught, the catch path succeeded, the rest not reached', () => {
    expect(outcomes(traceOf('failed-iteration'))).toEqual({
      MapItems: 'caught', MapItem: 'failed', RecordFailure: 'succeeded', Failed: 'failed', ReduceResults: 'not-reached', StoreResult: 'not-reached',
    });
  });

  test('a retried task is retried, the others succeeded, the failure path not reached', () => {
    expect(outcomes(traceOf('retried-task'))).toMatchObject({
      MapItems: 'succeeded', MapItem: 'retried', ReduceResults: 'retried', StoreResult: 'succeeded', RecordFailure: 'not-reached', Failed: 'not-reached',
    });
  });

  test('a state entered in many iterations counts them, and one failure outweighs the successes', () => {
    const history = wordLengthHistory({ executionArn: 'arn:aws:states:ap-northeast-2:123456789012:execution:WordLength:many', words: ['a', 'bb', 'ccc', undefined, 'eeeee'] });
    const states = stateViews(new Map([['MapItem', 'MapItem']]), buildTrace('arn:aws:states:ap-northeast-2:123456789012:execution:WordLength:many', history).spans);
    expect(states).toEqual([expect.objectContaining({ name: 'MapItem', outcome: 'failed' })]);
    expect(states[0].entered).toBeGreaterThan(1);
  });

  test('the states of a distributed Map run in its child executions: they take the children\'s outcomes', () => {
    const definition = {
      StartAt: 'Words',
      States: {
        Words: {
          Type: 'Map', End: true,
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' }, StartAt: 'Count', States: { Count: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } },
        },
      },
    };
    expect(distributedProcessorStates(definition)).toEqual(new Map([['Words', ['Count']]]));
    const span = (spanId: string, kind: TraceSpan['kind'], status: TraceSpan['status'], parentSpanId?: string): TraceSpan => ({
      traceId: 'x', spanId, ...parentSpanId && { parentSpanId }, name: kind === 'ChildExecution' ? `Words[${spanId}]` : 'Words', kind, start: 0, end: 1, status, attributes: { retries: 0 },
    });
    const map = span('2', 'Map', 'FAILED');
    const outcomesWith = (...children: TraceSpan[]) => stateViews(new Map([['Words', 'Words'], ['Count', 'Count']]), [map, ...children], distributedProcessorStates(definition))
      .map((s) => [s.name, s.outcome, s.entered]);
    expect(outcomesWith(span('2/0', 'ChildExecution', 'SUCCEEDED', '2'), span('2/1', 'ChildExecution', 'FAILED', '2')))
      .toEqual([['Words', 'failed', 1], ['Count', 'failed', 2]]);
    expect(outcomesWith(span('2/0', 'ChildExecution', 'SUCCEEDED', '2'))).toEqual([['Words', 'failed', 1], ['Count', 'succeeded', 1]]);
    expect(outcomesWith()).toEqual([['Words', 'failed', 1], ['Count', 'not-reached', 0]]);
  });

  test('a nested execution (states:startExecution) is shown whole under its task, and its states colour none of the parent\'s', () => {
    const span = (spanId: string, name: string, kind: TraceSpan['kind'], status: TraceSpan['status'], parentSpanId?: string): TraceSpan => ({
      traceId: 'x', spanId, ...parentSpanId && { parentSpanId }, name, kind, start: Number(spanId.length), end: 10, status, attributes: { retries: 0 },
    });
    const spans = [
      span('1', 'run', 'Execution', 'SUCCEEDED'),
      span('2', 'Process', 'Task', 'SUCCEEDED', '1'),
      span('2/c', 'child-1', 'ChildExecution', 'SUCCEEDED', '2'),
      // The child's own state named as a state of the parent: the parent's Store never ran.
      span('2/c/3', 'Store', 'Task', 'FAILED', '2/c'),
    ];
    expect(timelineRows({ traceId: 'x', spans } as ExecutionTrace).map((r) => [r.name, r.depth, r.collapsedUnder])).toEqual([
      ['run', 0, undefined], ['Process', 1, undefined], ['child-1', 2, undefined], ['Store', 3, undefined],
    ]);
    expect(stateViews(new Map([['Process', 'Process'], ['Store', 'Store']]), spans).map((s) => [s.name, s.outcome]))
      .toEqual([['Process', 'succeeded'], ['Store', 'not-reached']]);
  });

  test('a running state is running', () => {
    const span: TraceSpan = { traceId: 'x', spanId: '2', parentSpanId: '1', name: 'ReduceResults', kind: 'Task', start: 0, status: 'RUNNING', attributes: { retries: 0 } };
    expect(stateViews(new Map([['ReduceResults', 'ReduceResults'], ['StoreResult', 'StoreResult']]), [span]).map((s) => s.outcome)).toEqual(['running', 'not-reached']);
  });

  test('the chart carries each outcome as a class on the states\' node ids, and the nodes are the diagram\'s', () => {
    const view = executionView({ trace: traceOf('failed-iteration'), definition: wordLength.definition });
    const { diagram, states } = view;
    for (const state of states) expect(diagram).toMatch(new RegExp(`^\\s+${state.nodeId}\\b`, 'm'));
    expect(diagram).toMatch(/^ {2}class (.*,)?MapItem(,.*)? outcome_failed$/m);
    expect(diagram).toMatch(/^ {2}class (.*,)?MapItems(,.*)? outcome_caught$/m);
    expect(diagram).toMatch(/^ {2}class .* outcome_not_reached$/m);
    expect(view).toMatchObject({ name: 'typo-run', status: 'FAILED', error: 'WordValidationError' });
  });

  test('without a definition: the timeline alone', () => {
    const view = executionView({ trace: traceOf('succeeded') });
    expect(view.diagram).toBeUndefined();
    expect(view.states).toEqual([]);
    expect(view.rows.length).toBeGreaterThan(0);
  });
});

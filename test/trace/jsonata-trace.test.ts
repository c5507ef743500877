import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { buildTrace, ExecutionTrace, TraceSpan } from '../../tools/trace/execution-trace';
import { formatTrace } from '../../tools/trace/format-trace';
import { runDefinition } from '../support/run-definition';

// JSONata states and workflow variables in the trace. The histories are written by hand in GetExecutionHistory's
// shape: a state's variables on its StateExited event as `assignedVariables` (name → value as JSON text) and a failing
// expression as an EvaluationFailed event (https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html,
// API_StateExitedEventDetails.html, API_EvaluationFailedEventDetails.html); the same workflow then runs locally.
const ORDERING = {
  QueryLanguage: 'JSONata',
  StartAt: 'Remember',
  States: {
    // The Assign of https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html.
    Remember: { Type: 'Pass', Assign: { productName: 'product1', count: 42, available: true }, Next: 'IsMany' },
    // A Choice rule with its own Assign (https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html).
    IsMany: { Type: 'Choice', Choices: [{ Condition: '{% $count > 40 %}', Assign: { reason: "{% 'count ' & $count %}" }, Next: 'Order' }], Default: 'Order' },
    // An Output that fails (the result's order.id is not a function), caught, the error output kept in a variable.
    Order: {
      Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'order', Payload: '{% $states.input %}' },
      Output: '{% $states.result.Payload.order.id() %}', End: true,
      Catch: [{ ErrorEquals: ['States.QueryEvaluationError'], Assign: { errorInfo: '{% $states.errorOutput %}' }, Next: 'OrderFailed' }],
    },
    OrderFailed: { Type: 'Fail', Error: '{% $errorInfo.Error %}', Cause: '{% $errorInfo.Cause %}' },
  },
};
const orderResult = { Payload: { order: { id: 'o-1' } } };
const ARN = 'arn:aws:states:us-east-1:123456789012:execution:Pricing:order-7';
const CAUSE = "An error occurred while evaluating the expression '{% $states.result.Payload.order.id() %}' in field 'Output': "
  + 'T1006: Attempted to invoke a non-function';
const ERROR_OUTPUT = JSON.stringify({ Error: 'States.QueryEvaluationError', Cause: CAUSE });

const ms = (offset: number) => new Date(Date.UTC(2026, 10, 30, 12, 0, 0, offset));
/** Events with ids in order, each continuing the one before unless `previousEventId` says otherwise. */
function history(...events: Array<Omit<HistoryEvent, 'id' | 'timestamp'> & { at: number }>): HistoryEvent[] {
  return events.map(({ at, ...event }, i) => ({ id: i + 1, previousEventId: i, timestamp: ms(at), ...event }));
}
const taskAttempt = (at: number, output: string): Array<Omit<HistoryEvent, 'id' | 'timestamp'> & { at: number }> => [
  { at, type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'us-east-1', parameters: '{}' } },
  { at, type: 'TaskStarted', taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke' } },
  { at: at + 40, type: 'TaskSucceeded', taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output } },
];

const ordering = history(
  { at: 0, type: 'ExecutionStarted', previousEventId: 0, executionStartedEventDetails: { input: '{}' } },
  { at: 1, type: 'PassStateEntered', stateEnteredEventDetails: { name: 'Remember', input: '{}' } },
  {
    at: 2, type: 'PassStateExited',
    stateExitedEventDetails: {
      name: 'Remember', output: '{}',
      assignedVariables: { productName: '"product1"', count: '42', available: 'true' }, assignedVariablesDetails: { truncated: false },
    },
  },
  { at: 3, type: 'ChoiceStateEntered', stateEnteredEventDetails: { name: 'IsMany', input: '{}' } },
  {
    at: 3, type: 'ChoiceStateExited',
    stateExitedEventDetails: { name: 'IsMany', output: '{}', assignedVariables: { reason: '"count 42"' }, assignedVariablesDetails: { truncated: false } },
  },
  { at: 45, type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Order', input: '{}' } },
  ...taskAttempt(46, JSON.stringify(orderResult)),
  { at: 87, type: 'EvaluationFailed', evaluationFailedEventDetails: { state: 'Order', error: 'States.QueryEvaluationError', cause: CAUSE, location: 'Output' } },
  {
    at: 87, type: 'TaskStateExited',
    stateExitedEventDetails: { name: 'Order', output: ERROR_OUTPUT, assignedVariables: { errorInfo: ERROR_OUTPUT }, assignedVariablesDetails: { truncated: false } },
  },
  { at: 88, type: 'FailStateEntered', stateEnteredEventDetails: { name: 'OrderFailed', input: ERROR_OUTPUT } },
  { at: 88, type: 'ExecutionFailed', executionFailedEventDetails: { error: 'States.QueryEvaluationError', cause: CAUSE } },
);

const span = (trace: ExecutionTrace, name: string): TraceSpan => trace.spans.find((s) => s.name === name)!;

describe('workflow variables', () => {
  test('a state\'s span carries the variables its StateExited event recorded, values as JSON text', () => {
    const trace = buildTrace(ARN, ordering);
    expect(span(trace, 'Remember').attributes.assignedVariables).toEqual({ productName: '"product1"', count: '42', available: 'true' });
    expect(span(trace, 'IsMany').attributes.assignedVariables).toEqual({ reason: '"count 42"' });
    // A catcher's Assign: recorded on the caught state's exit.
    expect(span(trace, 'Order')).toMatchObject({ status: 'CAUGHT', attributes: { assignedVariables: { errorInfo: ERROR_OUTPUT } } });
    expect(span(trace, 'OrderFailed').attributes.assignedVariables).toBeUndefined();
  });

  test('the text trace lists them under the state, after its error, each value shortened', () => {
    expect(formatTrace(buildTrace(ARN, ordering))).toBe([
      '     start   duration  status     retries  span',
      '     +0 ms      88 ms  FAILED              order-7 (Execution)',
      '                                             error: States.QueryEvaluationError',
      '     +1 ms       1 ms  SUCCEEDED             Remember (Pass)',
      '                                               assigned: productName="product1", count=42, available=true',
      '     +3 ms       0 ms  SUCCEEDED             IsMany (Choice)',
      '                                               assigned: reason="count 42"',
      '    +45 ms      42 ms  CAUGHT                Order (Task)',
      '                                               error: States.QueryEvaluationError',
      `                                               cause: ${CAUSE}`,
      '                                               assigned: errorInfo={"Error":"States.QueryEvaluationError","Cause":"An error oc…',
      '    +88 ms       0 ms  FAILED                OrderFailed (Fail)',
      '                                               error: States.QueryEvaluationError',
      '                                               cause: as under Order above',
    ].join('\n'));
  });

  test('a local run of the workflow gives the same trace, times aside', async () => {
    const run = await runDefinition(ORDERING, {}, { Order: async () => orderResult });
    const withoutTimes = (text: string) => text.split('\n').map((line) => line.slice('     start   duration  '.length)).join('\n');
    expect(withoutTimes(formatTrace(buildTrace(ARN, run.history)))).toBe(withoutTimes(formatTrace(buildTrace(ARN, ordering))));
  });

  test('--json has the values whole; the text trace\'s length per value is an option', () => {
    const trace = buildTrace(ARN, ordering);
    expect(JSON.parse(JSON.stringify(trace)).spans.find((s: TraceSpan) => s.name === 'Order').attributes.assignedVariables.errorInfo).toBe(ERROR_OUTPUT);
    expect(formatTrace(trace, { maxValueLength: 8 })).toContain('assigned: errorInfo={"Error…\n');
  });

  test('a state that assigned nothing (an empty record) gets no line', () => {
    const events = history(
      { at: 0, type: 'ExecutionStarted', previousEventId: 0, executionStartedEventDetails: { input: '{}' } },
      { at: 1, type: 'PassStateEntered', stateEnteredEventDetails: { name: 'Nothing', input: '{}' } },
      { at: 1, type: 'PassStateExited', stateExitedEventDetails: { name: 'Nothing', output: '{}', assignedVariables: {} } },
      { at: 2, type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: '{}' } },
    );
    const trace = buildTrace(ARN, events);
    expect(span(trace, 'Nothing').attributes.assignedVariables).toBeUndefined();
    expect(formatTrace(trace)).not.toContain('assigned:');
  });
});

describe('a JSONata expression that fails: States.QueryEvaluationError', () => {
  test('uncaught in a Pass state\'s Output: the state FAILED with the cause naming the field and the expression, the execution pointing there', () => {
    // The cause as the local run writes it: the expression and the field it is in.
    const cause = "An error occurred while evaluating the expression '{% $states.input.title() %}' in field 'Output': T1006: Attempted to invoke a non-function";
    const events = history(
      { at: 0, type: 'ExecutionStarted', previousEventId: 0, executionStartedEventDetails: { input: '{}' } },
      { at: 1, type: 'PassStateEntered', stateEnteredEventDetails: { name: 'Title', input: '{}' } },
      { at: 2, type: 'EvaluationFailed', evaluationFailedEventDetails: { state: 'Title', error: 'States.QueryEvaluationError', cause, location: 'Output' } },
      { at: 2, type: 'ExecutionFailed', executionFailedEventDetails: { error: 'States.QueryEvaluationError', cause } },
    );
    const trace = buildTrace(ARN, events);
    expect(span(trace, 'Title')).toMatchObject({ kind: 'Pass', status: 'FAILED', attributes: { error: 'States.QueryEvaluationError', cause } });
    expect(trace.spans[0]).toMatchObject({ status: 'FAILED', attributes: { error: 'States.QueryEvaluationError', cause } });
    expect(formatTrace(trace).split('\n').slice(1)).toEqual([
      '     +0 ms       2 ms  FAILED              order-7 (Execution)',
      '                                             error: States.QueryEvaluationError',
      '     +1 ms       1 ms  FAILED                Title (Pass)',
      '                                               error: States.QueryEvaluationError',
      `                                               cause: ${cause}`,
    ]);
  });

  test('a Task whose Arguments failed before it was scheduled, then retried: one retry, after States.QueryEvaluationError', () => {
    const events = history(
      { at: 0, type: 'ExecutionStarted', previousEventId: 0, executionStartedEventDetails: { input: '{}' } },
      { at: 1, type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Lookup', input: '{}' } },
      { at: 1, type: 'EvaluationFailed', evaluationFailedEventDetails: { state: 'Lookup', error: 'States.QueryEvaluationError', cause: 'no title', location: 'Arguments' } },
      ...taskAttempt(3, '{}'),
      { at: 44, type: 'TaskStateExited', stateExitedEventDetails: { name: 'Lookup', output: '{}' } },
      { at: 45, type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: '{}' } },
    );
    expect(span(buildTrace(ARN, events), 'Lookup')).toMatchObject({
      status: 'SUCCEEDED', attributes: { retries: 1, retriedErrors: ['States.QueryEvaluationError'] },
    });
  });
});

import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  SendTaskFailureCommand, SendTaskHeartbeatCommand, SendTaskSuccessCommand, SFNClient, SFNServiceException,
} from '@aws-sdk/client-sfn';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { LOCAL_REGION } from '../../tools/assembly/intrinsics';
import { toHistoryEvents } from '../../tools/local/history-events';
import { handlerEnvironment } from '../../tools/local/local-lambda';
import type { LocalExecution } from '../../tools/local/local-runner';
import { taskHandlersFor } from '../../tools/local/task-integrations';
import { TaskTokens } from '../../tools/local/task-tokens';
import { buildTrace } from '../../tools/trace/execution-trace';
import { APPROVAL_HEARTBEAT_SECONDS, synthesizeCallbackFixture } from '../support/callback-fixture-app';
import { useLocalRunner } from '../support/use-local-runner';

// The callback pattern: "Call a service with a task token and have Step Functions wait until that token is returned
// with a payload": https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
const runner = useLocalRunner(() => ({ assemblyDir: synthesizeCallbackFixture() }));

const history = (execution: LocalExecution) => toHistoryEvents(execution.events, execution);

/** A worker's Step Functions client, as a handler makes it: the local endpoint the run gives its handlers. */
const sfn = () => new SFNClient({
  endpoint: handlerEnvironment.AWS_ENDPOINT_URL_SFN, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

/** The error name the SDK gives for a call, or 'none'. */
async function errorOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'none';
  } catch (error) {
    if (!(error instanceof SFNServiceException)) throw error;
    return error.name;
  }
}

/** The next review request in the queue nothing reads (`ManualReviews`), removed from it: what a person would pick up. */
async function nextReviewRequest(): Promise<{ orderId: string; taskToken: string }> {
  const { sqs, queues } = runner().snsSqs!;
  const queueUrl = [...queues.values()].find((q) => q.logicalId.startsWith('ManualReviews'))!.url;
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
    if (Messages.length === 0) continue;
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: Messages[0].ReceiptHandle }));
    return JSON.parse(Messages[0].Body!);
  }
}

async function decisionOf(orderId: string): Promise<Record<string, string | undefined>> {
  const { Item = {} } = await runner().dynamodb.client.send(new GetItemCommand({ TableName: runner().tableName('Decisions'), Key: { orderId: { S: orderId } } }));
  return Object.fromEntries(Object.entries(Item).map(([name, value]) => [name, value.S]));
}

describe('sqs:sendMessage.waitForTaskToken answered by a worker fed by the queue', () => {
  beforeAll(() => runner().startWorkers());

  test('SendTaskSuccess: the task\'s result is the worker\'s output, not the SendMessage response, which TaskSubmitted records', async () => {
    const execution = await runner().execute({ stateMachine: 'OrderApproval', input: { order: { orderId: 'o-1', total: 40 } } });
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toMatchObject({ approval: { decision: 'approved', approver: 'auto' } });
    expect(await decisionOf('o-1')).toEqual({ orderId: 'o-1', status: 'approved', approver: 'auto' });
    const events = history(execution);
    const task = events.filter((e) => ['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded'].includes(e.type!) && (e.taskScheduledEventDetails ?? e.taskSubmittedEventDetails ?? e.taskStartedEventDetails ?? e.taskSucceededEventDetails)?.resource === 'sendMessage.waitForTaskToken');
    // As GetExecutionHistory gives a callback task (LocalStack's recording of AWS, tests/aws/services/stepfunctions/v2/callback).
    expect(task.map((e) => e.type)).toEqual(['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded']);
    expect(task.map((e) => e.previousEventId)).toEqual([task[0].previousEventId, task[0].id, task[1].id, task[2].id]);
    const parameters = JSON.parse(task[0].taskScheduledEventDetails!.parameters!);
    expect(JSON.parse(task[2].taskSubmittedEventDetails!.output!)).toMatchObject({ MessageId: expect.any(String), MD5OfMessageBody: expect.any(String) });
    expect(JSON.parse(task[3].taskSucceededEventDetails!.output!)).toEqual({ decision: 'approved', approver: 'auto' });
    expect(task[2].taskSubmittedEventDetails).toMatchObject({ resourceType: 'sqs', resource: 'sendMessage.waitForTaskToken' });
    // The token the message carried answers nothing any more.
    expect(await errorOf(sfn().send(new SendTaskSuccessCommand({ taskToken: parameters.MessageBody.taskToken, output: '{}' })))).toBe('TaskTimedOut');
    const span = buildTrace(execution.executionArn, events).spans.find((s) => s.name === 'RequestApproval')!;
    expect(span.attributes.tokenWaits).toEqual([{ waitedMs: expect.any(Number), answered: true }]);
  });

  test('SendTaskFailure: the task fails with the worker\'s error and cause, which the state\'s Catch handles', async () => {
    const execution = await runner().execute({ stateMachine: 'OrderApproval', input: { order: { orderId: 'o-2', total: 5000 } } });
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toMatchObject({ rejection: { Error: 'OrderRejected', Cause: 'order o-2: 5000 is over the approval limit of 1000' } });
    expect(await decisionOf('o-2')).toEqual({ orderId: 'o-2', status: 'rejected', reason: 'OrderRejected' });
    expect(history(execution).find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails).toEqual({
      resourceType: 'sqs', resource: 'sendMessage.waitForTaskToken', error: 'OrderRejected', cause: 'order o-2: 5000 is over the approval limit of 1000',
    });
  });

  test('heartbeats keep a task alive past its HeartbeatSeconds until the worker answers', async () => {
    const execution = await runner().execute({ stateMachine: 'OrderApproval', input: { order: { orderId: 'o-3', total: 70, review: 'long' } } });
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toMatchObject({ approval: { decision: 'approved', approver: 'reviewer' } });
    const [span] = buildTrace(execution.executionArn, history(execution)).spans.filter((s) => s.name === 'RequestApproval');
    expect(span.attributes.tokenWaits![0].waitedMs).toBeGreaterThan(APPROVAL_HEARTBEAT_SECONDS * 1000);
  });

  // "States.HeartbeatTimeout: A Task state failed to send a heartbeat for a period longer than the HeartbeatSeconds
  // value": https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html; the history has
  // TaskTimedOut (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskHeartbeat.html).
  test('no heartbeat nor answer within HeartbeatSeconds: the task times out with States.HeartbeatTimeout', async () => {
    const execution = await runner().execute({ stateMachine: 'OrderApproval', input: { order: { orderId: 'o-4', total: 70, review: 'never' } } });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
    const events = history(execution);
    expect(events.find((e) => e.type === 'TaskTimedOut')?.taskTimedOutEventDetails).toMatchObject({ error: 'States.HeartbeatTimeout', resourceType: 'sqs' });
    const span = buildTrace(execution.executionArn, events).spans.find((s) => s.name === 'RequestApproval')!;
    expect(span.attributes.tokenWaits).toEqual([{ waitedMs: expect.any(Number), answered: false }]);
  });

  test('a JSONata task gets its token from $states.context.Task.Token', async () => {
    const execution = await runner().execute({ stateMachine: 'JsonataApproval', input: { order: { orderId: 'o-5', total: 12 } } });
    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { decision: 'approved', approver: 'auto' } });
  });
});

// SendTaskSuccess's errors: InvalidOutput, InvalidToken, TaskDoesNotExist, TaskTimedOut ("The task token has either
// expired or the task associated with the token has already been closed"):
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html
describe('the answers of the Step Functions API, as a worker\'s @aws-sdk/client-sfn gets them', () => {
  test('an answer from outside the run moves a waiting task on; a second one, a bad output or a token that is none, fail by name', async () => {
    const running = runner().execute({ stateMachine: 'ManualReview', input: { orderId: 'o-6' } });
    const { orderId, taskToken } = await nextReviewRequest();
    expect(orderId).toBe('o-6');
    const client = sfn();
    expect(await errorOf(client.send(new SendTaskHeartbeatCommand({ taskToken })))).toBe('none');
    expect(await errorOf(client.send(new SendTaskSuccessCommand({ taskToken, output: 'approved' })))).toBe('InvalidOutput');
    expect(await errorOf(client.send(new SendTaskSuccessCommand({ taskToken, output: '{"reviewer":"ana"}' })))).toBe('none');
    expect(await running).toMatchObject({ status: 'SUCCEEDED', output: { reviewer: 'ana' } });
    expect(await errorOf(client.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })))).toBe('TaskTimedOut');
    expect(await errorOf(client.send(new SendTaskFailureCommand({ taskToken })))).toBe('TaskTimedOut');
    expect(await errorOf(client.send(new SendTaskHeartbeatCommand({ taskToken: 'not-a-token' })))).toBe('InvalidToken');
    expect(await errorOf(client.send(new SendTaskSuccessCommand({ taskToken: TaskTokens.newToken(), output: '{}' })))).toBe('TaskDoesNotExist');
    expect(await errorOf(client.send(new SendTaskSuccessCommand({ taskToken: 'x'.repeat(1025), output: '{}' })))).toBe('ValidationException');
  });

  test('sns:publish.waitForTaskToken: the token reaches the topic\'s subscriber, whose answer is the task\'s result', async () => {
    const running = runner().execute({ stateMachine: 'NotifyReviewer', input: { orderId: 'o-12' } });
    const { orderId, taskToken } = await nextReviewRequest();
    expect(orderId).toBe('o-12');
    await sfn().send(new SendTaskSuccessCommand({ taskToken, output: '"reviewed"' }));
    const execution = await running;
    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: 'reviewed' });
    const submitted = history(execution).find((e) => e.type === 'TaskSubmitted')!.taskSubmittedEventDetails!;
    expect(submitted).toMatchObject({ resourceType: 'sns', resource: 'publish.waitForTaskToken' });
    expect(JSON.parse(submitted.output!)).toMatchObject({ MessageId: expect.any(String) });
  });

  test('SendTaskFailure with neither error nor cause fails the task with neither', async () => {
    const running = runner().execute({ stateMachine: 'ManualReview', input: { orderId: 'o-7' } });
    const { taskToken } = await nextReviewRequest();
    await sfn().send(new SendTaskFailureCommand({ taskToken }));
    const execution = await running;
    expect(execution).toMatchObject({ status: 'FAILED', error: undefined });
    expect(history(execution).find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails).toEqual({ resourceType: 'sqs', resource: 'sendMessage.waitForTaskToken', cause: '' });
  });

  // TimeoutSeconds bounds the task whatever its heartbeats; after it the token's task is closed.
  test('TimeoutSeconds: the task fails with States.Timeout and a late answer gets TaskTimedOut', async () => {
    const running = runner().execute({ stateMachine: 'TimedReview', input: { orderId: 'o-8' } });
    const { taskToken } = await nextReviewRequest();
    const execution = await running;
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(history(execution).find((e) => e.type === 'TaskTimedOut')?.taskTimedOutEventDetails).toMatchObject({ error: 'States.Timeout' });
    expect(await errorOf(sfn().send(new SendTaskSuccessCommand({ taskToken, output: '{}' })))).toBe('TaskTimedOut');
  });

  test('each attempt has a token of its own: a retry after States.HeartbeatTimeout (HeartbeatSecondsPath) sends a new one, the first is dead', async () => {
    const running = runner().execute({ stateMachine: 'RetriedReview', input: { orderId: 'o-9', heartbeatSeconds: 1 } });
    const first = await nextReviewRequest();
    const second = await nextReviewRequest();
    expect(second.taskToken).not.toBe(first.taskToken);
    expect(await errorOf(sfn().send(new SendTaskSuccessCommand({ taskToken: first.taskToken, output: '{}' })))).toBe('TaskTimedOut');
    await sfn().send(new SendTaskSuccessCommand({ taskToken: second.taskToken, output: '{"attempt":2}' }));
    const execution = await running;
    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { attempt: 2 } });
    expect(history(execution).filter((e) => e.type === 'TaskTimedOut').map((e) => e.taskTimedOutEventDetails?.error)).toEqual(['States.HeartbeatTimeout']);
  });

  test('an execution that waits for a token nothing can answer is stopped when asked, naming its state', async () => {
    const execution = await runner().execute({ stateMachine: 'ManualReview', input: { orderId: 'o-10' }, stopWhenNothingCanAnswer: true });
    await nextReviewRequest();
    expect(execution).toMatchObject({ status: 'ABORTED', error: 'sdp.UnansweredTaskToken' });
    expect(execution.cause).toMatch(/^the execution waits for the task token of 'AwaitReviewer' \(waiting [\d.]+ s\) and nothing in the local run can answer it/);
    expect(history(execution).at(-1)).toMatchObject({ type: 'ExecutionAborted', executionAbortedEventDetails: { error: 'sdp.UnansweredTaskToken' } });
  });
});

describe('a token nothing can answer in a nested execution', () => {
  test('a .sync child waiting for it is stopped when the parent asked: its task fails with the child ABORTED', async () => {
    const execution = await runner().execute({ stateMachine: 'ReviewByChild', input: { orderId: 'o-11' }, stopWhenNothingCanAnswer: true });
    await nextReviewRequest();
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.TaskFailed' });
    expect(JSON.parse(execution.cause!)).toMatchObject({ Status: 'ABORTED', Error: 'sdp.UnansweredTaskToken' });
    expect(JSON.parse(execution.cause!).Cause).toMatch(/^the execution waits for the task token of 'AwaitReviewer'/);
  });

  test('StopExecution of a parent waiting for a .sync child that waits for a token: both end ABORTED, the token dead', async () => {
    const { executionArn } = runner().stepFunctions.startExecution({ stateMachineArn: runner().resourceArn('AWS::StepFunctions::StateMachine', 'ReviewByChild'), input: '{"orderId":"o-15"}' });
    const { taskToken } = await nextReviewRequest();
    expect((await runner().stepFunctions.handle('StopExecution', JSON.stringify({ executionArn, error: 'Cancelled' }))).statusCode).toBe(200);
    expect(await runner().stepFunctions.settle(10_000)).toBe(0);
    const [parent, child] = ['ReviewByChild', 'ManualReview'].map((id) => runner().stepFunctions.list().find((e) => e.stateMachine.startsWith(id) && e.result?.executionArn && JSON.parse(e.input).orderId === 'o-15')!);
    expect({ parent: parent.status, error: parent.result?.error, child: child.status }).toEqual({ parent: 'ABORTED', error: 'Cancelled', child: 'ABORTED' });
    expect(await errorOf(sfn().send(new SendTaskSuccessCommand({ taskToken, output: '{}' })))).toBe('TaskTimedOut');
  });

  test('a distributed Map\'s child executions waiting for it: the execution is stopped, their tokens dead', async () => {
    const execution = await runner().execute({ stateMachine: 'ReviewEach', input: { orders: [{ orderId: 'o-13' }, { orderId: 'o-14' }] }, stopWhenNothingCanAnswer: true });
    const requests = [await nextReviewRequest(), await nextReviewRequest()];
    expect(execution).toMatchObject({ status: 'ABORTED', error: 'sdp.UnansweredTaskToken' });
    expect(execution.cause).toMatch(/^the execution waits for the task token of 'AwaitReviewerOfItem' \(waiting [\d.]+ s\), 'AwaitReviewerOfItem'/);
    for (const { taskToken } of requests) expect(await errorOf(sfn().send(new SendTaskSuccessCommand({ taskToken, output: '{}' })))).toBe('TaskTimedOut');
  });
});

describe('events:putEvents.waitForTaskToken', () => {
  test('the token in the event reaches the function a rule invokes, whose answer is the task\'s result', async () => {
    const execution = await runner().execute({ stateMachine: 'ShipByEvent', input: { orderId: 'o-12' }, stopWhenNothingCanAnswer: true });
    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { trackingId: 'track-o-12' } });
    const submitted = history(execution).find((e) => e.type === 'TaskSubmitted')!.taskSubmittedEventDetails!;
    expect(JSON.parse(submitted.output!)).toMatchObject({ Entries: [{ EventId: expect.any(String) }], FailedEntryCount: 0 });
    expect(execution.putEvents[0].published.rules.map((r) => r.rule)).toEqual([expect.stringContaining('ShipmentRequests')]);
  });
});

describe('lambda:invoke.waitForTaskToken', () => {
  test('the function answers its own token: the task\'s result is the answer, the invocation\'s response is TaskSubmitted\'s', async () => {
    const execution = await runner().execute({ stateMachine: 'ShipOrder', input: { orderId: 'o-11' } });
    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { trackingId: 'track-o-11' } });
    const submitted = history(execution).find((e) => e.type === 'TaskSubmitted')!.taskSubmittedEventDetails!;
    expect(submitted).toMatchObject({ resourceType: 'lambda', resource: 'invoke.waitForTaskToken' });
    expect(JSON.parse(submitted.output!)).toMatchObject({ Payload: { booked: true }, StatusCode: 200 });
  });
});

// The optimised integrations that take a task token: https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html
test('a .waitForTaskToken of an integration the local run does not call is refused by name before anything runs', () => {
  const task = (Resource: string) => ({ Type: 'Task', Resource, End: true });
  const definition = {
    StartAt: 'Announce',
    States: { Announce: task('arn:aws:states:::events:putEvents.waitForTaskToken'), RunContainer: task('arn:aws:states:::ecs:runTask.waitForTaskToken') },
  };
  const engines = { lambda: runner().lambda, dynamodb: runner().dynamodb.client, events: { bus: runner().eventBus, executionArn: 'arn', stateMachineArn: 'arn', recorded: [] } };
  expect(() => taskHandlersFor(definition, engines)).toThrow('the local run cannot emulate these tasks: RunContainer (arn:aws:states:::ecs:runTask.waitForTaskToken)');
});

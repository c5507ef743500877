import { MAX_PAYLOAD_BYTES } from '../../tools/local/interpreter';
import { StepFunctionsApiError } from '../../tools/local/local-step-functions';
import { TaskTokens } from '../../tools/local/task-tokens';

/** The API error name a call throws, or 'none'. */
function errorOf(call: () => unknown): string {
  try {
    call();
    return 'none';
  } catch (error) {
    if (!(error instanceof StepFunctionsApiError)) throw error;
    return error.errorName;
  }
}

function waitingTask(tokens: TaskTokens, task: { heartbeatSeconds?: number } = {}) {
  const token = TaskTokens.newToken();
  const answered = tokens.wait(token, { executionArn: 'arn:aws:states:us-east-1:000000000000:execution:M:e', state: 'Approve', ...task });
  return { token, answered };
}

// The quotas of the Send* requests' fields:
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html and API_SendTaskFailure.html
test('fields past their length quota are refused as the JSON protocol refuses them, and the task still waits', async () => {
  const tokens = new TaskTokens();
  const { token, answered } = waitingTask(tokens);
  expect(errorOf(() => tokens.sendTaskSuccess({ taskToken: token, output: JSON.stringify('x'.repeat(MAX_PAYLOAD_BYTES)) }))).toBe('ValidationException');
  expect(errorOf(() => tokens.sendTaskFailure({ taskToken: token, error: 'E'.repeat(257) }))).toBe('ValidationException');
  expect(errorOf(() => tokens.sendTaskFailure({ taskToken: token, cause: 'c'.repeat(32769) }))).toBe('ValidationException');
  expect(errorOf(() => tokens.sendTaskSuccess({ taskToken: token, output: '[1]' }))).toBe('none');
  await expect(answered).resolves.toEqual([1]);
});

test('a heartbeat restarts HeartbeatSeconds; without one the wait fails with States.HeartbeatTimeout and the token is dead', async () => {
  jest.useFakeTimers();
  try {
    const tokens = new TaskTokens();
    const { token, answered } = waitingTask(tokens, { heartbeatSeconds: 2 });
    jest.advanceTimersByTime(1500);
    tokens.sendTaskHeartbeat({ taskToken: token });
    jest.advanceTimersByTime(1500);
    expect(tokens.waiting('arn:aws:states:us-east-1:000000000000:execution:M:e').map((t) => t.token)).toEqual([token]);
    jest.advanceTimersByTime(500);
    await expect(answered).rejects.toMatchObject({ name: 'States.HeartbeatTimeout' });
    expect(errorOf(() => tokens.sendTaskHeartbeat({ taskToken: token }))).toBe('TaskTimedOut');
  } finally {
    jest.useRealTimers();
  }
});

test('the Step Functions API answers the Send* actions as its endpoint does: {} or the error by its protocol name', async () => {
  const tokens = new TaskTokens();
  const { token } = waitingTask(tokens);
  expect(tokens.answer('SendTaskHeartbeat', { taskToken: token })).toEqual({});
  expect(tokens.answer('DescribeExecution', {})).toBeUndefined();
  expect(errorOf(() => tokens.answer('SendTaskSuccess', { taskToken: token, output: '{' }))).toBe('InvalidOutput');
  expect(errorOf(() => tokens.answer('SendTaskSuccess', { taskToken: 'bm90IGEgdG9rZW4=', output: '{}' }))).toBe('InvalidToken');
});

test('an execution that only waits for answers is told apart from one that still runs a state', () => {
  const tokens = new TaskTokens();
  const arn = 'arn:aws:states:us-east-1:000000000000:execution:M:e';
  tokens.stateStarted(arn);
  const { token } = waitingTask(tokens);
  expect(tokens.waitingOnlyForAnswers(arn)).toEqual([]); // the call is not made yet
  tokens.submitted(token);
  expect(tokens.waitingOnlyForAnswers(arn).map((t) => t.state)).toEqual(['Approve']);
  tokens.stateStarted(arn); // a Wait state of a Parallel branch
  expect(tokens.waitingOnlyForAnswers(arn)).toEqual([]);
  tokens.stateEnded(arn);
  tokens.endExecution(arn);
  expect(tokens.waitingOnlyForAnswers(arn)).toEqual([]);
});

test('a task with HeartbeatSeconds ends by itself: its execution is not one that only waits for answers', () => {
  jest.useFakeTimers();
  try {
    const tokens = new TaskTokens();
    tokens.stateStarted('arn:aws:states:us-east-1:000000000000:execution:M:e');
    const { token } = waitingTask(tokens, { heartbeatSeconds: 60 });
    tokens.submitted(token);
    expect(tokens.waitingOnlyForAnswers('arn:aws:states:us-east-1:000000000000:execution:M:e')).toEqual([]);
  } finally {
    jest.useRealTimers();
  }
});

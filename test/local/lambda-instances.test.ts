import { LocalLambdaRuntime } from '../../tools/local/local-lambda';
import { LAMBDA_FIXTURE_STACK, synthesizeLambdaFixture } from '../support/lambda-fixture-app';
import { useLocalRunner } from '../support/use-local-runner';

// The Lambda execution environment model the local run follows: an instance (execution environment) handles one
// invocation at a time, keeps its module-level state between invocations while warm, and a new one is initialised
// (a cold start) only when every instance is busy.
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
const runner = useLocalRunner(() => ({ assemblyDir: synthesizeLambdaFixture(), stackName: LAMBDA_FIXTURE_STACK }));

type InstanceState = { instanceId: string; calls: number; settingAtInit?: string };
const invoke = (selector: string, event: unknown) => runner().invokeFunction(selector, event) as Promise<InstanceState>;
const stats = (selector: string) => runner().lambda.stats()[runner().findResource('AWS::Lambda::Function', selector)];

test('concurrent invocations run on separate instances, each with its own module state; a warm instance is reused', async () => {
  const [a, b] = await Promise.all([invoke('Plain', { sleepMs: 200 }), invoke('Plain', { sleepMs: 200 })]);
  expect(a.instanceId).not.toBe(b.instanceId);
  expect([a.calls, b.calls]).toEqual([1, 1]);
  // The function's environment is applied while an instance initialises.
  expect(a.settingAtInit).toBe('Plain');
  const c = await invoke('Plain', {});
  expect([a.instanceId, b.instanceId]).toContain(c.instanceId);
  expect(c.calls).toBe(2);
  expect(stats('Plain')).toMatchObject({ invocations: 3, coldStarts: 2, provisioned: 0, throttles: 0, errors: 0, peakConcurrency: 2, instances: 2 });
});

// Reserved concurrency is the most instances a function can have; an invocation beyond it is throttled with the
// Invoke API's TooManyRequestsException (Reason ReservedFunctionConcurrentInvocationLimitExceeded).
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors
test('an invocation beyond the reserved concurrency is throttled as Lambda.TooManyRequestsException', async () => {
  const results = await Promise.allSettled([invoke('Limited', { sleepMs: 300 }), invoke('Limited', { sleepMs: 0 })]);
  expect(results[0].status).toBe('fulfilled');
  expect(results[1]).toMatchObject({
    status: 'rejected',
    reason: { name: 'Lambda.TooManyRequestsException', message: 'Rate Exceeded.', reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' },
  });
  expect(stats('Limited')).toMatchObject({ invocations: 1, coldStarts: 1, throttles: 1, peakConcurrency: 1 });
});

test("functions without reserved concurrency share the account's unreserved pool", async () => {
  const lambda = new LocalLambdaRuntime(runner().stack, { unreservedConcurrency: 1 });
  const plain = runner().resourceArn('AWS::Lambda::Function', 'Plain');
  const provisioned = runner().resourceArn('AWS::Lambda::Function', 'Provisioned');
  const results = await Promise.allSettled([lambda.invoke(plain, { sleepMs: 300 }), lambda.invoke(provisioned, {})]);
  expect(results[0].status).toBe('fulfilled');
  expect(results[1]).toMatchObject({ status: 'rejected', reason: { name: 'Lambda.TooManyRequestsException', reason: 'ConcurrentInvocationLimitExceeded' } });
});

// Provisioned concurrency initialises instances before they are invoked; invocations they serve are no cold starts,
// and one beyond them starts an on-demand instance (spill-over).
// https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html
test("an alias's provisioned concurrency is initialised instances, not cold starts", async () => {
  const results = await Promise.all([1, 2, 3].map(() => invoke('Provisioned', { sleepMs: 200 })));
  expect(new Set(results.map((r) => r.instanceId)).size).toBe(3);
  expect(stats('Provisioned')).toMatchObject({ invocations: 3, provisioned: 2, coldStarts: 1 });
});

import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { WARMER_ID } from '../../handlers/warm-up';
import { LocalLambdaRuntime } from '../../tools/local/local-lambda';
import { LAMBDA_FIXTURE_STACK, synthesizeLambdaFixture } from '../support/lambda-fixture-app';
import { useLocalRunner } from '../support/use-local-runner';

// The Lambda execution environment model the local run follows: an instance (execution environment) handles one
// invocation at a time, keeps its module-level state between invocations while warm, and a new one is initialised
// (a cold start) only when every instance is busy.
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
const runner = useLocalRunner(() => ({ assemblyDir: synthesizeLambdaFixture(), stackName: LAMBDA_FIXTURE_STACK }));

type InstanceState = { instanceId: string; calls: number; settingAtInit?: string; tracingAtInit?: string };
const invoke = (selector: string, event: unknown) => runner().invokeFunction(selector, event) as Promise<InstanceState>;
const stats = (selector: string) => runner().lambda.stats()[runner().findResource('AWS::Lambda::Function', selector)];

test('concurrent invocations run on separate instances, each with its own module state; a warm instance is reused', async () => {
  const [a, b] = await Promise.all([invoke('Plain', { sleepMs: 200 }), invoke('Plain', { sleepMs: 200 })]);
  expect(a.instanceId).not.toBe(b.instanceId);
  expect([a.calls, b.calls]).toEqual([1, 1]);
  // The function's environment is applied while an instance initialises, with Powertools Tracer off: there is no X-Ray daemon.
  expect(a.settingAtInit).toBe('Plain');
  expect(a.tracingAtInit).toBe('false');
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

// Lambda reclaims an idle execution environment after a while (the time is not documented); a warmer's calls keep its
// instances from going idle that long. https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
describe('idle instances and warm-ups', () => {
  const warmUp = { warmer: WARMER_ID, concurrency: 1, instance: 1, holdMs: 0 };
  const lifetime = 600_000;
  let now = 0;
  const fresh = () => new LocalLambdaRuntime(runner().stack, { idleInstanceLifetimeMs: lifetime, now: () => now });
  const plain = () => runner().resourceArn('AWS::Lambda::Function', 'Plain');
  const statsOf = (lambda: LocalLambdaRuntime) => lambda.stats()[runner().findResource('AWS::Lambda::Function', 'Plain')];

  test('an instance idle longer than the lifetime is reclaimed: the next call is a cold start', async () => {
    const lambda = fresh();
    const first = await lambda.invoke(plain(), {}) as InstanceState;
    now += lifetime - 1;
    expect((await lambda.invoke(plain(), {}) as InstanceState).instanceId).toBe(first.instanceId);
    now += lifetime + 1;
    expect((await lambda.invoke(plain(), {}) as InstanceState).instanceId).not.toBe(first.instanceId);
    expect(statsOf(lambda)).toMatchObject({ invocations: 3, coldStarts: 2, reclaimed: 1, instances: 1, warmUps: 0, coldStartsSaved: 0 });
  });

  test('warm-ups every 5 minutes keep an instance past the lifetime; the next call on it is a cold start saved', async () => {
    const lambda = fresh();
    const first = await lambda.invoke(plain(), {}) as InstanceState;
    for (let i = 0; i < 3; i++) {
      now += 300_000;
      await lambda.invoke(plain(), warmUp);
    }
    now += 300_000;
    const later = await lambda.invoke(plain(), {}) as InstanceState;
    expect(later.instanceId).toBe(first.instanceId);
    expect(statsOf(lambda)).toMatchObject({ invocations: 5, warmUps: 3, coldStarts: 1, coldStartsSaved: 1, reclaimed: 0 });
    // Soon after, the instance is warm because of that call, not of the warm-ups: no cold start saved.
    now += 1_000;
    await lambda.invoke(plain(), {});
    expect(statsOf(lambda)).toMatchObject({ coldStartsSaved: 1 });
  });

  test('instances a warm-up started serve a burst without cold starts', async () => {
    const lambda = fresh();
    const held = { ...warmUp, concurrency: 2, holdMs: 100 };
    await Promise.all([lambda.invoke(plain(), { ...held, instance: 1 }), lambda.invoke(plain(), { ...held, instance: 2 })]);
    expect(statsOf(lambda)).toMatchObject({ coldStarts: 2, warmUps: 2 });
    await Promise.all([lambda.invoke(plain(), { sleepMs: 100 }), lambda.invoke(plain(), { sleepMs: 100 })]);
    expect(statsOf(lambda)).toMatchObject({ invocations: 4, coldStarts: 2, coldStartsSaved: 2 });
  });
});

// The Invoke action of the Lambda API, served locally for handlers that invoke other functions (a warmer).
// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
describe('the local Lambda endpoint', () => {
  const client = () => new LambdaClient({ endpoint: runner().lambdaEndpoint.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1 });
  const payload = (bytes?: Uint8Array) => JSON.parse(Buffer.from(bytes ?? []).toString('utf8'));

  test('RequestResponse answers the result; Event answers 202 and runs the function', async () => {
    const name = runner().resourceArn('AWS::Lambda::Function', 'Plain');
    const sync = await client().send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify({}) }));
    expect(sync).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST' });
    expect(payload(sync.Payload)).toMatchObject({ settingAtInit: 'Plain' });
    const before = stats('Plain').invocations;
    const event = await client().send(new InvokeCommand({ FunctionName: name, InvocationType: 'Event', Payload: '{}' }));
    expect(event.StatusCode).toBe(202);
    // Counted when the invocation starts, before the 202 is sent.
    expect(stats('Plain').invocations).toBe(before + 1);
  });

  test('a missing function is ResourceNotFoundException; a throttle TooManyRequestsException with its Reason', async () => {
    await expect(client().send(new InvokeCommand({ FunctionName: 'missing' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 },
    });
    const limited = runner().resourceArn('AWS::Lambda::Function', 'Limited');
    const results = await Promise.allSettled([invoke('Limited', { sleepMs: 300 }), client().send(new InvokeCommand({ FunctionName: limited, Payload: '{}' }))]);
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { name: 'TooManyRequestsException', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' } });
  });
});

test('an ordinary call takes an instance that would be warm anyway before one only warm-ups keep: no cold start counted saved', async () => {
  let now = 0;
  const lambda = new LocalLambdaRuntime(runner().stack, { idleInstanceLifetimeMs: 600_000, now: () => now });
  const plain = runner().resourceArn('AWS::Lambda::Function', 'Plain');
  const worked = await lambda.invoke(plain, {}) as InstanceState;
  now += 60_000;
  // Two overlapping warm-ups: one reuses the instance that worked, the other starts one.
  const warmUp = { warmer: WARMER_ID, concurrency: 2, holdMs: 100 };
  await Promise.all([lambda.invoke(plain, { ...warmUp, instance: 1 }), lambda.invoke(plain, { ...warmUp, instance: 2 })]);
  const next = await lambda.invoke(plain, {}) as InstanceState;
  expect(next.instanceId).toBe(worked.instanceId);
  expect(lambda.stats()[runner().findResource('AWS::Lambda::Function', 'Plain')]).toMatchObject({ coldStarts: 2, warmUps: 2, coldStartsSaved: 0 });
  // The summary's instances are those alive now: after the lifetime, both are reclaimed without another invocation.
  now += 700_000;
  expect(lambda.stats()[runner().findResource('AWS::Lambda::Function', 'Plain')]).toMatchObject({ instances: 0, reclaimed: 2 });
});

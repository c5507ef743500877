import { InvokeCommand, InvokeCommandInput, LambdaClient } from '@aws-sdk/client-lambda';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, validateWarmerInput, warm, WarmerInputValidationError } from '../../lambdas/warmer';
import { captureLogs, LogEntry } from '../support/captured-logs';
import { lambdaContext } from '../support/lambda-context';

const lambda = mockClient(LambdaClient);
const context = lambdaContext({ functionName: 'warmer' });
// The warmer logs its summary as JSON lines; they are captured here, both to read them and to keep test output quiet.
let logLines: () => LogEntry[];
beforeEach(() => {
  lambda.reset();
  logLines = captureLogs();
});
afterEach(() => jest.restoreAllMocks());

const WORDS = 'arn:aws:lambda:us-east-1:000000000000:function:words';
const REDUCE = 'arn:aws:lambda:us-east-1:000000000000:function:reduce';
const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as any;
const warmedAnswer = (input: InvokeCommandInput, coldStart = true) => {
  const event = JSON.parse(Buffer.from(input.Payload as Uint8Array).toString());
  return { StatusCode: 200, Payload: payload({ warmed: true, instance: event.instance, concurrency: event.concurrency, coldStart }) };
};
const sentEvents = () => lambda.commandCalls(InvokeCommand).map((c) => ({ ...c.args[0].input, Payload: JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString()) }));

test('calls a target N times at once, RequestResponse, each call a warm-up event for one instance', async () => {
  // Each call answers only on a later turn of the event loop, so calls sent one after another would never overlap.
  let inFlight = 0;
  let mostInFlight = 0;
  lambda.on(InvokeCommand).callsFake(async (input: InvokeCommandInput) => {
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    inFlight--;
    return warmedAnswer(input);
  });
  const reports = await warm(new LambdaClient({}), { targets: [{ functionName: WORDS, concurrency: 10 }], holdMs: 200 });
  expect(mostInFlight).toBe(10);
  const sent = sentEvents();
  expect(sent.every((call) => call.FunctionName === WORDS && call.InvocationType === 'RequestResponse' && call.Qualifier === undefined)).toBe(true);
  expect(sent.map((call) => call.Payload).sort((a, b) => a.instance - b.instance))
    .toEqual(Array.from({ length: 10 }, (_, i) => ({ warmer: 'sdp-warmer', concurrency: 10, instance: i + 1, holdMs: 200 })));
  expect(reports).toEqual([{ functionName: WORDS, invoked: 10, warmed: 10, coldStarts: 10, failed: 0 }]);
});

test('an alias or version target is called with its qualifier', async () => {
  lambda.on(InvokeCommand).callsFake(async (input: InvokeCommandInput) => warmedAnswer(input, false));
  const reports = await warm(new LambdaClient({}), { targets: [{ functionName: REDUCE, qualifier: 'live', concurrency: 2 }], holdMs: 100 });
  expect(sentEvents().map((call) => [call.FunctionName, call.Qualifier])).toEqual([[REDUCE, 'live'], [REDUCE, 'live']]);
  expect(reports).toEqual([{ functionName: REDUCE, qualifier: 'live', invoked: 2, warmed: 2, coldStarts: 0, failed: 0 }]);
});

test('a failing target does not stop the others; errors, FunctionErrors and non-warm answers are counted as failed', async () => {
  lambda.on(InvokeCommand, { FunctionName: WORDS }).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
  lambda.on(InvokeCommand, { FunctionName: REDUCE, Qualifier: 'broken' })
    .resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payload({ errorType: 'Error', errorMessage: 'init failed' }) });
  lambda.on(InvokeCommand, { FunctionName: REDUCE, Qualifier: 'unwrapped' }).resolves({ StatusCode: 200, Payload: payload({ totalLength: 0 }) });
  lambda.on(InvokeCommand, { FunctionName: REDUCE, Qualifier: 'live' }).callsFake(async (input: InvokeCommandInput) => warmedAnswer(input));
  const reports = await warm(new LambdaClient({}), {
    targets: [
      { functionName: WORDS, concurrency: 3 },
      { functionName: REDUCE, qualifier: 'broken', concurrency: 1 },
      { functionName: REDUCE, qualifier: 'unwrapped', concurrency: 1 },
      { functionName: REDUCE, qualifier: 'live', concurrency: 4 },
    ],
    holdMs: 0,
  });
  expect(reports.map(({ qualifier, warmed, failed }) => [qualifier ?? '-', warmed, failed])).toEqual([['-', 0, 3], ['broken', 0, 1], ['unwrapped', 0, 1], ['live', 4, 0]]);
  expect(lambda.commandCalls(InvokeCommand)).toHaveLength(9);
  // One summary per run, a warning since calls failed, with the first errors named.
  const [summary] = logLines().filter((line) => line.message === 'warmed targets');
  expect(summary).toMatchObject({ level: 'WARN', service: 'warmer', errorCount: 5, targets: reports });
  expect(summary.errors).toHaveLength(5);
  expect(summary.errors[0]).toBe(`${WORDS}: TooManyRequestsException: Rate exceeded`);
});

test.each<[string, unknown, string]>([
  ['null', null, 'input must be an object'],
  ['no targets', { holdMs: 100 }, 'targets must be a non-empty array (got undefined)'],
  ['an empty target list', { targets: [], holdMs: 100 }, 'targets must be a non-empty array (got [])'],
  ['a target without a name', { targets: [{ concurrency: 1 }], holdMs: 100 }, 'targets[0].functionName must be a non-empty string (got undefined)'],
  ['an empty qualifier', { targets: [{ functionName: WORDS, qualifier: '', concurrency: 1 }], holdMs: 100 }, 'targets[0].qualifier must be a non-empty string when given (got "")'],
  ['a concurrency of 0', { targets: [{ functionName: WORDS, concurrency: 0 }], holdMs: 100 }, 'targets[0].concurrency must be an integer 1..100 (got 0)'],
  ['a concurrency as a string', { targets: [{ functionName: WORDS, concurrency: '10' }], holdMs: 100 }, 'targets[0].concurrency must be an integer 1..100 (got "10")'],
  ['too many calls per run', { targets: Array.from({ length: 6 }, () => ({ functionName: WORDS, concurrency: 100 })), holdMs: 100 }, 'adds up to 600; one run sends at most 500 calls'],
  ['a hold too long', { targets: [{ functionName: WORDS, concurrency: 1 }], holdMs: 60_000 }, 'holdMs must be an integer 0..5000 (got 60000)'],
])('rejects %s with WarmerInputValidationError and calls nothing', async (_, input, message) => {
  expect(() => validateWarmerInput(input)).toThrow(WarmerInputValidationError);
  await expect(handler(input, context)).rejects.toThrow(message);
  expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
});

describe('pre-warm as a CloudFormation custom resource', () => {
  let fetchMock: jest.SpyInstance;
  beforeEach(() => {
    fetchMock = jest.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(null, { status: 200 }));
  });

  const event = (requestType: 'Create' | 'Update' | 'Delete', input: unknown): CloudFormationCustomResourceEvent => ({
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:warmer',
    ResponseURL: 'https://cloudformation-custom-resource-response.example/response',
    StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/Warm/1',
    RequestId: 'req-1',
    LogicalResourceId: 'WarmerPreWarm',
    ResourceType: 'Custom::LambdaPreWarm',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:warmer', Input: JSON.stringify(input) },
    ...requestType !== 'Create' && { PhysicalResourceId: 'WarmerPreWarm-pre-warm', OldResourceProperties: {} },
  }) as CloudFormationCustomResourceEvent;
  const response = () => {
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0];
    expect([url, init.method]).toEqual(['https://cloudformation-custom-resource-response.example/response', 'PUT']);
    return JSON.parse(init.body);
  };

  test('on create it warms the targets from its Input property and reports success to CloudFormation', async () => {
    lambda.on(InvokeCommand).callsFake(async (input: InvokeCommandInput) => warmedAnswer(input));
    await handler(event('Create', { targets: [{ functionName: WORDS, concurrency: 3 }], holdMs: 200 }), context);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(3);
    expect(response()).toMatchObject({ Status: 'SUCCESS', RequestId: 'req-1', LogicalResourceId: 'WarmerPreWarm', PhysicalResourceId: 'WarmerPreWarm-pre-warm', Data: { Warmed: 3, Failed: 0 } });
  });

  test('failed warm-up calls do not fail the deployment', async () => {
    lambda.on(InvokeCommand).rejects(new Error('throttled'));
    await handler(event('Update', { targets: [{ functionName: WORDS, concurrency: 2 }], holdMs: 200 }), context);
    expect(response()).toMatchObject({ Status: 'SUCCESS', Data: { Warmed: 0, Failed: 2 } });
  });

  test('on delete it warms nothing', async () => {
    await handler(event('Delete', { targets: [{ functionName: WORDS, concurrency: 2 }], holdMs: 200 }), context);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(response()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'WarmerPreWarm-pre-warm' });
  });

  test('a malformed Input fails the resource with the reason', async () => {
    await handler(event('Create', { targets: [] }), context);
    expect(response()).toMatchObject({ Status: 'FAILED', Reason: 'WarmerInputValidationError: targets must be a non-empty array (got [])' });
    expect(logLines()).toContainEqual(expect.objectContaining({
      level: 'ERROR', message: 'pre-warm input rejected', error: expect.objectContaining({ name: 'WarmerInputValidationError', message: 'targets must be a non-empty array (got [])' }),
    }));
  });
});

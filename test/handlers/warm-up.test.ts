import * as fs from 'node:fs';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type * as WarmUp from '../../handlers/warm-up';
import { isWarmUpEvent, withWarmUp } from '../../handlers/warm-up';
import { lambdaContext } from '../support/lambda-context';

const warmUp = (overrides: Record<string, unknown> = {}) => ({ warmer: 'sdp-warmer', concurrency: 3, instance: 2, holdMs: 0, ...overrides });
const context = lambdaContext();

describe('isWarmUpEvent recognises the warmer\'s event strictly', () => {
  test('the warmer\'s event', () => {
    expect(isWarmUpEvent(warmUp())).toBe(true);
    expect(isWarmUpEvent(warmUp({ concurrency: 100, instance: 100, holdMs: 5000 }))).toBe(true);
  });

  test.each<[string, unknown]>([
    ['null', null],
    ['a string', 'sdp-warmer'],
    ['an array', [warmUp()]],
    ['a business event carrying a warmer field', { ...warmUp(), word: 'apple' }],
    ['another warmer\'s id', warmUp({ warmer: 'serverless-plugin-warmup' })],
    ['a missing hold', { warmer: 'sdp-warmer', concurrency: 3, instance: 2 }],
    ['an instance beyond the concurrency', warmUp({ instance: 4 })],
    ['an instance of 0', warmUp({ instance: 0 })],
    ['a concurrency above 100', warmUp({ concurrency: 101, instance: 1 })],
    ['a fractional hold', warmUp({ holdMs: 1.5 })],
    ['a hold above 5 s', warmUp({ holdMs: 5001 })],
    ['numbers as strings', warmUp({ concurrency: '3' })],
    ['an SQS event', { Records: [] }],
  ])('not %s', (_, event) => {
    expect(isWarmUpEvent(event)).toBe(false);
  });
});

describe('withWarmUp', () => {
  test('answers a warm-up event after holding the instance, without calling the handler', async () => {
    jest.useFakeTimers();
    try {
      const business = jest.fn(async () => 'business');
      const handler = withWarmUp(business);
      let answer: unknown;
      void handler(warmUp({ holdMs: 200 })).then((a) => { answer = a; });
      await jest.advanceTimersByTimeAsync(199);
      expect(answer).toBeUndefined();
      await jest.advanceTimersByTimeAsync(1);
      expect(answer).toMatchObject({ warmed: true, instance: 2, concurrency: 3 });
      expect(business).not.toHaveBeenCalled();
    } finally {
      jest.useRealTimers();
    }
  });

  test('passes any other event and the rest of the arguments to the handler', async () => {
    const business = jest.fn(async (event: unknown, ctx: Context) => ({ event, requestId: ctx.awsRequestId }));
    const lookalike = { ...warmUp(), extra: true };
    await expect(withWarmUp(business)(lookalike, context)).resolves.toEqual({ event: lookalike, requestId: 'req' });
  });

  test('reports a cold start only for the first invocation of an instance, warm-up or not', async () => {
    const freshModule = () => {
      let module!: typeof WarmUp;
      jest.isolateModules(() => {
        module = require('../../handlers/warm-up');
      });
      return module;
    };
    const first = freshModule().withWarmUp(async () => 'business');
    expect(await first(warmUp())).toMatchObject({ coldStart: true });
    expect(await first(warmUp())).toMatchObject({ coldStart: false });
    const businessFirst = freshModule().withWarmUp(async () => 'business');
    await businessFirst({ word: 'apple' });
    expect(await businessFirst(warmUp())).toMatchObject({ coldStart: false });
  });
});

describe('every handler in lambdas/ and examples/handlers/ returns a warm-up event before its business logic', () => {
  const dynamodb = mockClient(DynamoDBClient);
  const sns = mockClient(SNSClient);
  const s3 = mockClient(S3Client);
  afterAll(() => [dynamodb, sns, s3].forEach((mock) => mock.restore()));

  // Every business handler: a new one is checked here as soon as it is added.
  const root = path.join(__dirname, '..', '..');
  const handlers = ['lambdas', path.join('examples', 'handlers')].flatMap((folder) => fs.readdirSync(path.join(root, folder), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'warmer')
    .map((entry) => path.join(folder, entry.name)));

  test('the handlers are found', () => {
    expect(handlers).toEqual(expect.arrayContaining(['examples/handlers/process-chunk', 'lambdas/split-job', 'examples/handlers/sum-lengths', 'examples/handlers/word-length']));
  });

  test.each(handlers)('%s', async (name) => {
    const { handler } = require(path.join(root, name));
    // Each business logic rejects this event (no word, not an array, no jobId, no Records), so an answer proves it was skipped.
    await expect(handler(warmUp(), context)).resolves.toEqual({ warmed: true, instance: 2, concurrency: 3, coldStart: expect.any(Boolean) });
    expect([...dynamodb.calls(), ...sns.calls(), ...s3.calls()]).toHaveLength(0);
  });

  test('a business event that looks like a warm-up event still reaches the business logic', async () => {
    const { handler } = require('../../examples/handlers/word-length');
    await expect(handler({ ...warmUp(), word: 'fig' }, context)).resolves.toEqual({ length: 3 });
  });
});

import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { FaultChunk } from '../fixtures/handlers/fault-worker';
import { LAMBDA_FIXTURE_STACK, synthesizeLambdaFixture } from '../support/lambda-fixture-app';
import { useLocalRunner } from '../support/use-local-runner';

// The fault suite of the local run's Lambda model, on the real engines (fauxqs, dynalite, the bundled fault worker
// with its module-level Powertools BatchProcessor), each with exact accounting: every message is processed or
// dead-lettered, every item stored or inside a dead-lettered message.
// A 2-second visibility timeout makes redeliveries and dead-lettering take seconds.
const runner = useLocalRunner(() => ({ assemblyDir: synthesizeLambdaFixture(), stackName: LAMBDA_FIXTURE_STACK, visibilityTimeoutSeconds: 2 }));

const queue = (consumer: string, deadLetter = false) => {
  const prefix = `Faults${consumer}${deadLetter ? 'DeadLetterQueue' : 'Queue'}`;
  return [...runner().snsSqs!.queues.values()].find((q) => q.logicalId.startsWith(prefix) && q.logicalId.length === prefix.length + 8)!;
};

async function send(consumer: string, chunks: FaultChunk[]): Promise<void> {
  for (let i = 0; i < chunks.length; i += 10) {
    await runner().snsSqs!.sqs.send(new SendMessageBatchCommand({
      QueueUrl: queue(consumer).url,
      Entries: chunks.slice(i, i + 10).map((chunk, j) => ({ Id: String(j), MessageBody: JSON.stringify(chunk) })),
    }));
  }
}

/** The result ids stored for the job, every page of the scan. */
async function stored(jobId: string): Promise<string[]> {
  const ids: string[] = [];
  let ExclusiveStartKey: Record<string, any> | undefined;
  do {
    const page = await runner().dynamodb.client.send(new ScanCommand({ TableName: runner().tableName('Results'), ExclusiveStartKey }));
    ids.push(...(page.Items ?? []).filter((item) => item.jobId.S === jobId).map((item) => item.resultId.S!));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return ids;
}

/** The chunks of the job in the consumer's dead-letter queue. */
async function deadLettered(consumer: string, jobId: string): Promise<FaultChunk[]> {
  const chunks: FaultChunk[] = [];
  for (;;) {
    const { Messages = [] } = await runner().snsSqs!.sqs.send(new ReceiveMessageCommand({ QueueUrl: queue(consumer, true).url, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }));
    if (Messages.length === 0) return chunks.filter((c) => c.jobId === jobId);
    chunks.push(...Messages.map((m) => JSON.parse(m.Body!) as FaultChunk));
  }
}

const chunksOf = (jobId: string, count: number, size: number, fault: (index: number) => Partial<FaultChunk> = () => ({})): FaultChunk[] =>
  Array.from({ length: count }, (_, chunkIndex) => ({
    jobId, chunkIndex, items: Array.from({ length: size }, (__, i) => ({ word: `w${chunkIndex}-${i}` })), ...fault(chunkIndex),
  }));

const functionStats = (consumer: string) => runner().lambda.stats()[runner().findResource('AWS::Lambda::Function', `Faults${consumer}Worker`)];
const pollerOf = (drained: Awaited<ReturnType<ReturnType<typeof runner>['drainQueues']>>, consumer: string) =>
  Object.entries(drained.pollers).find(([id]) => id.startsWith(`Faults${consumer}Worker`))![1];

// Records a function fails come back after the visibility timeout and, after maxReceiveCount receives, move to the
// dead-letter queue; with partial batch responses only the failed records come back.
// https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
// An instance handles one event at a time, so a module-level BatchProcessor holds one batch at a time:
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
test('5 poison chunks among 100, batches in flight at once: each poison chunk dead-lettered, every other item stored', async () => {
  const poison = new Set([7, 29, 51, 73, 95]);
  await send('Poison', chunksOf('poison', 100, 10, (i) => ({ sleepMs: 20, ...poison.has(i) && { poison: true } })));
  const drained = await runner().drainQueues();

  const ids = await stored('poison');
  const dead = await deadLettered('Poison', 'poison');
  expect(dead.map((c) => c.chunkIndex).sort((a, b) => a - b)).toEqual([...poison]);
  expect(ids).toHaveLength(950);
  expect(new Set(ids).size).toBe(950);
  // items = stored + items inside dead-lettered messages
  expect(ids.length + dead.reduce((n, c) => n + c.items.length, 0)).toBe(1000);
  // messages = processed + deadLettered
  expect(drained.queues[queue('Poison').logicalId]).toMatchObject({ messages: 100, processed: 95, deadLettered: 5 });
  const poller = pollerOf(drained, 'Poison');
  expect(Object.entries(poller.receives).filter(([, n]) => n === 5)).toHaveLength(5);
  // Several batches were in flight at once, each on an instance of its own.
  expect(functionStats('Poison').peakConcurrency).toBeGreaterThanOrEqual(3);
  expect(functionStats('Poison').coldStarts).toBeLessThanOrEqual(5);
});

// A function error fails the whole batch: every message of it comes back after the visibility timeout.
// https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
test('a worker that throws on the first receive of 30% of chunks: every item eventually stored exactly once, the errors reported', async () => {
  const flaky = (i: number) => i % 10 === 0 || i % 10 === 3 || i % 10 === 6;
  await send('Flaky', chunksOf('flaky', 50, 4, (i) => (flaky(i) ? { failFirstReceive: true } : {})));
  const drained = await runner().drainQueues();

  const ids = await stored('flaky');
  expect(ids).toHaveLength(200);
  expect(new Set(ids).size).toBe(200);
  expect(await deadLettered('Flaky', 'flaky')).toEqual([]);
  expect(drained.queues[queue('Flaky').logicalId]).toMatchObject({ messages: 50, processed: 50, deadLettered: 0 });
  const poller = pollerOf(drained, 'Flaky');
  // Errors a worker throws are reported, not swallowed.
  expect(poller.errors.TransientError).toEqual({ count: functionStats('Flaky').errors, message: expect.stringMatching(/^first receive of message /) });
  expect(poller.errors.TransientError.count).toBeGreaterThanOrEqual(1);
  expect(Object.keys(poller.errors)).toEqual(['TransientError']);
});

// A function that outlasts its timeout is stopped: the invocation fails (Sandbox.Timedout) and the execution
// environment is reset, so the next invocation starts a new one.
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-invoke-with-errors
test('a chunk that times out on every receive is dead-lettered after maxReceiveCount (3); each timed-out instance is discarded', async () => {
  await send('Slow', chunksOf('slow', 3, 5, (i) => (i === 0 ? { hang: true } : {})));
  const drained = await runner().drainQueues();

  expect(await stored('slow')).toHaveLength(10);
  expect((await deadLettered('Slow', 'slow')).map((c) => c.chunkIndex)).toEqual([0]);
  expect(drained.queues[queue('Slow').logicalId]).toMatchObject({ messages: 3, processed: 2, deadLettered: 1 });
  expect(pollerOf(drained, 'Slow').errors).toEqual({ 'Sandbox.Timedout': { count: 3, message: 'Task timed out after 1.00 seconds' } });
  // The queue's summary, which sdp run prints, carries them too.
  expect(drained.queues[queue('Slow').logicalId].errors).toEqual({ 'Sandbox.Timedout': { count: 3, message: 'Task timed out after 1.00 seconds' } });
  const stats = functionStats('Slow');
  expect(stats).toMatchObject({ timeouts: 3, errors: 3 });
  // Each timeout discarded its instance: what is left is what started less the three.
  expect(stats.coldStarts).toBeGreaterThanOrEqual(3);
  expect(stats.instances).toBe(stats.coldStarts - 3);
});

describe('a function throttled at its reserved concurrency (1)', () => {
  // Throttled SQS batches are retried with back-off until their visibility timeout runs out; none is deleted unprocessed.
  // https://docs.aws.amazon.com/lambda/latest/operatorguide/sqs-retries.html
  test("the queue's event source backs off: every item stored once, throttles counted, one instance at a time", async () => {
    await send('Throttled', chunksOf('throttled', 20, 3, () => ({ sleepMs: 100 })));
    const drained = await runner().drainQueues();

    const ids = await stored('throttled');
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    expect(await deadLettered('Throttled', 'throttled')).toEqual([]);
    expect(drained.queues[queue('Throttled').logicalId]).toMatchObject({ messages: 20, processed: 20, deadLettered: 0 });
    const poller = pollerOf(drained, 'Throttled');
    expect(poller.throttles).toBeGreaterThan(0);
    expect(poller.errors).toEqual({});
    expect(functionStats('Throttled')).toMatchObject({ throttles: poller.throttles, peakConcurrency: 1, coldStarts: 1, errors: 0 });
  });

  test('a batch throttled until its visibility timeout runs out is not deleted: it comes back, counting a receive, and is processed', async () => {
    // Another caller holds the one instance longer than the 2-second visibility timeout.
    const hog = runner().invokeFunction('FaultsThrottledWorker', {
      Records: [{ messageId: 'hog', body: JSON.stringify({ jobId: 'hog', chunkIndex: 0, items: [], sleepMs: 4000 }), attributes: { ApproximateReceiveCount: '1' }, eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:hog' }],
    });
    await send('Throttled', chunksOf('held', 1, 2));
    const drained = await runner().drainQueues();
    await hog;

    expect(await stored('held')).toHaveLength(2);
    const poller = pollerOf(drained, 'Throttled');
    expect(poller.throttledRecords).toBeGreaterThanOrEqual(1);
    // One receive per throttle, then the one that is processed; on a loaded machine the processing itself may outlast
    // the 2-second visibility timeout and the message comes back once more, as it would on AWS (idempotent: stored once).
    const [receives] = Object.values(poller.receives);
    expect(receives).toBeGreaterThanOrEqual(poller.throttledRecords + 1);
    expect(drained.queues[queue('Throttled').logicalId]).toMatchObject({ messages: 1, processed: 1, deadLettered: 0, failedRecords: poller.throttledRecords });
  });

  // Step Functions names a throttle Lambda.TooManyRequestsException; a Retry or Catch on that name applies.
  // https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html
  // https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
  test('a Task retrying Lambda.TooManyRequestsException gets through: all three invocations succeed', async () => {
    const before = runner().lambda.stats()[runner().findResource('AWS::Lambda::Function', 'Limited')]?.throttles ?? 0;
    const execution = await runner().execute({ stateMachine: 'RetryThrottles', input: { items: [{ sleepMs: 300 }, { sleepMs: 300 }, { sleepMs: 300 }] } });
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toHaveLength(3);
    expect((execution.output as Array<{ settingAtInit: string }>).every((r) => r.settingAtInit === 'Limited')).toBe(true);
    const stats = runner().lambda.stats()[runner().findResource('AWS::Lambda::Function', 'Limited')];
    expect(stats.throttles - before).toBeGreaterThanOrEqual(2);
    expect(stats.peakConcurrency).toBe(1);
  });

  test('a Task catching Lambda.TooManyRequestsException: one invocation runs, the two throttled ones are caught', async () => {
    const execution = await runner().execute({ stateMachine: 'CatchThrottles', input: { items: [{ sleepMs: 300 }, { sleepMs: 300 }, { sleepMs: 300 }] } });
    expect(execution.status).toBe('SUCCEEDED');
    const output = execution.output as Array<{ throttled?: boolean }>;
    expect(output.filter((r) => r.throttled)).toHaveLength(2);
  });
});

// A missing function is the Invoke API's ResourceNotFoundException, named Lambda.ResourceNotFoundException by Step Functions.
// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors
test('a Task invoking a missing function fails with Lambda.ResourceNotFoundException, which its Catch handles', async () => {
  const execution = await runner().execute({ stateMachine: 'MissingFunction', input: {} });
  expect(execution.status).toBe('SUCCEEDED');
  expect((execution.output as { error: unknown }).error).toEqual({
    Error: 'Lambda.ResourceNotFoundException',
    Cause: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:Missing',
  });
});

import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishBatchCommand } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { LocalRunner } from '../../tools/local/local-runner';
import { captureLogs, LogEntry } from '../support/captured-logs';
import { useLocalRunner } from '../support/use-local-runner';
import { exampleAssembly } from '../support/example-app';

// Seed 004's fan-out stack on the local engines: the splitter and worker bundles, fauxqs, dynalite.
// Two runs, one after the other (one runner per process): one whose visibility timeout (60 s) outlasts
// any batch, where a redelivery would be a bug, and one at 2 s, so the poison record's five receives take
// seconds. A visibility timeout shorter than the processing time redelivers messages still in progress,
// locally as on AWS: seed 003's lesson.
async function results(runner: LocalRunner, jobId: string) {
  const { Items = [] } = await runner.dynamodb.client.send(new ScanCommand({ TableName: runner.tableName('Results') }));
  return Items.filter((item) => item.jobId.S === jobId);
}

function publish(runner: LocalRunner, bodies: string[]) {
  return runner.snsSqs!.sns.send(new PublishBatchCommand({
    TopicArn: runner.resourceArn('AWS::SNS::Topic', 'WorkTopic'),
    PublishBatchRequestEntries: bodies.map((Message, i) => ({ Id: String(i), Message })),
  }));
}

// The job workflow waits for its workers (polling the job table): Wait states are shortened locally.
const withRunner = (visibilityTimeoutSeconds: number) => useLocalRunner(() => ({
  assemblyDir: exampleAssembly().assemblyDir, stackName: 'FanOutExample', visibilityTimeoutSeconds, maxWaitSeconds: 0.2,
}));

describe('with a visibility timeout longer than any batch', () => {
  const runner = withRunner(60);

  test('a job split by the splitter is processed by the workers, every item stored exactly once', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ word: `w${i}` }));
    await expect(runner().invokeFunction('Splitter', { jobId: 'split', items })).resolves.toEqual({ jobId: 'split', chunks: 10, items: 1000 });
    const drained = await runner().drainQueues();
    const stored = await results(runner(), 'split');
    expect(stored).toHaveLength(1000);
    expect(new Set(stored.map((item) => item.resultId.S)).size).toBe(1000);
    expect(Object.values(drained.deadLettered)).toEqual([0]);
    expect(Object.values(Object.values(drained.pollers)[0].receives).every((count) => count === 1)).toBe(true);
  });

  test("the scheduled run: the schedule's input from the template, the job file read from the local S3, every item stored once", async () => {
    const [scheduled, ...others] = runner().scheduledInputs('RunJob');
    expect(others).toHaveLength(0);
    expect(scheduled.input).toEqual({ itemsUri: 's3://jobsbucket5eadc5ca/jobs/scheduled.json' });
    const items = Array.from({ length: 250 }, (_, i) => ({ word: `s${i}` }));
    await runner().snsSqs!.s3.send(new PutObjectCommand({ Bucket: 'jobsbucket5eadc5ca', Key: 'jobs/scheduled.json', Body: JSON.stringify(items) }));
    runner().startWorkers();
    const execution = await runner().execute({ stateMachine: 'RunJob', input: scheduled.input, name: 'scheduled-run' });
    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { jobId: 'scheduled-run', items: 250, stored: 250, failed: 0, deadLettered: 0 } });
    await runner().drainQueues();
    expect(await results(runner(), 'scheduled-run')).toHaveLength(250);
  });

  test('the job workflow: the execution name is the job id; an input with no items fails with a named error', async () => {
    runner().startWorkers();
    const execution = await runner().execute({ stateMachine: 'RunJob', input: { items: [{ word: 'api' }] }, name: 'api-request-1' });
    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { jobId: 'api-request-1', items: 1, stored: 1, failed: 0, deadLettered: 0 } });
    await runner().drainQueues();
    expect(await results(runner(), 'api-request-1')).toHaveLength(1);
    await expect(runner().execute({ stateMachine: 'RunJob', input: {} })).resolves.toMatchObject({ status: 'FAILED', error: 'JobValidationError' });
  });
});

describe('with a 2-second visibility timeout', () => {
  const runner = withRunner(2);
  // The worker logs each failed chunk as an ERROR with its stack: captured, and read where a test expects them.
  let logEntries: () => LogEntry[];
  beforeEach(() => {
    logEntries = captureLogs();
  });
  afterEach(() => jest.restoreAllMocks());

  test('one poison record among N: N-1 stored once, the poison dead-lettered after exactly maxReceiveCount (5) receives', async () => {
    const chunks = Array.from({ length: 9 }, (_, i) => JSON.stringify({ jobId: 'poison', chunkIndex: i, items: [{ word: `p${i}` }] }));
    await publish(runner(), [...chunks.slice(0, 4), '{"jobId":"poison","chunkIndex":"four"}', ...chunks.slice(4)]);
    const drained = await runner().drainQueues();
    const stats = Object.values(drained.pollers)[0];
    expect(await results(runner(), 'poison')).toHaveLength(9);
    expect(Object.values(drained.deadLettered)).toEqual([1]);
    expect(Object.values(stats.receives).filter((count) => count === 5)).toHaveLength(1);
    // Partial batch responses: only the poison record came back; the nine good ones were received once.
    expect(Object.values(stats.receives).filter((count) => count === 1)).toHaveLength(9);
    // count in = stored + dead-lettered
    expect((await results(runner(), 'poison')).length + Object.values(drained.deadLettered)[0]).toBe(10);
    // The queue's own account: every message processed or dead-lettered, every failed delivery counted.
    expect(drained.queues).toEqual({
      WorkWordsQueue9AF6E3FD: {
        messages: 10, processed: 9, deadLettered: 1, deadLetteredItems: 1, received: 14, failedRecords: 5, invocations: stats.invocations,
        // A batch whose every record fails makes Powertools throw, which Lambda counts as a function error: the poison
        // alone on its redeliveries (4), and on its first receive too when no other record shared its batch (5).
        errors: { FullBatchFailureError: { count: expect.any(Number), message: 'All records failed processing. See individual errors below.' } },
        deadLetterQueue: 'WorkWordsDeadLetterQueue9D4473CF',
      },
    });
    expect([4, 5]).toContain(drained.queues.WorkWordsQueue9AF6E3FD.errors!.FullBatchFailureError.count);
    // Counting the dead-lettered items reads the dead-letter queue without removing anything: the message is still there.
    // A body that is not a chunk counts as one item.
    expect(drained.deadLetters.WorkWordsDeadLetterQueue9D4473CF).toEqual({ messages: 1, chunks: [], unknownMessages: 1, unread: 0, items: 1 });
    const dlqUrl = [...runner().snsSqs!.queues.values()].find((q) => q.logicalId.includes('DeadLetterQueue'))!.url;
    const { Messages = [] } = await runner().snsSqs!.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 }));
    expect(Messages.map((m) => m.Body)).toEqual(['{"jobId":"poison","chunkIndex":"four"}']);
    expect(logEntries().filter((entry) => entry.level === 'ERROR').map((entry) => [entry.message, entry.receiveCount, entry.error.name]))
      .toEqual(['1', '2', '3', '4', '5'].map((count) => ['chunk failed', count, 'ChunkValidationError']));
  });

  // Both copies may arrive in one batch: the second meets the first's in-progress idempotency record, fails,
  // and on redelivery gets the stored result instead of running again.
  test('the same chunk delivered twice stores one result', async () => {
    const chunk = JSON.stringify({ jobId: 'dup', chunkIndex: 0, items: [{ word: 'apple' }] });
    await publish(runner(), [chunk, chunk]);
    const drained = await runner().drainQueues();
    expect(Object.values(drained.pollers)[0].deleted).toBe(2);
    expect(await results(runner(), 'dup')).toHaveLength(1);
  });

  test('a second runner in the same process is refused with the reason', async () => {
    await expect(LocalRunner.start({ assemblyDir: exampleAssembly().assemblyDir, stackName: 'FanOutExample' }))
      .rejects.toThrow('another LocalRunner is running in this process; stop it first');
  });
});

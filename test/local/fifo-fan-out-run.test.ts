import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { PublishBatchCommand } from '@aws-sdk/client-sns';
import { LocalRunner } from '../../tools/local/local-runner';
import { captureLogs } from '../support/captured-logs';
import { useLocalRunner } from '../support/use-local-runner';
import { FIFO_FIXTURE_STACK, synthesizeFifoFanOutFixture } from '../support/fixture-app';

// The FIFO variant of the fan-out on the local engines: FIFO topic, queues and dead-letter queue in fauxqs.
// As in fan-out-run.test.ts: a 60 s visibility timeout where no redelivery is expected, 2 s for the poison record.
const assemblyDir = synthesizeFifoFanOutFixture();

async function stored(runner: LocalRunner, jobId: string) {
  const { Items = [] } = await runner.dynamodb.client.send(new ScanCommand({ TableName: runner.tableName('Results') }));
  return Items.filter((item) => item.jobId.S === jobId).map((item) => item.resultId.S).sort();
}

const withRunner = (visibilityTimeoutSeconds: number) => useLocalRunner(() => ({ assemblyDir, stackName: FIFO_FIXTURE_STACK, visibilityTimeoutSeconds }));

describe('with a visibility timeout longer than any batch', () => {
  const runner = withRunner(60);

  test('a job published to the FIFO topic is stored once per item', async () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ word: `f${i}` }));
    await expect(runner().invokeFunction('Splitter', { jobId: 'fifo', items })).resolves.toEqual({ jobId: 'fifo', chunks: 3, items: 30 });
    const drained = await runner().drainQueues();
    expect(await stored(runner(), 'fifo')).toHaveLength(30);
    expect(Object.values(drained.deadLettered)).toEqual([0]);
  });
});

describe('with a 2-second visibility timeout', () => {
  const runner = withRunner(2);

  afterEach(() => jest.restoreAllMocks());

  test('a poison record in a message group is dead-lettered; the record after it in the group is processed after it', async () => {
    // The worker logs each failed receive as an ERROR with its stack: captured and read below instead of printed.
    const logEntries = captureLogs();
    const entry = (id: string, body: string) => ({ Id: id, Message: body, MessageGroupId: 'group', MessageDeduplicationId: id });
    await runner().snsSqs!.sns.send(new PublishBatchCommand({
      TopicArn: runner().resourceArn('AWS::SNS::Topic', 'WorkTopic'),
      PublishBatchRequestEntries: [
        entry('first', JSON.stringify({ jobId: 'ordered', chunkIndex: 0, items: [{ word: 'a' }] })),
        entry('poison', 'not json'),
        entry('last', JSON.stringify({ jobId: 'ordered', chunkIndex: 2, items: [{ word: 'c' }] })),
      ],
    }));
    const drained = await runner().drainQueues();
    expect(await stored(runner(), 'ordered')).toEqual(['ordered#0#0', 'ordered#2#0']);
    expect(Object.values(drained.deadLettered)).toEqual([1]);
    // Read from the FIFO dead-letter queue without removing it: a body that is not a chunk counts as one item.
    expect(Object.values(drained.queues)).toEqual([expect.objectContaining({ deadLettered: 1, deadLetteredItems: 1 })]);
    expect(logEntries().filter((entry) => entry.level === 'ERROR').map((entry) => [entry.message, entry.receiveCount, entry.error.name]))
      .toEqual(['1', '2', '3', '4', '5'].map((count) => ['chunk failed', count, 'ChunkValidationError']));
  });
});

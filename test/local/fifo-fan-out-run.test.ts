import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { PublishBatchCommand } from '@aws-sdk/client-sns';
import { LocalRunner } from '../../lib/local/local-runner';
import { FIFO_FIXTURE_STACK, synthesizeFifoFanOutFixture } from '../support/fixture-app';

// The FIFO variant of the fan-out on the local engines: FIFO topic, queues and dead-letter queue in fauxqs.
let runner: LocalRunner;

beforeAll(async () => {
  runner = await LocalRunner.start({ assemblyDir: synthesizeFifoFanOutFixture(), stackName: FIFO_FIXTURE_STACK, visibilityTimeoutSeconds: 1 });
});

afterAll(async () => {
  await runner?.stop();
});

const stored = async (jobId: string) => {
  const { Items = [] } = await runner.dynamodb.client.send(new ScanCommand({ TableName: runner.tableName('Results') }));
  return Items.filter((item) => item.jobId.S === jobId).map((item) => item.resultId.S).sort();
};

test('a job published to the FIFO topic is stored once per item', async () => {
  const items = Array.from({ length: 30 }, (_, i) => ({ word: `f${i}` }));
  await expect(runner.invokeFunction('Splitter', { jobId: 'fifo', items })).resolves.toEqual({ jobId: 'fifo', chunks: 3, items: 30 });
  const drained = await runner.drainQueues();
  expect(await stored('fifo')).toHaveLength(30);
  expect(Object.values(drained.deadLettered)).toEqual([0]);
});

test('a poison record in a message group is dead-lettered; the records after it in the group are processed after it', async () => {
  const topicArn = runner.resourceArn('AWS::SNS::Topic', 'WorkTopic');
  const entry = (id: string, body: string) => ({ Id: id, Message: body, MessageGroupId: 'group', MessageDeduplicationId: id });
  await runner.snsSqs!.sns.send(new PublishBatchCommand({
    TopicArn: topicArn,
    PublishBatchRequestEntries: [
      entry('first', JSON.stringify({ jobId: 'ordered', chunkIndex: 0, items: [{ word: 'a' }] })),
      entry('poison', 'not json'),
      entry('last', JSON.stringify({ jobId: 'ordered', chunkIndex: 2, items: [{ word: 'c' }] })),
    ],
  }));
  const drained = await runner.drainQueues();
  expect(await stored('ordered')).toEqual(['ordered#0#0', 'ordered#2#0']);
  expect(Object.values(drained.deadLettered)).toEqual([1]);
});

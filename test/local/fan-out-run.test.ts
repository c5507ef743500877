import { PublishBatchCommand } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { LocalRunner } from '../../lib/local/local-runner';
import { exampleAssembly } from '../support/example-app';

// Seed 004's fan-out stack on the local engines: the splitter and worker bundles, fauxqs, dynalite.
let runner: LocalRunner;
let topicArn: string;

beforeAll(async () => {
  runner = await LocalRunner.start({ assemblyDir: exampleAssembly().assemblyDir, stackName: 'FanOutExample', visibilityTimeoutSeconds: 1 });
  topicArn = runner.resourceArn('AWS::SNS::Topic', 'WorkTopic');
});

afterAll(async () => {
  await runner?.stop();
});

const results = async (jobId: string) => {
  const { Items = [] } = await runner.dynamodb.client.send(new ScanCommand({ TableName: runner.tableName('Results') }));
  return Items.filter((item) => item.jobId.S === jobId);
};
const publish = (bodies: string[]) => runner.snsSqs!.sns.send(new PublishBatchCommand({
  TopicArn: topicArn,
  PublishBatchRequestEntries: bodies.map((Message, i) => ({ Id: String(i), Message })),
}));

test('a job split by the splitter is processed by the workers, every item stored exactly once', async () => {
  const items = Array.from({ length: 1000 }, (_, i) => ({ word: `w${i}` }));
  await expect(runner.invokeFunction('Splitter', { jobId: 'split', items })).resolves.toEqual({ jobId: 'split', chunks: 10, items: 1000 });
  const drained = await runner.drainQueues();
  const stored = await results('split');
  expect(stored).toHaveLength(1000);
  expect(new Set(stored.map((item) => item.resultId.S)).size).toBe(1000);
  expect(Object.values(drained.deadLettered)).toEqual([0]);
});

test('one poison record among N: N-1 stored once, the poison dead-lettered after exactly maxReceiveCount (5) receives', async () => {
  const chunks = Array.from({ length: 9 }, (_, i) => JSON.stringify({ jobId: 'poison', chunkIndex: i, items: [{ word: `p${i}` }] }));
  await publish([...chunks.slice(0, 4), '{"jobId":"poison","chunkIndex":"four"}', ...chunks.slice(4)]);
  const drained = await runner.drainQueues();
  const stats = Object.values(drained.pollers)[0];
  expect(await results('poison')).toHaveLength(9);
  expect(Object.values(drained.deadLettered)).toEqual([1]);
  expect(Object.values(stats.receives).filter((count) => count === 5)).toHaveLength(1);
  // Partial batch responses: only the poison record came back; the nine good ones were received once.
  expect(Object.values(stats.receives).filter((count) => count === 1)).toHaveLength(9);
  // count in = stored + dead-lettered
  expect((await results('poison')).length + Object.values(drained.deadLettered)[0]).toBe(10);
  const dlqUrl = [...runner.snsSqs!.queues.values()].find((q) => q.logicalId.includes('DeadLetterQueue'))!.url;
  const { Messages = [] } = await runner.snsSqs!.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 }));
  expect(Messages.map((m) => m.Body)).toEqual(['{"jobId":"poison","chunkIndex":"four"}']);
});

test('the same chunk delivered twice stores one result', async () => {
  const chunk = JSON.stringify({ jobId: 'dup', chunkIndex: 0, items: [{ word: 'apple' }] });
  await publish([chunk, chunk]);
  await runner.drainQueues();
  expect(await results('dup')).toHaveLength(1);
});

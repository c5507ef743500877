import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { useLocalRunner } from '../support/use-local-runner';
import { exampleAssembly } from '../support/example-app';

// Seed 004's job workflow on the local engines, waiting for its workers as on AWS: the pollers run in the
// background (startWorkers) while the execution polls the job record; Wait states are shortened locally
// (maxWaitSeconds), the loop is the deployed one.
// The execution's status, output, error and cause as DescribeExecution reports them:
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html
// A Fail state's cause from a path (CausePath): https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
const runner = useLocalRunner(() => ({ assemblyDir: exampleAssembly().assemblyDir, stackName: 'FanOutExample', visibilityTimeoutSeconds: 2, maxWaitSeconds: 0.2 }));

beforeAll(() => {
  runner().startWorkers();
});

test('a job whose items are all stored ends SUCCEEDED, once the workers have stored them all, with its counts', async () => {
  const items = Array.from({ length: 250 }, (_, i) => ({ word: `w${i}` }));
  const execution = await runner().execute({ stateMachine: 'RunJob', input: { items }, name: 'all-stored' });
  expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { jobId: 'all-stored', items: 250, stored: 250, failed: 0, deadLettered: 0 } });
});

test('a job with invalid items ends FAILED with JobItemsFailed and exact counts; the other items of their chunks are stored', async () => {
  // Every 20th item is invalid (its word is not a string): spread over all three chunks of 100.
  const items = Array.from({ length: 250 }, (_, i) => (i % 20 === 0 ? { word: i } : { word: `w${i}` }));
  const execution = await runner().execute({ stateMachine: 'RunJob', input: { items }, name: 'some-invalid' });
  const expected = { jobId: 'some-invalid', items: 250, stored: 237, failed: 13, deadLettered: 0 };
  expect(execution).toMatchObject({ status: 'FAILED', error: 'JobItemsFailed' });
  expect(JSON.parse(execution.cause!)).toEqual(expected);
  // The chunk records name each failed item and why.
  const { Items = [] } = await runner().dynamodb.client.send(new QueryCommand({
    TableName: runner().tableName('WorkJobs'),
    KeyConditionExpression: 'jobId = :j AND begins_with(recordId, :c)',
    ExpressionAttributeValues: { ':j': { S: 'some-invalid' }, ':c': { S: 'chunk#' } },
  }));
  const failedItems = Items.flatMap((chunk) => chunk.failedItems.L!.map((f) => `${chunk.chunkIndex.N}:${f.M!.index.N}`));
  expect(failedItems).toHaveLength(13);
  expect(failedItems).toContain('1:0');
  expect(Items.find((chunk) => chunk.chunkIndex.N === '0')!.failedItems.L![0].M!.error.S).toBe('items[0].word must be a string (got {"word":0})');
});

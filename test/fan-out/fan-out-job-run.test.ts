import { queryAll } from '../../tools/local/job-accounting';
import { useLocalRunner } from '../support/use-local-runner';
import { exampleAssembly } from '../support/example-app';

// Seed 004's job workflow on the local engines, waiting for its workers as on AWS: the pollers run in the
// background (startWorkers) while the execution polls the job record; Wait states are shortened locally
// (maxWaitSeconds), the loop is the deployed one.
// The execution's status, output, error and cause as DescribeExecution reports them:
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html
// A Fail state's cause from a path (CausePath): https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
describe('with the workers running', () => {
  const runner = useLocalRunner(() => ({ assemblyDir: exampleAssembly().assemblyDir, stackName: 'FanOutExample', visibilityTimeoutSeconds: 2, maxWaitSeconds: 0.2 }));

  beforeAll(() => {
    runner().startWorkers();
  });

  test('a job whose items are all stored ends SUCCEEDED, once the workers have stored them all, with its counts', async () => {
    const items = Array.from({ length: 250 }, (_, i) => ({ word: `w${i}` }));
    const execution = await runner().execute({ stateMachine: 'RunJob', input: { items }, name: 'all-stored' });
    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { jobId: 'all-stored', items: 250, stored: 250, failed: 0, deadLettered: 0 } });
  });

  test('10,000 items, 5% of them invalid and spread out: the job ends FAILED with JobItemsFailed and exact counts; no chunk is sunk by its invalid items', async () => {
    // Every 20th item is invalid (its word is not a string): five in each of the 100 chunks of 100.
    const items = Array.from({ length: 10_000 }, (_, i) => (i % 20 === 0 ? { word: i } : { word: `w${i}` }));
    const execution = await runner().execute({ stateMachine: 'RunJob', input: { items }, name: 'some-invalid' });
    const expected = { jobId: 'some-invalid', items: 10_000, stored: 9_500, failed: 500, deadLettered: 0 };
    expect(execution).toMatchObject({ status: 'FAILED', error: 'JobItemsFailed' });
    expect(JSON.parse(execution.cause!)).toEqual(expected);
    // The chunk records (every page) name each failed item and why.
    const chunks = await queryAll(runner().dynamodb.client, {
      TableName: runner().tableName('WorkJobs'),
      KeyConditionExpression: 'jobId = :j AND begins_with(recordId, :c)',
      ExpressionAttributeValues: { ':j': { S: 'some-invalid' }, ':c': { S: 'chunk#' } },
    });
    expect(chunks).toHaveLength(100);
    const failedItems = chunks.flatMap((chunk) => chunk.failedItems.L!.map((f) => `${chunk.chunkIndex.N}:${f.M!.index.N}`));
    expect(failedItems).toHaveLength(500);
    expect(failedItems).toContain('1:0');
    expect(chunks.every((chunk) => chunk.stored.N === '95' && chunk.failed.N === '5')).toBe(true);
    expect(chunks.find((chunk) => chunk.chunkIndex.N === '0')!.failedItems.L![0].M!.error.S).toBe('items[0].word must be a string (got {"word":0})');
  });
});

describe('with no worker running', () => {
  const runner = useLocalRunner(() => ({ assemblyDir: exampleAssembly().assemblyDir, stackName: 'FanOutExample', maxWaitSeconds: 0.01 }));

  test('a job no worker accounts for ends FAILED JobIncomplete after maxWait (83 polls by default), with the counts so far', async () => {
    const items = Array.from({ length: 150 }, (_, i) => ({ word: `w${i}` }));
    const execution = await runner().execute({ stateMachine: 'RunJob', input: { items }, name: 'never-counted' });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'JobIncomplete' });
    expect(JSON.parse(execution.cause!)).toEqual({ jobId: 'never-counted', items: 150, stored: 0, failed: 0, deadLettered: 0 });
    const reads = execution.events.filter((e) => e.type === 'StateEntered' && e.state.name === 'ReadJobRecord');
    expect(reads).toHaveLength(83);
  });
});

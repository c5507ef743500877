import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EXAMPLE_STACKS } from '../../examples/example-app';
import { DISTRIBUTED_JOBS_PREFIX } from '../../examples/distributed-stack';
import { LocalRunner } from '../../tools/local/local-runner';
import { exampleAssembly } from '../support/example-app';
import { jsonataExampleAssembly, testJsonataExampleStack } from '../support/jsonata-example-app';

// Seed 004's job as a distributed map/reduce (examples/distributed-stack.ts), its workflow in JSONata: a Distributed Map
// whose ItemReader and ResultWriter take Arguments, run locally from a job file in the local S3, gives what the
// JSONPath workflow gives. Distributed Map fields in JSONata: https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
const STACK = EXAMPLE_STACKS.distributed;

describe('the distributed example in JSONata', () => {
  testJsonataExampleStack(STACK);
});

/** The job of `words` run on the example's distributed stack of `assemblyDir`: the execution's end and its result record. */
async function runJob(assemblyDir: string, words: readonly string[]) {
  const runner = await LocalRunner.start({ assemblyDir, stackName: STACK });
  try {
    const key = `${DISTRIBUTED_JOBS_PREFIX}job.json`;
    await runner.putObject('Jobs', key, JSON.stringify(words.map((word) => ({ word }))));
    const { status, output, error, executionArn } = await runner.execute({ input: { itemsKey: key } });
    const { Item } = await runner.dynamodb.client.send(new GetItemCommand({ TableName: runner.tableName('Results'), Key: { executionId: { S: executionArn } } }));
    return { status, output, error, recorded: { status: Item?.status?.S, output: Item?.output?.S } };
  } finally {
    await runner.stop();
  }
}

test('a job of 7,000 words in 3 batches: the same items, lengths and record as the JSONPath workflow', async () => {
  const words = Array.from({ length: 7000 }, (_, i) => `w${i}`);
  const totalLength = words.reduce((sum, word) => sum + word.length, 0);
  const jsonata = await runJob(jsonataExampleAssembly().assemblyDir, words);
  expect(jsonata).toEqual({
    status: 'SUCCEEDED',
    output: { items: 7000, measured: 7000, failed: 0, totalLength },
    error: undefined,
    recorded: { status: 'SUCCEEDED', output: JSON.stringify({ items: 7000, measured: 7000, failed: 0, totalLength }) },
  });
  expect(jsonata).toEqual(await runJob(exampleAssembly().assemblyDir, words));
}, 120_000);

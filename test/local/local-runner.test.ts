import { GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { LocalRunner, MAX_PAYLOAD_BYTES } from '../../tools/local/local-runner';
import { toHistoryEvents } from '../../tools/local/history-events';
import { buildTrace } from '../../tools/trace/execution-trace';
import { exampleAssembly } from '../support/example-app';
import seedInput from '../../examples/inputs/word-length.json';

const SEED_WORDS = seedInput.data.map((item) => item.word);
const words = (count: number) => ({ data: Array.from({ length: count }, (_, i) => ({ word: SEED_WORDS[i % SEED_WORDS.length] })) });
const expectedTotal = (count: number) => words(count).data.reduce((sum, item) => sum + item.word.length, 0);

let runner: LocalRunner;

beforeAll(async () => {
  const { assemblyDir } = exampleAssembly();
  runner = await LocalRunner.start({ assemblyDir, stackName: 'WordLengthExample' });
});

afterAll(async () => {
  await runner?.stop();
});

async function storedResult(executionArn: string) {
  const { Item } = await runner.dynamodb.client.send(new GetItemCommand({
    TableName: 'ResultsTable7B2FF7F9',
    Key: { executionId: { S: executionArn } },
  }));
  return Item;
}

test('the seed input sums to 39 and the output is stored under the execution id', async () => {
  const execution = await runner.execute({ input: seedInput });
  expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { totalLength: 39 } });
  expect(execution.executionArn).toMatch(/^arn:aws:states:us-east-1:000000000000:execution:WordLengthStateMachine\w+:[0-9a-f-]{36}$/);
  const item = await storedResult(execution.executionArn);
  expect(item).toMatchObject({ status: { S: 'SUCCEEDED' }, output: { S: '{"totalLength":39}' } });
  expect(item?.completedAt.S).toMatch(/^\d{4}-\d\d-\d\dT/);
});

test('an empty list sums to 0', async () => {
  const execution = await runner.execute({ input: { data: [] } });
  expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { totalLength: 0 } });
});

test('10,000 items give the right sum', async () => {
  const execution = await runner.execute({ input: words(10_000) });
  expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { totalLength: expectedTotal(10_000) } });
  expect(expectedTotal(10_000)).toBe(55_713);
});

test('the map runs at most MaxConcurrency (2) items at once', async () => {
  const execution = await runner.execute({ input: seedInput });
  let inFlight = 0;
  let most = 0;
  for (const event of execution.events) {
    if (!('state' in event) || event.state.name !== 'MapItem') continue;
    if (event.type === 'StateEntered') most = Math.max(most, ++inFlight);
    if (event.type === 'StateExited' || event.type === 'StateFailed') inFlight -= 1;
  }
  expect(most).toBe(2);
});

test('a malformed item fails the execution with the validation error and cause, recorded in the table', async () => {
  const execution = await runner.execute({ input: { data: [{ word: 'apple' }, { wrd: 'typo' }] } });
  expect(execution.status).toBe('FAILED');
  expect(execution.error).toBe('WordValidationError');
  expect(JSON.parse(execution.cause!)).toMatchObject({
    errorType: 'WordValidationError',
    errorMessage: 'item.word must be a string (got undefined)',
  });
  const { spans } = buildTrace(execution.executionArn, toHistoryEvents(execution.events, execution));
  const executionSpan = spans[0];
  expect(spans.filter((s) => s.parentSpanId === executionSpan.spanId).map((s) => [s.name, s.status])).toEqual([
    ['MapItems', 'CAUGHT'],
    ['RecordFailure', 'SUCCEEDED'],
    ['Failed', 'FAILED'],
  ]);
  expect(await storedResult(execution.executionArn)).toMatchObject({
    status: { S: 'FAILED' },
    error: { S: 'WordValidationError' },
  });
});

test('an input over the 256 KiB payload quota fails with States.DataLimitExceeded', async () => {
  const input = words(25_000);
  expect(Buffer.byteLength(JSON.stringify(input))).toBeGreaterThan(MAX_PAYLOAD_BYTES);
  const execution = await runner.execute({ input });
  expect(execution).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
  expect(execution.cause).toMatch(/^the execution input is \d+ bytes, over the 262144-byte quota/);
});

test('naming a state machine that does not exist says which ones do', async () => {
  await expect(runner.execute({ stateMachine: 'Nope', input: {} })).rejects.toThrow(
    /stack WordLengthExample has 0 AWS::StepFunctions::StateMachine matching 'Nope' \(WordLengthStateMachine\w+\); name one/,
  );
});

test('itemCounts counts the items of every table of the stack, across the pages of the scan', async () => {
  const TableName = 'ResultsTable7B2FF7F9';
  const before = (await runner.itemCounts())[TableName];
  // Five items of 300 KB: more than the 1 MB a scan reads per page.
  for (let i = 0; i < 5; i++) {
    await runner.dynamodb.client.send(new PutItemCommand({ TableName, Item: { executionId: { S: `large-${i}` }, padding: { S: 'x'.repeat(300_000) } } }));
  }
  const firstPage = await runner.dynamodb.client.send(new ScanCommand({ TableName, Select: 'COUNT' }));
  expect(firstPage.LastEvaluatedKey).toBeDefined();
  expect(await runner.itemCounts()).toEqual({ [TableName]: before + 5 });
});

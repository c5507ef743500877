import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../tools/cli/sdp';
import { bufferedIo } from '../cli/buffered-io';
import { exampleAssembly } from '../support/example-app';

// `sdp cost` end to end on the example app's assembly (synthesized once per test run): a metered local run of a
// sample job of each pipeline, priced at us-east-1's prices, printed through injected I/O.

const root = path.join(__dirname, '..', '..');
const { assemblyDir } = exampleAssembly();

async function sdpCost(...argv: string[]) {
  const { io, printed } = bufferedIo();
  const code = await main(['cost', ...argv, '--assembly', assemblyDir], io);
  return { code, ...printed };
}

test('seed 001\'s naive design (WordLengthExample): over $25 per million items in state transitions alone', async () => {
  const run = await sdpCost('WordLength', '--input', path.join(root, 'examples', 'inputs', 'word-length.json'), '--json');
  expect(run.code).toBe(0);
  const { region, items, pipelines: [bill], notes } = JSON.parse(run.stdout);
  expect({ region, items, pipeline: bill.pipeline, sampleItems: bill.sampleItems }).toEqual({
    region: 'us-east-1', items: 1_000_000, pipeline: 'WordLengthExample/WordLength', sampleItems: 7,
  });
  const line = (what: string) => bill.lines.find((l: { what: string }) => l.what.startsWith(what));
  // At least one transition per item (the MapItem task), at $0.025 per 1,000.
  expect(line('state transitions (Standard)').quantity).toBeGreaterThanOrEqual(1_000_000);
  expect(bill.byService['Step Functions']).toBeGreaterThan(25);
  // One invocation of the map function per item; the sample's job (7 items) reduces and stores once.
  expect(line('requests: WordLengthExample/WordLength/MapFunction').quantity).toBeCloseTo(1_000_000, 6);
  expect(line('requests: WordLengthExample/WordLength/ReduceFunction').quantity).toBeCloseTo(1_000_000 / 7, 6);
  expect(line('write request units: WordLengthExample/Results/Table').quantity).toBeCloseTo(1_000_000 / 7, 6);
  // Level ALL with execution data is ingested by CloudWatch Logs, and billed.
  expect(line('execution history at level ALL with execution data').costUsd).toBeGreaterThan(0);
  expect(bill.perMillionItemsUsd).toBeCloseTo(bill.totalUsd, 9);
  expect(notes.join(' ')).toContain('Free tiers are ignored');
  expect(run.stderr).toContain('running a sample of 7 item(s) of WordLengthExample/WordLength locally');
});

test('the SNS/SQS fan-out (FanOutExample): the table names every service the job used, one result write per item', async () => {
  const run = await sdpCost('RunJob', '--input', path.join(root, 'test', 'fixtures', 'fan-out-job.json'), '--items', '1e6', '--region', 'ap-northeast-2');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^FanOutExample\/RunJob: 1,000,000 items, Asia Pacific \(Seoul\) \(ap-northeast-2\) prices of \d{4}-\d\d-\d\d\nsample: 250 items run locally, every count scaled x 4,000\n/);
  for (const service of ['Step Functions state transitions', 'Lambda requests', 'SNS publishes', 'SQS requests', 'DynamoDB write request units', 'CloudWatch Logs', 'X-Ray']) {
    expect(run.stdout).toContain(`\n${service}`);
  }
  // Each item's result is one write of under 1 KB: a million write units, at Seoul's price.
  expect(run.stdout).toMatch(/\nDynamoDB write request units: FanOutExample\/Results\/Table +1,000,000 +\$0\.0000006778 \/ write request unit +\$0\.678\n/);
  expect(run.stdout).toMatch(/\ntotal +\$\d+\.\d\d\nper million items +\$\d+\.\d\d\n/);
});

test('a region whose prices could not all be checked says which on stderr', async () => {
  const run = await sdpCost('WordLength', '--input', path.join(root, 'examples', 'inputs', 'word-length.json'), '--region', 'ap-northeast-2');
  expect(run.code).toBe(0);
  expect(run.stderr).toMatch(/^note: \d+ prices of ap-northeast-2 could not be checked \(.*lambda\.request.*\)/m);
  expect(run.stderr).not.toContain('stepFunctions.standardTransition');
  expect(run.stdout).toContain('Asia Pacific (Seoul)');
});

test('a sample execution that fails gets no bill, and exits 1 saying why', async () => {
  const run = await sdpCost('WordLength', '--input', path.join(root, 'test', 'fixtures', 'malformed-input.json'));
  expect(run.code).toBe(1);
  expect(run.stderr).toContain('the sample execution of WordLengthExample/WordLength FAILED: WordValidationError');
  expect(run.stdout).not.toContain('WordLengthExample/WordLength:');
});

test('one --input for several pipelines, or a pipeline without its --input, is an error before anything runs', async () => {
  const several = await sdpCost('--input', path.join(root, 'examples', 'inputs', 'word-length.json'));
  expect(several.code).toBe(2);
  expect(several.stderr).toContain('error: 3 pipelines match (WordLengthExample/WordLength, FanOutExample/RunJob, DistributedExample/Job): name one, or give --input <pipeline>=<file.json> for each');
  const missing = await sdpCost('--input', `WordLength=${path.join(root, 'examples', 'inputs', 'word-length.json')}`);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('error: no --input for FanOutExample/RunJob: give --input FanOutExample/RunJob=<file.json>');
});

test('--items-file needs a pipeline whose Distributed Map reads its items from a bucket', async () => {
  const run = await sdpCost('WordLength', '--items-file', `jobs/sample.json=${path.join(root, 'examples', 'inputs', 'word-length.json')}`);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('error: --items-file: WordLengthExample/WordLength has no Distributed Map that reads its items from a bucket');
});

test('--sample makes the sample job that many items long; --sample-items says how many a job holds', async () => {
  const input = path.join(root, 'examples', 'inputs', 'word-length.json');
  const resized = JSON.parse((await sdpCost('WordLength', '--input', input, '--sample', '20', '--json')).stdout);
  expect(resized.pipelines[0]).toMatchObject({ sampleItems: 20, scale: 50_000 });
  const declared = JSON.parse((await sdpCost('WordLength', '--input', input, '--sample-items', '14', '--items', '14', '--json')).stdout);
  expect(declared.pipelines[0]).toMatchObject({ sampleItems: 14, items: 14, scale: 1 });
});

test('the distributed design (DistributedExample): a transition per batch, Express children, S3 requests of the reader and writer, no execution data logged', async () => {
  // 7,000 words (seed 001's seven, a thousand times): three batches of at most 3,000; priced for those 7,000 items.
  const words = JSON.parse(fs.readFileSync(path.join(root, 'examples', 'inputs', 'word-length.json'), 'utf8')).data as Array<{ word: string }>;
  const itemsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-cost-')), 'items.json');
  fs.writeFileSync(itemsFile, JSON.stringify(Array.from({ length: 7000 }, (_, i) => words[i % words.length])));
  const run = await sdpCost('DistributedExample/Job', '--items-file', `jobs/sample.json=${itemsFile}`, '--items', '7000', '--json');
  expect(run.code).toBe(0);
  const [bill] = JSON.parse(run.stdout).pipelines;
  const quantity = (what: string) => bill.lines.find((l: { what: string }) => l.what.startsWith(what))?.quantity;
  expect({ sampleItems: bill.sampleItems, scale: bill.scale }).toEqual({ sampleItems: 7000, scale: 1 });
  // MapItems, ReduceResults and StoreResult, and one transition per child execution the Distributed Map starts.
  expect(quantity('state transitions (Standard)')).toBe(3 + 3);
  expect(quantity('Express MapItems\'s child executions')).toBe(3);
  expect(quantity('requests: DistributedExample/Job/MapFunction')).toBe(3);
  expect(quantity('requests: DistributedExample/Job/ReduceFunction')).toBe(1);
  // The job file read once; the ResultWriter's manifest and result file written, and read back by the reduce.
  expect(quantity('GET requests: DistributedExample/JobsBucket')).toBe(1);
  expect(quantity('PUT, COPY, POST, LIST requests: DistributedExample/Job/ResultsBucket')).toBe(2);
  expect(quantity('GET requests: DistributedExample/Job/ResultsBucket')).toBe(2);
  expect(quantity('write request units: DistributedExample/Results/Table')).toBe(1);
  // Distributed mode logs every event without the batches' items and results.
  expect(bill.lines.some((l: { what: string }) => l.what.includes('with execution data'))).toBe(false);
  expect(quantity('execution history at level ALL without execution data')).toBeGreaterThan(0);
  // Four traced executions (the parent and three children), 5 % of them sampled.
  expect(quantity('traces of DistributedExample/Job')).toBeCloseTo(0.2, 9);
});

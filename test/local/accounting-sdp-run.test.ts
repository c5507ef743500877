import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../tools/cli/sdp';
import { bufferedIo } from '../cli/buffered-io';
import { synthesizeJobTableFixture } from '../support/job-table-fixture';

// `sdp run` on a stack with a job table (a table whose metadata has "sdp:role": "job-table"): the workers run
// from before the execution, so the job workflow can wait for them (its 5 s Wait shortened locally); after the
// drain, each job's items are accounted for from its job record, its chunk records and the dead-letter queue.
// The records are written by a test handler that keeps the job record contract (test/fixtures/handlers/job-records.ts).
//
// SQS behaviour the fixture relies on, as AWS documents it:
// - a message received maxReceiveCount times without being deleted moves to the dead-letter queue, keeping its
//   message id and body: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
// - ApproximateReceiveCount, the attribute the worker compares with maxReceiveCount on a message's last receive:
//   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
// - reading a queue without removing anything: a received message is hidden for the visibility timeout, and
//   ChangeMessageVisibility with 0 makes it visible again at once:
//   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
// - a function that reports batch item failures has only those records returned to the queue:
//   https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
const assemblyDir = synthesizeJobTableFixture();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-accounting-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const words = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ word: `${prefix}${i}` }));

async function run(name: string, job: unknown, ...args: string[]) {
  const input = path.join(dir, `${name}.json`);
  fs.writeFileSync(input, JSON.stringify(job));
  const { io, printed } = bufferedIo();
  const code = await main(['run', '--assembly', assemblyDir, '--input', input, '--visibility-timeout', '1', ...args], io);
  return { code, ...printed };
}

test('every item stored: the workflow waits for the workers, the result line has the job\'s counts, exit 0', async () => {
  const result = await run('stored', { jobId: 'stored', chunks: [words(4, 'a'), words(4, 'b'), words(2, 'c')], wait: true });
  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout)).toEqual({
    output: { jobId: 'stored', chunks: 3, items: 10, wait: true, poll: { done: true } },
    jobs: { stored: { items: 10, stored: 10, failed: 0, deadLettered: 0 } },
    queues: {
      'JobTableFixture/WorkQueue': { messages: 3, processed: 3, deadLettered: 0, deadLetteredItems: 0, received: 3, failedRecords: 0, invocations: expect.any(Number) },
    },
    tables: { 'JobTableFixture/Jobs': 4 },
    functions: {
      'JobTableFixture/Splitter': expect.objectContaining({ invocations: 3, coldStarts: 1, errors: 0 }),
      'JobTableFixture/Worker': expect.objectContaining({ invocations: expect.any(Number), errors: 0 }),
    },
  });
  expect(result.stderr).toContain('job stored: 10 items, 10 stored, 0 failed, 0 dead-lettered: every item stored\n');
});

test('failed items: counted, the first few listed on stderr with their chunk, index and error, and the total; exit 1', async () => {
  const invalid = (i: number) => ({ invalid: `item ${i} has no word` });
  const chunks = [[...words(2, 'a'), invalid(0), invalid(1)], [invalid(2), invalid(3), invalid(4), invalid(5)], [invalid(6), ...words(1, 'c')]];
  const result = await run('failed', { jobId: 'failed', chunks, wait: true }, '--json');
  expect(result.code).toBe(1);
  expect(JSON.parse(result.stdout)).toMatchObject({ status: 'SUCCEEDED', jobs: { failed: { items: 10, stored: 3, failed: 7, deadLettered: 0 } } });
  expect(result.stderr).toContain([
    'job failed: 10 items, 3 stored, 7 failed, 0 dead-lettered: reconciled',
    '  7 failed item(s), the first 5:',
    '    chunk 0 item 2: item 0 has no word',
    '    chunk 0 item 3: item 1 has no word',
    '    chunk 1 item 0: item 2 has no word',
    '    chunk 1 item 1: item 3 has no word',
    '    chunk 1 item 2: item 4 has no word',
    '',
  ].join('\n'));
});

test('a poison chunk the worker counted as dead-lettered on its last receive: reconciled, counted once, exit 1', async () => {
  const result = await run('poison', { jobId: 'poison', chunks: [words(3, 'a'), [{ poison: true }, ...words(2, 'b')]], wait: true }, '--json');
  expect(result.code).toBe(1);
  const doc = JSON.parse(result.stdout);
  expect(doc).toMatchObject({ status: 'SUCCEEDED', jobs: { poison: { items: 6, stored: 3, failed: 0, deadLettered: 3 } } });
  expect(doc.queues['JobTableFixture/WorkQueue']).toMatchObject({ messages: 2, processed: 1, deadLettered: 1, deadLetteredItems: 3 });
  expect(result.stderr).toContain('job poison: 6 items, 3 stored, 0 failed, 3 dead-lettered: reconciled\n');
  expect(result.stderr).not.toContain('without a chunk record');
});

test('a dead-lettered chunk the worker did not count: found in the dead-letter queue, counted once by chunk index, exit 1', async () => {
  // Chunk 1 reaches the dead-letter queue twice, unrecorded, as when the worker times out on its last receive.
  const result = await run('uncounted', { jobId: 'uncounted', chunks: [words(3, 'a'), words(4, 'b')], publish: [0], deadLetter: [1, 1] });
  expect(result.code).toBe(1);
  const summary = JSON.parse(result.stdout);
  expect(summary.jobs).toEqual({ uncounted: { items: 7, stored: 3, failed: 0, deadLettered: 4 } });
  // The queue's own count is of messages and the items in them, duplicates included.
  expect(summary.queues['JobTableFixture/WorkQueue']).toMatchObject({ messages: 1, processed: 1, deadLettered: 2, deadLetteredItems: 8 });
  expect(result.stderr).toContain('job uncounted: 7 items, 3 stored, 0 failed, 4 dead-lettered: reconciled\n'
    + '  chunk(s) 1 found in a dead-letter queue without a chunk record (the worker did not count them)\n');
});

test('a chunk with no record that is in no dead-letter queue: not reconciled, stderr names the chunk and the items, exit 1', async () => {
  const result = await run('missing', { jobId: 'missing', chunks: [words(3, 'a'), words(3, 'b'), words(2, 'c')], publish: [0, 2] });
  expect(result.code).toBe(1);
  expect(JSON.parse(result.stdout).jobs).toEqual({ missing: { items: 8, stored: 5, failed: 0, deadLettered: 0 } });
  expect(result.stderr).toContain('job missing: 8 items, 5 stored, 0 failed, 0 dead-lettered: NOT RECONCILED\n'
    + '  3 item(s) neither stored, failed nor dead-lettered; chunk(s) 1 have no chunk record and are in no dead-letter queue\n');
});

import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { EXAMPLES, main, SCHEDULED_JOB } from '../../examples/cli';
import { EXAMPLE_STACKS } from '../../examples/example-app';
import { SCHEDULED_JOB_KEY } from '../../examples/fan-out-stack';
import { exampleAssembly } from '../support/example-app';
import { bufferedIo } from './buffered-io';

// `npm start`: the example front-end of sdp, on the assembly synthesized for the tests (skipping the synth).
const root = path.join(__dirname, '..', '..');
const { assemblyDir } = exampleAssembly();

async function npmStart(...argv: string[]) {
  const { io, printed } = bufferedIo();
  const code = await main(argv, io);
  return { code, ...printed };
}

test('npm start, as a process: {"totalLength":39} is the one line on stdout; the trace and the functions\' logs go to stderr', () => {
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'examples/cli.ts', '--assembly', assemblyDir], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'INFO' },
  });
  expect(run.status).toBe(0);
  expect(run.stdout).toBe('{"totalLength":39}\n');
  expect(run.stderr).toMatch(/start\s+duration\s+status\s+retries\s+span/);
  expect(run.stderr).toContain('"message":"reduced mapped results"');
  for (const span of ['MapItems (Map)', 'MapItems[6] (MapIteration)', 'MapItem (Task)', 'ReduceResults (Task)', 'StoreResult (Task)']) {
    expect(run.stderr).toMatch(new RegExp(`\\+\\d+ ms\\s+\\d+ ms\\s+SUCCEEDED\\s+${span.replace(/[[\]()]/g, '\\$&')}`));
  }
});

test('--input runs any input file: a failed execution exits 1 with its error and cause', async () => {
  const run = await npmStart('word-length', '--assembly', assemblyDir, '--input', path.join(root, 'test', 'fixtures', 'malformed-input.json'));
  expect([run.code, run.stdout]).toEqual([1, '']);
  expect(run.stderr).toContain('execution FAILED: WordValidationError');
  expect(run.stderr).toContain('cause: {"errorType":"WordValidationError","errorMessage":"item.word must be a string (got undefined)"');
});

test('fan-out runs the job workflow as job local-job, which waits for its workers; the summary line accounts for every item', async () => {
  const run = await npmStart('fan-out', '--assembly', assemblyDir, '--input', path.join(root, 'test', 'fixtures', 'fan-out-job.json'));
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toMatchObject({
    output: { jobId: 'local-job', items: 250, stored: 250, failed: 0, deadLettered: 0 },
    jobs: { 'local-job': { items: 250, stored: 250, failed: 0, deadLettered: 0 } },
    queues: { 'FanOutExample/Work/Words/Queue': { messages: 3, processed: 3, deadLettered: 0 } },
    tables: { 'FanOutExample/Results/Table': 250 },
  });
});

test('--items: fan-out runs a generated job of that many items', async () => {
  const run = await npmStart('fan-out', '--assembly', assemblyDir, '--items', '120', '--name', 'generated');
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toMatchObject({ output: { jobId: 'generated', items: 120, stored: 120, failed: 0, deadLettered: 0 } });
});

test('distributed runs the same job through a Distributed Map: its items put in the local S3, the map run\'s progress on stderr', async () => {
  const run = await npmStart('distributed', '--assembly', assemblyDir, '--items', '7000');
  expect(run.code).toBe(0);
  // 1,000 cycles of seed 001's seven words, whose lengths sum to 39.
  expect(JSON.parse(run.stdout)).toEqual({ items: 7000, measured: 7000, failed: 0, totalLength: 39_000 });
  expect(run.stderr).toMatch(/^put \S+items\.json at s3:\/\/jobsbucket5eadc5ca\/jobs\/local-job\.json$/m);
  expect(run.stderr).toMatch(/^map run MapItems SUCCEEDED: 7,000\/7,000 items \(100 %\), 0 failed/m);
  // 3,000 words a batch: three child executions.
  expect(run.stderr).toContain('map run: 7000 items (7000 succeeded, 0 failed) in 3 child executions (3 succeeded, 0 failed)');
});

test.each([
  [['fan-out', '--items', '0'], "--items must be a whole number, 1..1000000 (got '0')"],
  [['fan-out', '--items', '10', '--input', 'job.json'], 'give --input or --items, not both'],
  [['word-length', '--items', '10'], '--items generates a job for fan-out or distributed (not word-length)'],
])('%j: exit 2 with the reason', async (...argv) => {
  const [args, message] = argv as [string[], string];
  const run = await npmStart(...args, '--assembly', assemblyDir);
  expect([run.code, run.stdout]).toEqual([2, '']);
  expect(run.stderr).toContain(message);
});

test('sdp\'s commands pass through', async () => {
  const run = await npmStart('diagram', 'RunJob', '--assembly', assemblyDir);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^flowchart TD\n  %% FanOutExample\/RunJob \(RunJobStateMachineC5380B43\)\n/);
});

test('bad usage exits 2 with the reason and the usage', async () => {
  const unknown = await npmStart('no-such-example', '--assembly', assemblyDir);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("unknown example 'no-such-example'");
  expect(unknown.stderr).toContain('usage: npm start --');
  const missing = await npmStart('--assembly', assemblyDir, '--input', 'nope.json');
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('cannot read --input nope.json');
});

test('the examples are the stacks of the example app; npm start -- serve puts the scheduled job where the schedule reads it', () => {
  expect(EXAMPLES).toEqual(EXAMPLE_STACKS);
  expect(SCHEDULED_JOB.key).toBe(SCHEDULED_JOB_KEY);
});

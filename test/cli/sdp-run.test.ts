import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Host } from '../../tools/cli/commands/command';
import { main } from '../../tools/cli/sdp';
import { exampleAssembly } from '../support/example-app';
import { bufferedIo } from './buffered-io';
import { greeterApp } from './greeter-app';

// `sdp run` on the example app's assembly, in-process: selection, the result line, --json, exit statuses.
const { assemblyDir } = exampleAssembly();
const root = path.join(__dirname, '..', '..');
const SEED = path.join(root, 'examples', 'inputs', 'word-length.json');
const MALFORMED = path.join(root, 'test', 'fixtures', 'malformed-input.json');
const JOB = path.join(root, 'test', 'fixtures', 'fan-out-job.json');
const MACHINES = '  WordLengthExample/WordLength  (WordLengthStateMachine5AE2E759)\n  FanOutExample/RunJob  (RunJobStateMachineC5380B43)\n'
  + '  DistributedExample/Job  (JobStateMachineE2E0FF72)\n';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-run-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function sdp(argv: string[], host?: Host) {
  const { io, printed } = bufferedIo(host);
  const code = await main(argv, io);
  return { code, ...printed };
}

const run = (...args: string[]) => sdp(['run', ...args, '--assembly', assemblyDir]);

describe('choosing the state machine', () => {
  test('none named among several: exit 2 listing the candidates', async () => {
    expect(await run()).toEqual({
      code: 2, stdout: '',
      stderr: `error: there are 3 state machines; name one by a part of its path or its logical id, or give --stack:\n${MACHINES}`,
    });
  });

  test('a part that several share: exit 2 listing those', async () => {
    expect((await run('Example')).stderr)
      .toBe(`error: 'Example' matches 3 state machines; name one by a part of its path or its logical id, or give --stack:\n${MACHINES}`);
  });

  test('none matching: exit 2 listing them all', async () => {
    expect(await run('Nope')).toEqual({ code: 2, stdout: '', stderr: `error: no state machine matches 'Nope'; there are:\n${MACHINES}` });
    expect((await run('--stack', 'Nope')).stderr)
      .toBe('error: no state machine in a stack \'Nope\' (stacks with state machines: WordLengthExample, FanOutExample, DistributedExample)\n');
  });

  test('by logical id, by a part of the path, or as the only one of --stack', async () => {
    for (const choice of [['WordLengthStateMachine5AE2E759'], ['WordLength'], ['--stack', 'WordLengthExample']]) {
      const result = await run(...choice, '--input', SEED);
      expect([choice, result.code, result.stdout]).toEqual([choice, 0, '{"totalLength":39}\n']);
      expect(result.stderr).toContain('running WordLengthExample/WordLength (WordLengthStateMachine5AE2E759) locally\n');
    }
  });
});

describe('a stack without queues', () => {
  test('the result line is the output; the trace is on stderr', async () => {
    const result = await run('WordLength', '--input', SEED);
    expect(result).toMatchObject({ code: 0, stdout: '{"totalLength":39}\n' });
    expect(result.stderr).toMatch(/SUCCEEDED\s+ReduceResults \(Task\)/);
  });

  test('--json: { status, output, error, cause, executionArn, stateMachine, stack, tables, functions }', async () => {
    const result = await run('WordLength', '--input', SEED, '--name', 'json-run', '--json');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toHaveLength(2);
    expect(JSON.parse(result.stdout)).toEqual({
      status: 'SUCCEEDED', output: { totalLength: 39 }, error: null, cause: null,
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:WordLengthStateMachine5AE2E759:json-run',
      stateMachine: 'WordLengthExample/WordLength', stack: 'WordLengthExample',
      tables: { 'WordLengthExample/Results/Table': 1 },
      // As many map instances as were busy at once (cold starts vary with timing), one reduce instance.
      functions: {
        'WordLengthExample/WordLength/MapFunction': expect.objectContaining({ invocations: 7, coldStarts: expect.any(Number), throttles: 0, errors: 0 }),
        'WordLengthExample/WordLength/ReduceFunction': expect.objectContaining({ invocations: 1, coldStarts: 1, errors: 0 }),
      },
    });
  });

  test('a failed execution exits 1: no result line, the error and cause on stderr; --json has them', async () => {
    const result = await run('WordLength', '--input', MALFORMED);
    expect([result.code, result.stdout]).toEqual([1, '']);
    expect(result.stderr).toContain('execution FAILED: WordValidationError\ncause: {"errorType":"WordValidationError"');
    const json = await run('WordLength', '--input', MALFORMED, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'FAILED', output: null, error: 'WordValidationError', cause: expect.stringContaining('item.word') });
  });
});

describe('a stack whose functions are fed from queues', () => {
  test('the workers run while the job workflow waits for them; the result line accounts for each job\'s items, queue, table and function', async () => {
    const result = await run('RunJob', '--input', JOB, '--name', 'cli-test');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    const counts = { items: 250, stored: 250, failed: 0, deadLettered: 0 };
    expect(summary).toEqual({
      output: { jobId: 'cli-test', ...counts },
      jobs: { 'cli-test': counts },
      queues: {
        'FanOutExample/Work/Words/Queue': { messages: 3, processed: 3, deadLettered: 0, deadLetteredItems: 0, received: 3, failedRecords: 0, invocations: expect.any(Number) },
      },
      // The job table: the job record and one record per chunk.
      tables: { 'FanOutExample/Results/Table': 250, 'FanOutExample/Idempotency/Table': 3, 'FanOutExample/Work/Jobs/Table': 4 },
      functions: {
        'FanOutExample/Splitter/Function': expect.objectContaining({ invocations: 1, coldStarts: 1, throttles: 0, timeouts: 0, errors: 0 }),
        'FanOutExample/Work/Words/Worker': expect.objectContaining({ coldStarts: expect.any(Number), errors: 0 }),
      },
    });
    expect(result.stderr).toContain('job cli-test: 250 items, 250 stored, 0 failed, 0 dead-lettered: every item stored\n');
    expect(result.stderr).toMatch(/^function FanOutExample\/Splitter\/Function: 1 invocation\(s\), 1 cold start\(s\) \(init \d+ ms\)$/m);
  });

  test('an invalid item fails alone: the rest of its chunk is stored, the job ends FAILED with its counts, exit 1', async () => {
    const items = Array.from({ length: 150 }, (_, i) => (i === 120 ? { wrd: 'typo' } : { word: `w${i}` }));
    fs.writeFileSync(path.join(dir, 'invalid-item.json'), JSON.stringify({ items }));
    const result = await run('RunJob', '--input', path.join(dir, 'invalid-item.json'), '--name', 'invalid-item', '--json');
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      status: 'FAILED', error: 'JobItemsFailed', stateMachine: 'FanOutExample/RunJob',
      jobs: { 'invalid-item': { items: 150, stored: 149, failed: 1, deadLettered: 0 } },
    });
    expect(JSON.parse(doc.cause)).toEqual({ jobId: 'invalid-item', items: 150, stored: 149, failed: 1, deadLettered: 0 });
    expect(doc.queues['FanOutExample/Work/Words/Queue']).toMatchObject({ messages: 2, processed: 2, deadLettered: 0, deadLetteredItems: 0 });
    expect(doc.tables['FanOutExample/Results/Table']).toBe(149);
    expect(result.stderr).toContain('job invalid-item: 150 items, 149 stored, 1 failed, 0 dead-lettered: reconciled\n');
    expect(result.stderr).toMatch(/chunk 1 item 20: .*word/);
  });

  test('--scheduled: the schedule\'s input from the template, the --input items put at its itemsUri first', async () => {
    const result = await run('RunJob', '--scheduled', '--input', JOB, '--name', 'scheduled');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('250 items put at s3://jobsbucket5eadc5ca/jobs/scheduled.json; running with the input of FanOutExample/Every5Minutes/Schedule\n');
    expect(JSON.parse(result.stdout)).toMatchObject({ output: { jobId: 'scheduled', items: 250 }, tables: { 'FanOutExample/Results/Table': 250 } });
  });

  test('--put-object: a file put in a bucket of the stack, found by construct path, before the execution reads it', async () => {
    fs.writeFileSync(path.join(dir, 'items.json'), JSON.stringify(Array.from({ length: 30 }, (_, i) => ({ word: `w${i}` }))));
    fs.writeFileSync(path.join(dir, 'by-reference.json'), JSON.stringify({ itemsUri: 's3://jobsbucket5eadc5ca/jobs/put.json' }));
    const items = path.join(dir, 'items.json');
    const result = await run('RunJob', '--put-object', `JobsBucket/jobs/put.json=${items}`, '--input', path.join(dir, 'by-reference.json'), '--name', 'put');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`put ${items} at s3://jobsbucket5eadc5ca/jobs/put.json\n`);
    expect(JSON.parse(result.stdout)).toMatchObject({ output: { jobId: 'put', items: 30, stored: 30 } });
  });

  test('--put-object into a bucket the stack does not have: exit 2 naming the buckets it has', async () => {
    const result = await run('RunJob', '--put-object', `NoSuchBucket/x.json=${JOB}`);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("has 0 AWS::S3::Bucket matching 'NoSuchBucket'");
  });

  test('--scheduled on a state machine no schedule starts: exit 2', async () => {
    expect(await run('WordLength', '--scheduled')).toEqual({
      code: 2, stdout: '', stderr: 'error: --scheduled needs one schedule or rule that starts WordLengthExample/WordLength (found 0)\n',
    });
  });
});

describe('before any synth', () => {
  const app = greeterApp();
  afterAll(() => app.remove());

  test.each([
    [['--visibility-timeout', 'soon'], "--visibility-timeout must be a whole number of seconds, 0..43200 (got 'soon')"],
    [['--name', 'two words'], '--name must not contain white space'],
    [['One', 'Two'], 'run takes at most one state machine (got 2)'],
    [['--app', 'node app.js', '--assembly', 'cdk.out'], 'give --app or --assembly, not both'],
    [['--assembly', 'cdk.out', '--synth'], '--synth synthesizes the app; --assembly reads an assembly as it is'],
    [['--input', 'nope.json'], 'cannot read --input nope.json'],
    [['--scheduled', '--input', MALFORMED], '--scheduled --input <file>: the file must hold { "items": [...] }'],
    [['--region', 'eu-west-1'], "Unknown option '--region'"],
    [['--put-object', 'jobs.json'], "--put-object must be <bucket>/<key>=<file>, the bucket a part of its construct path or logical id (got 'jobs.json')"],
    [['--put-object', 'Jobs/x.json=nope.json'], 'cannot read --put-object nope.json'],
  ])('%j: exit 2 with the reason and the usage, the app not synthesized', async (args, message) => {
    const result = await sdp(['run', ...args], app.host);
    expect([result.code, result.stdout]).toEqual([2, '']);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('usage: sdp run [<state machine>] [--app "<command>" | --assembly <dir>] [--synth] [--stack <name>]');
    expect(app.synths()).toBe(0);
  });

  test('without the local engines: one line naming what to install, the interpreter at the version the local run adjusts', async () => {
    const host = { ...app.host, hasPackage: (name: string) => !['aws-local-stepfunctions', 'dynalite', 'fauxqs'].includes(name) };
    expect(await sdp(['run'], host)).toEqual({
      code: 2, stdout: '', stderr: 'error: sdp run needs the local engines: npm install -D aws-local-stepfunctions@3.0.0 dynalite fauxqs\n',
    });
    expect(app.synths()).toBe(0);
  });

  test('on a Node.js without node:sqlite: one line saying so', async () => {
    const result = await sdp(['run'], { ...app.host, nodeVersion: '22.12.0' });
    expect(result).toEqual({
      code: 2, stdout: '',
      stderr: 'error: sdp run needs Node.js 22.13 or later (fauxqs, the local SNS/SQS, uses node:sqlite); this is Node.js 22.12.0\n',
    });
    expect(app.synths()).toBe(0);
  });

  test('--help prints the usage and exits 0', async () => {
    const result = await sdp(['run', '--help'], app.host);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^usage: sdp run /);
    expect(app.synths()).toBe(0);
  });
});

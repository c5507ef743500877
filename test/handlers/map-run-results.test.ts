import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MapRunResults, MapRunResultsError } from 'serverless-distributed-processing/handlers';
import { LocalSnsSqs } from '../../tools/local/local-sns-sqs';

// A map run's files as Step Functions writes them (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html):
// the manifest lists the result files by status; FAILED files always hold each child's metadata.
const RUN = 'arn:aws:states:us-east-1:123456789012:mapRun:Job/MapItems:0f3b';
const BUCKET = 'results';

describe('MapRunResults: a reduce step reads a map run\'s results from S3 in pages', () => {
  let snsSqs: LocalSnsSqs;
  let s3: S3Client;

  const put = (key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const manifest = (prefix: string, files: Record<string, string[]>) => put(`${prefix}/manifest.json`, JSON.stringify({
    DestinationBucket: BUCKET,
    MapRunArn: RUN,
    ResultFiles: Object.fromEntries(Object.entries(files).map(([status, keys]) => [status, keys.map((Key) => ({ Key, Size: 1 }))])),
  }));
  const event = (prefix: string) => ({ MapRunArn: RUN, ResultWriterDetails: { Bucket: BUCKET, Key: `${prefix}/manifest.json` } });
  const collect = async <T>(pages: AsyncIterable<T[]>) => {
    const all: T[][] = [];
    for await (const page of pages) all.push(page);
    return all;
  };

  beforeAll(async () => {
    snsSqs = await LocalSnsSqs.start();
    s3 = new S3Client({ endpoint: snsSqs.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    // FLATTEN + JSONL, as MapReduceWorkflow writes: a line per result, over two files, with a blank last line.
    await put('jsonl/SUCCEEDED_0.json', `${[1, 2, 3].map((n) => JSON.stringify({ length: n })).join('\n')}\n`);
    await put('jsonl/SUCCEEDED_1.json', `${JSON.stringify({ length: 4 })}\n\n`);
    await put('jsonl/FAILED_0.json', `${JSON.stringify({ ExecutionArn: 'arn:child:7', Error: 'WordValidationError', Cause: 'bad', Input: '{"Items":[{},{"word":7}]}', Status: 'FAILED' })}\n`);
    await manifest('jsonl', { SUCCEEDED: ['jsonl/SUCCEEDED_0.json', 'jsonl/SUCCEEDED_1.json'], FAILED: ['jsonl/FAILED_0.json'], PENDING: [] });
    // AWS's default: NONE + JSON, each entry a child's metadata with its output as a JSON string.
    await put('none/SUCCEEDED_0.json', JSON.stringify([{ ExecutionArn: 'arn:child:1', Output: '{"length":5}', Status: 'SUCCEEDED' }]));
    await manifest('none', { SUCCEEDED: ['none/SUCCEEDED_0.json'], FAILED: [], PENDING: [] });
    await manifest('empty', { SUCCEEDED: [], FAILED: [], PENDING: [] });
    await put('noinput/FAILED_0.json', `${JSON.stringify({ ExecutionArn: 'arn:child:9', Error: 'States.Timeout' })}\n`);
    await manifest('noinput', { SUCCEEDED: [], FAILED: ['noinput/FAILED_0.json'], PENDING: [] });
    await put('not-a-manifest.json', '{"hello":1}');
  });

  afterAll(async () => {
    s3?.destroy();
    await snsSqs?.stop();
  });

  test('JSON Lines results come in pages of pageSize, across files, in order', async () => {
    const results = new MapRunResults<{ length: number }>(event('jsonl'), { pageSize: 3, client: s3 });
    await expect(collect(results.pages())).resolves.toEqual([
      [{ length: 1 }, { length: 2 }, { length: 3 }],
      [{ length: 4 }],
    ]);
  });

  test('files are read as the pages are consumed: the next file is not fetched before its results are needed', async () => {
    const fetched: string[] = [];
    const recording = { send: (command: { input: { Key: string } }) => { fetched.push(command.input.Key); return s3.send(command as never); } };
    const pages = new MapRunResults(event('jsonl'), { pageSize: 2, client: recording }).pages();
    await pages.next();
    expect(fetched).toEqual(['jsonl/manifest.json', 'jsonl/SUCCEEDED_0.json']);
    await pages.next();
    expect(fetched).toEqual(['jsonl/manifest.json', 'jsonl/SUCCEEDED_0.json', 'jsonl/SUCCEEDED_1.json']);
  });

  test('the failed child executions are read from the FAILED files', async () => {
    const results = new MapRunResults(event('jsonl'), { client: s3 });
    const [[failed]] = await collect(results.failedExecutions());
    expect(failed).toMatchObject({ Error: 'WordValidationError', Cause: 'bad', Input: '{"Items":[{},{"word":7}]}' });
  });

  test('failedItemCount counts the items of the failed children\'s batches', async () => {
    await expect(new MapRunResults(event('jsonl'), { client: s3 }).failedItemCount()).resolves.toBe(2);
    await expect(new MapRunResults(event('none'), { client: s3 }).failedItemCount()).resolves.toBe(0);
  });

  test('a failed child without its Input cannot be counted: a MapRunResultsError, not a guess', async () => {
    await expect(new MapRunResults(event('noinput'), { client: s3 }).failedItemCount())
      .rejects.toThrow(new MapRunResultsError('the failed child execution arn:child:9 has no Input to count its items from'));
  });

  test('with Transformation NONE and OutputType JSON, each result is the child\'s parsed Output', async () => {
    const results = new MapRunResults(event('none'), { transformation: 'NONE', outputType: 'JSON', client: s3 });
    await expect(collect(results.pages())).resolves.toEqual([[{ length: 5 }]]);
  });

  test('a run without results yields no page', async () => {
    await expect(collect(new MapRunResults(event('empty'), { client: s3 }).pages())).resolves.toEqual([]);
  });

  test('an object that is not a manifest is a MapRunResultsError naming it', async () => {
    const results = new MapRunResults({ MapRunArn: RUN, ResultWriterDetails: { Bucket: BUCKET, Key: 'not-a-manifest.json' } }, { client: s3 });
    await expect(collect(results.pages())).rejects.toThrow(new MapRunResultsError('s3://results/not-a-manifest.json is not a map run manifest: it has no ResultFiles'));
  });

  test.each([
    [{ mappedResults: [] }],
    [{ MapRunArn: RUN, ResultWriterDetails: { Bucket: BUCKET } }],
    [null],
  ])('an event that is not a map run\'s output is rejected at once: %j', (input) => {
    expect(() => new MapRunResults(input)).toThrow(MapRunResultsError);
  });

  test('pageSize must be a positive integer', () => {
    expect(() => new MapRunResults(event('jsonl'), { pageSize: 0 })).toThrow(new MapRunResultsError('pageSize must be a positive integer (got 0)'));
  });
});

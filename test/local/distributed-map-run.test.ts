import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { MapRunProgress } from '../../tools/local/distributed-map';
import { putObject } from '../../tools/local/local-sns-sqs';
import { toHistoryEvents } from '../../tools/local/history-events';
import { LocalExecution } from '../../tools/local/local-runner';
import { buildTrace } from '../../tools/trace/execution-trace';
import { formatTrace } from '../../tools/trace/format-trace';
import { synthesizeDistributedMapFixture } from '../support/distributed-map-fixture-app';
import { useLocalRunner } from '../support/use-local-runner';

// A Map state in distributed mode, run locally as Step Functions runs it:
// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html (item sources:
// input-output-itemreader.html, batches: input-output-itembatcher.html, results: input-output-resultwriter.html,
// tolerated failures: maprun-fail-threshold.html, all under https://docs.aws.amazon.com/step-functions/latest/dg/).
const runner = useLocalRunner(() => ({ assemblyDir: synthesizeDistributedMapFixture() }));

const bucket = () => runner().bucketName('Data');
const put = (key: string, body: string) => runner().snsSqs!.s3.send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: body }));
const read = async (key: string) => {
  const object = await runner().snsSqs!.s3.send(new GetObjectCommand({ Bucket: bucket(), Key: key }));
  return { text: await object.Body!.transformToString(), size: object.ContentLength };
};
const history = (execution: LocalExecution) => toHistoryEvents(execution.events, execution);
const types = (events: HistoryEvent[]) => events.map((e) => e.type);
const lengths = (...words: string[]) => words.map((word) => ({ word, length: word.length }));
const words = (...list: Array<string | { word: string; fail: boolean }>) => list.map((w) => (typeof w === 'string' ? { word: w } : w));

const MAP_RUN_ARN = /^arn:aws:states:us-east-1:000000000000:mapRun:Words\/WordsMap:([0-9a-f-]{36})$/;

describe('items from a JSON array in S3, in batches of 3, results written as JSON Lines, flattened', () => {
  test('the Map\'s output says where the manifest is; the manifest lists the result file; each line is one result', async () => {
    await put('jobs/seven.json', JSON.stringify(words('one', 'two', 'three', 'four', 'five', 'six', 'seven')));
    const execution = await runner().execute({ stateMachine: 'Words', input: { key: 'jobs/seven.json', job: 'j1', tolerated: 0 } });
    expect(execution.status).toBe('SUCCEEDED');
    const output = execution.output as { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } };
    const [, mapRunId] = MAP_RUN_ARN.exec(output.MapRunArn)!;
    expect(output).toEqual({ MapRunArn: output.MapRunArn, ResultWriterDetails: { Bucket: bucket(), Key: `results/${mapRunId}/manifest.json` } });

    const manifest = JSON.parse((await read(output.ResultWriterDetails.Key)).text);
    const resultKey = `results/${mapRunId}/SUCCEEDED_0.jsonl`;
    const results = await read(resultKey);
    expect(manifest).toEqual({
      DestinationBucket: bucket(), MapRunArn: output.MapRunArn,
      ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [{ Key: resultKey, Size: results.size }] },
    });
    expect(results.text.split('\n').map((line) => JSON.parse(line))).toEqual(lengths('one', 'two', 'three', 'four', 'five', 'six', 'seven'));

    const [mapRun] = execution.mapRuns;
    expect(mapRun.children.map((c) => [c.items, c.status])).toEqual([[3, 'SUCCEEDED'], [3, 'SUCCEEDED'], [1, 'SUCCEEDED']]);
    expect(mapRun.itemCounts).toMatchObject({ total: 7, succeeded: 7, failed: 0, pending: 0, running: 0, resultsWritten: 7 });
    expect(mapRun.executionCounts).toMatchObject({ total: 3, succeeded: 3, resultsWritten: 3 });
  });

  test('the history has the map run between the Map\'s start and success, as AWS\'s does', async () => {
    await put('jobs/two.json', JSON.stringify(words('a', 'b')));
    const execution = await runner().execute({ stateMachine: 'Words', input: { key: 'jobs/two.json', job: 'j2', tolerated: 0 } });
    const events = history(execution);
    expect(types(events)).toEqual([
      'ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'MapRunStarted', 'MapRunSucceeded', 'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded',
    ]);
    // Each event continues the one before it, as in a Distributed Map's history on AWS.
    expect(events.slice(1).map((e) => e.previousEventId)).toEqual(events.slice(0, -1).map((e) => e.id));
    expect(events[2].mapStateStartedEventDetails).toEqual({ length: 2 });
    expect(events[3].mapRunStartedEventDetails).toEqual({ mapRunArn: execution.mapRuns[0].mapRunArn });
  });
});

describe('tolerated failures: a failed child fails every item of its batch', () => {
  const job = words('one', 'two', 'three', 'four', { word: 'five', fail: true }, 'six', 'seven');

  test('under the threshold the Map succeeds; the failed child is recorded in FAILED_0 with its input and error', async () => {
    await put('jobs/one-bad.json', JSON.stringify(job));
    const execution = await runner().execute({ stateMachine: 'Words', input: { key: 'jobs/one-bad.json', job: 'j3', tolerated: 3 } });
    expect(execution.status).toBe('SUCCEEDED');
    const { ResultWriterDetails: { Key } } = execution.output as { ResultWriterDetails: { Key: string } };
    const manifest = JSON.parse((await read(Key)).text);
    expect(manifest.ResultFiles.FAILED).toEqual([{ Key: Key.replace('manifest.json', 'FAILED_0.jsonl'), Size: expect.any(Number) }]);
    const [failed] = (await read(manifest.ResultFiles.FAILED[0].Key)).text.split('\n').map((line) => JSON.parse(line));
    expect(failed).toMatchObject({ Status: 'FAILED', Error: 'ItemFailed', InputDetails: { Included: true }, StateMachineArn: expect.stringMatching(/:stateMachine:Words\/WordsMap$/) });
    // The batch's input: its items and the ItemBatcher's BatchInput, resolved against the Map's input.
    expect(JSON.parse(failed.Input)).toEqual({ Items: job.slice(3, 6), BatchInput: { job: 'j3' } });
    const succeeded = (await read(manifest.ResultFiles.SUCCEEDED[0].Key)).text.split('\n').map((line) => JSON.parse(line));
    expect(succeeded).toEqual(lengths('one', 'two', 'three', 'seven'));
    expect(execution.mapRuns[0].itemCounts).toMatchObject({ total: 7, succeeded: 4, failed: 3 });
  });

  test('over the threshold the Map fails with States.ExceedToleratedFailureThreshold, after a MapRunFailed', async () => {
    await put('jobs/one-bad.json', JSON.stringify(job));
    const execution = await runner().execute({ stateMachine: 'Words', input: { key: 'jobs/one-bad.json', job: 'j4', tolerated: 2 } });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    const events = history(execution);
    expect(types(events).slice(-4)).toEqual(['MapRunStarted', 'MapRunFailed', 'MapStateFailed', 'ExecutionFailed']);
    expect(events.find((e) => e.type === 'MapRunFailed')?.mapRunFailedEventDetails?.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(execution.mapRuns[0]).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
  });

  test('ToleratedFailurePercentage: 1 failed item of 5 (20 %) is under 30 %; 2 of 5 (40 %) is over', async () => {
    await put('jobs/last-bad.json', JSON.stringify(words('a', 'b', 'c', 'd', { word: 'e', fail: true })));
    const under = await runner().execute({ stateMachine: 'Percent', input: { key: 'jobs/last-bad.json' } });
    expect(under.status).toBe('SUCCEEDED');
    // Without a ResultWriter the output is each child's output, the failed child's execution record in its place.
    const output = under.output as unknown[];
    expect(output.slice(0, 2)).toEqual([lengths('a', 'b'), lengths('c', 'd')]);
    expect(output[2]).toMatchObject({ Status: 'FAILED', Error: 'ItemFailed', Input: JSON.stringify({ Items: [{ word: 'e', fail: true }] }) });

    await put('jobs/first-bad.json', JSON.stringify(words({ word: 'a', fail: true }, 'b', 'c', 'd', 'e')));
    const over = await runner().execute({ stateMachine: 'Percent', input: { key: 'jobs/first-bad.json' } });
    expect(over).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
  });
});

describe('other item sources and batching by bytes', () => {
  test('JSON Lines in batches of at most MaxInputBytesPerBatch bytes of child input', async () => {
    // Child inputs {"Items":[...]}: 12 bytes and each item's JSON, comma-separated; the first three make 53 bytes,
    // a fourth would make 69 (over 64), the last three make 62.
    await put('jobs/words.jsonl', ['a', 'bb', 'ccc', 'dddd', 'eeeee', 'ffffff'].map((word) => JSON.stringify({ word })).join('\n'));
    const execution = await runner().execute({ stateMachine: 'Lines', input: { key: 'jobs/words.jsonl' } });
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toEqual([lengths('a', 'bb', 'ccc'), lengths('dddd', 'eeeee', 'ffffff')]);
  });

  test('CSV with a header row: each row a child execution, every value a string, quoted fields kept whole', async () => {
    await put('jobs/table.csv', 'word,count\r\nalpha,1\r\n"be,ta",22\r\n');
    const execution = await runner().execute({ stateMachine: 'Table', input: { key: 'jobs/table.csv' } });
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toEqual([[{ word: 'alpha', length: 5, count: '1' }], [{ word: 'be,ta', length: 5, count: '22' }]]);
  });

  test('CSV with given headers, read up to ReaderConfig.MaxItems', async () => {
    await put('jobs/rows.csv', 'alpha,false\nbeta,false\ngamma,true\n');
    const execution = await runner().execute({ stateMachine: 'GivenHeaders', input: { key: 'jobs/rows.csv' } });
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toEqual([lengths('alpha', 'beta')]);
  });

  test('the objects under a prefix, as AWS lists them; results with the default NONE transformation as a JSON array', async () => {
    await Promise.all([put('inputs/a.txt', 'x'), put('inputs/b.txt', 'yy'), put('inputs/c.txt', 'zzz'), put('elsewhere/d.txt', 'w')]);
    const execution = await runner().execute({ stateMachine: 'Objects', input: {} });
    expect(execution.status).toBe('SUCCEEDED');
    const { ResultWriterDetails: { Key } } = execution.output as { ResultWriterDetails: { Key: string } };
    expect(Key).toMatch(/^listed\/[0-9a-f-]{36}\/manifest\.json$/);
    const manifest = JSON.parse((await read(Key)).text);
    expect(manifest.ResultFiles.SUCCEEDED).toEqual([{ Key: Key.replace('manifest.json', 'SUCCEEDED_0.json'), Size: expect.any(Number) }]);
    const records = JSON.parse((await read(manifest.ResultFiles.SUCCEEDED[0].Key)).text);
    expect(records).toHaveLength(2);
    expect(records[0]).toEqual({
      ExecutionArn: expect.stringMatching(/^arn:aws:states:us-east-1:000000000000:execution:Objects\/ObjectsMap:[0-9a-f-]{36}$/),
      Input: expect.any(String), InputDetails: { Included: true }, Name: expect.any(String),
      Output: JSON.stringify(lengths('inputs/a.txt', 'inputs/b.txt')), OutputDetails: { Included: true },
      StartDate: expect.any(String), StateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Objects/ObjectsMap',
      Status: 'SUCCEEDED', StopDate: expect.any(String),
    });
    expect(JSON.parse(records[0].Input).Items[0]).toEqual({
      Etag: expect.stringMatching(/^".+"$/), Key: 'inputs/a.txt', LastModified: expect.any(Number), Size: 1, StorageClass: 'STANDARD',
    });
    expect(JSON.parse(records[1].Output)).toEqual(lengths('inputs/c.txt'));
  });

  test('a missing object fails the Map with States.ItemReaderFailed', async () => {
    const execution = await runner().execute({ stateMachine: 'Lines', input: { key: 'jobs/missing.jsonl' } });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.ItemReaderFailed' });
    expect(execution.cause).toContain('jobs/missing.jsonl');
  });
});

test('a result file over 8 MiB is uploaded in parts (the local S3 takes at most 11 MiB a request) and reads back whole', async () => {
  const body = `${'x'.repeat(12 * 1024 * 1024)}\n${'y'.repeat(10)}`;
  expect(await putObject(runner().snsSqs!.s3, bucket(), 'results/big.jsonl', body)).toBe(Buffer.byteLength(body));
  const { text, size } = await read('results/big.jsonl');
  expect(size).toBe(Buffer.byteLength(body));
  expect(text === body).toBe(true);
});

test('when the execution ends (it timed out), its map run ends with it: the running child is stopped and no other starts', async () => {
  // One item at a time, each child waiting 2 s, in an execution of at most 1 s.
  const execution = await runner().execute({ stateMachine: 'Slow', input: { items: [1, 2, 3] } });
  expect(execution.status).toBe('TIMED_OUT');
  // Let any child that was not stopped come to its end (2 s), as it would have.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  const [mapRun] = execution.mapRuns;
  expect(mapRun.children.map((child) => child.status)).toEqual(["ABORTED"]);
});

describe('progress and trace', () => {
  test('progress is reported as each child ends, up to every item done', async () => {
    await put('jobs/seven.json', JSON.stringify(words('one', 'two', 'three', 'four', 'five', 'six', 'seven')));
    const reports: MapRunProgress[] = [];
    await runner().execute({ stateMachine: 'Words', input: { key: 'jobs/seven.json', job: 'j5', tolerated: 0 }, onProgress: (p) => reports.push(p) });
    expect(reports[0]).toMatchObject({ stateName: 'WordsMap', status: 'RUNNING', totalItems: 7, doneItems: 0, totalChildren: 3, doneChildren: 0 });
    // One report at the start, one as each of the 3 children ends, one at the end: items done only grow.
    const done = reports.map((r) => r.doneItems);
    expect(done).toHaveLength(5);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(reports.at(-1)).toMatchObject({ status: 'SUCCEEDED', doneItems: 7, failedItems: 0, doneChildren: 3 });
  });

  test('the trace shows the map run under its Map: the child executions, and its items and children counted', async () => {
    await put('jobs/one-bad.json', JSON.stringify(words('one', 'two', 'three', 'four', { word: 'five', fail: true }, 'six', 'seven')));
    const execution = await runner().execute({ stateMachine: 'Words', input: { key: 'jobs/one-bad.json', job: 'j6', tolerated: 3 } });
    const trace = buildTrace(execution.executionArn, history(execution), { mapRuns: execution.mapRuns });
    const map = trace.spans.find((s) => s.kind === 'Map')!;
    expect(map.attributes.mapRunArn).toBe(execution.mapRuns[0].mapRunArn);
    const children = trace.spans.filter((s) => s.parentSpanId === map.spanId);
    expect(children.map((c) => [c.kind, c.name, c.status, c.attributes.items])).toEqual([
      ['ChildExecution', 'WordsMap[0]', 'SUCCEEDED', 3], ['ChildExecution', 'WordsMap[1]', 'FAILED', 3], ['ChildExecution', 'WordsMap[2]', 'SUCCEEDED', 1],
    ]);
    expect(children[1].attributes.error).toBe('ItemFailed');
    const text = formatTrace(trace);
    expect(text).toContain('map run: 7 items (4 succeeded, 3 failed) in 3 child executions (2 succeeded, 1 failed)');
    expect(text).toMatch(/FAILED\s+WordsMap\[1\] \(ChildExecution\)\n\s+error: ItemFailed\n\s+cause: item five fails/);
  });
});

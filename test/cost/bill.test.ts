import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { estimateBill, formatBill } from '../../tools/cost/bill';
import { regionPrices } from '../../tools/cost/prices';
import {
  childLogBytes, expressGbSeconds, loggedAtLevel, loggedEventBytes, PipelineFacts, SampleRun, stateTransitions, usageOf,
} from '../../tools/cost/usage';
import type { MeteredOperation } from '../../tools/local/request-meter';

// The model on fixed definitions and fixed usage counts: each expected bill is worked out by hand below, with
// us-east-1's prices from tools/cost/prices.json ($0.025 per 1,000 transitions, $0.20 per million Lambda requests,
// $0.0000133334 per arm64 GB-second, $1.00 per million Express requests, $0.00001667 per Express GB-second,
// $0.625 per million write units, $0.0004 and $0.005 per 1,000 S3 GET and PUT requests, $5.00 per million traces).

const prices = regionPrices('us-east-1');
/** No estimated log lines, so that the bills below are the measured counts alone; the log lines are tested apart. */
const quiet = { ...prices.assumptions, lambdaPlatformLogBytesPerInvocation: 0, cloudWatchLogsEventOverheadBytes: 0 };

let nextId = 1;
const event = (type: string, details: Partial<HistoryEvent> = {}): HistoryEvent => ({ id: nextId++, previousEventId: 0, type: type as HistoryEvent['type'], timestamp: new Date(0), ...details });
const lambdaTask = (attempts = 1) => [event('TaskStateEntered'), ...Array.from({ length: attempts }, () => event('LambdaFunctionScheduled')), event('TaskStateExited')];
const request = (service: MeteredOperation['service'], resource: string, operation: string, requests: number, units = requests): MeteredOperation => (
  { service, resource, operation, requests, units, empty: 0, payloadBytes: 0 });

const fn = (id: string) => ({ id, memoryMb: 256, architecture: 'arm64' as const, tracing: false, fedByEventSource: false });

/** Seed 001's design: an inline Map invoking one Lambda per item, then a reduce and a store, in a Standard workflow. */
const naive: PipelineFacts = {
  id: 'App/WordLength', type: 'STANDARD', logLevel: 'OFF', includeExecutionData: false, tracing: false,
  definition: { States: { MapItems: { Type: 'Map', ItemsPath: '$.data', Iterator: { States: { MapItem: { Type: 'Task' } } } }, Reduce: { Type: 'Task' }, Store: { Type: 'Task' } } },
  functions: { MapFn: fn('App/WordLength/MapFunction'), ReduceFn: fn('App/WordLength/ReduceFunction') },
  names: { ResultsTable: 'App/Results/Table' },
  fifoQueues: [],
};

test('the naive design: 2 items, one retried, scaled to a million items', () => {
  const events = [
    event('ExecutionStarted'), event('MapStateEntered'), event('MapStateStarted'),
    event('MapIterationStarted'), ...lambdaTask(2), event('MapIterationSucceeded'),
    event('MapIterationStarted'), ...lambdaTask(1), event('MapIterationSucceeded'),
    event('MapStateExited'), ...lambdaTask(1), event('TaskStateEntered'), event('TaskScheduled'), event('TaskStateExited'), event('ExecutionSucceeded'),
  ];
  // States entered: the Map, 2 MapItem, Reduce, Store = 5; attempts 2 + 1 + 1 + 1 = 5 for 4 tasks: 1 retry. 6 transitions.
  expect(stateTransitions(events)).toBe(6);
  const run: SampleRun = {
    items: 2, events, executionArn: 'arn:aws:states:us-east-1:1:execution:WordLength:x', durationMs: 900, mapRuns: [],
    functions: { MapFn: { invocations: 3, billedMs: 30, initMs: 9.2 }, ReduceFn: { invocations: 1, billedMs: 5, initMs: 0 } },
    requests: [request('dynamodb', 'ResultsTable', 'PutItem', 1)],
  };
  const bill = estimateBill(naive.id, usageOf(naive, run, quiet), run.items, 1_000_000, prices);
  const scale = 1_000_000 / 2;
  const expected = {
    transitions: 6 * scale * 0.000025, // 3,000,000 transitions: $75
    requests: (3 + 1) * scale * 0.0000002, // 2,000,000 requests: $0.40
    mapGbSeconds: ((30 + 10) / 1000) * (256 / 1024) * scale * 0.0000133334, // 40 ms (init 9.2 ms billed as 10) at 0.25 GB: 5,000 GB-s
    reduceGbSeconds: (5 / 1000) * (256 / 1024) * scale * 0.0000133334, // 625 GB-s
    writes: 1 * scale * 0.000000625, // 500,000 write units
  };
  expect(bill.scale).toBe(scale);
  expect(bill.lines.map((l) => [l.service, l.what, l.quantity])).toEqual([
    ['Step Functions', 'state transitions (Standard): App/WordLength', 3_000_000],
    ['Lambda', 'requests: App/WordLength/MapFunction', 1_500_000],
    ['Lambda', 'requests: App/WordLength/ReduceFunction', 500_000],
    ['Lambda', 'GB-seconds (256 MB arm64, 1 ms units, init included): App/WordLength/MapFunction', 5_000],
    ['Lambda', 'GB-seconds (256 MB arm64, 1 ms units, init included): App/WordLength/ReduceFunction', 625],
    ['DynamoDB', 'write request units: App/Results/Table', 500_000],
  ]);
  expect(bill.byService['Step Functions']).toBeCloseTo(75, 10);
  expect(bill.totalUsd).toBeCloseTo(expected.transitions + expected.requests + expected.mapGbSeconds + expected.reduceGbSeconds + expected.writes, 10);
  expect(bill.totalUsd).toBeCloseTo(75 + 0.4 + 0.066667 + 0.008333 + 0.3125, 5);
  expect(bill.perMillionItemsUsd).toBeCloseTo(bill.totalUsd, 10);
  expect(formatBill(bill, 'US East (N. Virginia)')).toMatch(/^App\/WordLength: 1,000,000 items, US East \(N\. Virginia\) \(us-east-1\) prices of \d{4}-\d\d-\d\d\nsample: 2 items run locally, every count scaled x 500,000\n/);
  expect(formatBill(bill, 'US East (N. Virginia)')).toMatch(/\nStep Functions state transitions \(Standard\): App\/WordLength +3,000,000 +\$0\.000025 \/ state transition +\$75\.00\n/);
});

/** The distributed design of the contract: a Distributed Map reading the items from S3, Express children of one batch each, results written to S3, then reduce and store. */
const distributed: PipelineFacts = {
  ...naive,
  logLevel: 'ERROR',
  tracing: true,
  definition: {
    States: {
      MapBatches: {
        Type: 'Map',
        ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { 'Bucket': 'items', 'Key.$': '$.itemsKey' } },
        ItemBatcher: { MaxInputBytesPerBatch: 262_144 },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
          StartAt: 'MapBatch',
          States: { MapBatch: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'Payload': { 'items.$': '$.Items' } }, OutputPath: '$.Payload', End: true } },
        },
        ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'results', Prefix: 'runs' }, WriterConfig: { OutputType: 'JSONL', Transformation: 'FLATTEN' } },
        Next: 'Reduce',
      },
      Reduce: { Type: 'Task', Next: 'Store' },
      Store: { Type: 'Task', End: true },
    },
  },
  names: { ...naive.names, items: 'App/Items', results: 'App/Results' },
};

/** 30,000 items in two batches of 15,000: two children of 250 ms and 1,020 ms. */
const distributedRun: SampleRun = {
  items: 30_000,
  events: [event('ExecutionStarted'), event('MapStateEntered'), event('MapStateExited'), ...lambdaTask(1), event('TaskStateEntered'), event('TaskScheduled'), event('TaskStateExited'), event('ExecutionSucceeded')],
  executionArn: 'arn:aws:states:us-east-1:1:execution:WordLength:x',
  durationMs: 2_000,
  mapRuns: [{ stateName: 'MapBatches', children: [{ durationMs: 250, inputBytes: 262_000, outputBytes: 30_000 }, { durationMs: 1_020, inputBytes: 262_000, outputBytes: 30_000 }] }],
  functions: { MapFn: { invocations: 2, billedMs: 400, initMs: 100 }, ReduceFn: { invocations: 1, billedMs: 50, initMs: 0 } },
  requests: [
    request('s3', 'items', 'GetObject', 1), // the reader
    request('s3', 'results', 'PutObject', 3), // the writer: two result files and the manifest
    request('s3', 'results', 'GetObject', 3), // the reduce reads them back
    request('dynamodb', 'ResultsTable', 'PutItem', 1),
  ],
};

test('a Distributed Map: a transition per child, Express children per request and GB-second, reader GETs, writer PUTs, reduce GETs', () => {
  const bill = estimateBill(distributed.id, usageOf(distributed, distributedRun, quiet), distributedRun.items, 1_000_000, prices);
  const scale = 1_000_000 / 30_000;
  const line = (what: string) => bill.lines.find((l) => l.what.startsWith(what))!;
  // The Map, Reduce and Store entered, plus one transition per child execution started: 5.
  expect(line('state transitions').quantity).toBeCloseTo(5 * scale, 9);
  expect(line('Express MapBatches').quantity).toBeCloseTo(2 * scale, 9);
  // 250 ms is billed as 300 ms and 1,020 ms as 1,100 ms, at 64 MB (0.0625 GB): 0.01875 + 0.06875 = 0.0875 GB-s per sample.
  expect(line('Express GB-seconds of MapBatches').quantity).toBeCloseTo(0.0875 * scale, 9);
  expect(line('GET requests: App/Items').quantity).toBeCloseTo(1 * scale, 9);
  expect(line('GET requests: App/Results').quantity).toBeCloseTo(3 * scale, 9);
  expect(line('PUT, COPY, POST, LIST requests: App/Results').quantity).toBeCloseTo(3 * scale, 9);
  // Traced: the execution's trace and one per child, 5 % of them recorded.
  expect(line('traces').quantity).toBeCloseTo(3 * 0.05 * scale, 9);
  const expected = 5 * scale * 0.000025 // $0.0041667
    + 2 * scale * 0.000001 // $0.0000667
    + 0.0875 * scale * 0.00001667 // $0.0000486
    + 3 * scale * 0.0000002 // Lambda requests: $0.00002
    + (0.5 * 0.25 + 0.05 * 0.25) * scale * 0.0000133334 // map 500 ms and reduce 50 ms at 0.25 GB: $0.0000611
    + 4 * scale * 0.0000004 // S3 GETs: $0.0000533
    + 3 * scale * 0.000005 // S3 PUTs: $0.0005
    + 1 * scale * 0.000000625 // one write per 30,000 items: $0.0000208
    + 0.15 * scale * 0.000005; // traces: $0.000025
  expect(bill.totalUsd).toBeCloseTo(expected, 12);
  expect(bill.perMillionItemsUsd).toBeCloseTo(0.004962, 6);
  expect(bill.perMillionItemsUsd).toBeLessThanOrEqual(0.02);
  // Fractions of a cent are printed in plain decimals, three significant digits.
  const table = formatBill(bill, 'US East (N. Virginia)');
  expect(table).not.toMatch(/\de[-+]\d/);
  expect(table).toMatch(/\nper million items +\$0\.00496\n/);
});

test('logging level ALL with execution data on the same design: the children log their batches, and the bill misses $0.02 per million items', () => {
  const logged = { ...distributed, logLevel: 'ALL' as const, includeExecutionData: true };
  const overhead = 26;
  const record = loggedEventBytes({ id: 1, previousEventId: 0, type: 'TaskStateEntered', timestamp: new Date(0) }, `${distributedRun.executionArn}/child`, false, overhead);
  // Per child of one Task: 7 events (started, entered, scheduled, started, succeeded, exited, succeeded); the input
  // with 3 of them (execution started, state entered, task scheduled), the output with 3 (task succeeded, state exited, execution succeeded).
  const perChild = 7 * record + 3 * 262_000 + 3 * 30_000;
  expect(childLogBytes(logged, distributedRun.mapRuns[0], distributedRun, overhead)).toBe(2 * perChild);
  const bill = estimateBill(logged.id, usageOf(logged, distributedRun, { ...quiet, cloudWatchLogsEventOverheadBytes: overhead }), distributedRun.items, 1_000_000, prices);
  const childLogs = bill.lines.find((l) => l.what.startsWith('child executions\' history'))!;
  expect(childLogs.costUsd).toBeCloseTo(((2 * perChild * (1_000_000 / 30_000)) / 1024 ** 3) * 0.5, 12);
  expect(childLogs.costUsd).toBeGreaterThan(0.02);
});

test('state transitions count each state entered and each retry of a task', () => {
  expect(stateTransitions([event('ExecutionStarted'), event('PassStateEntered'), event('ChoiceStateEntered'), event('ExecutionSucceeded')])).toBe(2);
  expect(stateTransitions([...lambdaTask(3), event('TaskStateEntered'), event('TaskScheduled')])).toBe(2 + 2);
});

test('Express duration is billed in 100 ms units and memory in 64 MB chunks', () => {
  expect(expressGbSeconds(150, 64)).toBeCloseTo(0.2 * (64 / 1024), 12);
  expect(expressGbSeconds(100, 65)).toBeCloseTo(0.1 * (128 / 1024), 12);
  expect(expressGbSeconds(0, 64)).toBeCloseTo(0.1 * (64 / 1024), 12);
});

test('a logging level logs what the Step Functions guide says', () => {
  const types = ['ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionFailed', 'ExecutionFailed'];
  expect(types.filter((t) => loggedAtLevel('ALL', t))).toEqual(types);
  expect(types.filter((t) => loggedAtLevel('ERROR', t))).toEqual(['LambdaFunctionFailed', 'ExecutionFailed']);
  expect(types.filter((t) => loggedAtLevel('FATAL', t))).toEqual(['ExecutionFailed']);
  expect(types.filter((t) => loggedAtLevel('OFF', t))).toEqual([]);
});

test('a logged event: the record Step Functions writes, with or without the execution data, plus 26 bytes', () => {
  const entered: HistoryEvent = { id: 2, previousEventId: 1, type: 'TaskStateEntered', timestamp: new Date(5), stateEnteredEventDetails: { name: 'S', input: '{"a":1}' } };
  const base = '{"id":"2","type":"TaskStateEntered","details":{"name":"S"REST},"previous_event_id":"1","event_timestamp":"5","execution_arn":"arn:x","redrive_count":"0"}';
  expect(loggedEventBytes(entered, 'arn:x', false, 26)).toBe(base.replace('REST', '').length + 26);
  expect(loggedEventBytes(entered, 'arn:x', true, 26)).toBe(base.replace('REST', ',"input":"{\\"a\\":1}"').length + 26);
});

test('SQS requests are billed at the FIFO price for a FIFO queue, without the receives that found nothing; SNS publishes per 64 KB chunk', () => {
  const facts: PipelineFacts = { ...naive, names: { 'Jobs.fifo': 'App/Jobs', 'Topic': 'App/Topic' }, fifoQueues: ['Jobs.fifo'] };
  const run: SampleRun = {
    items: 1, events: [], executionArn: 'arn:x', durationMs: 0, mapRuns: [], functions: {},
    requests: [
      { ...request('sqs', 'Jobs.fifo', 'ReceiveMessage', 5, 6), empty: 3 }, // 2 receives, one of 100 KB (2 chunks); 3 empty
      request('sqs', 'Jobs.fifo', 'GetQueueAttributes', 4),
      request('sns', 'Topic', 'PublishBatch', 1, 2),
    ],
  };
  const lines = usageOf(facts, run, quiet).map((l) => [l.service, l.price, l.quantity]);
  expect(lines).toEqual([['SQS', 'sqs.fifoRequest', 3], ['SNS', 'sns.request', 2]]);
});

test('prices: an unknown region is an error naming the priced ones; Seoul has every price us-east-1 has', () => {
  expect(() => regionPrices('mars-1')).toThrow("no prices for region 'mars-1' in tools/cost/prices.json (regions: us-east-1, ap-northeast-2)");
  expect(Object.keys(regionPrices('ap-northeast-2').prices).sort()).toEqual(Object.keys(prices.prices).sort());
  for (const price of Object.values(prices.prices)) expect(price.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
});

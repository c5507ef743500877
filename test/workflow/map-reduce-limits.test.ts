import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ACCOUNT_CONCURRENCY_CONTEXT_KEY, ItemSource, MapMode, MapReduceWorkflow, MapReduceWorkflowProps } from '../../lib';
import { standInFunction } from '../support/stand-in-function';
import { expectValidationError } from '../support/validation-error';

type PropsIn = (stack: Stack) => Partial<MapReduceWorkflowProps>;

/** A workflow 'Words' of stand-in functions (map: 10,000 reserved, 60 s; reduce: 60 s), distributed over a JSON file unless `props` says otherwise. */
function build(props: PropsIn, { distributed = true } = {}): Stack {
  const stack = new Stack(new App({ context: { [ACCOUNT_CONCURRENCY_CONTEXT_KEY]: 20_000 } }), 'Test');
  new MapReduceWorkflow(stack, 'Words', {
    mapFunction: standInFunction(stack, 'Map', { reservedConcurrency: 10_000, timeout: Duration.minutes(1) }),
    reduceFunction: standInFunction(stack, 'Reduce', { timeout: Duration.minutes(1) }),
    ...distributed ? { itemSource: ItemSource.jsonArray(new s3.Bucket(stack, 'Items')) } : { maxItems: 1000 },
    ...props(stack),
  });
  return stack;
}

/** The problems `build` reports, which must come as one PropValidationError. */
function problems(props: PropsIn, options?: { distributed?: boolean }): readonly string[] {
  return expectValidationError(() => build(props, options)).problems;
}

const inline = { distributed: false };

describe('distributed mode: one test per rule, each message saying what to change', () => {
  test('maxConcurrency up to 10,000 for distributed maps', () => {
    expect(problems(() => ({ maxConcurrency: 10_001 }))).toContain('maxConcurrency must be an integer 1..10000 for distributed maps (got 10001)');
    expect(() => build(() => ({ maxConcurrency: 10_000 }))).not.toThrow();
  });

  test('a literal key must be under the keyPrefix given beside it', () => {
    expect(problems((stack) => ({ itemSource: ItemSource.jsonArray(new s3.Bucket(stack, 'Jobs'), { key: 'other/today.json', keyPrefix: 'jobs/' }) })))
      .toEqual(["itemSource: the key 'other/today.json' is not under its keyPrefix 'jobs/'"]);
    expect(() => build((stack) => ({ itemSource: ItemSource.jsonArray(new s3.Bucket(stack, 'Jobs'), { key: 'jobs/today.json', keyPrefix: 'jobs/' }) }))).not.toThrow();
  });

  test('inline maxConcurrency stays at most 40', () => {
    expect(problems(() => ({ maxConcurrency: 41 }), inline)).toEqual(['maxConcurrency must be an integer 1..40 for inline maps, or up to 10000 in distributed mode with an itemSource (got 41)']);
  });

  test('maxInputBytesPerBatch at most 256 KiB', () => {
    expect(problems(() => ({ maxInputBytesPerBatch: 262_145 }))).toEqual([
      "maxInputBytesPerBatch must be an integer 1..262144 bytes: a batch is a child execution's input, which Step Functions caps at 256 KiB; "
      + 'lower it, or bound batches by maxItemsPerBatch (got 262145)',
    ]);
    expect(() => build(() => ({ maxInputBytesPerBatch: 262_144 }))).not.toThrow();
  });

  test('maxItemsPerBatch a positive integer', () => {
    expect(problems(() => ({ maxItemsPerBatch: 0 }))).toEqual(['maxItemsPerBatch must be a positive integer (got 0)']);
  });

  test('toleratedFailurePercentage 0..100', () => {
    expect(problems(() => ({ toleratedFailurePercentage: 101 }))).toEqual(['toleratedFailurePercentage must be 0..100 (got 101)']);
  });

  test('toleratedFailureCount a non-negative integer', () => {
    expect(problems(() => ({ toleratedFailureCount: -1 }))).toEqual(['toleratedFailureCount must be an integer of at least 0 (got -1)']);
  });

  test('taskTimeout at most 5 minutes: each batch runs in an Express child execution', () => {
    expect(problems(() => ({ taskTimeout: Duration.minutes(6) }))).toEqual([
      'taskTimeout must be between 1 second and 5 minutes in distributed mode, where each batch runs in an Express child execution (got 6 minutes)',
    ]);
  });

  test('a Standard workflow: Express workflows cannot run a Distributed Map', () => {
    expect(problems(() => ({ workflowType: sfn.StateMachineType.EXPRESS }))).toEqual([
      'distributed mode needs a STANDARD workflowType (got EXPRESS): Express workflows cannot run a Distributed Map',
    ]);
  });

  test('mode DISTRIBUTED needs an itemSource', () => {
    expect(problems(() => ({ mode: MapMode.DISTRIBUTED }), inline)).toEqual(expect.arrayContaining([
      'mode DISTRIBUTED reads its items from S3: give an itemSource (e.g. ItemSource.jsonArray(bucket))',
    ]));
  });

  test('an itemSource in mode INLINE is refused', () => {
    expect(problems(() => ({ mode: MapMode.INLINE }))).toEqual([
      'itemSource applies to distributed mode (got mode INLINE); leave mode unset or set it to MapMode.DISTRIBUTED',
    ]);
  });

  test.each<[string, PropsIn]>([
    ['maxItemsPerBatch', () => ({ maxItemsPerBatch: 10 })],
    ['maxInputBytesPerBatch', () => ({ maxInputBytesPerBatch: 1024 })],
    ['toleratedFailurePercentage', () => ({ toleratedFailurePercentage: 1 })],
    ['toleratedFailureCount', () => ({ toleratedFailureCount: 1 })],
    ['resultsBucket', (stack) => ({ resultsBucket: new s3.Bucket(stack, 'Results') })],
    ['resultsPrefix', () => ({ resultsPrefix: 'runs' })],
    ['resultsExpiration', () => ({ resultsExpiration: Duration.days(1) })],
  ])('%s in inline mode is refused', (prop, props) => {
    expect(problems(props, inline)).toEqual([`${prop} applies to distributed mode; give an itemSource to map items in S3`]);
  });

  test('itemsPath belongs to inline mode', () => {
    expect(problems(() => ({ itemsPath: '$.words' }))).toEqual(['itemsPath applies to inline mode; in distributed mode the items come from itemSource']);
  });

  test('maxItems belongs to inline mode', () => {
    expect(problems(() => ({ maxItems: 100 }))).toEqual([
      'maxItems bounds the items of an inline map; a distributed map has no history limit to check it against',
    ]);
  });

  test('maxItems a positive integer', () => {
    expect(problems(() => ({ maxItems: 0 }), inline)).toEqual(['maxItems must be a positive integer (got 0)']);
  });

  test('resultsPrefix: S3-safe segments, no leading or trailing slash', () => {
    expect(problems(() => ({ resultsPrefix: '/runs/' }))).toEqual([
      "resultsPrefix must be 1..512 characters of S3-safe key segments separated by '/', without a leading or trailing '/' (got '/runs/')",
    ]);
  });

  test('resultsExpiration only for the bucket the workflow creates', () => {
    expect(problems((stack) => ({ resultsBucket: new s3.Bucket(stack, 'Results'), resultsExpiration: Duration.days(3) }))).toEqual([
      'resultsExpiration applies to the results bucket the workflow creates; set a lifecycle rule on resultsBucket itself',
    ]);
  });

  test('resultsExpiration in whole days', () => {
    expect(problems(() => ({ resultsExpiration: Duration.hours(36) }))).toEqual([
      'resultsExpiration must be a whole number of days, at least 1 (got 1 day 12 hours)',
    ]);
  });

  test("the map function's reserved concurrency is checked against a distributed maxConcurrency", () => {
    expect(problems((stack) => ({ mapFunction: standInFunction(stack, 'Small', { reservedConcurrency: 50 }), maxConcurrency: 500 }))).toEqual([
      "the map function's reserved concurrency must be at least maxConcurrency (got 50 < 500); "
      + 'the Map would run more iterations at once than the function may, and throttle itself',
    ]);
  });

  // Bundles the echo fixture: the app-level reserved-concurrency budget applies to a distributed map function built from an entry.
  test("a built map function's default reservation (maxConcurrency) counts against the account's budget", () => {
    const app = new App();
    const stack = new Stack(app, 'Test');
    new MapReduceWorkflow(stack, 'Words', {
      mapEntry: path.join(__dirname, '..', 'fixtures', 'handlers', 'echo.ts'),
      reduceFunction: standInFunction(stack, 'Reduce'),
      itemSource: ItemSource.jsonArray(new s3.Bucket(stack, 'Items')),
      maxConcurrency: 1000,
    });
    expect(() => app.synth())
      .toThrow(/reserve 1000 concurrent executions; an account limit of 1000 must keep 100 unreserved, so at most 900 can be reserved/);
  });
});

describe('warnings at synth', () => {
  const warningsOf = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
  const historyWarning = 'an inline Map in a Standard workflow adds 7 history events per item, so an input of more than 3557 items '
    + 'can exceed the 25000-event history quota and fail the execution';

  test('an inline Map of a Standard workflow without maxItems: a warning naming distributed mode', () => {
    const stack = build(() => ({ maxItems: undefined }), inline);
    expect(warningsOf(stack)).toEqual([
      `${historyWarning}. State the bound with maxItems (at most 3557), or put the items in S3 and use distributed mode (itemSource, mode: MapMode.DISTRIBUTED) [ack: @sdp/workflow:inline-map-history]`,
    ]);
  });

  test('a maxItems over what the history holds: the same warning, naming the value', () => {
    expect(warningsOf(build(() => ({ maxItems: 5000 }), inline))[0]).toContain(`${historyWarning} (maxItems is 5000). State the bound`);
  });

  test('a maxItems that fits, an Express workflow, or distributed mode: no warning', () => {
    expect(warningsOf(build(() => ({ maxItems: 3557 }), inline))).toEqual([]);
    expect(warningsOf(build(() => ({ maxItems: undefined, workflowType: sfn.StateMachineType.EXPRESS }), inline))).toEqual([]);
    expect(warningsOf(build(() => ({})))).toEqual([]);
  });

  test("a taskTimeout longer than a passed-in function's timeout: a warning per function, saying what to set", () => {
    const stack = build((s) => ({
      mapFunction: standInFunction(s, 'Quick', { reservedConcurrency: 100, timeout: Duration.seconds(10) }),
      reduceFunction: standInFunction(s, 'QuickReduce', { timeout: Duration.seconds(20) }),
      taskTimeout: Duration.seconds(30),
    }));
    expect(warningsOf(stack)).toEqual([
      "taskTimeout (30 seconds) is longer than the map function's timeout (10 seconds): Lambda stops the function first, so the task never waits that long. "
      + "Set taskTimeout to at most 10 seconds, or raise the map function's timeout [ack: @sdp/workflow:task-timeout-beyond-function]",
      "taskTimeout (30 seconds) is longer than the reduce function's timeout (20 seconds): Lambda stops the function first, so the task never waits that long. "
      + "Set taskTimeout to at most 20 seconds, or raise the reduce function's timeout [ack: @sdp/workflow:task-timeout-beyond-function]",
    ]);
  });

  test('a taskTimeout within the functions\' timeouts: no warning', () => {
    expect(warningsOf(build(() => ({ taskTimeout: Duration.minutes(1) })))).toEqual([]);
  });
});

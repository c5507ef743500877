import type { GetExecutionHistoryOutput, HistoryEvent } from '@aws-sdk/client-sfn';

/**
 * Histories of the word-length workflow (MapItems → ReduceResults → StoreResult, or RecordFailure →
 * Failed) as Step Functions records them: Map iterations two at a time, interleaved by time, each
 * iteration chained from MapIterationStarted, a later iteration's start chained from the event that
 * freed its slot, `lambda:invoke` tasks as TaskScheduled/Started/Succeeded with the SDK's raw output.
 * Used to write test/fixtures/histories/*.json and, in the tests, the 1,000-iteration history.
 */
export interface WordLengthRun {
  readonly executionArn: string;
  readonly words: readonly (string | undefined)[];
  /** Attempts of ReduceResults throttled by Lambda before one succeeds. @default 0 */
  readonly reduceThrottles?: number;
  /** Iterations whose first Lambda invoke is throttled and retried. @default none */
  readonly throttledIterations?: readonly number[];
  readonly startedAt?: string;
}

interface Draft {
  readonly key: string;
  readonly previous?: string;
  readonly at: number;
  readonly type: string;
  readonly details?: Record<string, unknown>;
}

const REGION = 'ap-northeast-2';
const ACCOUNT = '123456789012';
const MAP_FUNCTION = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:WordLengthExample-WordLengthMapFunction762A1E01-q2Wx8Rt5Yu3I`;
const REDUCE_FUNCTION = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:WordLengthExample-WordLengthReduceFunctionA5EA0B22-Zx4Cv6Bn8Ml0`;
const TABLE = 'WordLengthExample-ResultsTable7B2FF7F9-1QW2E3R4T5Y6';
const MAX_CONCURRENCY = 2;
const WORD_ERROR = 'WordValidationError';
const THROTTLED = 'Lambda.TooManyRequestsException';

export function wordLengthHistory(run: WordLengthRun): HistoryEvent[] {
  const drafts: Draft[] = [];
  const add = (draft: Draft) => {
    drafts.push(draft);
    return draft;
  };
  const t0 = Date.parse(run.startedAt ?? '2026-11-28T01:23:45.000Z');
  const input = { data: run.words.map((word) => (word === undefined ? { wrd: 'typo' } : { word })) };
  add({ key: 'start', at: t0, type: 'ExecutionStarted', details: { executionStartedEventDetails: {
    input: JSON.stringify(input), inputDetails: { truncated: false }, roleArn: `arn:aws:iam::${ACCOUNT}:role/WordLengthExample-WordLengthStateMachineRole-7Yh6Tg5Rf4Ed`,
  } } });
  add({ key: 'map', at: t0 + 31, type: 'MapStateEntered', details: entered('MapItems', input) });
  add({ key: 'mapStarted', previous: 'map', at: t0 + 33, type: 'MapStateStarted', details: { mapStateStartedEventDetails: { length: run.words.length } } });

  // Two slots, as MaxConcurrency 2: each iteration starts when a slot is free.
  const slots = Array.from({ length: MAX_CONCURRENCY }, () => ({ free: t0 + 34, freedBy: 'mapStarted' }));
  const failing = run.words.findIndex((w) => w === undefined);
  let failedAt = Infinity;
  const iterations: { index: number; drafts: Draft[]; end: number }[] = [];
  for (let index = 0; index < run.words.length; index++) {
    const slot = slots.reduce((a, b) => (b.free < a.free ? b : a));
    if (slot.free > failedAt) break; // the Map failed before this iteration could start
    const word = run.words[index];
    const own: Draft[] = [];
    const push = (draft: Draft) => own.push(draft) && draft;
    let at = slot.free;
    const p = `i${index}`;
    push({ key: `${p}.start`, previous: slot.freedBy, at, type: 'MapIterationStarted', details: { mapIterationStartedEventDetails: { name: 'MapItems', index } } });
    push({ key: `${p}.entered`, previous: `${p}.start`, at: at += 1, type: 'TaskStateEntered', details: entered('MapItem', input.data[index]) });
    let previous = `${p}.entered`;
    const attempts = run.throttledIterations?.includes(index) ? 2 : 1;
    let outcome: 'ok' | 'failed' = 'ok';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const a = `${p}.a${attempt}`;
      push({ key: `${a}.scheduled`, previous, at: at += 1, type: 'TaskScheduled', details: scheduled(MAP_FUNCTION, input.data[index]) });
      push({ key: `${a}.started`, previous: `${a}.scheduled`, at: at += 25, type: 'TaskStarted', details: { taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke' } } });
      // A cold start in the first two; a validation error returns at once.
      at += word === undefined ? 40 : index < MAX_CONCURRENCY && attempt === 1 ? 180 : 12 + ((index * 37) % 29);
      if (attempt < attempts) {
        push({ key: `${a}.failed`, previous: `${a}.started`, at, type: 'TaskFailed', details: taskFailed(THROTTLED, throttleCause(index)) });
        previous = `${a}.failed`;
        at += 1_400 + ((index * 13) % 600); // full-jitter backoff from 2 s
      } else if (word === undefined) {
        push({ key: `${a}.failed`, previous: `${a}.started`, at, type: 'TaskFailed', details: taskFailed(WORD_ERROR, wordCause()) });
        previous = `${a}.failed`;
        outcome = 'failed';
      } else {
        push({ key: `${a}.succeeded`, previous: `${a}.started`, at, type: 'TaskSucceeded', details: { taskSucceededEventDetails: {
          resourceType: 'lambda', resource: 'invoke', output: invokeOutput({ length: word.length }, index), outputDetails: { truncated: false },
        } } });
        previous = `${a}.succeeded`;
      }
    }
    if (outcome === 'failed') {
      push({ key: `${p}.end`, previous, at: at += 1, type: 'MapIterationFailed', details: { mapIterationFailedEventDetails: { name: 'MapItems', index } } });
      failedAt = at;
    } else {
      push({ key: `${p}.exited`, previous, at: at += 1, type: 'TaskStateExited', details: exited('MapItem', { length: word!.length }) });
      push({ key: `${p}.end`, previous: `${p}.exited`, at: at += 1, type: 'MapIterationSucceeded', details: { mapIterationSucceededEventDetails: { name: 'MapItems', index } } });
    }
    slot.free = at + 1;
    slot.freedBy = own[own.length - (outcome === 'ok' ? 2 : 1)].key;
    iterations.push({ index, drafts: own, end: at });
  }

  if (failing >= 0 && failedAt < Infinity) {
    // Step Functions aborts the iterations still running when one fails.
    for (const iteration of iterations) {
      if (iteration.index === failing || iteration.end <= failedAt) {
        drafts.push(...iteration.drafts);
        continue;
      }
      const kept = iteration.drafts.filter((d) => d.at <= failedAt);
      drafts.push(...kept);
      const p = `i${iteration.index}`;
      add({ key: `${p}.aborted`, previous: kept[kept.length - 1].key, at: failedAt + 2, type: 'TaskStateAborted', details: { stateExitedEventDetails: { name: 'MapItem' } } });
      add({ key: `${p}.end`, previous: `${p}.aborted`, at: failedAt + 3, type: 'MapIterationAborted', details: { mapIterationAbortedEventDetails: { name: 'MapItems', index: iteration.index } } });
    }
    const cause = wordCause();
    add({ key: 'mapFailed', previous: `i${failing}.end`, at: failedAt + 4, type: 'MapStateFailed' });
    add({ key: 'mapExited', previous: 'mapFailed', at: failedAt + 5, type: 'MapStateExited', details: exited('MapItems', { Error: WORD_ERROR, Cause: cause }) });
    let at = failedAt + 6;
    const recordInput = { Error: WORD_ERROR, Cause: cause };
    add({ key: 'record', previous: 'mapExited', at, type: 'TaskStateEntered', details: entered('RecordFailure', recordInput) });
    add({ key: 'record.scheduled', previous: 'record', at: at += 1, type: 'TaskScheduled', details: putItemScheduled('FAILED') });
    add({ key: 'record.started', previous: 'record.scheduled', at: at += 20, type: 'TaskStarted', details: { taskStartedEventDetails: { resourceType: 'dynamodb', resource: 'putItem' } } });
    add({ key: 'record.succeeded', previous: 'record.started', at: at += 18, type: 'TaskSucceeded', details: { taskSucceededEventDetails: { resourceType: 'dynamodb', resource: 'putItem', output: '{}', outputDetails: { truncated: false } } } });
    add({ key: 'record.exited', previous: 'record.succeeded', at: at += 1, type: 'TaskStateExited', details: exited('RecordFailure', recordInput) });
    add({ key: 'fail', previous: 'record.exited', at: at += 1, type: 'FailStateEntered', details: entered('Failed', recordInput) });
    add({ key: 'end', previous: 'fail', at: at += 1, type: 'ExecutionFailed', details: { executionFailedEventDetails: { error: WORD_ERROR, cause } } });
    return numbered(drafts);
  }

  for (const iteration of iterations) drafts.push(...iteration.drafts);
  const last = iterations.reduce((a, b) => (b.end > a.end ? b : a));
  const results = run.words.map((w) => ({ length: w!.length }));
  const total = { totalLength: results.reduce((n, r) => n + r.length, 0) };
  let at = last.end + 2;
  add({ key: 'mapSucceeded', previous: `i${last.index}.end`, at, type: 'MapStateSucceeded' });
  add({ key: 'mapExited', previous: 'mapSucceeded', at: at += 1, type: 'MapStateExited', details: exited('MapItems', { mappedResults: results }) });
  add({ key: 'reduce', previous: 'mapExited', at: at += 1, type: 'TaskStateEntered', details: entered('ReduceResults', { mappedResults: results }) });
  let previous = 'reduce';
  for (let attempt = 1; attempt <= (run.reduceThrottles ?? 0) + 1; attempt++) {
    const a = `reduce.a${attempt}`;
    add({ key: `${a}.scheduled`, previous, at: at += 1, type: 'TaskScheduled', details: scheduled(REDUCE_FUNCTION, results) });
    add({ key: `${a}.started`, previous: `${a}.scheduled`, at: at += 24, type: 'TaskStarted', details: { taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke' } } });
    if (attempt <= (run.reduceThrottles ?? 0)) {
      add({ key: `${a}.failed`, previous: `${a}.started`, at: at += 9, type: 'TaskFailed', details: taskFailed(THROTTLED, throttleCause(1_000 + attempt)) });
      previous = `${a}.failed`;
      at += 1_700;
    } else {
      add({ key: `${a}.succeeded`, previous: `${a}.started`, at: at += 160, type: 'TaskSucceeded', details: { taskSucceededEventDetails: {
        resourceType: 'lambda', resource: 'invoke', output: invokeOutput(total, 999), outputDetails: { truncated: false },
      } } });
      previous = `${a}.succeeded`;
    }
  }
  add({ key: 'reduce.exited', previous, at: at += 1, type: 'TaskStateExited', details: exited('ReduceResults', total) });
  add({ key: 'store', previous: 'reduce.exited', at: at += 1, type: 'TaskStateEntered', details: entered('StoreResult', total) });
  add({ key: 'store.scheduled', previous: 'store', at: at += 1, type: 'TaskScheduled', details: putItemScheduled('SUCCEEDED') });
  add({ key: 'store.started', previous: 'store.scheduled', at: at += 21, type: 'TaskStarted', details: { taskStartedEventDetails: { resourceType: 'dynamodb', resource: 'putItem' } } });
  add({ key: 'store.succeeded', previous: 'store.started', at: at += 17, type: 'TaskSucceeded', details: { taskSucceededEventDetails: { resourceType: 'dynamodb', resource: 'putItem', output: '{}', outputDetails: { truncated: false } } } });
  add({ key: 'store.exited', previous: 'store.succeeded', at: at += 1, type: 'TaskStateExited', details: exited('StoreResult', total) });
  add({ key: 'end', previous: 'store.exited', at: at += 1, type: 'ExecutionSucceeded', details: { executionSucceededEventDetails: { output: JSON.stringify(total), outputDetails: { truncated: false } } } });
  return numbered(drafts);

  function scheduled(functionArn: string, payload: unknown): Record<string, unknown> {
    return { taskScheduledEventDetails: {
      resourceType: 'lambda', resource: 'invoke', region: REGION, timeoutInSeconds: 60,
      parameters: JSON.stringify({ FunctionName: functionArn, Payload: payload }),
    } };
  }
  function putItemScheduled(status: string): Record<string, unknown> {
    return { taskScheduledEventDetails: {
      resourceType: 'dynamodb', resource: 'putItem', region: REGION,
      parameters: JSON.stringify({ TableName: TABLE, Item: { executionId: { S: run.executionArn }, status: { S: status } } }),
    } };
  }
}

/** Splits a history into GetExecutionHistory responses of `pageSize` events, chained by nextToken. */
export function pages(events: readonly HistoryEvent[], pageSize: number): GetExecutionHistoryOutput[] {
  const result: GetExecutionHistoryOutput[] = [];
  for (let i = 0; i < events.length; i += pageSize) {
    const last = i + pageSize >= events.length;
    result.push({ events: events.slice(i, i + pageSize), ...(last ? {} : { nextToken: `token-${i + pageSize}` }) });
  }
  return result;
}

/** Ids in time order (ties in the order written), previousEventId resolved; the first state's is 0, as Step Functions writes it. */
function numbered(drafts: readonly Draft[]): HistoryEvent[] {
  const ordered = drafts.map((d, seq) => ({ d, seq })).sort((a, b) => a.d.at - b.d.at || a.seq - b.seq).map(({ d }) => d);
  const ids = new Map(ordered.map((d, i) => [d.key, i + 1]));
  return ordered.map((d) => ({
    id: ids.get(d.key)!,
    previousEventId: d.previous === undefined ? 0 : ids.get(d.previous)!,
    timestamp: new Date(d.at),
    type: d.type as HistoryEvent['type'],
    ...d.details,
  }));
}

function entered(name: string, input: unknown): Record<string, unknown> {
  return { stateEnteredEventDetails: { name, input: JSON.stringify(input), inputDetails: { truncated: false } } };
}

function exited(name: string, output: unknown): Record<string, unknown> {
  return { stateExitedEventDetails: { name, output: JSON.stringify(output), outputDetails: { truncated: false } } };
}

function taskFailed(error: string, cause: string): Record<string, unknown> {
  return { taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error, cause } };
}

function wordCause(): string {
  return JSON.stringify({
    errorType: WORD_ERROR,
    errorMessage: 'item.word must be a string (got undefined)',
    trace: [`${WORD_ERROR}: item.word must be a string (got undefined)`, '    at wordLength (/var/task/index.js:1:1402)', '    at Runtime.handler (/var/task/index.js:1:1733)'],
  });
}

function throttleCause(seed: number): string {
  return `Rate Exceeded. (Service: AWSLambda; Status Code: 429; Error Code: TooManyRequestsException; Request ID: ${requestId(seed)}; Proxy: null)`;
}

/** The raw `lambda:invoke` result before OutputPath `$.Payload`, as the history records it. */
function invokeOutput(payload: unknown, seed: number): string {
  const id = requestId(seed);
  const headers = { 'Connection': 'keep-alive', 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-Remapped-Content-Length': '0', 'x-amzn-RequestId': id, 'X-Amzn-Trace-Id': `root=1-674a3b1c-${id.replace(/-/g, '').slice(0, 24)};parent=5e1b4151a6f4d2c3;sampled=1` };
  return JSON.stringify({
    ExecutedVersion: '$LATEST',
    Payload: payload,
    SdkHttpMetadata: { AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])), HttpHeaders: headers, HttpStatusCode: 200 },
    SdkResponseMetadata: { RequestId: id },
    StatusCode: 200,
  });
}

function requestId(seed: number): string {
  const hex = (n: number, width: number) => ((n * 2654435761) >>> 0).toString(16).padStart(8, '0').repeat(2).slice(0, width);
  return `${hex(seed + 1, 8)}-${hex(seed + 2, 4)}-4${hex(seed + 3, 3)}-a${hex(seed + 4, 3)}-${hex(seed + 5, 12)}`;
}

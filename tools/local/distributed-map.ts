import { randomUUID } from 'node:crypto';
import { GetObjectCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import { putObject } from './local-sns-sqs';
import { DistributedMapCall, DistributedMapRunner, evaluatePath, evaluatePayloadTemplate, localInterpreter, MAX_PAYLOAD_BYTES } from './interpreter';
import { contextWithMapItem, SELECT_ITEMS } from './query-language/query-language-states';

/**
 * The local run of a Map state in distributed mode, as Step Functions runs it
 * (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html): the items read by the
 * `ItemReader` from the local S3, each passed through `ItemSelector`, grouped by the `ItemBatcher`, each batch run
 * as a child execution of the `ItemProcessor` by the interpreter, at most `MaxConcurrency` at once, the failed items
 * held against the tolerated failure threshold, and the results written by the `ResultWriter` to the local S3.
 *
 * The items are read, selected and batched once in memory and each batch is one interpreter run: a 200,000-item job
 * in batches of thousands is a few hundred child executions, with no per-item S3 request or interpreter run.
 */

/** Counts of a map run by status, named as DescribeMapRun's `itemCounts` and `executionCounts`. */
export interface MapRunCounts {
  total: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  aborted: number;
  /** Not started yet (or never, once the map run failed). */
  pending: number;
  running: number;
  /** Written to S3 by the ResultWriter. */
  resultsWritten: number;
}

/** A child execution of a map run: one batch (or one item, without an ItemBatcher). */
export interface MapRunChild {
  /** The execution's name, the last part of its ARN. */
  readonly name: string;
  readonly executionArn: string;
  /** The batch's position among the map run's batches. */
  readonly index: number;
  /** The items of its batch. */
  readonly items: number;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  /** Milliseconds since the epoch. */
  readonly start: number;
  stop?: number;
  error?: string;
  cause?: string;
}

/** What a map run did, shaped like DescribeMapRun plus its child executions. */
export interface MapRunRecord {
  readonly mapRunArn: string;
  /** The Map state's name. */
  readonly stateName: string;
  /** The execution that started the map run. */
  readonly executionArn: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  readonly startDate: number;
  stopDate?: number;
  readonly maxConcurrency: number;
  readonly toleratedFailureCount?: number;
  readonly toleratedFailurePercentage?: number;
  readonly itemCounts: MapRunCounts;
  readonly executionCounts: MapRunCounts;
  readonly children: MapRunChild[];
  /** Where the ResultWriter put the manifest, when it wrote one. */
  resultWriterDetails?: { Bucket: string; Key: string };
  error?: string;
  cause?: string;
}

/** A map run's progress, reported when it starts, as each child execution ends, and when it ends. */
export interface MapRunProgress {
  readonly mapRunArn: string;
  readonly stateName: string;
  readonly status: MapRunRecord['status'];
  /** Items in all. */
  readonly totalItems: number;
  /** Items whose child execution ended (succeeded, failed, timed out or aborted). */
  readonly doneItems: number;
  /** Items whose child execution did not succeed. */
  readonly failedItems: number;
  readonly totalChildren: number;
  readonly doneChildren: number;
  /** When the map run started and when this was reported, in milliseconds since the epoch. */
  readonly startedAt: number;
  readonly at: number;
}

export interface DistributedMapOptions {
  /** The local S3, when the stack has buckets. @default - none: an ItemReader or ResultWriter fails */
  readonly s3?: S3Client;
  /** The running state machine's ARN: child executions and map runs are named after it. */
  readonly stateMachineArn: string;
  /** The execution that runs the Map. */
  readonly executionArn: string;
  /** Called as each map run progresses. */
  readonly onProgress?: (progress: MapRunProgress) => void;
}

/** What Step Functions runs at once when the Map has no MaxConcurrency (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html). */
export const DEFAULT_DISTRIBUTED_MAX_CONCURRENCY = 10_000;

/** An error of a distributed Map, named as Step Functions names it (`States.ItemReaderFailed`, ...). */
export class MapRunError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * A runner for the Map states in distributed mode of one execution (the interpreter's run option
 * `distributedMap`), and the record of each map run it ran.
 */
export function distributedMapRunner(options: DistributedMapOptions): { run: DistributedMapRunner; mapRuns: MapRunRecord[] } {
  const mapRuns: MapRunRecord[] = [];
  return { run: (call) => new MapRun(call, options, mapRuns).run(), mapRuns };
}

/** One run of a distributed Map state. */
class MapRun {
  private readonly uuid = randomUUID();
  private readonly label: string;
  private readonly mapRunArn: string;
  /** The child executions' inputs, by batch. */
  private batches: Batch[] = [];

  constructor(private readonly call: DistributedMapCall, private readonly options: DistributedMapOptions, private readonly mapRuns: MapRunRecord[]) {
    this.label = call.state.Label ?? call.stateName;
    this.mapRunArn = `${options.stateMachineArn.replace(':stateMachine:', ':mapRun:')}/${this.label}:${this.uuid}`;
  }

  async run(): Promise<unknown> {
    const { state, input, context } = this.call;
    let items: unknown[] | undefined;
    let readError: unknown;
    try {
      items = await readItems(state, input, context, this.options.s3);
    } catch (error) {
      readError = error;
    }
    this.log({ type: 'MapStateStarted', length: items?.length });
    this.log({ type: 'MapRunStarted', mapRunArn: this.mapRunArn });
    let record: MapRunRecord | undefined;
    try {
      if (readError) throw readError;
      record = this.record(items!.length);
      // A JSONata ItemSelector is evaluated by tools/local/query-language (asynchronously), a JSONPath one here.
      const selected = state[SELECT_ITEMS] ? await state[SELECT_ITEMS](items!) : selectItems(state, items!, input, context);
      this.batches = batchesOf(state, selected, input, context);
      Object.assign(record.executionCounts, { total: this.batches.length, pending: this.batches.length });
      const outputs = await this.runChildren(record, this.batches);
      const exceeded = overThreshold(record);
      // Without a ResultWriter the output is each child's output, a failed child's execution record in its place.
      const result = state.ResultWriter
        ? await this.writeResults(record, outputs)
        : record.children.map((child) => (child.status === 'SUCCEEDED' ? outputs[child.index] : this.executionRecord(child)));
      if (exceeded) throw new MapRunError('States.ExceedToleratedFailureThreshold', 'The specified tolerated failure threshold was exceeded');
      this.end(record, 'SUCCEEDED');
      this.log({ type: 'MapRunSucceeded' });
      return result;
    } catch (error) {
      const { name, message } = error as Error;
      // Without a record, the items could not be read or the map run's settings not evaluated: it ran nothing.
      record ??= this.record(items?.length ?? 0, false);
      Object.assign(record, { error: name, cause: message });
      this.end(record, 'FAILED');
      this.log({ type: 'MapRunFailed', error: name, cause: message });
      throw error;
    }
  }

  /** The map run's record, with its settings evaluated against the state input (`evaluate`), else none. */
  private record(totalItems: number, evaluate = true): MapRunRecord {
    const { state, input, context } = this.call;
    const setting = (field: string) => (evaluate ? numberField(state, field, input, context) : undefined);
    const counts = (total: number): MapRunCounts => ({ total, succeeded: 0, failed: 0, timedOut: 0, aborted: 0, pending: total, running: 0, resultsWritten: 0 });
    const record: MapRunRecord = {
      mapRunArn: this.mapRunArn,
      stateName: this.call.stateName,
      executionArn: this.options.executionArn,
      status: 'RUNNING',
      startDate: Date.now(),
      maxConcurrency: setting('MaxConcurrency') || DEFAULT_DISTRIBUTED_MAX_CONCURRENCY,
      toleratedFailureCount: setting('ToleratedFailureCount'),
      toleratedFailurePercentage: setting('ToleratedFailurePercentage'),
      itemCounts: counts(totalItems),
      executionCounts: counts(0),
      children: [],
    };
    this.mapRuns.push(record);
    return record;
  }

  /**
   * Runs the batches as child executions, at most the map run's MaxConcurrency at once, in order; once the failed
   * items are over the threshold no more start, and the running ones end as they would: Step Functions "may continue
   * to run child workflows in a Map Run even after the tolerated failure threshold is exceeded, but before the Map
   * Run fails" (https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html). The outputs are
   * by batch, undefined for a child that did not succeed.
   */
  private async runChildren(record: MapRunRecord, batches: readonly Batch[]): Promise<unknown[]> {
    const { state, options } = this.call;
    const { StateMachine, ExecutionError, ExecutionTimeoutError, ExecutionAbortedError } = localInterpreter();
    const processor = new StateMachine(state.ItemProcessor ?? state.Iterator, { ...options.stateMachineOptions, validationOptions: { noValidate: true } });
    const childPrefix = `${this.options.stateMachineArn.replace(':stateMachine:', ':execution:')}/${this.label}:`;
    const outputs: unknown[] = new Array(batches.length);
    let next = 0;
    this.progress(record);

    const runChild = async (index: number): Promise<void> => {
      const batch = batches[index];
      const name = randomUUID();
      const child: MapRunChild = { name, executionArn: childPrefix + name, index, items: batch.items, status: 'RUNNING', start: Date.now() };
      record.children[index] = child;
      move(record, batch.items, 'pending', 'running');
      try {
        const execution = processor.run(batch.input as any, {
          ...options.runOptions,
          // A child execution starts with no variables: it cannot read the parent's.
          variables: undefined,
          execution: { Input: batch.input, StartTime: new Date(child.start).toISOString() },
          context: {
            ...options.runOptions?.context,
            Execution: { ...options.runOptions?.context?.Execution, Id: child.executionArn, Name: name },
            StateMachine: { Id: `${this.options.stateMachineArn}/${this.label}`, Name: `${options.runOptions?.context?.StateMachine?.Name}/${this.label}` },
          },
        });
        running.add(execution);
        try {
          outputs[index] = await execution.result;
        } finally {
          running.delete(execution);
        }
        child.status = 'SUCCEEDED';
      } catch (error) {
        const failure = error instanceof ExecutionError ? (error as Error).cause as Error : error as Error;
        child.status = error instanceof ExecutionTimeoutError ? 'TIMED_OUT' : error instanceof ExecutionAbortedError ? 'ABORTED' : 'FAILED';
        // A child the map run stopped has no error of its own.
        if (child.status !== 'ABORTED') {
          child.error = error instanceof ExecutionTimeoutError ? 'States.Timeout' : failure?.name;
          child.cause = failure?.message;
        }
      }
      child.stop = Date.now();
      const counted = ({ SUCCEEDED: 'succeeded', FAILED: 'failed', TIMED_OUT: 'timedOut', ABORTED: 'aborted' } as const)[child.status as Exclude<MapRunChild['status'], 'RUNNING'>];
      move(record, batch.items, 'running', counted);
      // A failed child counts every item of its batch as failed; over the threshold, no more children start.
      if (child.status !== 'SUCCEEDED' && overThreshold(record)) next = batches.length;
      this.progress(record);
    };

    // When the execution that runs the Map ends (it timed out, or a branch beside the Map failed), its map run ends
    // with it: no child starts any more and the running ones are stopped, as StopExecution stops a map run's children.
    const running = new Set<{ abort(): void }>();
    const stopChildren = () => {
      for (const execution of running) execution.abort();
    };
    // The state's own signal, and the root execution's, which the interpreter hands nested runs (`_rootAbortSignal`).
    const signals = [this.call.options.abortSignal, this.call.options.runOptions?._rootAbortSignal].filter((signal): signal is AbortSignal => signal !== undefined);
    const abortSignal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
    abortSignal?.addEventListener('abort', stopChildren, { once: true });
    const worker = async (): Promise<void> => {
      while (next < batches.length && !abortSignal?.aborted) await runChild(next++);
    };
    try {
      await Promise.all(Array.from({ length: Math.min(record.maxConcurrency, batches.length) }, worker));
    } finally {
      abortSignal?.removeEventListener('abort', stopChildren);
    }
    return outputs;
  }

  /**
   * Writes the manifest and the result files as Step Functions does
   * (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html): under
   * `<Prefix>/<map run id>/`, the succeeded children's results (transformed by WriterConfig) in SUCCEEDED_0, the
   * others' execution records in FAILED_0; the Map's output says where the manifest is. With a WriterConfig and no
   * Resource, nothing is written: the transformed results are the Map's output.
   */
  private async writeResults(record: MapRunRecord, outputs: readonly unknown[]): Promise<unknown> {
    const { state, input, context } = this.call;
    const writer = state.ResultWriter;
    const config = writer.WriterConfig ?? {};
    // Children that never started (the map run stopped) have no record.
    const children = record.children.filter(Boolean);
    const succeeded = children.filter((c) => c.status === 'SUCCEEDED');
    const failed = children.filter((c) => c.status !== 'SUCCEEDED');
    const transformed = this.transform(succeeded, outputs, config.Transformation ?? (writer.Resource ? 'NONE' : 'COMPACT'));
    if (!writer.Resource) return transformed;
    const s3 = this.options.s3;
    const { Bucket, Prefix = '' } = evaluatePayloadTemplate(writer.Parameters ?? {}, input, context) as { Bucket: string; Prefix?: string };
    if (!s3) throw new MapRunError('States.ResultWriterFailed', `the stack has no S3 bucket, so the local run has no S3 to write the results to (bucket ${Bucket})`);
    const directory = `${Prefix === '' || Prefix.endsWith('/') ? Prefix : `${Prefix}/`}${this.uuid}/`;
    const extension = config.OutputType === 'JSONL' ? 'jsonl' : 'json';
    const files: Record<'SUCCEEDED' | 'FAILED' | 'PENDING', { Key: string; Size: number }[]> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
    const put = async (Key: string, Body: string) => {
      try {
        return await putObject(s3, Bucket, Key, Body);
      } catch (error) {
        throw new MapRunError('States.ResultWriterFailed', `putObject s3://${Bucket}/${Key}: ${(error as Error).message}`);
      }
    };
    const failedRecords = failed.map((c) => this.executionRecord(c));
    for (const [status, results] of [['SUCCEEDED', transformed], ['FAILED', failedRecords]] as const) {
      if (results.length === 0) continue;
      const Key = `${directory}${status}_0.${extension}`;
      files[status].push({ Key, Size: await put(Key, serialize(results, config.OutputType)) });
    }
    const manifestKey = `${directory}manifest.json`;
    await put(manifestKey, JSON.stringify({ DestinationBucket: Bucket, MapRunArn: this.mapRunArn, ResultFiles: files }));
    record.itemCounts.resultsWritten = children.reduce((sum, c) => sum + c.items, 0);
    record.executionCounts.resultsWritten = children.length;
    record.resultWriterDetails = { Bucket, Key: manifestKey };
    return { MapRunArn: this.mapRunArn, ResultWriterDetails: { Bucket, Key: manifestKey } };
  }

  /**
   * The succeeded children's results as WriterConfig's Transformation makes them: NONE, each child's execution
   * record; COMPACT, each child's output; FLATTEN, each output, an array's elements one by one.
   */
  private transform(succeeded: readonly MapRunChild[], outputs: readonly unknown[], transformation: string): unknown[] {
    if (transformation === 'NONE') return succeeded.map((c) => this.executionRecord(c, outputs[c.index]));
    const results = succeeded.map((c) => outputs[c.index]);
    return transformation === 'COMPACT' ? results : results.flatMap((o) => (Array.isArray(o) ? o : [o]));
  }

  /**
   * A child execution as a result file records it (Transformation NONE, and every failed child whatever the
   * transformation): its ARN, name, input and output (or error and cause) as JSON text, status and dates.
   */
  private executionRecord(child: MapRunChild, output?: unknown): Record<string, unknown> {
    return {
      ExecutionArn: child.executionArn,
      Input: JSON.stringify(this.batches[child.index].input),
      InputDetails: { Included: true },
      Name: child.name,
      ...child.status === 'SUCCEEDED' ? { Output: JSON.stringify(output), OutputDetails: { Included: true } } : { Error: child.error, Cause: child.cause },
      StartDate: new Date(child.start).toISOString(),
      StateMachineArn: `${this.options.stateMachineArn}/${this.label}`,
      Status: child.status,
      StopDate: new Date(child.stop ?? Date.now()).toISOString(),
    };
  }

  private end(record: MapRunRecord, status: 'SUCCEEDED' | 'FAILED'): void {
    record.status = status;
    record.stopDate = Date.now();
    this.progress(record);
  }

  private progress(record: MapRunRecord): void {
    const { itemCounts: items, executionCounts: children } = record;
    const done = (c: MapRunCounts) => c.succeeded + c.failed + c.timedOut + c.aborted;
    this.options.onProgress?.({
      mapRunArn: record.mapRunArn,
      stateName: record.stateName,
      status: record.status,
      totalItems: items.total,
      doneItems: done(items),
      failedItems: done(items) - items.succeeded,
      totalChildren: children.total,
      doneChildren: done(children),
      startedAt: record.startDate,
      at: Date.now(),
    });
  }

  /** An event of the Map state in the execution's log (see tools/local/history-events.ts). */
  private log(event: Record<string, unknown>): void {
    this.call.options.eventLogger?.dispatch({ timestamp: Date.now(), state: { name: this.call.stateName, type: 'Map' }, ...event });
  }
}

/** A child execution's input and the number of items in it. */
interface Batch {
  readonly input: unknown;
  readonly items: number;
}

/** Moves `n` items (and one execution) of the map run from one status count to another. */
function move(record: MapRunRecord, n: number, from: keyof MapRunCounts, to: keyof MapRunCounts): void {
  record.itemCounts[from] -= n;
  record.itemCounts[to] += n;
  record.executionCounts[from] -= 1;
  record.executionCounts[to] += 1;
}

/**
 * Whether the failed (and timed out) items are over the tolerated failure threshold
 * (https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html): more than
 * ToleratedFailureCount, or a larger share of all items than ToleratedFailurePercentage; with neither, any failure.
 */
function overThreshold(record: MapRunRecord): boolean {
  const { failed, timedOut, total } = record.itemCounts;
  const failedItems = failed + timedOut;
  if (failedItems === 0) return false;
  const { toleratedFailureCount: count, toleratedFailurePercentage: percentage } = record;
  if (count === undefined && percentage === undefined) return true;
  return (count !== undefined && failedItems > count) || (percentage !== undefined && (failedItems * 100) / total > percentage);
}

/** A number field of the state, or its `...Path` variant evaluated against the state input. */
function numberField(state: any, field: string, input: unknown, context: unknown): number | undefined {
  if (state[field] !== undefined) return Number(state[field]);
  const path = state[`${field}Path`];
  return path === undefined ? undefined : Number(evaluatePath(path, input, context));
}

/**
 * The items the ItemReader reads (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html),
 * up to ReaderConfig.MaxItems, or without one the array at ItemsPath of the state input. A read that fails is
 * `States.ItemReaderFailed`.
 */
async function readItems(state: any, input: unknown, context: unknown, s3: S3Client | undefined): Promise<unknown[]> {
  const reader = state.ItemReader;
  if (!reader) {
    const items = state.ItemsPath ? evaluatePath(state.ItemsPath, input, context) : input;
    if (!Array.isArray(items)) throw new MapRunError('States.Runtime', 'Input of Map state must be an array or ItemsPath property must point to an array');
    return items;
  }
  const parameters = evaluatePayloadTemplate(reader.Parameters ?? {}, input, context);
  const config = reader.ReaderConfig ?? {};
  const maxItems = numberField(config, 'MaxItems', input, context) || Infinity;
  if (!s3) throw new MapRunError('States.ItemReaderFailed', `the stack has no S3 bucket, so the local run has no S3 to read s3://${parameters.Bucket} from`);
  try {
    if (String(reader.Resource).endsWith(':listObjectsV2')) return await listObjects(s3, parameters, maxItems);
    const object = await s3.send(new GetObjectCommand(parameters));
    const text = await object.Body!.transformToString();
    return parseItems(text, config, maxItems);
  } catch (error) {
    if (error instanceof MapRunError) throw error;
    throw new MapRunError('States.ItemReaderFailed', `${String(reader.Resource).split(':').pop()} s3://${parameters.Bucket}/${parameters.Key ?? parameters.Prefix ?? ''}: ${(error as Error).message}`);
  }
}

/**
 * The objects under the prefix, each as Step Functions gives it to a child execution: `Etag`, `Key`,
 * `LastModified` (in seconds since the epoch), `Size`, `StorageClass`, as the ItemReader page's example shows.
 */
async function listObjects(s3: S3Client, parameters: any, maxItems: number): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, parameters)) {
    for (const object of page.Contents ?? []) {
      if (items.length >= maxItems) return items;
      items.push({
        Etag: object.ETag,
        Key: object.Key,
        LastModified: Math.floor((object.LastModified?.getTime() ?? 0) / 1000),
        Size: object.Size,
        StorageClass: object.StorageClass ?? 'STANDARD',
      });
    }
  }
  return items;
}

const CSV_DELIMITERS: Record<string, string> = { COMMA: ',', PIPE: '|', SEMICOLON: ';', SPACE: ' ', TAB: '\t' };

/** The items of a JSON array, JSON Lines or CSV object (CSV values are strings, as Step Functions gives them). */
function parseItems(text: string, config: any, maxItems: number): unknown[] {
  const inputType = config.InputType ?? 'JSON';
  if (inputType === 'JSON') {
    const items = JSON.parse(text);
    if (!Array.isArray(items)) throw new MapRunError('States.ItemReaderFailed', 'the JSON object holds no array of items');
    return items.length > maxItems ? items.slice(0, maxItems) : items;
  }
  if (inputType === 'JSONL') {
    const items: unknown[] = [];
    for (const line of text.split('\n')) {
      if (items.length >= maxItems) break;
      if (line.trim() !== '') items.push(JSON.parse(line));
    }
    return items;
  }
  const rows = parseCsv(text, CSV_DELIMITERS[config.CSVDelimiter ?? 'COMMA'] ?? ',');
  const headers: string[] = config.CSVHeaderLocation === 'GIVEN' ? config.CSVHeaders : rows.shift() ?? [];
  if (new Set(headers).size < headers.length) throw new MapRunError('States.ItemReaderFailed', 'CSV headers cannot contain duplicates.');
  return rows.slice(0, maxItems).map((row) => Object.fromEntries(headers.map((header, i) => [header, row[i] ?? ''])));
}

/**
 * RFC 4180 records: quoted fields may hold the delimiter, line breaks and `""`; blank lines are skipped. Written
 * here because the local run's engines include no CSV parser, and this is all a CSV item source needs.
 */
function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n') endRow();
    else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** Each item through ItemSelector (or the older Parameters), with `$$.Map.Item.Index` and `Value` in the context. */
function selectItems(state: any, items: unknown[], input: unknown, context: any): unknown[] {
  const selector = state.ItemSelector ?? state.Parameters;
  if (!selector) return items;
  return items.map((item, index) => evaluatePayloadTemplate(selector, input, contextWithMapItem(context, index, item)));
}

/**
 * The child executions' inputs (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html):
 * without an ItemBatcher, each item; with one, `{ "Items": [...], "BatchInput": ... }` with at most MaxItemsPerBatch
 * items and at most MaxInputBytesPerBatch bytes (256 KiB, the payload quota, by default), counting the bytes of the
 * child's whole input as UTF-8 JSON. An item that is alone over the byte limit makes a batch of its own.
 */
function batchesOf(state: any, items: unknown[], input: unknown, context: any): Batch[] {
  const batcher = state.ItemBatcher;
  let batches: Batch[];
  if (!batcher) batches = items.map((item) => ({ input: item, items: 1 }));
  else {
    const maxItems = numberField(batcher, 'MaxItemsPerBatch', input, context) || Infinity;
    const maxBytes = numberField(batcher, 'MaxInputBytesPerBatch', input, context) || MAX_PAYLOAD_BYTES;
    const batchInput = batcher.BatchInput === undefined ? undefined : evaluatePayloadTemplate(batcher.BatchInput, input, context);
    const wrap = (batchItems: unknown[]) => ({ Items: batchItems, ...batchInput !== undefined && { BatchInput: batchInput } });
    const emptyBytes = Buffer.byteLength(JSON.stringify(wrap([])));
    batches = [];
    let current: unknown[] = [];
    let bytes = emptyBytes;
    for (const item of items) {
      // The item's JSON, and the comma before it when it is not the batch's first.
      const itemBytes = Buffer.byteLength(JSON.stringify(item));
      if (current.length > 0 && (current.length >= maxItems || bytes + 1 + itemBytes > maxBytes)) {
        batches.push({ input: wrap(current), items: current.length });
        current = [];
        bytes = emptyBytes;
      }
      bytes += itemBytes + (current.length > 0 ? 1 : 0);
      current.push(item);
    }
    if (current.length > 0) batches.push({ input: wrap(current), items: current.length });
  }
  return batches;
}

/** A result file's body: a JSON array, or JSON Lines. */
function serialize(results: readonly unknown[], outputType: string | undefined): string {
  return outputType === 'JSONL' ? results.map((r) => JSON.stringify(r)).join('\n') : JSON.stringify(results);
}

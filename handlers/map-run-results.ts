import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/**
 * What a Distributed Map state with a `ResultWriter` outputs, and so what a reduce step after it gets: where the
 * map run's manifest is (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html).
 */
export interface MapRunOutput {
  readonly MapRunArn: string;
  readonly ResultWriterDetails: {
    readonly Bucket: string;
    /** The key of the map run's `manifest.json`. */
    readonly Key: string;
  };
}

/** A result file of a map run, as the manifest lists it. */
export interface MapRunResultFile {
  readonly Key: string;
  readonly Size: number;
}

/** The `manifest.json` Step Functions writes at the end of a map run: its result files by the status of their child executions. */
export interface MapRunManifest {
  readonly DestinationBucket: string;
  readonly MapRunArn: string;
  readonly ResultFiles: {
    readonly SUCCEEDED?: readonly MapRunResultFile[];
    readonly FAILED?: readonly MapRunResultFile[];
    readonly PENDING?: readonly MapRunResultFile[];
  };
}

/**
 * A child execution that failed, as a FAILED result file holds it: always with its metadata (the `NONE`
 * transformation), whatever the writer's `Transformation`.
 */
export interface FailedChildExecution {
  readonly ExecutionArn?: string;
  readonly Name?: string;
  /** The child's input, as a JSON string: with an item batcher, `{"Items":[...]}`. */
  readonly Input?: string;
  readonly Error?: string;
  readonly Cause?: string;
  readonly Status?: string;
  readonly [field: string]: unknown;
}

/**
 * An S3 client (`S3Client` of `@aws-sdk/client-s3`), typed by what the reader calls, so the './handlers' entry's
 * types need no AWS SDK installed.
 */
export interface S3Sender {
  send(command: any): Promise<any>;
}

/** Options of {@link MapRunResults}. */
export interface MapRunResultsOptions {
  /**
   * Results per page: what {@link MapRunResults.pages} yields at a time, and so about what is in memory at once.
   * @default 1000
   */
  readonly pageSize?: number;
  /**
   * The `WriterConfig.Transformation` the results were written with: `FLATTEN` or `COMPACT` files hold the
   * children's outputs (flattened when arrays); `NONE` files hold each child execution's metadata, whose `Output`
   * (a JSON string) is the result.
   * @default 'FLATTEN' - what `MapReduceWorkflow` writes in distributed mode
   */
  readonly transformation?: 'NONE' | 'COMPACT' | 'FLATTEN';
  /**
   * The `WriterConfig.OutputType` the results were written with: JSON Lines files are streamed a line at a time;
   * a JSON array file is parsed whole.
   * @default 'JSONL' - what `MapReduceWorkflow` writes in distributed mode
   */
  readonly outputType?: 'JSON' | 'JSONL';
  /** @default - a client made on first use, with the Lambda environment's region and credentials */
  readonly client?: S3Sender;
}

/** The event is not the output of a Distributed Map with a result writer, or a file the manifest lists is not what it says. */
export class MapRunResultsError extends Error {
  override readonly name = 'MapRunResultsError';
}

/**
 * Reads the results of a Distributed Map's run from S3, in pages, for a reduce step: the manifest the event names,
 * then each result file it lists, streamed a line at a time (`OutputType: JSONL`, as `MapReduceWorkflow` writes), so a
 * large job's results are never all in memory at once; a file of `OutputType: JSON` is one array, parsed whole.
 *
 * ```ts
 * const results = new MapRunResults<WordLength>(event);
 * let total = 0;
 * for await (const page of results.pages()) for (const r of page) total += r.length;
 * ```
 */
export class MapRunResults<Result = unknown> {
  private readonly output: MapRunOutput;
  private readonly pageSize: number;
  private readonly transformation: NonNullable<MapRunResultsOptions['transformation']>;
  private readonly outputType: NonNullable<MapRunResultsOptions['outputType']>;
  private client?: S3Sender;
  private manifestRead?: Promise<MapRunManifest>;

  constructor(event: unknown, options: MapRunResultsOptions = {}) {
    this.output = parseMapRunOutput(event);
    this.pageSize = options.pageSize ?? 1000;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1) throw new MapRunResultsError(`pageSize must be a positive integer (got ${options.pageSize})`);
    this.transformation = options.transformation ?? 'FLATTEN';
    this.outputType = options.outputType ?? 'JSONL';
    this.client = options.client;
  }

  /** The map run's manifest (read once). */
  manifest(): Promise<MapRunManifest> {
    this.manifestRead ??= this.getObject(this.output.ResultWriterDetails.Bucket, this.output.ResultWriterDetails.Key)
      .then((body) => streamToString(body))
      .then((text) => {
        const manifest = JSON.parse(text) as MapRunManifest;
        if (typeof manifest?.ResultFiles !== 'object' || manifest.ResultFiles === null) {
          throw new MapRunResultsError(`s3://${this.output.ResultWriterDetails.Bucket}/${this.output.ResultWriterDetails.Key} is not a map run manifest: it has no ResultFiles`);
        }
        return manifest;
      });
    return this.manifestRead;
  }

  /**
   * The results of the succeeded child executions, `pageSize` at a time (the last page may be shorter; none when there
   * are no results). With `FLATTEN` each element is one result of a child's array; with `COMPACT` or `NONE` it is a
   * child's whole output (with an item batcher, the batch's array).
   */
  pages(): AsyncGenerator<Result[]> {
    return this.paged('SUCCEEDED', (entry, key) => (this.transformation === 'NONE' ? outputOf(entry, key) : entry) as Result);
  }

  /** The child executions that failed (a map run that tolerates failures succeeds with some), `pageSize` at a time. */
  failedExecutions(): AsyncGenerator<FailedChildExecution[]> {
    return this.paged('FAILED', (entry) => entry as FailedChildExecution);
  }

  /**
   * How many items the failed child executions had: the `Items` of each one's input when the map batches items,
   * else one item per child. A failed child without its `Input` is a {@link MapRunResultsError}.
   */
  async failedItemCount(): Promise<number> {
    let count = 0;
    for await (const page of this.failedExecutions()) {
      for (const child of page) {
        if (typeof child.Input !== 'string') {
          // Without its input the batch's size is unknown: a guess would not reconcile.
          throw new MapRunResultsError(`the failed child execution ${child.ExecutionArn ?? child.Name ?? '(unnamed)'} has no Input to count its items from`);
        }
        const items = (JSON.parse(child.Input) as { Items?: unknown } | null)?.Items;
        count += Array.isArray(items) ? items.length : 1;
      }
    }
    return count;
  }

  private async *paged<T>(status: 'SUCCEEDED' | 'FAILED', toEntry: (entry: unknown, key: string) => T): AsyncGenerator<T[]> {
    const manifest = await this.manifest();
    let page: T[] = [];
    for (const file of manifest.ResultFiles[status] ?? []) {
      for await (const entry of this.entries(manifest, file)) {
        page.push(toEntry(entry, file.Key));
        if (page.length === this.pageSize) {
          yield page;
          page = [];
        }
      }
    }
    if (page.length > 0) yield page;
  }

  /** The entries of one result file: a line each of a JSON Lines file, the elements of a JSON array file. */
  private async *entries(manifest: MapRunManifest, file: MapRunResultFile): AsyncGenerator<unknown> {
    const bucket = manifest.DestinationBucket ?? this.output.ResultWriterDetails.Bucket;
    const body = await this.getObject(bucket, file.Key);
    if (this.outputType === 'JSON') {
      const entries = JSON.parse(await streamToString(body)) as unknown;
      if (!Array.isArray(entries)) throw new MapRunResultsError(`s3://${bucket}/${file.Key} is not a JSON array of results`);
      yield* entries;
      return;
    }
    const lines = createInterface({ input: body, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (line.trim() !== '') yield JSON.parse(line);
      }
    } finally {
      // A reader that stops early (a break out of pages()) leaves the rest of the object unread: release the connection.
      body.destroy();
    }
  }

  private async getObject(bucket: string, key: string): Promise<Readable> {
    // Loaded on first use, from the Lambda runtime (bundles leave @aws-sdk external), as ChunkWorker loads DynamoDB.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { GetObjectCommand, S3Client } = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
    this.client ??= new S3Client({});
    const { Body } = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!Body) throw new MapRunResultsError(`s3://${bucket}/${key} has no body`);
    return Body as Readable;
  }
}

/** The event as a map run's output, or a {@link MapRunResultsError} naming what is missing. */
export function parseMapRunOutput(event: unknown): MapRunOutput {
  const details = (event as Partial<MapRunOutput> | null)?.ResultWriterDetails;
  if (typeof details?.Bucket !== 'string' || typeof details.Key !== 'string') {
    throw new MapRunResultsError(
      `expected the output of a Distributed Map with a ResultWriter, { MapRunArn, ResultWriterDetails: { Bucket, Key } } (got ${JSON.stringify(event)?.slice(0, 200)})`,
    );
  }
  return event as MapRunOutput;
}

function outputOf(entry: unknown, key: string): unknown {
  const output = (entry as { Output?: unknown } | null)?.Output;
  if (typeof output !== 'string') throw new MapRunResultsError(`an entry of ${key} has no Output string: was it written with Transformation NONE?`);
  return JSON.parse(output);
}

async function streamToString(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

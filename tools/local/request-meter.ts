import { createServer, request as httpRequest, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';

/** The services a metered local run counts requests of. */
export type MeteredService = 'dynamodb' | 'sqs' | 'sns' | 's3';

/** What one kind of request to one resource added up to in a metered run. */
export interface MeteredOperation {
  readonly service: MeteredService;
  /** The table, queue, topic or bucket (its local name). */
  readonly resource: string;
  /** The API action: `PutItem`, `SendMessageBatch`, `Publish`, `GetObject`, `ListObjectsV2`... */
  readonly operation: string;
  /** Requests made. */
  requests: number;
  /**
   * What the requests are billed in: DynamoDB request units (write units for writes, read units for reads, as
   * DynamoDB computes them from the item sizes), SQS and SNS requests counted per 64 KB chunk of payload, S3 requests.
   */
  units: number;
  /** SQS receives that returned no message. */
  empty: number;
  /** Bytes of payload the requests carried (messages sent, published or received; objects put or got). */
  payloadBytes: number;
}

/** An item's size as DynamoDB computes it (attribute names and values), by dynalite, loaded when a transaction is metered. */
function dynaliteItemSize(item: unknown): number {
  // dynalite ships no type declarations, and is an optional peer: the cost command's module must load without it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('dynalite/db') as { itemSize(item: unknown): number }).itemSize(item);
}

/** SQS and SNS bill each 64 KB chunk of a request's payload as one request (https://aws.amazon.com/sqs/pricing/). */
export const BILLED_CHUNK_BYTES = 64 * 1024;

/** DynamoDB actions billed in write request units; every other data action is billed in read request units. */
const DYNAMODB_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const DYNAMODB_READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

/** Whether a DynamoDB action is billed in write request units. */
export function isDynamoDbWrite(operation: string): boolean {
  return DYNAMODB_WRITES.has(operation);
}

/** A running proxy: its endpoint, for SDK clients and AWS_ENDPOINT_URL_*. */
export interface MeteringProxy {
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Counts the requests a local run makes to the local DynamoDB (dynalite) and SNS/SQS/S3 (fauxqs), by service,
 * resource and action, with the quantities AWS bills them in — for `sdp cost`. It sits in front of an engine as a
 * small HTTP proxy ({@link RequestMeter.proxy}), so handlers and the local Step Functions integrations are metered
 * without a change: they reach the engine through its endpoint. Hand-written: no library meters AWS API traffic
 * by billing unit.
 *
 * DynamoDB units are DynamoDB's own computation as dynalite makes it (the proxy asks for `ReturnConsumedCapacity`
 * and hides it from a caller that did not); TransactWriteItems, which dynalite lacks, is billed 2 write units per
 * item per KB of the item as sent. Only data actions are counted: creating tables and queues is not part of a job.
 */
export class RequestMeter {
  private readonly operations = new Map<string, MeteredOperation>();

  /** Every action counted since the meter started (or was reset). */
  reading(): MeteredOperation[] {
    return [...this.operations.values()].map((o) => ({ ...o }));
  }

  reset(): void {
    this.operations.clear();
  }

  /** Adds one request. */
  count(service: MeteredService, resource: string, operation: string, units: number, payloadBytes = 0, empty = false): void {
    const key = `${service}\u0000${resource}\u0000${operation}`;
    let entry = this.operations.get(key);
    if (!entry) {
      entry = { service, resource, operation, requests: 0, units: 0, empty: 0, payloadBytes: 0 };
      this.operations.set(key, entry);
    }
    entry.requests += 1;
    entry.units += units;
    entry.payloadBytes += payloadBytes;
    if (empty) entry.empty += 1;
  }

  /** Starts a metering proxy on loopback in front of `target` (the engine's endpoint), for `engine`'s protocol. */
  async proxy(engine: 'dynamodb' | 'sns-sqs-s3', target: string): Promise<MeteringProxy> {
    const upstream = new URL(target);
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const exchange = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
        const meterBody = engine === 'dynamodb' ? this.dynamoDbRequest(exchange) : undefined;
        forward(upstream, { ...exchange, body: meterBody?.body ?? exchange.body }, (status, headers, responseBody) => {
          let body = responseBody;
          try {
            if (engine === 'dynamodb') body = meterBody?.onResponse(status, responseBody) ?? responseBody;
            else this.snsSqsS3Request(exchange, status, responseBody);
          } catch {
            // A request the meter cannot read is passed on all the same; it is not counted.
          }
          reply(res, status, headers, body, body !== responseBody);
        }, (error) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(String(error));
        });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => closeServer(server) };
  }

  /**
   * A DynamoDB request: its body with `ReturnConsumedCapacity: TOTAL` added when the caller did not ask for it, and
   * what to do with the response (count its units, and drop the capacity the caller did not ask for).
   */
  private dynamoDbRequest(exchange: Exchange): { body: Buffer; onResponse(status: number, body: Buffer): Buffer } | undefined {
    const operation = String(exchange.headers['x-amz-target'] ?? '').split('.')[1];
    if (!operation || !(DYNAMODB_WRITES.has(operation) || DYNAMODB_READS.has(operation))) return undefined;
    const input = JSON.parse(exchange.body.toString('utf8') || '{}');
    if (operation === 'TransactWriteItems') {
      return { body: exchange.body, onResponse: (_status, body) => this.countTransaction(input, body) };
    }
    const asked = input.ReturnConsumedCapacity === 'TOTAL' || input.ReturnConsumedCapacity === 'INDEXES';
    const body = asked ? exchange.body : Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'TOTAL' }));
    return {
      body,
      onResponse: (status, responseBody) => {
        const output = JSON.parse(responseBody.toString('utf8') || '{}');
        // A write whose condition was not met still consumes write units (dynalite reports none: one is counted); a
        // request DynamoDB refused (validation, throttling) consumes none.
        const conditionFailed = String(output.__type ?? '').endsWith('ConditionalCheckFailedException');
        const consumed: Array<{ TableName: string; CapacityUnits: number }> = status === 200
          ? [output.ConsumedCapacity ?? []].flat()
          : [{ TableName: String(input.TableName ?? 'unknown'), CapacityUnits: conditionFailed && DYNAMODB_WRITES.has(operation) ? 1 : 0 }];
        for (const { TableName, CapacityUnits } of consumed) this.count('dynamodb', TableName, operation, CapacityUnits);
        if (consumed.length === 0) this.count('dynamodb', String(input.TableName ?? 'unknown'), operation, 0);
        if (asked || status !== 200) return responseBody;
        delete output.ConsumedCapacity;
        return Buffer.from(JSON.stringify(output));
      },
    };
  }

  /** TransactWriteItems: 2 write units per item per KB (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-capacity-handling). */
  private countTransaction(input: { TransactItems?: Array<Record<string, unknown>> }, body: Buffer): Buffer {
    // Counted once per table the transaction writes, with the units of its items there.
    const unitsByTable = new Map<string, number>();
    for (const item of input.TransactItems ?? []) {
      const op = Object.values(item)[0] as { TableName: string; Item?: unknown };
      // A Put's item is sized as DynamoDB sizes it (dynalite's computation); an update, delete or check by what it sends.
      const bytes = op.Item ? dynaliteItemSize(op.Item) : Buffer.byteLength(JSON.stringify(op));
      const kb = Math.max(1, Math.ceil(bytes / 1024));
      unitsByTable.set(op.TableName, (unitsByTable.get(op.TableName) ?? 0) + 2 * kb);
    }
    for (const [table, units] of unitsByTable) this.count('dynamodb', table, 'TransactWriteItems', units);
    return body;
  }

  /** An SQS (JSON protocol), SNS (query protocol) or S3 (REST) request, counted once its response is known. */
  private snsSqsS3Request(exchange: Exchange, status: number, responseBody: Buffer): void {
    const target = String(exchange.headers['x-amz-target'] ?? '');
    if (target.startsWith('AmazonSQS.')) {
      const input = JSON.parse(exchange.body.toString('utf8') || '{}');
      const output = status === 200 ? JSON.parse(responseBody.toString('utf8') || '{}') : {};
      this.countSqs(target.slice('AmazonSQS.'.length), input, output);
      return;
    }
    const contentType = String(exchange.headers['content-type'] ?? '');
    if (exchange.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(exchange.body.toString('utf8'));
      if (form.has('Action') && !form.has('QueueUrl')) this.countSns(form);
      return;
    }
    this.countS3(exchange, responseBody);
  }

  private countSqs(operation: string, input: any, output: any): void {
    const queue = String(input.QueueUrl ?? '').split('/').pop() || 'unknown';
    if (operation === 'SendMessage') {
      const bytes = messageBytes(input.MessageBody, input.MessageAttributes);
      this.count('sqs', queue, operation, chunks(bytes), bytes);
    } else if (operation === 'SendMessageBatch') {
      const bytes = (input.Entries ?? []).reduce((sum: number, e: any) => sum + messageBytes(e.MessageBody, e.MessageAttributes), 0);
      this.count('sqs', queue, operation, chunks(bytes), bytes);
    } else if (operation === 'ReceiveMessage') {
      const messages: any[] = output.Messages ?? [];
      const bytes = messages.reduce((sum, m) => sum + messageBytes(m.Body, m.MessageAttributes), 0);
      this.count('sqs', queue, operation, chunks(bytes), bytes, messages.length === 0);
    } else if (!['CreateQueue', 'GetQueueUrl', 'SetQueueAttributes', 'TagQueue', 'DeleteQueue', 'ListQueues'].includes(operation)) {
      this.count('sqs', queue, operation, 1);
    }
  }

  private countSns(form: URLSearchParams): void {
    const operation = form.get('Action')!;
    const topic = String(form.get('TopicArn') ?? form.get('TargetArn') ?? 'unknown').split(':').pop()!;
    if (operation === 'Publish') {
      const bytes = Buffer.byteLength(form.get('Message') ?? '') + attributeBytes(form, 'MessageAttributes.entry.');
      this.count('sns', topic, operation, chunks(bytes), bytes);
    } else if (operation === 'PublishBatch') {
      let bytes = 0;
      for (const [key, value] of form) if (/^PublishBatchRequestEntries\.member\.\d+\.Message$/.test(key)) bytes += Buffer.byteLength(value);
      bytes += attributeBytes(form, 'PublishBatchRequestEntries.member.');
      this.count('sns', topic, operation, chunks(bytes), bytes);
    }
  }

  private countS3(exchange: Exchange, responseBody: Buffer): void {
    const url = new URL(exchange.url, 'http://local');
    const [bucket, ...keyParts] = url.pathname.replace(/^\//, '').split('/');
    if (!bucket) return;
    const hasKey = keyParts.join('/') !== '';
    const method = exchange.method;
    let operation: string | undefined;
    if (method === 'GET' && !hasKey) operation = url.searchParams.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
    else if (method === 'GET') operation = 'GetObject';
    else if (method === 'HEAD') operation = hasKey ? 'HeadObject' : 'HeadBucket';
    else if (method === 'PUT' && hasKey) operation = exchange.headers['x-amz-copy-source'] ? 'CopyObject' : url.searchParams.has('partNumber') ? 'UploadPart' : 'PutObject';
    else if (method === 'POST' && hasKey) operation = url.searchParams.has('uploads') ? 'CreateMultipartUpload' : 'CompleteMultipartUpload';
    else if (method === 'POST' && url.searchParams.has('delete')) operation = 'DeleteObjects';
    else if (method === 'DELETE') operation = hasKey ? 'DeleteObject' : undefined;
    if (operation === undefined) return; // creating buckets is not part of a job
    const bytes = operation === 'GetObject' ? responseBody.length : operation === 'PutObject' || operation === 'UploadPart' ? exchange.body.length : 0;
    this.count('s3', bucket, operation, 1, bytes);
  }
}

/** S3's request prices come in two tiers (https://aws.amazon.com/s3/pricing/): which one an action is billed in; deletes are free. */
export function s3RequestTier(operation: string): 'putCopyPostList' | 'getAndOther' | 'free' {
  if (['PutObject', 'CopyObject', 'ListObjects', 'ListObjectsV2', 'UploadPart', 'CreateMultipartUpload', 'CompleteMultipartUpload'].includes(operation)) return 'putCopyPostList';
  if (operation === 'DeleteObject' || operation === 'DeleteObjects') return 'free';
  return 'getAndOther';
}

interface Exchange {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Billed requests of a payload: one per 64 KB chunk, at least one. */
function chunks(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / BILLED_CHUNK_BYTES));
}

/** A message's billed size: its body and its attributes' names, types and values. */
function messageBytes(body: unknown, attributes: Record<string, { DataType?: string; StringValue?: string; BinaryValue?: string }> = {}): number {
  let bytes = Buffer.byteLength(String(body ?? ''));
  for (const [name, a] of Object.entries(attributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(a.DataType ?? '') + Buffer.byteLength(a.StringValue ?? a.BinaryValue ?? '');
  }
  return bytes;
}

/** The bytes of the message attributes in a query-protocol form under `prefix` (names, types and values). */
function attributeBytes(form: URLSearchParams, prefix: string): number {
  let bytes = 0;
  for (const [key, value] of form) {
    if (key.startsWith(prefix) && /MessageAttributes\.entry\.\d+\.(Name|Value\.DataType|Value\.StringValue|Value\.BinaryValue)$/.test(key)) bytes += Buffer.byteLength(value);
  }
  return bytes;
}

function forward(
  upstream: URL, exchange: Exchange,
  onResponse: (status: number, headers: IncomingHttpHeaders, body: Buffer) => void, onError: (error: Error) => void,
): void {
  // The body is sent whole, with its length: an Expect: 100-continue would wait for an answer the proxy has already
  // given, and a Transfer-Encoding beside Content-Length is a request strict parsers refuse.
  const { 'expect': _expect, 'transfer-encoding': _encoding, 'connection': _connection, ...headers } = exchange.headers;
  const outgoing = httpRequest({
    host: upstream.hostname, port: upstream.port, method: exchange.method, path: exchange.url,
    headers: { ...headers, 'content-length': String(exchange.body.length) },
  }, (response: IncomingMessage) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => onResponse(response.statusCode ?? 500, response.headers, Buffer.concat(chunks)));
    response.on('error', onError);
  });
  outgoing.on('error', onError);
  outgoing.end(exchange.body);
}

function reply(res: ServerResponse, status: number, headers: IncomingHttpHeaders, body: Buffer, rewritten: boolean): void {
  const { 'transfer-encoding': _te, 'content-length': _cl, connection: _c, ...rest } = headers;
  // DynamoDB's responses carry a CRC32 of their body, which a rewritten body must match.
  if (rewritten && rest['x-amz-crc32'] !== undefined) rest['x-amz-crc32'] = String(zlib.crc32(body));
  res.writeHead(status, { ...rest, 'content-length': String(body.length) });
  res.end(body);
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

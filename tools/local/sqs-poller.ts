
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { LOCAL_REGION } from '../assembly/intrinsics';
import { LambdaServiceError, LocalLambdaRuntime } from './local-lambda';

/** First and longest wait before retrying a throttled batch: exponential, bounded, as Lambda's back-off is. */
const THROTTLE_BACKOFF_BASE_MS = 100;
const THROTTLE_BACKOFF_MAX_MS = 2000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isThrottle(error: unknown): boolean {
  return error instanceof LambdaServiceError && error.errorCode === 'TooManyRequestsException';
}

/** An SQS event source mapping, as the template declares it. */
export interface SqsEventSourceSettings {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly functionName: string;
  /** @default 10 */
  readonly batchSize?: number;
  /** Whether the function reports partial batch failures. @default false */
  readonly reportBatchItemFailures?: boolean;
  /** Most concurrent invocations. @default 5, as Lambda's pollers start */
  readonly maxConcurrency?: number;
}

/** What a poller saw, for the run's summary and for tests. */
export interface PollerStats {
  invocations: number;
  /** Messages received, redeliveries included. */
  received: number;
  /** Deletions after the function succeeded (a message redelivered while in progress can be deleted twice). */
  deleted: number;
  /** Messages the function succeeded on, each counted once. */
  processed: number;
  /**
   * Records the function reported failed, or all records of an invocation that threw or that Lambda throttled until
   * their visibility timeout ran out (so `received - failedRecords` deliveries succeeded).
   */
  failedRecords: number;
  /** Invocations Lambda refused with `Lambda.TooManyRequestsException` (each retry counted). */
  throttles: number;
  /** Records of batches given up after throttles: left to come back after the visibility timeout, not deleted. */
  throttledRecords: number;
  /** Errors of invocations that failed as a whole, by error name: how often, and the first one's message. */
  errors: Record<string, { count: number; message: string }>;
  /** How often each message was received, by message id. */
  receives: Record<string, number>;
  /** SQS API requests the poller made (ReceiveMessage, DeleteMessageBatch, GetQueueAttributes). */
  sqsRequests: number;
}

/**
 * Polls a queue for a function the way Lambda's SQS event source does: receives
 * up to the batch size, invokes the function with an SQS event, deletes what
 * succeeded and leaves the rest to come back after the visibility timeout (and
 * move to the dead-letter queue after maxReceiveCount receives). A batch Lambda throttles is retried with
 * bounded exponential back-off while its messages stay invisible, then left to come back; errors of whole
 * invocations are counted by name in {@link PollerStats.errors}.
 */
export class SqsPoller {
  readonly stats: PollerStats = {
    invocations: 0, received: 0, deleted: 0, processed: 0, failedRecords: 0, throttles: 0, throttledRecords: 0, errors: {}, receives: {}, sqsRequests: 0,
  };
  /** The queue's visibility timeout in ms: how long a throttled batch may be retried before its messages come back. */
  private visibilityTimeoutMs?: Promise<number>;
  private readonly processedIds = new Set<string>();
  private lanes?: Promise<void[]>;
  /** Set by {@link drain}: lanes stop once the queue is empty instead of waiting for more messages. */
  private draining = false;
  private stopped = false;

  constructor(private readonly sqs: SQSClient, private readonly lambda: LocalLambdaRuntime, readonly settings: SqsEventSourceSettings) {}

  /**
   * Starts polling in the background, as an event source mapping does once created: messages sent
   * later (by a workflow that runs meanwhile) are received too.
   */
  start(): void {
    if (this.lanes) return;
    // A lane that fails (an SQS call refused) stops the others; the error comes out of drain() or stop().
    this.lanes = Promise.all(Array.from({ length: this.settings.maxConcurrency ?? 5 }, () => this.lane().catch((error) => {
      this.stopped = true;
      throw error;
    })));
    // Handled there, not here: without this, a failure while an execution runs would be an unhandled rejection.
    this.lanes.catch(() => undefined);
  }

  /** Polls (starting if need be) until the queue has neither visible, in-flight nor delayed messages, then stops. */
  async drain(): Promise<void> {
    this.draining = true;
    this.start();
    await this.lanes;
  }

  /** Stops polling as soon as the invocations in progress end, whatever is left in the queue. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.lanes;
  }

  private async lane(): Promise<void> {
    while (!this.stopped) {
      this.stats.sqsRequests += 1;
      const { Messages = [] } = await this.sqs.send(new ReceiveMessageCommand({
        QueueUrl: this.settings.queueUrl,
        MaxNumberOfMessages: Math.min(this.settings.batchSize ?? 10, 10),
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }));
      if (Messages.length > 0) {
        await this.invoke(Messages);
        continue;
      }
      if (this.draining && await this.isEmpty()) return;
      // Messages in flight elsewhere, or waiting out their visibility timeout.
      await sleep(100);
    }
  }

  private async invoke(messages: Message[]): Promise<void> {
    const receivedAt = Date.now();
    this.stats.received += messages.length;
    for (const m of messages) this.stats.receives[m.MessageId!] = (this.stats.receives[m.MessageId!] ?? 0) + 1;
    const event: SQSEvent = { Records: messages.map((m) => this.record(m)) };
    let failedIds: Set<string>;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.lambda.invoke(this.settings.functionName, event) as SQSBatchResponse | null;
        this.stats.invocations += 1;
        failedIds = new Set(this.settings.reportBatchItemFailures ? (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier) : []);
        break;
      } catch (error) {
        if (isThrottle(error)) {
          this.stats.throttles += 1;
          // Lambda retries a throttled batch with back-off until the messages' visibility timeout runs out, then drops
          // it: the messages come back and count a receive (https://docs.aws.amazon.com/lambda/latest/operatorguide/sqs-retries.html).
          const delay = Math.min(THROTTLE_BACKOFF_BASE_MS * 2 ** attempt, THROTTLE_BACKOFF_MAX_MS);
          if (Date.now() + delay < receivedAt + await this.visibilityTimeout()) {
            await sleep(delay);
            continue;
          }
          this.stats.throttledRecords += messages.length;
        } else {
          this.stats.invocations += 1;
          this.recordError(error);
        }
        // A function error fails the whole batch, as on Lambda.
        failedIds = new Set(messages.map((m) => m.MessageId!));
        break;
      }
    }
    this.stats.failedRecords += failedIds.size;
    const succeeded = messages.filter((m) => !failedIds.has(m.MessageId!));
    if (succeeded.length === 0) return;
    this.stats.sqsRequests += 1;
    const { Successful = [] } = await this.sqs.send(new DeleteMessageBatchCommand({
      QueueUrl: this.settings.queueUrl,
      Entries: succeeded.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
    }));
    // A delete SQS refuses (a receipt handle gone stale while a redelivery was in progress) leaves the message to come back.
    this.stats.deleted += Successful.length;
    for (const { Id } of Successful) this.processedIds.add(succeeded[Number(Id)].MessageId!);
    this.stats.processed = this.processedIds.size;
  }

  /** Counts an error the function (or Lambda) answered a whole batch with, so the run can show it. */
  private recordError(error: unknown): void {
    const e = error as Partial<Error>;
    const name = e.name || 'Error';
    // A function error's message is the Invoke API's JSON; its errorMessage is what the worker said.
    let message = e.message ?? String(error);
    try {
      message = JSON.parse(message).errorMessage ?? message;
    } catch {
      // A message that is not JSON is shown as it is.
    }
    const entry = this.stats.errors[name] ??= { count: 0, message };
    entry.count += 1;
  }

  private visibilityTimeout(): Promise<number> {
    this.visibilityTimeoutMs ??= (async () => {
      this.stats.sqsRequests += 1;
      const { Attributes = {} } = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: this.settings.queueUrl, AttributeNames: ['VisibilityTimeout'] }));
      return Number(Attributes.VisibilityTimeout ?? 30) * 1000;
    })();
    return this.visibilityTimeoutMs;
  }

  private async isEmpty(): Promise<boolean> {
    this.stats.sqsRequests += 1;
    return queueIsEmpty(this.sqs, this.settings.queueUrl);
  }

  private record(message: Message): SQSRecord {
    return {
      messageId: message.MessageId!,
      receiptHandle: message.ReceiptHandle!,
      body: message.Body ?? '',
      attributes: message.Attributes as unknown as SQSRecord['attributes'],
      messageAttributes: Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, {
        stringValue: value.StringValue, dataType: value.DataType!, stringListValues: [], binaryListValues: [],
      }])),
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.settings.queueArn,
      awsRegion: LOCAL_REGION,
    };
  }
}

const MESSAGE_COUNTS = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;

/** Whether the queue holds no message: none visible, in flight or delayed. */
export async function queueIsEmpty(sqs: SQSClient, queueUrl: string): Promise<boolean> {
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...MESSAGE_COUNTS] }));
  return MESSAGE_COUNTS.every((name) => Number(Attributes[name] ?? 0) === 0);
}

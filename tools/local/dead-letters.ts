import { ChangeMessageVisibilityBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';

/** A chunk of a job found in a dead-letter queue: the body the splitter published, `{ jobId, chunkIndex, items }`. */
export interface DeadLetteredChunk {
  readonly messageId: string;
  readonly jobId: string;
  readonly chunkIndex: number;
  /** The number of items in the chunk. */
  readonly items: number;
}

/** What a dead-letter queue holds, read without removing anything. */
export interface DeadLetters {
  /** Messages read, each counted once. */
  readonly messages: number;
  /** The messages that are chunks of a job. */
  readonly chunks: readonly DeadLetteredChunk[];
  /** Messages whose body is not a chunk: what they held is unknown, each counts as one item. */
  readonly unknownMessages: number;
  /**
   * Messages the queue counts but the read did not see: in a FIFO queue, a message group stays locked
   * while a message of it is in flight, so a read that leaves the messages in place sees the first of each group.
   */
  readonly unread: number;
  /** The items of the chunks, plus one per unknown message. */
  readonly items: number;
}

/** How long the read holds the messages it received, in seconds; it makes them visible again as soon as it is done. */
const HOLD_SECONDS = 60;

/** The chunk a message body holds, or undefined when it is not `{ jobId: string, chunkIndex: integer, items: [...] }`. */
export function chunkOf(messageId: string, body: string | undefined): DeadLetteredChunk | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return undefined;
  }
  const { jobId, chunkIndex, items } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof jobId !== 'string' || !Number.isInteger(chunkIndex) || !Array.isArray(items)) return undefined;
  return { messageId, jobId, chunkIndex: chunkIndex as number, items: items.length };
}

/**
 * Reads every message of a (dead-letter) queue and leaves them there: receives until each message the
 * queue counts has been seen (deduplicated by message id) or a receive returns none, holding what it
 * received invisible meanwhile so that the next receive returns others, then makes them all visible
 * again (ChangeMessageVisibility to 0). Each message's receive count goes up by one, as any read of
 * an SQS queue does; a dead-letter queue has no redrive policy of its own that this could trigger.
 */
export async function readDeadLetters(sqs: SQSClient, queueUrl: string): Promise<DeadLetters> {
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  const expected = Number(Attributes.ApproximateNumberOfMessages ?? 0);
  const seen = new Map<string, Message>();
  try {
    while (seen.size < expected) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
        QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: HOLD_SECONDS, WaitTimeSeconds: 0,
      }));
      if (Messages.length === 0) break;
      for (const message of Messages) seen.set(message.MessageId!, message);
    }
  } finally {
    await release(sqs, queueUrl, [...seen.values()]);
  }
  return deadLettersOf([...seen.values()].map((m) => ({ messageId: m.MessageId!, body: m.Body })), expected);
}

/**
 * Reads every message of a fauxqs queue through fauxqs's own inspection endpoint (`GET /_fauxqs/queues/<name>`),
 * which neither receives nor hides them: for what the SQS API cannot read without removing (see {@link DeadLetters.unread}).
 */
export async function inspectDeadLetters(endpoint: string, queueName: string): Promise<DeadLetters> {
  const response = await fetch(`${endpoint}/_fauxqs/queues/${encodeURIComponent(queueName)}`);
  if (!response.ok) throw new Error(`fauxqs could not inspect queue ${queueName}: HTTP ${response.status}`);
  type Inspected = { messageId: string; body: string };
  const { messages } = await response.json() as { messages: { ready: Inspected[]; delayed: Inspected[]; inflight: { message: Inspected }[] } };
  const all = [...messages.ready, ...messages.delayed, ...messages.inflight.map((entry) => entry.message)];
  return deadLettersOf(all, all.length);
}

function deadLettersOf(messages: readonly { messageId: string; body?: string }[], expected: number): DeadLetters {
  const chunks = messages.flatMap((m) => chunkOf(m.messageId, m.body) ?? []);
  const unknownMessages = messages.length - chunks.length;
  return {
    messages: messages.length,
    chunks,
    unknownMessages,
    unread: Math.max(0, expected - messages.length),
    items: chunks.reduce((sum, c) => sum + c.items, 0) + unknownMessages,
  };
}

/** Makes the messages visible again, ten per request (the batch limit). */
async function release(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    await sqs.send(new ChangeMessageVisibilityBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })),
    }));
  }
}

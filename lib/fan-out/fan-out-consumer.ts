import { Duration, Names, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { workerDeadLetters } from '../core/runbook';
import { createDeadLetterAlarm, createDeadLetterQueue, DEAD_LETTER_RETENTION } from '../core/dead-letters';
import { FunctionMetricsBase } from '../core/function-metrics';
import { entryCode } from '../core/handler-code';
import { createHandlerFunction } from '../core/handler-function';
import { knownReservedConcurrency, knownTimeoutSeconds } from '../core/known-settings';
import { PropValidator } from '../core/validation';
import { AlarmTopic } from '../core/alarm-topic';
import { IdempotencyTable } from '../storage/idempotency-table';
import { JobTable } from '../storage/job-table';
import { ResultTable } from '../storage/result-table';

/** How one consumer of a {@link FanOut} receives and processes the topic's messages. */
export interface FanOutConsumerOptions {
  /** The worker function. Give this or `entry`. @default - a function built from `entry` */
  readonly function?: lambda.IFunction;
  /** TypeScript entry file of the worker (export `handler`), bundled with esbuild into a Node.js 24 function. @default - `function` is used */
  readonly entry?: string;
  /**
   * Timeout of the worker built from `entry`; for a `function`, its own timeout is used.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Reserved concurrency of the worker built from `entry`: the most batches processed at once,
   * and capacity other functions cannot take.
   * @default 10
   */
  readonly reservedConcurrency?: number;
  /** Memory of the worker built from `entry`, in MiB. @default 256 */
  readonly memorySize?: number;
  /** Extra environment variables of the worker built from `entry`. @default - none */
  readonly environment?: Record<string, string>;
  /** SNS filter policy on message attributes: only matching messages reach this consumer. @default - every message */
  readonly filterPolicy?: { [attribute: string]: sns.SubscriptionFilter };
  /** Records per worker invocation. @default 10 */
  readonly batchSize?: number;
  /** How long the poller gathers records before invoking. Required for a batch size over 10. @default - none */
  readonly maxBatchingWindow?: Duration;
  /**
   * Most concurrent invocations the event source makes, 2..1000; at most the worker's reserved concurrency,
   * so the poller never receives batches no instance can take.
   * @default - the worker's reserved concurrency when it is known and at least 2, else as many as Lambda allows
   */
  readonly maxConcurrency?: number;
  /**
   * How long a received message stays invisible. At least 6 × the worker timeout, as AWS advises for Lambda event sources.
   * @default 6 × the worker timeout
   */
  readonly visibilityTimeout?: Duration;
  /** Receives before a message moves to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
}

/** Properties for a {@link FanOutConsumer}. */
export interface FanOutConsumerProps extends FanOutConsumerOptions {
  /** The topic the consumer's queue subscribes to. */
  readonly topic: sns.ITopic;
  /** Whether topic and queues are FIFO. @default false */
  readonly fifo?: boolean;
  /** Where the dead-letter alarm notifies. */
  readonly alarmTopic: AlarmTopic;
  /** Table the worker writes results to: `RESULT_TABLE_NAME`, write access. @default - none */
  readonly resultTable?: ResultTable;
  /** Table of idempotency records: `IDEMPOTENCY_TABLE_NAME`, read-write access. @default - none */
  readonly idempotencyTable?: IdempotencyTable;
  /**
   * Table the worker records each chunk's outcome in (`ChunkWorker` of the './handlers' entry does):
   * `JOB_TABLE_NAME` and `MAX_RECEIVE_COUNT` (so the last receive of a failing chunk is counted as dead-lettered),
   * `JobTable.grantRecordOutcomes` on the table. Set on a `function` too when it is a `lambda.Function`; an imported
   * one gets the grant, and its environment is yours to set.
   * @default - none: the worker records nothing
   */
  readonly jobTable?: JobTable;
  /** How long a message may wait in the queue. The dead-letter queue keeps messages 14 days, longer than this. @default Duration.days(4) */
  readonly retentionPeriod?: Duration;
  /** Log retention of a built worker. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
}

const MAX_VISIBILITY = Duration.hours(12);
const DEFAULT_WORKER_RESERVED_CONCURRENCY = 10;
/** What Lambda gives a function without a timeout, assumed for an imported worker. */
const LAMBDA_DEFAULT_TIMEOUT_SECONDS = 3;

/**
 * One consumer of a fan-out: an encrypted, SSL-only SQS queue subscribed to the
 * topic with raw delivery, its own dead-letter queue with an alarm, and a worker
 * Lambda fed by the queue with partial batch responses.
 *
 * Its metrics (`metricErrors`, `metricThrottles`, `metricDuration`) are the worker's; the queue's and the
 * dead-letter queue's have their own methods.
 */
export class FanOutConsumer extends FunctionMetricsBase {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly worker: lambda.IFunction;
  readonly eventSource: eventSources.SqsEventSource;
  /** In ALARM while the dead-letter queue holds any message. */
  readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: FanOutConsumerProps) {
    super(scope, id);
    const workerTimeout = props.function
      ? Duration.seconds(knownTimeoutSeconds(props.function) ?? LAMBDA_DEFAULT_TIMEOUT_SECONDS)
      : props.timeout ?? Duration.seconds(30);
    const visibilityTimeout = props.visibilityTimeout ?? Duration.seconds(Math.min(workerTimeout.toSeconds() * 6, MAX_VISIBILITY.toSeconds()));
    const retentionPeriod = props.retentionPeriod ?? Duration.days(4);
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    const batchSize = props.batchSize ?? 10;
    const reservedConcurrency = props.function
      ? knownReservedConcurrency(props.function)
      : props.reservedConcurrency ?? DEFAULT_WORKER_RESERVED_CONCURRENCY;
    const maxConcurrency = props.maxConcurrency
      ?? (reservedConcurrency !== undefined && reservedConcurrency >= 2 ? Math.min(reservedConcurrency, 1000) : undefined);
    validateConsumer(this, props, { workerTimeout, visibilityTimeout, retentionPeriod, maxReceiveCount, batchSize, reservedConcurrency, maxConcurrency });

    this.deadLetterQueue = createDeadLetterQueue(this, 'DeadLetterQueue', `${this.node.path}/Queue and its subscription`, { fifo: props.fifo });
    this.queue = new sqs.Queue(this, 'Queue', {
      fifo: props.fifo || undefined,
      contentBasedDeduplication: props.fifo || undefined,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout,
      retentionPeriod,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
    // A message SNS cannot deliver to the queue lands in the same dead-letter queue, under the same alarm.
    props.topic.addSubscription(new subscriptions.SqsSubscription(this.queue, {
      rawMessageDelivery: true,
      filterPolicy: props.filterPolicy,
      deadLetterQueue: this.deadLetterQueue,
    }));

    this.worker = props.function ?? createHandlerFunction(this, 'Worker', {
      code: entryCode(props.entry!),
      timeout: workerTimeout,
      memorySize: props.memorySize ?? 256,
      logRetention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      reservedConcurrency: reservedConcurrency!,
      environment: {
        ...props.resultTable && { RESULT_TABLE_NAME: props.resultTable.tableName, RESULT_TABLE_KEY: props.resultTable.partitionKeyName },
        ...props.idempotencyTable && { IDEMPOTENCY_TABLE_NAME: props.idempotencyTable.tableName },
        ...props.jobTable && jobTableEnvironment(props.jobTable, maxReceiveCount),
        ...props.environment,
      },
      invokedBy: `the SQS event source of ${this.queue.node.path}, whose redrive policy moves failed messages to its own dead-letter queue`,
    });
    if (props.resultTable) props.resultTable.grantWriteData(this.worker);
    if (props.idempotencyTable) props.idempotencyTable.grantReadWriteData(this.worker);
    if (props.jobTable) {
      props.jobTable.grantRecordOutcomes(this.worker);
      // By shape, not instanceof: the app's aws-cdk-lib may be another copy than the one this library resolves.
      const worker = props.function as Partial<Pick<lambda.Function, 'addEnvironment'>> | undefined;
      if (typeof worker?.addEnvironment === 'function') {
        for (const [name, value] of Object.entries(jobTableEnvironment(props.jobTable, maxReceiveCount))) worker.addEnvironment(name, value);
      }
    }

    this.eventSource = new eventSources.SqsEventSource(this.queue, {
      batchSize,
      maxBatchingWindow: props.maxBatchingWindow,
      maxConcurrency,
      reportBatchItemFailures: true,
    });
    this.worker.addEventSource(this.eventSource);

    this.deadLetterAlarm = createDeadLetterAlarm(this, 'DeadLetterAlarm', this.deadLetterQueue,
      workerDeadLetters(this.node.path, maxReceiveCount));
    props.alarmTopic.notifyOn(this.deadLetterAlarm);

    const mapping = this.worker.node.tryFindChild(`SqsEventSource:${Names.nodeUniqueId(this.queue.node)}`);
    if (mapping) {
      Validations.of(mapping).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason: 'SQS event source mappings support no on-failure destination; failed messages go to the queue\'s dead-letter queue through its redrive policy.',
      });
    }
  }

  protected get measuredFunction(): lambda.IFunction {
    return this.worker;
  }

  /** Lets `grantee` send messages straight to the consumer's queue, besides those the topic delivers. */
  grantSendMessages(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grantSendMessages(grantee);
  }

  /**
   * The age of the oldest message waiting in the queue: how far the worker is behind.
   * @default - maximum over 5 minutes
   */
  metricApproximateAgeOfOldestMessage(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateAgeOfOldestMessage(props);
  }

  /**
   * The messages waiting in the queue for the worker.
   * @default - maximum over 5 minutes
   */
  metricApproximateNumberOfMessagesVisible(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateNumberOfMessagesVisible(props);
  }

  /**
   * The messages in the dead-letter queue: those the worker failed `maxReceiveCount` times and those SNS could not
   * deliver to the queue. `deadLetterAlarm` watches this metric (its maximum over 1 minute).
   * @default - maximum over 5 minutes
   */
  metricDeadLetteredMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible(props);
  }
}

/** What a worker needs to record its chunks' outcomes: where, and which receive is a message's last. */
function jobTableEnvironment(jobTable: JobTable, maxReceiveCount: number): Record<string, string> {
  return { JOB_TABLE_NAME: jobTable.tableName, MAX_RECEIVE_COUNT: String(maxReceiveCount) };
}

interface ConsumerSettings {
  readonly workerTimeout: Duration;
  readonly visibilityTimeout: Duration;
  readonly retentionPeriod: Duration;
  readonly maxReceiveCount: number;
  readonly batchSize: number;
  readonly reservedConcurrency?: number;
  readonly maxConcurrency?: number;
}

/** The consumer's rules, including the cross-checks between queue, event source and function that AWS only reports at deploy or run time. */
function validateConsumer(consumer: IConstruct, props: FanOutConsumerProps, s: ConsumerSettings): void {
  const v = new PropValidator('FanOutConsumer', consumer);
  v.exactlyOne('function', props.function, 'entry', props.entry);
  v.existingFile('entry', props.entry);
  v.wholeSecondsInRange('timeout', props.timeout, Duration.seconds(1), Duration.minutes(15));
  v.wholeSecondsInRange('visibilityTimeout', s.visibilityTimeout, Duration.seconds(0), MAX_VISIBILITY);
  if (!s.visibilityTimeout.isUnresolved() && !s.workerTimeout.isUnresolved()) {
    v.check(
      s.visibilityTimeout.toSeconds() >= 6 * s.workerTimeout.toSeconds(),
      `visibilityTimeout must be at least 6 × the worker timeout, ${6 * s.workerTimeout.toSeconds()} seconds (got ${s.visibilityTimeout.toHumanString()}); `
      + 'a shorter one lets a message become visible again while a throttled or slow batch still holds it',
    );
  }
  v.wholeSecondsInRange('retentionPeriod', s.retentionPeriod, Duration.minutes(1), Duration.days(14));
  v.check(
    s.retentionPeriod.isUnresolved() || s.retentionPeriod.toSeconds() < DEAD_LETTER_RETENTION.toSeconds(),
    `retentionPeriod must be shorter than the dead-letter queue's ${DEAD_LETTER_RETENTION.toHumanString()}, or messages could expire there before anyone reads them (got ${s.retentionPeriod.toHumanString()})`,
  );
  v.integerInRange('maxReceiveCount', s.maxReceiveCount, 1, 1000);
  // The event source's own rules are aws-cdk-lib's SqsEventSource's, which says them well at synth: batchSize 1..10
  // (1..10,000 with maxBatchingWindow), no batching window on FIFO queues, maxConcurrency 2..1000. Checked here
  // only what it leaves to deploy time: whole numbers, and a window of whole seconds (its toSeconds() would throw
  // an error that names no prop).
  for (const [prop, value] of [['batchSize', s.batchSize], ['maxConcurrency', props.maxConcurrency]] as const) {
    v.check(value === undefined || Token.isUnresolved(value) || Number.isInteger(value), `${prop} must be a whole number (got ${value})`);
  }
  v.wholeSecondsInRange('maxBatchingWindow', props.maxBatchingWindow, Duration.seconds(0), Duration.minutes(5));
  v.check(props.function === undefined || props.reservedConcurrency === undefined,
    'reservedConcurrency applies to a worker built from entry; set it on the function itself');
  // 0 would disable the worker: every message would end in the dead-letter queue.
  v.integerInRange('reservedConcurrency', props.reservedConcurrency, 1, 1000);
  const reserved = s.reservedConcurrency;
  v.check(
    s.maxConcurrency === undefined || reserved === undefined || s.maxConcurrency <= reserved,
    `maxConcurrency must not exceed the worker's reserved concurrency (got ${s.maxConcurrency} > ${reserved}); `
    + 'the poller would receive messages no instance can take, and they would return only after the visibility timeout',
  );
  v.throwIfAny();
}

import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PropValidator } from '../core/validation';
import { AlarmTopic } from '../core/alarm-topic';
import { IdempotencyTable } from '../storage/idempotency-table';
import { JobTable } from '../storage/job-table';
import { ResultTable } from '../storage/result-table';
import { FanOutConsumer, FanOutConsumerOptions } from './fan-out-consumer';

/** Properties for a {@link FanOut}. */
export interface FanOutProps {
  /** The consumers, by name (the name becomes the consumer's construct id). At least one. */
  readonly consumers: Record<string, FanOutConsumerOptions>;
  /**
   * FIFO topic and queues: ordered per message group, de-duplicated within 5 minutes.
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * Topic the dead-letter alarms notify.
   * @default - a new {@link AlarmTopic}, with `alarmEmail` subscribed
   */
  readonly alarmTopic?: AlarmTopic;
  /**
   * Address e-mailed when a dead-letter alarm fires. Only with a new alarm topic.
   * @default - no e-mail subscription
   */
  readonly alarmEmail?: string;
  /** Table the workers write results to. @default - none */
  readonly resultTable?: ResultTable;
  /** Table of the workers' idempotency records. @default - none */
  readonly idempotencyTable?: IdempotencyTable;
  /**
   * Table of the jobs' accounts: the splitter opens a job there, each worker records its chunks' outcomes,
   * and `FanOutJobWorkflow` waits on it until every item is accounted for.
   * @default - a new {@link JobTable}
   */
  readonly jobTable?: JobTable;
  /** How long a message may wait in a consumer queue. @default Duration.days(4) */
  readonly retentionPeriod?: Duration;
  /** Log retention of built workers. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * SNS → SQS → Lambda fan-out: a KMS-encrypted, SSL-only topic; per consumer a
 * queue with its own dead-letter queue and alarm, and a worker with partial
 * batch responses. Failures end in a dead-letter queue and an alarm, never nowhere.
 */
export class FanOut extends Construct {
  readonly topic: sns.Topic;
  readonly topicKey: kms.Key;
  readonly alarmTopic: AlarmTopic;
  readonly consumers: Record<string, FanOutConsumer>;
  /** Where the splitter and the workers account for each job's items. */
  readonly jobTable: JobTable;

  constructor(scope: Construct, id: string, props: FanOutProps) {
    super(scope, id);
    const v = new PropValidator('FanOut', this);
    const names = Object.keys(props.consumers);
    v.check(names.length > 0, 'consumers must name at least one consumer (got none)');
    v.check(!(props.alarmTopic && props.alarmEmail), 'give either alarmTopic or alarmEmail, not both (subscribe the e-mail to your alarm topic instead)');
    v.throwIfAny();

    this.topicKey = new kms.Key(this, 'TopicKey', { enableKeyRotation: true, description: `Encrypts the fan-out topic ${this.node.path}` });
    this.topic = new sns.Topic(this, 'Topic', {
      masterKey: this.topicKey,
      enforceSSL: true,
      fifo: props.fifo || undefined,
      contentBasedDeduplication: props.fifo || undefined,
    });
    this.alarmTopic = props.alarmTopic ?? new AlarmTopic(this, 'Alarms', { email: props.alarmEmail });
    this.jobTable = props.jobTable ?? new JobTable(this, 'Jobs');
    this.consumers = Object.fromEntries(names.map((name) => [name, new FanOutConsumer(this, name, {
      ...props.consumers[name],
      topic: this.topic,
      fifo: props.fifo,
      alarmTopic: this.alarmTopic,
      resultTable: props.resultTable,
      idempotencyTable: props.idempotencyTable,
      jobTable: this.jobTable,
      retentionPeriod: props.retentionPeriod,
      logRetention: props.logRetention,
    })]));
  }

  /** Lets `grantee` publish to the topic (and use its key for that). */
  grantPublish(grantee: iam.IGrantable): iam.Grant {
    return this.topic.grantPublish(grantee);
  }
}

import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** How long a dead-letter queue keeps messages: SQS's maximum, longer than any source queue's. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * An encrypted, SSL-only queue that keeps messages 14 days, for what `owner`
 * could not deliver or process. The findings that a dead-letter queue has no
 * dead-letter queue of its own are acknowledged on it.
 */
export function createDeadLetterQueue(scope: Construct, id: string, owner: string, options: { fifo?: boolean } = {}): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    fifo: options.fifo || undefined,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: DEAD_LETTER_RETENTION,
  });
  const reason = `This queue is the dead-letter queue of ${owner}; a dead-letter queue of its own would only move the problem.`;
  Validations.of(queue).acknowledge(
    { id: 'AwsSolutions-SQS3', reason },
    { id: 'Serverless-SQSRedrivePolicy', reason },
  );
  return queue;
}

/** An alarm in ALARM while `queue` holds any visible message, checked every minute. */
export function createDeadLetterAlarm(scope: Construct, id: string, queue: sqs.IQueue, alarmDescription: string): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription,
  });
}

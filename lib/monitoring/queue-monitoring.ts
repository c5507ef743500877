import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ABOVE } from './alarm-factory';
import { labelled, MonitoringSegment, MonitoringSegmentProps } from './monitoring-segment';
import * as runbook from '../core/runbook';

export interface QueueMonitoringProps extends MonitoringSegmentProps {
  readonly queue: sqs.IQueue;
  /**
   * `queue` is a dead-letter queue: one alarm on its depth, no waiting time.
   * @default false
   */
  readonly deadLetter?: boolean;
  /**
   * The source queue's dead-letter queue, alarmed on its depth and graphed beside it.
   * @default - none
   */
  readonly deadLetterQueue?: sqs.IQueue;
  /**
   * The alarm the queue's owner already keeps on `deadLetterQueue`: adopted instead of a second one.
   * @default - a new alarm
   */
  readonly deadLetterAlarm?: cloudwatch.Alarm;
}

/**
 * A source queue alarms when its oldest message is older than `maxMessageAge`, and its dead-letter
 * queue when it holds more than `deadLetterMessages`; a queue that is itself a dead-letter queue only
 * the latter. A row of its messages and their age, or of the dead-lettered messages.
 */
export class QueueMonitoring extends MonitoringSegment {
  constructor(scope: Construct, id: string, props: QueueMonitoringProps) {
    super(scope, id, props);
    const { queue, deadLetterQueue, deadLetterAlarm } = props;
    if (props.deadLetter) {
      this.addDeadLetterAlarm(queue);
      this.addRow(this.graph('dead-lettered messages', [this.visibleMessages(queue).with({ label: 'dead-lettered' })]));
      return;
    }

    const s = this.settings;
    const age = queue.metricApproximateAgeOfOldestMessage({ period: s.period, statistic: cloudwatch.Stats.MAXIMUM });
    const maxAge = s.maxMessageAge;
    this.addAlarm('OldestMessageAge', {
      metric: age, threshold: maxAge.toSeconds(), comparisonOperator: ABOVE, description: runbook.oldestMessageAge(queue.node.path, maxAge),
    });
    const messages = labelled([[this.visibleMessages(queue), 'visible'],
      [queue.metricApproximateNumberOfMessagesNotVisible({ period: s.period, statistic: cloudwatch.Stats.MAXIMUM }), 'in flight']]);
    if (deadLetterQueue) {
      messages.push(this.visibleMessages(deadLetterQueue).with({ label: 'dead-lettered' }));
      if (deadLetterAlarm) this.adoptAlarm(deadLetterAlarm);
      else this.addDeadLetterAlarm(deadLetterQueue, queue.node.path);
    }
    this.addRow(
      this.graph('messages', messages),
      this.graph('oldest message age (s)', [age.with({ label: 'oldest message (s)' })],
        maxAge.isUnresolved() ? undefined : [{ value: maxAge.toSeconds(), label: 'alarm' }]),
    );
  }

  private addDeadLetterAlarm(deadLetterQueue: sqs.IQueue, sourcePath?: string): void {
    const threshold = this.settings.deadLetterMessages;
    this.addAlarm('DeadLetterMessages', {
      metric: this.visibleMessages(deadLetterQueue), threshold, comparisonOperator: ABOVE,
      description: runbook.deadLetterMessages(deadLetterQueue.node.path, threshold, sourcePath),
    });
  }
}

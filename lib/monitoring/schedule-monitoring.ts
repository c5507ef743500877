import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { ABOVE } from './alarm-factory';
import { MonitoringSegment, MonitoringSegmentProps } from './monitoring-segment';
import * as runbook from '../core/runbook';

/** What the recipe reads of a schedule (a `ScheduleTrigger`): its dead-letter queue, and the alarm on it if it has one. */
export interface MonitoredSchedule extends IConstruct {
  readonly deadLetterQueue: sqs.IQueue;
  readonly deadLetterAlarm?: cloudwatch.Alarm;
}

export interface ScheduleMonitoringProps extends MonitoringSegmentProps {
  readonly schedule: MonitoredSchedule;
  /**
   * The runbook text of a new dead-letter alarm, from the schedule's and its queue's paths.
   * @default - {@link runbook.undeliveredScheduledRuns}
   */
  readonly runbookText?: (schedulePath: string, queuePath: string) => string;
}

/** A schedule's dead-letter queue: its own dead-letter alarm when it has one, else a new one; a row of its undelivered runs. */
export class ScheduleMonitoring extends MonitoringSegment {
  constructor(scope: Construct, id: string, props: ScheduleMonitoringProps) {
    super(scope, id, props);
    const { schedule } = props;
    const queue = schedule.deadLetterQueue;
    if (schedule.deadLetterAlarm) {
      this.adoptAlarm(schedule.deadLetterAlarm);
    } else {
      this.addAlarm('DeadLetterMessages', {
        metric: this.visibleMessages(queue), threshold: this.settings.deadLetterMessages, comparisonOperator: ABOVE,
        description: (props.runbookText ?? runbook.undeliveredScheduledRuns)(schedule.node.path, queue.node.path),
      });
    }
    this.addRow(this.graph('undelivered runs', [this.visibleMessages(queue).with({ label: 'dead-lettered' })]));
  }
}

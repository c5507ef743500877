import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { FunctionMonitoring } from './function-monitoring';
import { MonitoringSegment, MonitoringSegmentProps } from './monitoring-segment';
import { QueueMonitoring } from './queue-monitoring';
import { QUEUE_WORKER_ERRORS } from '../core/runbook';

/** What the recipe reads of a fan-out consumer (a `FanOutConsumer`): its worker, its queue, and its dead-letter queue and alarm. */
export interface MonitoredFanOutConsumer {
  readonly worker: lambda.IFunction;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly deadLetterAlarm: cloudwatch.Alarm;
}

/** What the recipe reads of a fan-out (a `FanOut`): its consumers by name. */
export interface MonitoredFanOut extends IConstruct {
  readonly consumers: Readonly<Record<string, MonitoredFanOutConsumer>>;
}

export interface FanOutMonitoringProps extends MonitoringSegmentProps {
  readonly fanOut: MonitoredFanOut;
}

/**
 * Every consumer of a fan-out: its worker's errors and throttles, its queue's oldest message, and its
 * dead-letter queue through the consumer's own dead-letter alarm (adopted, not duplicated); a row for
 * the worker and one for the queue.
 */
export class FanOutMonitoring extends MonitoringSegment {
  constructor(scope: Construct, id: string, props: FanOutMonitoringProps) {
    super(scope, id, props);
    const { alarmFactory, settings } = props;
    for (const [name, consumer] of Object.entries(props.fanOut.consumers)) {
      const consumerScope = new Construct(this, name);
      this.include(new FunctionMonitoring(consumerScope, 'Worker', {
        alarmFactory, settings, label: `${this.label}${name} worker`, fn: consumer.worker, errorConsequence: QUEUE_WORKER_ERRORS,
      }));
      this.include(new QueueMonitoring(consumerScope, 'Queue', {
        alarmFactory, settings, label: `${this.label}${name} queue`,
        queue: consumer.queue, deadLetterQueue: consumer.deadLetterQueue, deadLetterAlarm: consumer.deadLetterAlarm,
      }));
    }
  }
}

import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { FunctionMonitoring } from './function-monitoring';
import { MonitoringSegment, MonitoringSegmentProps } from './monitoring-segment';
import { undeliveredWarmUpRuns, WARMER_ERRORS } from '../core/runbook';
import { MonitoredSchedule, ScheduleMonitoring } from './schedule-monitoring';

/** What the recipe reads of a warmer (a `LambdaWarmer`): its function and its schedules. */
export interface MonitoredWarmer extends IConstruct {
  readonly function: lambda.IFunction;
  readonly schedules: readonly MonitoredSchedule[];
}

export interface WarmerMonitoringProps extends MonitoringSegmentProps {
  readonly warmer: MonitoredWarmer;
}

/** A warmer's function errors and throttles, and its schedules' dead-letter queues; a row for the function and one per schedule. */
export class WarmerMonitoring extends MonitoringSegment {
  constructor(scope: Construct, id: string, props: WarmerMonitoringProps) {
    super(scope, id, props);
    const { alarmFactory, settings, warmer } = props;
    this.include(new FunctionMonitoring(this, 'Function', {
      alarmFactory, settings, label: `${this.label} function`, fn: warmer.function, errorConsequence: WARMER_ERRORS,
    }));
    for (const schedule of warmer.schedules) {
      this.include(new ScheduleMonitoring(this, schedule.node.id, {
        alarmFactory, settings, label: `${this.label} ${schedule.node.id}`, schedule, runbookText: undeliveredWarmUpRuns,
      }));
    }
  }
}

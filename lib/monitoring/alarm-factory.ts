import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { AlarmTopic } from '../core/alarm-topic';
import { AlarmTiming } from './monitoring-options';

/** The comparison of count alarms (failed executions, errors, throttles, 5XX): the threshold reached sets them off. */
export const AT_LEAST = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
/** The comparison of ages, depths and latency: over the threshold sets them off. */
export const ABOVE = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;

/** What one alarm watches and says; its timing comes from the call's settings. */
export interface AlarmSpec {
  /** The metric, with its period and statistic; unlabelled, or the alarm would become a metric-math alarm. */
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  /** {@link AT_LEAST} for counts, {@link ABOVE} for ages, depths and latency. */
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  /** What it means and what to do: a text of the runbook. */
  readonly description: string;
}

/**
 * The one place a monitoring's alarms are made and listed: timing from the settings, missing
 * data not breaching, and both actions on the alarm topic. Every recipe's alarms come from here.
 */
export class AlarmFactory {
  private readonly all: cloudwatch.Alarm[] = [];

  constructor(private readonly topic: AlarmTopic) {}

  /**
   * Every alarm made or adopted, in that order. The same array grows as alarms are added,
   * so the alarm status widget placed first still lists the alarms of later calls.
   */
  get alarms(): readonly cloudwatch.Alarm[] {
    return this.all;
  }

  createAlarm(scope: Construct, id: string, spec: AlarmSpec, timing: Required<AlarmTiming>): cloudwatch.Alarm {
    return this.adopt(new cloudwatch.Alarm(scope, id, {
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparisonOperator,
      evaluationPeriods: timing.evaluationPeriods,
      datapointsToAlarm: timing.datapointsToAlarm,
      // No data means nothing ran, which is no failure: an idle pipeline stays OK.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: spec.description,
    }));
  }

  /** Lists `alarm` and makes it notify the topic on ALARM and OK; a construct's own alarm keeps its timing and any action it had. */
  adopt(alarm: cloudwatch.Alarm): cloudwatch.Alarm {
    this.topic.notifyOn(alarm, { ok: true });
    if (!this.all.includes(alarm)) this.all.push(alarm);
    return alarm;
  }
}

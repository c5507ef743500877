import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmFactory, AlarmSpec } from './alarm-factory';
import { ResolvedSettings } from './monitoring-options';
import { alarmWindow, CountFacts } from '../core/runbook';

/** What the facade gives every recipe. */
export interface MonitoringSegmentProps {
  /** Makes, adopts and lists the monitoring's alarms. */
  readonly alarmFactory: AlarmFactory;
  /** The call's options over the monitoring's defaults over the built-in ones. */
  readonly settings: ResolvedSettings;
  /** Name of the monitored resource in the dashboard's titles. */
  readonly label: string;
}

/** Half the dashboard's width: each resource's row holds two graphs side by side. */
const HALF = cloudwatch.GRID_WIDTH / 2;

/**
 * One recipe's share of a monitoring, as a segment is in cdk-monitoring-constructs: the alarms
 * it made or adopted and its dashboard rows, which the facade adds in order. The segment is the
 * scope of its alarms, so their logical ids read `<monitoring><label><alarm>`.
 */
export abstract class MonitoringSegment extends Construct {
  /** The settings of the call that made this segment. */
  protected readonly settings: ResolvedSettings;
  /** The monitored resource's name in the dashboard's titles. */
  protected readonly label: string;
  private readonly alarmFactory: AlarmFactory;
  private readonly segmentAlarms: cloudwatch.Alarm[] = [];
  private readonly segmentRows: cloudwatch.IWidget[][] = [];

  protected constructor(scope: Construct, id: string, props: MonitoringSegmentProps) {
    super(scope, id);
    this.settings = props.settings;
    this.label = props.label;
    this.alarmFactory = props.alarmFactory;
  }

  /** The alarms made or adopted, in order. */
  get alarms(): readonly cloudwatch.Alarm[] {
    return this.segmentAlarms;
  }

  /** The dashboard rows, top to bottom. */
  get rows(): ReadonlyArray<readonly cloudwatch.IWidget[]> {
    return this.segmentRows;
  }

  /** A new alarm `id` in this segment, with the call's timing. */
  protected addAlarm(id: string, spec: AlarmSpec): cloudwatch.Alarm {
    return this.keep(this.alarmFactory.createAlarm(this, id, spec, this.settings));
  }

  /** A construct's own alarm, listed with this segment's and made to notify the monitoring's topic. */
  protected adoptAlarm(alarm: cloudwatch.Alarm): cloudwatch.Alarm {
    return this.keep(this.alarmFactory.adopt(alarm));
  }

  /** A dashboard row of graphs, each half the dashboard's width. */
  protected addRow(...graphs: cloudwatch.IWidget[]): void {
    this.segmentRows.push(graphs);
  }

  /** The alarms and rows of a recipe this one is made of (a fan-out's workers and queues), after its own so far. */
  protected include(part: MonitoringSegment): void {
    this.segmentAlarms.push(...part.alarms);
    this.segmentRows.push(...part.rows.map((row) => [...row]));
  }

  /** A graph half the dashboard's width. */
  protected graph(title: string, left: cloudwatch.IMetric[], leftAnnotations?: cloudwatch.HorizontalAnnotation[]): cloudwatch.GraphWidget {
    return new cloudwatch.GraphWidget({ title: `${this.label}: ${title}`, width: HALF, left, leftAnnotations });
  }

  /** The metric's sum over each alarm period: counts (failed executions, errors, throttles, 5XX) are alarmed and graphed this way. */
  protected sum(metric: cloudwatch.Metric): cloudwatch.Metric {
    return metric.with({ period: this.settings.period, statistic: cloudwatch.Stats.SUM });
  }

  /** Visible messages (maximum in the period) of a queue; on a dead-letter queue, its depth. */
  protected visibleMessages(queue: sqs.IQueue): cloudwatch.Metric {
    return queue.metricApproximateNumberOfMessagesVisible({ period: this.settings.period, statistic: cloudwatch.Stats.MAXIMUM });
  }

  /** The facts a count alarm's runbook text states: the resource, the threshold and the window. */
  protected countFacts(path: string, threshold: number): CountFacts {
    return { path, threshold, window: alarmWindow(this.settings) };
  }

  private keep(alarm: cloudwatch.Alarm): cloudwatch.Alarm {
    this.segmentAlarms.push(alarm);
    return alarm;
  }
}

/** Labels on graph metrics only: a labelled metric would make an alarm a metric-math alarm. */
export function labelled(metrics: ReadonlyArray<[cloudwatch.Metric, string]>): cloudwatch.Metric[] {
  return metrics.map(([metric, label]) => metric.with({ label }));
}

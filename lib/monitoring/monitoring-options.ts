import { Duration, Token } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { PropValidator } from '../core/validation';
import { IWorkflow } from '../core/workflow';

/** When an alarm goes off: the period its metric is aggregated over, and how many periods must breach. */
export interface AlarmTiming {
  /**
   * Length of one evaluation period, a whole number of minutes (the metrics monitored are published per minute).
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
  /**
   * Number of most recent periods evaluated (the N of "M out of N").
   * @default 1
   */
  readonly evaluationPeriods?: number;
  /**
   * Breaching periods among the evaluated ones that set the alarm off (the M of "M out of N"), at most `evaluationPeriods`.
   * @default - `evaluationPeriods`: every evaluated period must breach
   */
  readonly datapointsToAlarm?: number;
}

/** Alarm thresholds of a Step Functions workflow, in executions per period. */
export interface WorkflowAlarmThresholds {
  /** Failed executions (`ExecutionsFailed`) in a period that set the alarm off. @default 1 */
  readonly failedExecutions?: number;
  /** Timed-out executions (`ExecutionsTimedOut`) in a period that set the alarm off. @default 1 */
  readonly timedOutExecutions?: number;
  /** Throttled state transitions (`ExecutionThrottled`) in a period that set the alarm off. @default 1 */
  readonly throttledExecutions?: number;
  /**
   * Aborted executions (`ExecutionsAborted`) in a period that set the alarm off.
   * @default - no alarm: an abort is usually someone stopping a run on purpose
   */
  readonly abortedExecutions?: number;
}

/** Alarm thresholds of a Lambda function, in invocations per period. */
export interface FunctionAlarmThresholds {
  /** Invocations that ended in an error (`Errors`) in a period that set the alarm off. @default 1 */
  readonly functionErrors?: number;
  /** Invocations refused for lack of concurrency (`Throttles`) in a period that set the alarm off. @default 1 */
  readonly functionThrottles?: number;
}

/** Alarm thresholds of an SQS queue and its dead-letter queue. */
export interface QueueAlarmThresholds {
  /**
   * Age of the oldest message (`ApproximateAgeOfOldestMessage`, maximum) above which a source queue alarms: work is waiting too long.
   * @default Duration.minutes(15)
   */
  readonly maxMessageAge?: Duration;
  /**
   * Visible messages (`ApproximateNumberOfMessagesVisible`, maximum) above which a dead-letter queue alarms.
   * @default 0 - any dead-lettered message
   */
  readonly deadLetterMessages?: number;
}

/** Alarm thresholds of a REST API stage. */
export interface ApiAlarmThresholds {
  /** Requests answered with a 5XX (`5XXError`) in a period that set the alarm off. @default 1 */
  readonly serverErrors?: number;
  /**
   * 99th percentile of `Latency` above which the API alarms.
   * @default - no latency alarm
   */
  readonly latencyP99?: Duration;
}

/** Timing and thresholds of every alarm kind, as `PipelineMonitoring` applies them unless a `monitor*` call overrides them. */
export interface MonitoringDefaults extends AlarmTiming, WorkflowAlarmThresholds, FunctionAlarmThresholds, QueueAlarmThresholds, ApiAlarmThresholds {}

/** Options every `monitor*` call takes. */
export interface MonitorOptions {
  /**
   * Name of the monitored resource on the dashboard and in the ids of its alarms; unique within this monitoring.
   * @default - its construct path within its stack, without separators (e.g. `WorkWords`)
   */
  readonly label?: string;
}

/** Options of `PipelineMonitoring.monitorWorkflow`. */
export interface WorkflowMonitoringOptions extends MonitorOptions, AlarmTiming, WorkflowAlarmThresholds {}

/** Options of `PipelineMonitoring.monitorFunction`. */
export interface FunctionMonitoringOptions extends MonitorOptions, AlarmTiming, FunctionAlarmThresholds {}

/** Options of `PipelineMonitoring.monitorQueue`. */
export interface QueueMonitoringOptions extends MonitorOptions, AlarmTiming, QueueAlarmThresholds {
  /**
   * The queue is a dead-letter queue: it alarms on any message in it (`deadLetterMessages`), not on waiting time.
   * @default false
   */
  readonly deadLetter?: boolean;
  /**
   * The queue's dead-letter queue, alarmed on any message and graphed beside it. Not with `deadLetter`.
   * @default - none
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/** Options of `PipelineMonitoring.monitorFanOut`, applied to every consumer. */
export interface FanOutMonitoringOptions extends MonitorOptions, AlarmTiming, FunctionAlarmThresholds, Pick<QueueAlarmThresholds, 'maxMessageAge'> {}

/** Options of `PipelineMonitoring.monitorSchedule`. */
export interface ScheduleMonitoringOptions extends MonitorOptions, AlarmTiming, Pick<QueueAlarmThresholds, 'deadLetterMessages'> {}

/** Options of `PipelineMonitoring.monitorApi`. */
export interface ApiMonitoringOptions extends MonitorOptions, AlarmTiming, ApiAlarmThresholds {}

/** Options of `PipelineMonitoring.monitorWarmer`. */
export interface WarmerMonitoringOptions extends MonitorOptions, AlarmTiming, FunctionAlarmThresholds, Pick<QueueAlarmThresholds, 'deadLetterMessages'> {}

/** A workflow the monitoring understands: the library's workflows or any state machine. */
export type MonitoredWorkflow = IWorkflow | sfn.IStateMachine;

/** Every setting with its value once the built-in defaults, the monitoring's defaults and a call's options are merged. */
export interface ResolvedSettings extends Required<Omit<MonitoringDefaults, 'abortedExecutions' | 'latencyP99'>> {
  readonly abortedExecutions?: number;
  readonly latencyP99?: Duration;
}

/** The built-in defaults, documented with `@default` on each setting above. */
export const BUILT_IN_DEFAULTS = {
  period: Duration.minutes(5),
  evaluationPeriods: 1,
  failedExecutions: 1,
  timedOutExecutions: 1,
  throttledExecutions: 1,
  functionErrors: 1,
  functionThrottles: 1,
  maxMessageAge: Duration.minutes(15),
  deadLetterMessages: 0,
  serverErrors: 1,
} as const;

/** Merges `layers` over the built-in defaults; an undefined value leaves the layer below in place. */
export function resolveSettings(...layers: readonly MonitoringDefaults[]): ResolvedSettings {
  const merged: Record<string, unknown> = { ...BUILT_IN_DEFAULTS };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) if (value !== undefined) merged[key] = value;
  }
  const settings = merged as unknown as Omit<ResolvedSettings, 'datapointsToAlarm'> & { datapointsToAlarm?: number };
  return { ...settings, datapointsToAlarm: settings.datapointsToAlarm ?? settings.evaluationPeriods };
}

const COUNT_THRESHOLDS = ['failedExecutions', 'timedOutExecutions', 'throttledExecutions', 'abortedExecutions', 'functionErrors', 'functionThrottles', 'serverErrors'] as const;
const ONE_HOUR = Duration.hours(1).toSeconds();
const ONE_DAY = Duration.days(1).toSeconds();
const SEVEN_DAYS = Duration.days(7).toSeconds();

/**
 * Checks the settings one caller gave (`prefix` names where they came from, e.g. `defaults.`),
 * and the cross-rules on what they resolve to.
 */
export function validateSettings(v: PropValidator, prefix: string, given: MonitoringDefaults, resolved: ResolvedSettings): void {
  for (const key of COUNT_THRESHOLDS) positiveInteger(v, `${prefix}${key}`, given[key]);
  positiveInteger(v, `${prefix}evaluationPeriods`, given.evaluationPeriods);
  positiveInteger(v, `${prefix}datapointsToAlarm`, given.datapointsToAlarm);
  const dlq = given.deadLetterMessages;
  v.check(dlq === undefined || Token.isUnresolved(dlq) || (Number.isInteger(dlq) && dlq >= 0),
    `${prefix}deadLetterMessages must be an integer ≥ 0 (got ${dlq})`);
  v.wholeMinutes(`${prefix}period`, given.period);
  if (given.maxMessageAge !== undefined && !given.maxMessageAge.isUnresolved()) {
    const seconds = given.maxMessageAge.toSeconds({ integral: false });
    v.check(seconds >= 60 && seconds <= 14 * ONE_DAY, `${prefix}maxMessageAge must be between 1 minute and 14 days, SQS's longest retention (got ${given.maxMessageAge.toHumanString()})`);
  }
  if (given.latencyP99 !== undefined && !given.latencyP99.isUnresolved()) {
    v.check(given.latencyP99.toMilliseconds() > 0, `${prefix}latencyP99 must be longer than 0 ms (got ${given.latencyP99.toHumanString()})`);
  }

  const { evaluationPeriods, datapointsToAlarm, period } = resolved;
  if ([evaluationPeriods, datapointsToAlarm].some((n) => Token.isUnresolved(n) || !Number.isInteger(n) || n < 1) || period.isUnresolved()) return;
  v.check(datapointsToAlarm <= evaluationPeriods,
    `${prefix}datapointsToAlarm must not exceed evaluationPeriods (got ${datapointsToAlarm} > ${evaluationPeriods})`);
  const range = period.toSeconds({ integral: false }) * evaluationPeriods;
  const limit = period.toSeconds({ integral: false }) < ONE_HOUR ? ONE_DAY : SEVEN_DAYS;
  v.check(range <= limit,
    `${prefix}period × evaluationPeriods must not exceed ${limit === ONE_DAY ? '1 day for periods under an hour' : '7 days'}, CloudWatch's longest evaluation range `
    + `(got ${period.toHumanString()} × ${evaluationPeriods})`);
}

function positiveInteger(v: PropValidator, prop: string, value: number | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  v.check(Number.isInteger(value) && value >= 1, `${prop} must be a positive integer (got ${value})`);
}

import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { AlarmTopic } from '../core/alarm-topic';
import { PropValidator } from '../core/validation';
// Types only: the recipes read these constructs' fields, so monitoring loads none of their modules.
import type { FanOut } from '../fan-out/fan-out';
import type { ApiTrigger } from '../triggers/api-trigger';
import type { ScheduleTrigger } from '../triggers/schedule-trigger';
import type { LambdaWarmer } from '../warm/lambda-warmer';
import { AlarmFactory } from './alarm-factory';
import { AllAlarmsWidget } from './all-alarms-widget';
import { ApiMonitoring } from './api-monitoring';
import { FanOutMonitoring } from './fan-out-monitoring';
import { FunctionMonitoring } from './function-monitoring';
import {
  ApiMonitoringOptions, FanOutMonitoringOptions, FunctionMonitoringOptions, MonitoredWorkflow, MonitoringDefaults, MonitorOptions,
  QueueMonitoringOptions, resolveSettings, ScheduleMonitoringOptions, validateSettings, WarmerMonitoringOptions, WorkflowMonitoringOptions,
} from './monitoring-options';
import { MonitoringSegment, MonitoringSegmentProps } from './monitoring-segment';
import { QueueMonitoring } from './queue-monitoring';
import { ScheduleMonitoring } from './schedule-monitoring';
import { WarmerMonitoring } from './warmer-monitoring';
import { WorkflowMonitoring } from './workflow-monitoring';

/** Properties for a {@link PipelineMonitoring}. */
export interface PipelineMonitoringProps {
  /**
   * Topic every alarm notifies, when it goes into ALARM and when it returns to OK.
   * @default - a new {@link AlarmTopic}, with `alarmEmail` subscribed
   */
  readonly alarmTopic?: AlarmTopic;
  /**
   * Address e-mailed on every alarm and recovery. Only with a new alarm topic.
   * @default - no e-mail subscription (a warning says the alarms reach nobody until someone subscribes)
   */
  readonly alarmEmail?: string;
  /**
   * Name of the CloudWatch dashboard: letters, digits, `-` and `_`.
   * @default - a name CloudFormation generates, so two stacks never collide
   */
  readonly dashboardName?: string;
  /**
   * Timing and thresholds of every alarm, unless a `monitor*` call overrides them.
   * @default - the defaults documented on each setting of {@link MonitoringDefaults}
   */
  readonly defaults?: MonitoringDefaults;
}

const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * Alarms and a dashboard for a pipeline, in the way of cdk-monitoring-constructs' facade:
 * one method per thing monitored, each handing the thing to its recipe (`WorkflowMonitoring`,
 * `FunctionMonitoring`, ...), which makes its alarms and its dashboard row. Every alarm comes
 * from one factory that decides its timing, missing-data treatment and actions, and notifies
 * one {@link AlarmTopic} when it goes into ALARM and when it recovers; its description, from
 * the runbook, says what it means and what to do. The dashboard shows an alarm status widget
 * over all alarms, then the rows of the monitored resources in the order they were added.
 *
 * Alarms have no physical names: CloudFormation's generated names
 * (`<stack>-<logical id>-<suffix>`) stay readable, let an alarm be replaced when
 * its metric changes, and never collide between two deployments of a stack.
 */
export class PipelineMonitoring extends Construct {
  /** The topic every alarm notifies. */
  readonly alarmTopic: AlarmTopic;
  /** The dashboard: all alarms' status, then a row per monitored resource. */
  readonly dashboard: cloudwatch.Dashboard;
  private readonly defaults: MonitoringDefaults;
  private readonly alarmFactory: AlarmFactory;

  constructor(scope: Construct, id: string, props: PipelineMonitoringProps = {}) {
    super(scope, id);
    const v = new PropValidator('PipelineMonitoring', this);
    v.check(!(props.alarmTopic && props.alarmEmail), 'give either alarmTopic or alarmEmail, not both (subscribe the e-mail to your alarm topic instead)');
    const name = props.dashboardName;
    v.check(name === undefined || Token.isUnresolved(name) || DASHBOARD_NAME.test(name),
      `dashboardName must be 1..255 letters, digits, '-' or '_' (got '${name}')`);
    this.defaults = props.defaults ?? {};
    validateSettings(v, 'defaults.', this.defaults, resolveSettings(this.defaults));
    v.throwIfAny();

    this.alarmTopic = props.alarmTopic ?? new AlarmTopic(this, 'Alarms', { email: props.alarmEmail });
    if (!props.alarmTopic && !props.alarmEmail) {
      Annotations.of(this).addWarningV2('@sdp/monitoring:no-subscriber',
        'The new alarm topic has no subscription, so the alarms notify nobody: give alarmEmail, or subscribe to alarmTopic.topic.');
    }
    this.alarmFactory = new AlarmFactory(this.alarmTopic);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: name });
    this.dashboard.addWidgets(new AllAlarmsWidget(this.alarmFactory.alarms, 'Alarms'));
  }

  /** Every alarm this monitoring created or adopted, in the order they were added. */
  get alarms(): readonly cloudwatch.Alarm[] {
    return [...this.alarmFactory.alarms];
  }

  /**
   * Alarms on a workflow's failed, timed-out and throttled executions (and aborted ones with
   * `abortedExecutions`); a dashboard row of its executions and their duration.
   */
  monitorWorkflow(workflow: MonitoredWorkflow, options: WorkflowMonitoringOptions = {}): cloudwatch.Alarm[] {
    const { id, props } = this.begin('monitorWorkflow', workflow, options);
    return this.addSegment(new WorkflowMonitoring(this, id, { ...props, workflow }));
  }

  /** Alarms on a function's errors and throttles; a dashboard row of its invocations and duration. */
  monitorFunction(fn: lambda.IFunction, options: FunctionMonitoringOptions = {}): cloudwatch.Alarm[] {
    const { id, props } = this.begin('monitorFunction', fn, options);
    return this.addSegment(new FunctionMonitoring(this, id, { ...props, fn }));
  }

  /**
   * A source queue alarms when its oldest message is older than `maxMessageAge`; a dead-letter
   * queue (`deadLetter`, or the `deadLetterQueue` given) when it holds more than `deadLetterMessages`.
   */
  monitorQueue(queue: sqs.IQueue, options: QueueMonitoringOptions = {}): cloudwatch.Alarm[] {
    const { deadLetter, deadLetterQueue, ...rest } = options;
    const { id, props } = this.begin('monitorQueue', queue, rest, (v) => {
      v.check(!(deadLetter && deadLetterQueue), 'monitorQueue: give deadLetter or deadLetterQueue, not both (a dead-letter queue has no dead-letter queue of its own)');
    });
    return this.addSegment(new QueueMonitoring(this, id, { ...props, queue, deadLetter, deadLetterQueue }));
  }

  /**
   * Every consumer of a fan-out: its worker's errors and throttles, its queue's oldest message,
   * and its dead-letter queue through the consumer's own dead-letter alarm (adopted, not duplicated).
   */
  monitorFanOut(fanOut: FanOut, options: FanOutMonitoringOptions = {}): cloudwatch.Alarm[] {
    const { id, props } = this.begin('monitorFanOut', fanOut, options);
    return this.addSegment(new FanOutMonitoring(this, id, { ...props, fanOut }));
  }

  /** A schedule's dead-letter queue: its own dead-letter alarm when it has one, else a new one. */
  monitorSchedule(trigger: ScheduleTrigger, options: ScheduleMonitoringOptions = {}): cloudwatch.Alarm[] {
    const { id, props } = this.begin('monitorSchedule', trigger, options);
    return this.addSegment(new ScheduleMonitoring(this, id, { ...props, schedule: trigger }));
  }

  /** Alarms on an API's 5XX answers (and p99 latency with `latencyP99`); a dashboard row of its requests and latency. */
  monitorApi(api: ApiTrigger, options: ApiMonitoringOptions = {}): cloudwatch.Alarm[] {
    const { id, props } = this.begin('monitorApi', api, options);
    return this.addSegment(new ApiMonitoring(this, id, { ...props, api }));
  }

  /** A warmer's function errors and throttles, and its schedules' dead-letter queues. */
  monitorWarmer(warmer: LambdaWarmer, options: WarmerMonitoringOptions = {}): cloudwatch.Alarm[] {
    const { id, props } = this.begin('monitorWarmer', warmer, options);
    return this.addSegment(new WarmerMonitoring(this, id, { ...props, warmer }));
  }

  /**
   * Validates one call's options and merges them over the defaults: the recipe's construct id (its
   * label, unique in this monitoring) and what every recipe is given.
   */
  private begin(method: string, target: IConstruct, options: MonitorOptions & MonitoringDefaults, extra?: (v: PropValidator) => void): { id: string; props: MonitoringSegmentProps } {
    const { label: given, ...settings } = options;
    const label = given ?? defaultLabel(target);
    const s = resolveSettings(this.defaults, settings);
    const v = new PropValidator('PipelineMonitoring', this);
    v.check(/^[A-Za-z0-9][A-Za-z0-9 _-]*$/.test(label), `${method}: label must start with a letter or digit and hold only letters, digits, spaces, '-' and '_' (got '${label}')`);
    v.check(this.node.tryFindChild(label) === undefined,
      `${method}: label '${label}' (of ${target.node.path}) is already in use in this monitoring; each monitored resource needs a label of its own`);
    validateSettings(v, `${method}: `, settings, s);
    extra?.(v);
    v.throwIfAny();
    return { id: label, props: { alarmFactory: this.alarmFactory, settings: s, label } };
  }

  /** Puts a recipe's rows on the dashboard, in order; its alarms are what the `monitor*` call returns. */
  private addSegment(segment: MonitoringSegment): cloudwatch.Alarm[] {
    for (const row of segment.rows) this.dashboard.addWidgets(...row);
    return [...segment.alarms];
  }
}

/** The construct's path below its stack, without separators: `Work/Words` → `WorkWords`. */
function defaultLabel(target: IConstruct): string {
  const scopes = target.node.scopes;
  const stackIndex = scopes.findIndex((c) => Stack.isStack(c));
  return scopes.slice(stackIndex + 1).map((c) => c.node.id).join('').replace(/[^A-Za-z0-9]/g, '') || 'Resource';
}

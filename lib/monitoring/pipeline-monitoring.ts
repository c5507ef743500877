import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { FanOut } from '../fan-out/fan-out';
import { functionResource } from '../core/known-settings';
import { PropValidator } from '../core/validation';
import { isWorkflow, IWorkflow } from '../core/workflow';
import { ApiTrigger } from '../triggers/api-trigger';
import { ScheduleTrigger } from '../triggers/schedule-trigger';
import { LambdaWarmer } from '../warm/lambda-warmer';
import { AlarmTopic } from '../core/alarm-topic';
import { AllAlarmsWidget } from './all-alarms-widget';
import {
  AlarmTiming, ApiAlarmThresholds, FunctionAlarmThresholds, MonitoringDefaults, QueueAlarmThresholds,
  ResolvedSettings, resolveSettings, validateSettings, WorkflowAlarmThresholds,
} from './monitoring-options';


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

/** Options every `monitor*` call takes. */
export interface MonitorOptions {
  /**
   * Name of the monitored resource on the dashboard and in the ids of its alarms; unique within this monitoring.
   * @default - its construct path within its stack, without separators (e.g. `WorkWords`)
   */
  readonly label?: string;
}

/** Options of {@link PipelineMonitoring.monitorWorkflow}. */
export interface WorkflowMonitoringOptions extends MonitorOptions, AlarmTiming, WorkflowAlarmThresholds {}

/** Options of {@link PipelineMonitoring.monitorFunction}. */
export interface FunctionMonitoringOptions extends MonitorOptions, AlarmTiming, FunctionAlarmThresholds {}

/** Options of {@link PipelineMonitoring.monitorQueue}. */
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

/** Options of {@link PipelineMonitoring.monitorFanOut}, applied to every consumer. */
export interface FanOutMonitoringOptions extends MonitorOptions, AlarmTiming, FunctionAlarmThresholds, Pick<QueueAlarmThresholds, 'maxMessageAge'> {}

/** Options of {@link PipelineMonitoring.monitorSchedule}. */
export interface ScheduleMonitoringOptions extends MonitorOptions, AlarmTiming, Pick<QueueAlarmThresholds, 'deadLetterMessages'> {}

/** Options of {@link PipelineMonitoring.monitorApi}. */
export interface ApiMonitoringOptions extends MonitorOptions, AlarmTiming, ApiAlarmThresholds {}

/** Options of {@link PipelineMonitoring.monitorWarmer}. */
export interface WarmerMonitoringOptions extends MonitorOptions, AlarmTiming, FunctionAlarmThresholds, Pick<QueueAlarmThresholds, 'deadLetterMessages'> {}

/** A workflow the monitoring understands: the library's workflows or any state machine. */
export type MonitoredWorkflow = IWorkflow | sfn.IStateMachine;

const GE = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
const HALF = cloudwatch.GRID_WIDTH / 2;
const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * Alarms and a dashboard for a pipeline, in the spirit of cdk-monitoring-constructs:
 * one method per thing monitored, every alarm built by one factory that decides
 * its timing, missing-data treatment and actions. Every alarm notifies one
 * {@link AlarmTopic} when it goes into ALARM and when it recovers, and its
 * description says what it means and what to do. The dashboard shows an alarm
 * status widget over all alarms, then one row of graphs per monitored resource.
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
  private readonly allAlarms: cloudwatch.Alarm[] = [];

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
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: name });
    this.dashboard.addWidgets(new AllAlarmsWidget(this.allAlarms, 'Alarms'));
  }

  /** Every alarm this monitoring created or adopted, in the order they were added. */
  get alarms(): readonly cloudwatch.Alarm[] {
    return [...this.allAlarms];
  }

  /**
   * Alarms on a workflow's failed, timed-out and throttled executions (and aborted ones with
   * `abortedExecutions`); a dashboard row of its executions and their duration.
   */
  monitorWorkflow(workflow: MonitoredWorkflow, options: WorkflowMonitoringOptions = {}): cloudwatch.Alarm[] {
    const stateMachine = isWorkflow(workflow) ? workflow.stateMachine : workflow;
    const { scope, label, s } = this.begin('monitorWorkflow', workflow, options);
    const path = workflow.node.path;
    const sum = summed(s);
    const failed = sum(stateMachine.metricFailed());
    const timedOut = sum(stateMachine.metricTimedOut());
    const throttled = sum(stateMachine.metricThrottled());
    const aborted = sum(stateMachine.metricAborted());
    const recorded = isWorkflow(workflow) && workflow.failureRecord ? ` ${workflow.failureRecord}` : '';
    const alarms = [
      this.createAlarm(scope, 'ExecutionsFailed', failed, s.failedExecutions, GE, s,
        `${s.failedExecutions}+ executions of the state machine ${path} failed ${within(s)}. `
        + 'Find them in the Step Functions console (filter Failed) or with `aws stepfunctions list-executions --status-filter FAILED --state-machine-arn <arn>`, '
        + `then run \`npx sdp trace <execution arn>\` to see which state failed, with its error and cause.${recorded}`),
      this.createAlarm(scope, 'ExecutionsTimedOut', timedOut, s.timedOutExecutions, GE, s,
        `${s.timedOutExecutions}+ executions of ${path} ran past the workflow timeout and were stopped ${within(s)}. `
        + '`npx sdp trace <execution arn>` shows the state still running at the end; make that task faster, raise its timeout or the workflow timeout, or split the input.'),
      this.createAlarm(scope, 'ExecutionThrottled', throttled, s.throttledExecutions, GE, s,
        `Step Functions throttled ${s.throttledExecutions}+ state transitions of ${path} ${within(s)}: the account's state-transition quota in this region is used up, so runs slow down. `
        + 'Check Step Functions quotas in the Service Quotas console, lower Map maxConcurrency, or request a higher quota.'),
    ];
    if (s.abortedExecutions !== undefined) {
      alarms.push(this.createAlarm(scope, 'ExecutionsAborted', aborted, s.abortedExecutions, GE, s,
        `${s.abortedExecutions}+ executions of ${path} were stopped with StopExecution ${within(s)}. If nobody meant to, CloudTrail's StopExecution events name who did; `
        + 'run the job again with `npx sdp start <state machine> --input <file.json> --name <job id>`.'));
    }
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `${label}: executions`,
        width: HALF,
        left: labelled([[sum(stateMachine.metricStarted()), 'started'], [sum(stateMachine.metricSucceeded()), 'succeeded'],
          [failed, 'failed'], [timedOut, 'timed out'], [aborted, 'aborted'], [throttled, 'throttled']]),
      }),
      new cloudwatch.GraphWidget({
        title: `${label}: execution time`,
        width: HALF,
        left: ['p50', 'p99', 'Maximum'].map((statistic) => stateMachine.metricTime({ period: s.period, statistic, label: statistic })),
      }),
    );
    return alarms;
  }

  /** Alarms on a function's errors and throttles; a dashboard row of its invocations and duration. */
  monitorFunction(fn: lambda.IFunction, options: FunctionMonitoringOptions = {}): cloudwatch.Alarm[] {
    const { scope, label, s } = this.begin('monitorFunction', fn, options);
    return this.functionAlarms(scope, label, fn, s, '');
  }

  /**
   * A source queue alarms when its oldest message is older than `maxMessageAge`; a dead-letter
   * queue (`deadLetter`, or the `deadLetterQueue` given) when it holds more than `deadLetterMessages`.
   */
  monitorQueue(queue: sqs.IQueue, options: QueueMonitoringOptions = {}): cloudwatch.Alarm[] {
    const { deadLetter, deadLetterQueue, ...rest } = options;
    const { scope, label, s } = this.begin('monitorQueue', queue, rest, (v) => {
      v.check(!(deadLetter && deadLetterQueue), 'monitorQueue: give deadLetter or deadLetterQueue, not both (a dead-letter queue has no dead-letter queue of its own)');
    });
    return deadLetter
      ? this.deadLetterQueueAlarms(scope, label, queue, s)
      : this.queueAlarms(scope, label, queue, s, deadLetterQueue);
  }

  /**
   * Every consumer of a fan-out: its worker's errors and throttles, its queue's oldest message,
   * and its dead-letter queue through the consumer's own dead-letter alarm (adopted, not duplicated).
   */
  monitorFanOut(fanOut: FanOut, options: FanOutMonitoringOptions = {}): cloudwatch.Alarm[] {
    const { scope, label, s } = this.begin('monitorFanOut', fanOut, options);
    return Object.entries(fanOut.consumers).flatMap(([name, consumer]) => {
      const consumerScope = new Construct(scope, name);
      return [
        ...this.functionAlarms(new Construct(consumerScope, 'Worker'), `${label}${name} worker`, consumer.worker, s, 'Failed records return to the queue and, after maxReceiveCount receives, go to its dead-letter queue. '),
        ...this.queueAlarms(new Construct(consumerScope, 'Queue'), `${label}${name} queue`, consumer.queue, s, consumer.deadLetterQueue, consumer.deadLetterAlarm),
      ];
    });
  }

  /** A schedule's dead-letter queue: its own dead-letter alarm when it has one, else a new one. */
  monitorSchedule(trigger: ScheduleTrigger, options: ScheduleMonitoringOptions = {}): cloudwatch.Alarm[] {
    const { scope, label, s } = this.begin('monitorSchedule', trigger, options);
    return this.scheduleAlarms(scope, label, trigger, s);
  }

  /** Alarms on an API's 5XX answers (and p99 latency with `latencyP99`); a dashboard row of its requests and latency. */
  monitorApi(api: ApiTrigger, options: ApiMonitoringOptions = {}): cloudwatch.Alarm[] {
    const { scope, label, s } = this.begin('monitorApi', api, options);
    const stage = api.stage;
    const sum = summed(s);
    const serverErrors = sum(stage.metricServerError());
    const alarms = [
      this.createAlarm(scope, 'ServerErrors', serverErrors, s.serverErrors, GE, s,
        `${s.serverErrors}+ requests to the API ${api.node.path} were answered with a 5XX ${within(s)}: Step Functions failed the call or could not be reached. `
        + 'The answer body { error, message, requestId } names the error; find the requestId in the stage\'s execution log group '
        + '(API-Gateway-Execution-Logs_<rest api id>/<stage>) and follow its X-Ray trace.'),
    ];
    const latency = (statistic: string) => stage.metricLatency({ period: s.period, statistic });
    if (s.latencyP99 !== undefined) {
      alarms.push(this.createAlarm(scope, 'LatencyP99', latency('p99'), s.latencyP99.toMilliseconds(), GT, s,
        `The 99th percentile latency of ${api.node.path} was over ${s.latencyP99.toHumanString()}. Compare it with IntegrationLatency on the dashboard and open slow requests' X-Ray traces `
        + 'to see whether API Gateway or Step Functions took the time; a synchronous Express workflow answers only when it ends.'));
    }
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `${label}: requests`,
        width: HALF,
        left: labelled([[sum(stage.metricCount()), 'requests'], [sum(stage.metricClientError()), '4XX'], [serverErrors, '5XX']]),
      }),
      new cloudwatch.GraphWidget({
        title: `${label}: latency (ms)`,
        width: HALF,
        left: labelled([[latency('p50'), 'p50'], [latency('p99'), 'p99'], [stage.metricIntegrationLatency({ period: s.period, statistic: 'p99' }), 'integration p99']]),
      }),
    );
    return alarms;
  }

  /** A warmer's function errors and throttles, and its schedules' dead-letter queues. */
  monitorWarmer(warmer: LambdaWarmer, options: WarmerMonitoringOptions = {}): cloudwatch.Alarm[] {
    const { scope, label, s } = this.begin('monitorWarmer', warmer, options);
    return [
      ...this.functionAlarms(new Construct(scope, 'Function'), `${label} function`, warmer.function, s,
        'A warm-up run that fails leaves its targets to start cold until the next run. A target that did not answer is logged and counted in the run\'s result, not an error of the warmer: watch the targets\' Throttles. '),
      ...warmer.schedules.flatMap((schedule) => this.scheduleAlarms(new Construct(scope, schedule.node.id), `${label} ${schedule.node.id}`, schedule, s)),
    ];
  }

  /** Validates one call's options, merges them over the defaults, and gives the call its own scope and label. */
  private begin(method: string, target: IConstruct, options: MonitorOptions & MonitoringDefaults, extra?: (v: PropValidator) => void): { scope: Construct; label: string; s: ResolvedSettings } {
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
    return { scope: new Construct(this, label), label, s };
  }

  private functionAlarms(scope: Construct, label: string, fn: lambda.IFunction, s: ResolvedSettings, consequence: string): cloudwatch.Alarm[] {
    const sum = summed(s);
    const errors = sum(fn.metricErrors());
    const throttles = sum(fn.metricThrottles());
    const path = fn.node.path;
    const alarms = [
      this.createAlarm(scope, 'Errors', errors, s.functionErrors, GE, s,
        `${s.functionErrors}+ invocations of the function ${path} ended in an error ${within(s)}. ${consequence}`
        + 'Its log group has the error (Logs Insights: filter level = "ERROR"), and its X-Ray traces show the failing call.'),
      this.createAlarm(scope, 'Throttles', throttles, s.functionThrottles, GE, s,
        `${s.functionThrottles}+ invocations of ${path} were throttled ${within(s)}: its reserved concurrency (or the account's unreserved concurrency) was all in use. `
        + 'Callers retry (Step Functions with backoff, SQS after the visibility timeout), so work is late, not lost, unless it persists; '
        + 'raise its reserved concurrency or lower what drives it (Map or event-source maxConcurrency, warm-up concurrency).'),
    ];
    const timeoutSeconds = functionResource(fn)?.timeout;
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `${label}: invocations`,
        width: HALF,
        left: labelled([[sum(fn.metricInvocations()), 'invocations'], [errors, 'errors'], [throttles, 'throttles']]),
      }),
      new cloudwatch.GraphWidget({
        title: `${label}: duration (ms)`,
        width: HALF,
        left: ['p50', 'p99', 'Maximum'].map((statistic) => fn.metricDuration({ period: s.period, statistic, label: statistic })),
        leftAnnotations: typeof timeoutSeconds === 'number' && !Token.isUnresolved(timeoutSeconds) ? [{ value: timeoutSeconds * 1000, label: 'timeout' }] : undefined,
      }),
    );
    return alarms;
  }

  private queueAlarms(scope: Construct, label: string, queue: sqs.IQueue, s: ResolvedSettings, deadLetterQueue?: sqs.IQueue, deadLetterAlarm?: cloudwatch.Alarm): cloudwatch.Alarm[] {
    const age = queue.metricApproximateAgeOfOldestMessage({ period: s.period, statistic: cloudwatch.Stats.MAXIMUM });
    const maxAge = s.maxMessageAge;
    const alarms = [
      this.createAlarm(scope, 'OldestMessageAge', age, maxAge.toSeconds(), GT, s,
        `The oldest message in the queue ${queue.node.path} has waited over ${maxAge.toHumanString()}: its consumer is failing, throttled or too slow for the load. `
        + 'Check the consumer\'s Errors and Throttles on the dashboard, its log group, and that its event source mapping is enabled; messages past the queue\'s retention are lost.'),
    ];
    const left = labelled([[visibleMessages(queue, s), 'visible'],
      [queue.metricApproximateNumberOfMessagesNotVisible({ period: s.period, statistic: cloudwatch.Stats.MAXIMUM }), 'in flight']]);
    if (deadLetterQueue) {
      left.push(visibleMessages(deadLetterQueue, s).with({ label: 'dead-lettered' }));
      alarms.push(deadLetterAlarm ? this.adopt(deadLetterAlarm) : this.deadLetterAlarm(scope, deadLetterQueue, s, `of ${queue.node.path}`));
    }
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: `${label}: messages`, width: HALF, left }),
      new cloudwatch.GraphWidget({
        title: `${label}: oldest message age (s)`,
        width: HALF,
        left: [age.with({ label: 'oldest message (s)' })],
        leftAnnotations: maxAge.isUnresolved() ? undefined : [{ value: maxAge.toSeconds(), label: 'alarm' }],
      }),
    );
    return alarms;
  }

  private deadLetterQueueAlarms(scope: Construct, label: string, queue: sqs.IQueue, s: ResolvedSettings): cloudwatch.Alarm[] {
    const alarm = this.deadLetterAlarm(scope, queue, s, '');
    this.dashboard.addWidgets(new cloudwatch.GraphWidget({
      title: `${label}: dead-lettered messages`,
      width: HALF,
      left: [visibleMessages(queue, s).with({ label: 'dead-lettered' })],
    }));
    return [alarm];
  }

  private scheduleAlarms(scope: Construct, label: string, trigger: ScheduleTrigger, s: ResolvedSettings): cloudwatch.Alarm[] {
    const queue = trigger.deadLetterQueue;
    const alarm = trigger.deadLetterAlarm
      ? this.adopt(trigger.deadLetterAlarm)
      : this.createAlarm(scope, 'DeadLetterMessages', visibleMessages(queue, s), s.deadLetterMessages, GT, s,
        `Scheduled runs of ${trigger.node.path} could not be delivered to their target and are in its dead-letter queue ${queue.node.path}. `
        + 'Each message carries the error (its attributes ERROR_CODE and ERROR_MESSAGE); fix the target or the schedule role\'s permissions, then start the missed runs by hand.');
    this.dashboard.addWidgets(new cloudwatch.GraphWidget({
      title: `${label}: undelivered runs`,
      width: HALF,
      left: [visibleMessages(queue, s).with({ label: 'dead-lettered' })],
    }));
    return [alarm];
  }

  private deadLetterAlarm(scope: Construct, queue: sqs.IQueue, s: ResolvedSettings, owner: string): cloudwatch.Alarm {
    return this.createAlarm(scope, 'DeadLetterMessages', visibleMessages(queue, s), s.deadLetterMessages, GT, s,
      `The dead-letter queue ${queue.node.path}${owner ? ` ${owner}` : ''} holds more than ${s.deadLetterMessages} messages that could not be processed or delivered; it keeps them 14 days at most. `
      + 'Read a few in the SQS console (Send and receive messages, Poll), fix the cause their consumer\'s logs name, '
      + 'then redrive them to the source queue (SQS console: Start DLQ redrive, or `aws sqs start-message-move-task --source-arn <dead-letter queue arn>`).');
  }

  /** The one place alarms are made: timing from the settings, missing data not breaching, and both actions on the topic. */
  private createAlarm(scope: Construct, id: string, metric: cloudwatch.IMetric, threshold: number, comparisonOperator: cloudwatch.ComparisonOperator,
    s: ResolvedSettings, description: string): cloudwatch.Alarm {
    return this.adopt(new cloudwatch.Alarm(scope, id, {
      metric,
      threshold,
      comparisonOperator,
      evaluationPeriods: s.evaluationPeriods,
      datapointsToAlarm: s.datapointsToAlarm,
      // No data means nothing ran, which is no failure: an idle pipeline stays OK.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    }));
  }

  /** Lists `alarm` on the dashboard and makes it notify the topic on ALARM and OK; a construct's own alarm keeps its timing and any action it had. */
  private adopt(alarm: cloudwatch.Alarm): cloudwatch.Alarm {
    this.alarmTopic.notifyOn(alarm, { ok: true });
    if (!this.allAlarms.includes(alarm)) this.allAlarms.push(alarm);
    return alarm;
  }
}

/** When the threshold must be reached, for descriptions: `in 5 minutes`, or `in 2 of 3 periods of 5 minutes`. */
function within(s: ResolvedSettings): string {
  const period = s.period.toHumanString();
  return s.evaluationPeriods === 1 ? `in ${period}` : `in ${s.datapointsToAlarm} of ${s.evaluationPeriods} periods of ${period}`;
}

/** The metric's sum over each alarm period: counts (failed executions, errors, throttles, 5XX) are alarmed and graphed this way. */
function summed(s: ResolvedSettings): (metric: cloudwatch.Metric) => cloudwatch.Metric {
  return (metric) => metric.with({ period: s.period, statistic: cloudwatch.Stats.SUM });
}

/** Labels on graph metrics only: a labelled metric would make an alarm a metric-math alarm. */
function labelled(metrics: ReadonlyArray<[cloudwatch.Metric, string]>): cloudwatch.Metric[] {
  return metrics.map(([metric, label]) => metric.with({ label }));
}

/** Visible messages (maximum in the period) of a queue; on a dead-letter queue, its depth. */
function visibleMessages(queue: sqs.IQueue, s: ResolvedSettings): cloudwatch.Metric {
  return queue.metricApproximateNumberOfMessagesVisible({ period: s.period, statistic: cloudwatch.Stats.MAXIMUM });
}

/** The construct's path below its stack, without separators: `Work/Words` → `WorkWords`. */
function defaultLabel(target: IConstruct): string {
  const scopes = target.node.scopes;
  const stackIndex = scopes.findIndex((c) => Stack.isStack(c));
  return scopes.slice(stackIndex + 1).map((c) => c.node.id).join('').replace(/[^A-Za-z0-9]/g, '') || 'Resource';
}


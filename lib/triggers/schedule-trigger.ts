import { Duration, Stack, TimeZone, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { undeliveredScheduledRuns } from '../core/runbook';
import { createDeadLetterAlarm, createDeadLetterQueue } from '../core/dead-letters';
import { nagArnReference } from '../core/nag-names';
import { cronProblem } from '../core/schedule-expressions';
import { PropValidator } from '../core/validation';
import { AlarmTopic } from '../core/alarm-topic';

/** The EventBridge service that runs a {@link ScheduleTrigger}. */
export enum ScheduleService {
  /** EventBridge Scheduler: time zones, one-time schedules, flexible windows, up to a million schedules per account. */
  SCHEDULER = 'scheduler',
  /**
   * A scheduled rule on the default event bus: UTC only, no one-time schedules or flexible windows.
   * For regions or accounts where Scheduler is not allowed, or to keep schedules with other rules.
   */
  RULE = 'rule',
}

/** Properties for a {@link ScheduleTrigger}. Give one schedule (`rate`, `cron` or `at`) and one target. */
export interface ScheduleTriggerProps {
  /** Which EventBridge service runs the schedule. @default ScheduleService.SCHEDULER */
  readonly service?: ScheduleService;
  /** Run every `rate`: whole minutes, at least one. @default - `cron` or `at` */
  readonly rate?: Duration;
  /**
   * EventBridge Scheduler cron expression, six fields: minutes hours day-of-month month day-of-week year,
   * with `?` in one of the two day fields, e.g. `0/5 9-17 ? * MON-FRI *`.
   * @default - `rate` or `at`
   */
  readonly cron?: string;
  /** Run once, at this time. @default - `rate` or `cron` */
  readonly at?: Date;
  /** IANA time zone `cron` and `at` are read in. @default 'UTC' */
  readonly timeZone?: string;
  /** Let EventBridge start the target anywhere in this window after the scheduled time, to spread load. @default - exactly on time */
  readonly flexibleWindow?: Duration;

  /** Start an execution of this state machine. @default - another target */
  readonly stateMachine?: sfn.IStateMachine;
  /** Invoke this function asynchronously. @default - another target */
  readonly function?: lambda.IFunction;
  /** Publish to this topic. @default - another target */
  readonly topic?: sns.ITopic;
  /** The fixed input every run gets (the execution input, the event, the message). @default - `{}` */
  readonly input?: Record<string, unknown>;

  /** Times EventBridge retries a run the target rejected or throttled. @default 3 */
  readonly retryAttempts?: number;
  /** How long EventBridge keeps retrying one run. @default Duration.hours(1) */
  readonly maxEventAge?: Duration;
  /** Topic the dead-letter alarm notifies. @default - the dead-letter queue has no alarm */
  readonly alarmTopic?: AlarmTopic;
  /** Whether the schedule runs. @default true */
  readonly enabled?: boolean;
}

/**
 * An EventBridge Scheduler schedule (rate, cron or one time, in a time zone,
 * optionally flexible), or a scheduled EventBridge rule, that starts a state
 * machine, invokes a function or publishes to a topic with a fixed input. Runs
 * the target cannot take are retried, then kept in an encrypted dead-letter queue.
 */
export class ScheduleTrigger extends Construct {
  /** The Scheduler schedule; only with `ScheduleService.SCHEDULER`. */
  readonly schedule?: scheduler.Schedule;
  /** The scheduled rule; only with `ScheduleService.RULE`. */
  readonly rule?: events.Rule;
  /** Runs that could not be delivered after the retries. */
  readonly deadLetterQueue: sqs.Queue;
  /** In ALARM while the dead-letter queue holds any run; only with `alarmTopic`. */
  readonly deadLetterAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ScheduleTriggerProps) {
    super(scope, id);
    validateScheduleTriggerProps(this, props);

    this.deadLetterQueue = createDeadLetterQueue(this, 'DeadLetterQueue', `the schedule ${this.node.path}`);

    const service = props.service ?? ScheduleService.SCHEDULER;
    const description = `Runs ${(props.stateMachine ?? props.function ?? props.topic)!.node.path}`;
    if (service === ScheduleService.SCHEDULER) {
      this.schedule = new scheduler.Schedule(this, 'Schedule', {
        schedule: schedulerExpression(props),
        target: this.schedulerTarget(props),
        enabled: props.enabled ?? true,
        timeWindow: props.flexibleWindow ? scheduler.TimeWindow.flexible(props.flexibleWindow) : scheduler.TimeWindow.off(),
        description,
      });
    } else {
      this.rule = new events.Rule(this, 'Rule', {
        schedule: props.rate ? events.Schedule.rate(props.rate) : events.Schedule.expression(`cron(${props.cron})`),
        targets: [this.ruleTarget(props)],
        enabled: props.enabled ?? true,
        description,
      });
    }

    if (props.alarmTopic) {
      this.deadLetterAlarm = createDeadLetterAlarm(this, 'DeadLetterAlarm', this.deadLetterQueue,
        undeliveredScheduledRuns(this.node.path, this.deadLetterQueue.node.path));
      props.alarmTopic.notifyOn(this.deadLetterAlarm);
    }
  }

  /** A role of its own, so its permissions name this trigger's target only. */
  private targetRole(servicePrincipal: string, props: ScheduleTriggerProps): iam.Role {
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal(servicePrincipal, {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `Lets the schedule ${this.node.path} run its target`,
    });
    if (props.topic?.masterKey) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: `kms:GenerateDataKey* on the key of ${props.topic.node.path} only, which publishing to the encrypted topic needs (topic.grantPublish).`,
      });
    }
    return role;
  }

  private schedulerTarget(props: ScheduleTriggerProps): scheduler.IScheduleTarget {
    const targetProps: targets.ScheduleTargetBaseProps = {
      role: this.targetRole('scheduler.amazonaws.com', props),
      input: scheduler.ScheduleTargetInput.fromObject(props.input ?? {}),
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: props.retryAttempts ?? 3,
      maxEventAge: props.maxEventAge ?? Duration.hours(1),
    };
    if (props.stateMachine) return new targets.StepFunctionsStartExecution(props.stateMachine, targetProps);
    if (props.function) {
      const functionArn = nagArnReference(props.function, props.function.functionArn);
      if (functionArn !== undefined) {
        Validations.of(targetProps.role!).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${functionArn}:*]`,
          reason: `lambda:InvokeFunction on ${props.function.node.path} and its versions and aliases (the ':*' the Scheduler Lambda target grants), nothing else.`,
        });
      }
      return new targets.LambdaInvoke(props.function, targetProps);
    }
    return new targets.SnsPublish(props.topic!, targetProps);
  }

  private ruleTarget(props: ScheduleTriggerProps): events.IRuleTarget {
    const input = events.RuleTargetInput.fromObject(props.input ?? {});
    const retryProps: eventTargets.TargetBaseProps = {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: props.retryAttempts ?? 3,
      maxEventAge: props.maxEventAge ?? Duration.hours(1),
    };
    if (props.stateMachine) {
      return new eventTargets.SfnStateMachine(props.stateMachine, { ...retryProps, input, role: this.targetRole('events.amazonaws.com', props) });
    }
    // EventBridge invokes a function through the function's resource policy, which names this rule.
    if (props.function) return new eventTargets.LambdaFunction(props.function, { ...retryProps, event: input });
    return new eventTargets.SnsTopic(props.topic!, { ...retryProps, message: input, role: this.targetRole('events.amazonaws.com', props) });
  }
}

function schedulerExpression(props: ScheduleTriggerProps): scheduler.ScheduleExpression {
  const timeZone = TimeZone.of(props.timeZone ?? 'UTC');
  if (props.rate) return scheduler.ScheduleExpression.rate(props.rate);
  if (props.cron) return scheduler.ScheduleExpression.expression(`cron(${props.cron})`, timeZone);
  return scheduler.ScheduleExpression.at(props.at!, timeZone);
}

function validateScheduleTriggerProps(trigger: IConstruct, props: ScheduleTriggerProps): void {
  const v = new PropValidator('ScheduleTrigger', trigger);
  const schedules = [props.rate, props.cron, props.at].filter((s) => s !== undefined).length;
  v.check(schedules === 1, `give exactly one of rate, cron or at (got ${schedules})`);
  const targetCount = [props.stateMachine, props.function, props.topic].filter((t) => t !== undefined).length;
  v.check(targetCount === 1, `give exactly one target: stateMachine, function or topic (got ${targetCount})`);
  v.wholeMinutes('rate', props.rate);
  if (props.cron !== undefined && !Token.isUnresolved(props.cron)) {
    const problem = cronProblem(props.cron);
    v.check(problem === undefined, `cron '${props.cron}' ${problem}`);
  }
  v.timeZone('timeZone', props.timeZone);
  if (props.service === ScheduleService.RULE) {
    const schedulerOnly = ([['at', props.at], ['flexibleWindow', props.flexibleWindow]] as const).filter(([, value]) => value !== undefined);
    for (const [prop] of schedulerOnly) v.check(false, `${prop} needs ScheduleService.SCHEDULER; EventBridge rules cannot do it`);
    v.check(props.timeZone === undefined || props.timeZone === 'UTC',
      `timeZone must be UTC for ScheduleService.RULE; EventBridge rules run in UTC (got '${props.timeZone}')`);
  }
  v.wholeSecondsInRange('flexibleWindow', props.flexibleWindow, Duration.minutes(1), Duration.minutes(1440));
  v.integerInRange('retryAttempts', props.retryAttempts, 0, 185);
  v.wholeSecondsInRange('maxEventAge', props.maxEventAge, Duration.minutes(1), Duration.hours(24));
  v.throwIfAny();
}

import { randomUUID } from 'node:crypto';
import { AssemblyStack, CfnTemplate, constructPath, resourcesOfType } from '../../assembly/cloud-assembly';
import { IntrinsicResolver, LOCAL_ACCOUNT, LOCAL_REGION } from '../../assembly/intrinsics';
import { BusEvent, inputTransformerOf, RuleTarget, selectPath, targetInput } from '../event-bus/target-input';
import { parseScheduleExpression } from './schedule-expression';

/** One target of a schedule, as the template configures it. */
export interface ScheduleTarget {
  /** The target's ARN (a state machine, function, topic, queue...), resolved to its local name. */
  readonly arn: string;
  /** The target's Id within a rule; undefined for Scheduler, whose schedules have one target. */
  readonly id?: string;
  /**
   * What each run sends, parsed when it is JSON: Scheduler's `Input` or a rule target's `Input`.
   * Undefined when a rule target sends the scheduled event (no Input) or a part of it (`inputPath`).
   */
  readonly input: unknown;
  /** A rule target's `InputPath`: the part of the scheduled event it sends. */
  readonly inputPath?: string;
  /** A rule target's `InputTransformer`: its template filled from the scheduled event. */
  readonly inputTransformer?: RuleTarget['inputTransformer'];
  /** Retries after the first attempt (RetryPolicy.MaximumRetryAttempts; 185 when not set, as on AWS). */
  readonly retryAttempts: number;
  /** How long a run is retried (RetryPolicy.MaximumEventAgeInSeconds; 86,400 when not set, as on AWS). */
  readonly maxEventAgeSeconds: number;
  /** Where runs go when the retries are exhausted; without one AWS drops them. */
  readonly deadLetterQueueArn?: string;
}

/** A schedule of the app, read from its template: an EventBridge Scheduler schedule or a scheduled rule. */
export interface LocalSchedule {
  readonly logicalId: string;
  /** The construct path, e.g. `FanOutExample/Every5Minutes/Schedule`. */
  readonly path: string;
  readonly service: 'scheduler' | 'rule';
  /** The schedule's or the rule's local ARN (what a dead-letter message and a scheduled event name). */
  readonly arn: string;
  /** `rate(...)`, `cron(...)` or `at(...)`. */
  readonly expression: string;
  /** IANA time zone of `cron` and `at`; rules run in UTC. */
  readonly timeZone: string;
  readonly enabled: boolean;
  /** Scheduler's StartDate: no run before it; a rate counts from it. */
  readonly startDate?: Date;
  /** Scheduler's EndDate: no run after it. */
  readonly endDate?: Date;
  /** Scheduler's flexible time window, in minutes; the local run fires at the scheduled time all the same. */
  readonly flexibleWindowMinutes?: number;
  readonly targets: ScheduleTarget[];
  /** What the local run cannot do for this schedule, each naming the property and value; a schedule with any does not run. */
  readonly unsupported: string[];
}

/** Defaults of RetryPolicy on both services: 185 retries within 24 hours. */
const DEFAULT_RETRY_ATTEMPTS = 185;
const DEFAULT_MAX_EVENT_AGE_SECONDS = 86_400;

/** Scheduler target parameters for services the local run has no target for. */
const UNSUPPORTED_SCHEDULER_PARAMETERS = ['EcsParameters', 'EventBridgeParameters', 'KinesisParameters', 'SageMakerPipelineParameters'];

/** The schedules of a stack: its `AWS::Scheduler::Schedule`s and its `AWS::Events::Rule`s that have a ScheduleExpression. */
export function readSchedules(stack: AssemblyStack, resolver: IntrinsicResolver): LocalSchedule[] {
  const { schedules, rules } = scheduleResources(stack.template);
  return [
    ...schedules.map((id) => readable(stack, 'scheduler', id, () => schedulerSchedule(stack, resolver, id))),
    ...rules.map((id) => readable(stack, 'rule', id, () => scheduledRule(stack, resolver, id))),
  ];
}

/** Logical ids of a template's Scheduler schedules and of its rules with a schedule expression, unresolved. */
export function scheduleResources(template: CfnTemplate): { schedules: string[]; rules: string[] } {
  return {
    schedules: resourcesOfType(template, 'AWS::Scheduler::Schedule'),
    rules: resourcesOfType(template, 'AWS::Events::Rule').filter((id) => template.Resources[id].Properties?.ScheduleExpression !== undefined),
  };
}

/** The schedule `read` reads or, when its template names what the local run cannot resolve (e.g. the ARN of an event bus), a schedule that says so and does not run. */
function readable(stack: AssemblyStack, service: LocalSchedule['service'], logicalId: string, read: () => LocalSchedule): LocalSchedule {
  try {
    return read();
  } catch (error) {
    const properties = stack.template.Resources[logicalId].Properties ?? {};
    return {
      logicalId, path: constructPath(stack, logicalId), service, arn: '', expression: String(properties.ScheduleExpression),
      timeZone: 'UTC', enabled: false, targets: [], unsupported: [(error as Error).message],
    };
  }
}

function schedulerSchedule(stack: AssemblyStack, resolver: IntrinsicResolver, logicalId: string): LocalSchedule {
  const properties = resolver.resolve(stack.template.Resources[logicalId].Properties ?? {}) as Record<string, any>;
  const unsupported: string[] = [];
  const target = properties.Target ?? {};
  const arn = String(target.Arn);
  // Universal targets call any AWS API (arn:aws:scheduler:::aws-sdk:service:apiAction); the local run has none of them.
  if (arn.startsWith('arn:aws:scheduler:::aws-sdk:')) unsupported.push(`Target.Arn '${arn}' is a universal target; the local run delivers to templated targets only`);
  for (const name of UNSUPPORTED_SCHEDULER_PARAMETERS) {
    if (target[name] !== undefined) unsupported.push(`Target.${name}: the local run has no ${name.replace(/Parameters$/, '')} target`);
  }
  const name = properties.Name ?? logicalId;
  const schedule: LocalSchedule = {
    logicalId,
    path: constructPath(stack, logicalId),
    service: 'scheduler',
    arn: `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule/${properties.GroupName ?? 'default'}/${name}`,
    expression: String(properties.ScheduleExpression),
    timeZone: normalTimeZone(properties.ScheduleExpressionTimezone),
    enabled: properties.State !== 'DISABLED',
    startDate: properties.StartDate === undefined ? undefined : new Date(properties.StartDate),
    endDate: properties.EndDate === undefined ? undefined : new Date(properties.EndDate),
    flexibleWindowMinutes: properties.FlexibleTimeWindow?.Mode === 'FLEXIBLE' ? Number(properties.FlexibleTimeWindow.MaximumWindowInMinutes) : undefined,
    targets: [{
      arn,
      input: parseInput(target.Input),
      ...retries(target),
    }],
    unsupported,
  };
  checkExpression(schedule);
  return schedule;
}

function scheduledRule(stack: AssemblyStack, resolver: IntrinsicResolver, logicalId: string): LocalSchedule {
  const properties = resolver.resolve(stack.template.Resources[logicalId].Properties ?? {}) as Record<string, any>;
  const unsupported: string[] = [];
  const targets = (properties.Targets ?? []).map((target: Record<string, any>): ScheduleTarget => {
    return {
      arn: String(target.Arn),
      id: target.Id,
      input: parseInput(target.Input),
      inputPath: target.InputPath,
      ...inputTransformerOf(target),
      ...retries(target),
    };
  });
  if (properties.EventBusName !== undefined && properties.EventBusName !== 'default') {
    unsupported.push(`EventBusName '${properties.EventBusName}': scheduled rules run on the default bus only`);
  }
  const schedule: LocalSchedule = {
    logicalId,
    path: constructPath(stack, logicalId),
    service: 'rule',
    arn: `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${properties.Name ?? logicalId}`,
    expression: String(properties.ScheduleExpression),
    // Scheduled rules run in UTC.
    timeZone: 'UTC',
    enabled: properties.State === undefined || properties.State === 'ENABLED',
    targets,
    unsupported,
  };
  checkExpression(schedule);
  return schedule;
}

function checkExpression(schedule: LocalSchedule): void {
  try {
    parseScheduleExpression(schedule.expression, schedule.timeZone);
  } catch (error) {
    schedule.unsupported.push(`ScheduleExpression: ${(error as Error).message}`);
  }
  if (schedule.service === 'rule' && schedule.expression.startsWith('at(')) {
    schedule.unsupported.push(`ScheduleExpression '${schedule.expression}': rules have no one-time schedules`);
  }
}

/** `Etc/UTC`, which the CDK writes by default, and `UTC` are the same zone; logs read better with one name. */
function normalTimeZone(timeZone: unknown): string {
  return timeZone === undefined || timeZone === 'Etc/UTC' ? 'UTC' : String(timeZone);
}

function retries(target: Record<string, any>): Pick<ScheduleTarget, 'retryAttempts' | 'maxEventAgeSeconds' | 'deadLetterQueueArn'> {
  return {
    retryAttempts: Number(target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS),
    maxEventAgeSeconds: Number(target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_EVENT_AGE_SECONDS),
    deadLetterQueueArn: target.DeadLetterConfig?.Arn,
  };
}

/** Input is text; JSON text is what a state machine or a function gets parsed, anything else stays text. */
function parseInput(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}

/** What one run of a schedule sends one target, for one attempt. */
export interface FiringContext {
  /** The scheduled time (virtual time when the local run is sped up). */
  readonly scheduledTime: Date;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** The run's id: the scheduled event's `id` for rules, `<aws.scheduler.execution-id>` for Scheduler. */
  readonly executionId: string;
}

/**
 * What a target receives for one run, as AWS sends it:
 * - a Scheduler target gets its Input as it is, with the context attributes
 *   `<aws.scheduler.schedule-arn>`, `<aws.scheduler.scheduled-time>`, `<aws.scheduler.execution-id>` and
 *   `<aws.scheduler.attempt-number>` replaced (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html);
 * - a rule target gets its Input, or else the scheduled event
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html), or the part of it its InputPath names,
 *   or its InputTransformer's template filled from it.
 */
export function firingInput(schedule: LocalSchedule, target: ScheduleTarget, context: FiringContext): unknown {
  if (schedule.service === 'scheduler') return withContextAttributes(target.input, schedule, context);
  if (target.input !== undefined) return target.input;
  const event = scheduledEvent(schedule, context);
  if (target.inputTransformer !== undefined) {
    const rule = { name: schedule.arn.split('/').pop()!, arn: schedule.arn };
    return parseInput(targetInput({ id: target.id ?? '', arn: target.arn, inputTransformer: target.inputTransformer }, event, rule, awsTime(context.scheduledTime)));
  }
  return target.inputPath === undefined ? event : selectPath(event, target.inputPath);
}

/** The event a scheduled rule sends a target that has no Input. */
export function scheduledEvent(schedule: LocalSchedule, context: FiringContext): BusEvent {
  return {
    version: '0',
    id: context.executionId,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT,
    time: awsTime(context.scheduledTime),
    region: LOCAL_REGION,
    resources: [schedule.arn],
    detail: {},
  };
}

/** A time as EventBridge writes it in events, context attributes and dead-letter attributes: UTC, to the second (2022-03-22T18:59:43Z). */
export function awsTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A new run id, as AWS makes them. */
export function newExecutionId(): string {
  return randomUUID();
}

function withContextAttributes(input: unknown, schedule: LocalSchedule, context: FiringContext): unknown {
  const values: Record<string, string> = {
    '<aws.scheduler.schedule-arn>': schedule.arn,
    '<aws.scheduler.scheduled-time>': awsTime(context.scheduledTime),
    '<aws.scheduler.execution-id>': context.executionId,
    '<aws.scheduler.attempt-number>': String(context.attempt),
  };
  const replace = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(/<aws\.scheduler\.[a-z-]+>/g, (name) => values[name] ?? name);
    if (Array.isArray(value)) return value.map(replace);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replace(v)]));
    return value;
  };
  return replace(input);
}

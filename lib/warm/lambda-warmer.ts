import * as crypto from 'node:crypto';
import { CustomResource, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { MAX_CALLS_PER_RUN, MAX_HOLD_MS, MAX_WARM_CONCURRENCY, WarmTargetInput } from '../../handlers/warm-up';
import { libraryHandlerCode } from '../core/handler-code';
import { createHandlerFunction } from '../core/handler-function';
import { knownReservedConcurrency, knownTimeoutSeconds } from '../core/known-settings';
import { PropValidator } from '../core/validation';
import { AlarmTopic } from '../core/alarm-topic';
import { cronProblem } from '../core/schedule-expressions';
import { ScheduleTrigger } from '../triggers/schedule-trigger';

/** A function the {@link LambdaWarmer} keeps warm. */
export interface WarmTarget {
  /** The function to keep warm; give a Version or an Alias to warm that version or alias. */
  readonly function: lambda.IFunction;
  /**
   * Instances of this target to keep warm in every schedule, instead of the schedule's own number.
   * @default - the schedule's number: `concurrency`, or the window's `concurrency`
   */
  readonly concurrency?: number;
}

/** A time window with its own number of warm instances, such as business hours. */
export interface WarmWindow {
  /**
   * EventBridge Scheduler cron expression of the warm-up runs in this window (six fields),
   * e.g. `0/5 9-17 ? * MON-FRI *` for every 5 minutes during business hours.
   */
  readonly cron: string;
  /** IANA time zone the cron is read in. @default 'UTC' */
  readonly timeZone?: string;
  /** Instances of each target to keep warm in this window. */
  readonly concurrency: number;
}

/** Properties for a {@link LambdaWarmer}. */
export interface LambdaWarmerProps {
  /** The functions, versions or aliases to keep warm; each at most once. */
  readonly targets: WarmTarget[];
  /** How often to warm when no `windows` are given: whole minutes, at least one. @default Duration.minutes(5) */
  readonly rate?: Duration;
  /** Instances of each target to keep warm with the `rate` schedule. @default 1 */
  readonly concurrency?: number;
  /**
   * Schedules with their own number of instances, e.g. 10 during business hours and 1 at night;
   * they replace the `rate` schedule.
   * @default - one schedule every `rate`
   */
  readonly windows?: WarmWindow[];
  /**
   * How long each warm-up call keeps its instance busy (0..5 seconds), so that the
   * overlapping calls cannot share an instance.
   * @default Duration.millis(200)
   */
  readonly hold?: Duration;
  /**
   * Warm the targets once during each deployment that creates or changes them, with
   * each target's largest number of instances, instead of waiting for the next run.
   * @default false
   */
  readonly preWarm?: boolean;
  /** Reserved concurrency of the warmer function; one run needs one instance. @default 2 */
  readonly reservedConcurrency?: number;
  /** Log retention of the warmer function. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Topic the schedules' dead-letter alarms notify. @default - the schedules' dead-letter queues have no alarm */
  readonly alarmTopic?: AlarmTopic;
}

const DEFAULT_HOLD = Duration.millis(200);

/**
 * Keeps Lambda functions warm: EventBridge Scheduler runs a warmer function every
 * 5 minutes (or in windows, each with its own number N), which calls each target
 * N times at once with RequestResponse, so the calls overlap and land on N
 * instances. Each target's handler answers the warm-up event with `withWarmUp`
 * (`handlers/warm-up.ts`) before any business logic. The warmer may invoke
 * its targets and nothing else.
 */
export class LambdaWarmer extends Construct {
  /** The warmer function. */
  readonly function: lambda.Function;
  /** The warm-up schedules: one per window, or one every `rate`. */
  readonly schedules: ScheduleTrigger[];
  /** The custom resource that warms the targets during deployment; only with `preWarm`. */
  readonly preWarm?: CustomResource;

  constructor(scope: Construct, id: string, props: LambdaWarmerProps) {
    super(scope, id);
    validateLambdaWarmerProps(this, props);
    const hold = props.hold ?? DEFAULT_HOLD;

    this.function = createHandlerFunction(this, 'Function', {
      code: libraryHandlerCode('warmer'),
      // The calls of a run last the hold plus, for a cold instance, its start; this leaves room for slow starts.
      timeout: Duration.seconds(30 + Math.ceil(hold.toMilliseconds() / 1000)),
      memorySize: 256,
      reservedConcurrency: props.reservedConcurrency ?? 2,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      invokedBy: 'its schedules',
      noDeadLetterQueueReason: 'The schedules invoke the warmer asynchronously, but a failed warm-up run is not worth keeping: the next run, minutes later, warms the targets again. Its errors show in its log group and Errors metric.',
    });
    for (const target of props.targets) grantInvokeTarget(target.function, this.function);

    const inputFor = (n: number): Record<string, unknown> => ({
      targets: props.targets.map((target) => targetInput(target, n)),
      holdMs: hold.toMilliseconds(),
    });
    this.schedules = props.windows
      ? props.windows.map((window, i) => new ScheduleTrigger(this, `Window${i + 1}`, {
        function: this.function,
        cron: window.cron,
        timeZone: window.timeZone,
        input: inputFor(window.concurrency),
        alarmTopic: props.alarmTopic,
      }))
      : [new ScheduleTrigger(this, 'Schedule', {
        function: this.function,
        rate: props.rate ?? Duration.minutes(5),
        input: inputFor(props.concurrency ?? 1),
        alarmTopic: props.alarmTopic,
      })];

    if (props.preWarm) {
      const stack = Stack.of(this);
      // The warmer itself serves the custom resource: no provider function, no role beyond the warmer's.
      this.preWarm = new CustomResource(this, 'PreWarm', {
        serviceToken: this.function.functionArn,
        resourceType: 'Custom::LambdaPreWarm',
        serviceTimeout: Duration.minutes(5),
        properties: {
          // One JSON string: CloudFormation hands custom resources numbers as strings.
          Input: stack.toJsonString(inputFor(largestScheduleConcurrency(props))),
          // Changes whenever a target's code or configuration does, which is when its instances are replaced.
          Fingerprint: Lazy.string({ produce: () => fingerprint(props.targets.map((t) => t.function)) }),
        },
      });
    }
  }
}

/** The function a Function, Version or Alias runs, and the qualifier to call it with. */
function qualified(fn: lambda.IFunction): { underlying: lambda.IFunction; qualifier?: string } {
  const alias = fn as Partial<lambda.IAlias>;
  if (typeof alias.aliasName === 'string' && alias.version) return { underlying: alias.version.lambda, qualifier: alias.aliasName };
  const version = fn as Partial<lambda.IVersion>;
  if (typeof version.version === 'string' && version.lambda) return { underlying: version.lambda, qualifier: version.version };
  return { underlying: fn };
}

/** One target as the warmer function gets it: the function's ARN, its qualifier, and how many calls. */
function targetInput(target: WarmTarget, scheduleConcurrency: number): WarmTargetInput {
  const { underlying, qualifier } = qualified(target.function);
  return {
    functionName: underlying.functionArn,
    ...qualifier !== undefined && { qualifier },
    concurrency: target.concurrency ?? scheduleConcurrency,
  };
}

/** Invoke permission on exactly what the warmer calls: the unqualified function, or the version or alias. */
function grantInvokeTarget(fn: lambda.IFunction, warmer: lambda.IFunction): void {
  const { qualifier } = qualified(fn);
  // Function.grantInvoke would also allow `<arn>:*`, every version and alias; the warmer only needs the unqualified ARN.
  if (qualifier === undefined) fn.grantInvokeLatestVersion(warmer);
  else fn.grantInvoke(warmer);
}

function largestScheduleConcurrency(props: LambdaWarmerProps): number {
  return props.windows ? Math.max(...props.windows.map((w) => w.concurrency)) : props.concurrency ?? 1;
}

function fingerprint(functions: lambda.IFunction[]): string {
  const hash = crypto.createHash('sha256');
  for (const fn of functions) {
    const { underlying, qualifier } = qualified(fn);
    const cfn = underlying.node.defaultChild;
    const stack = Stack.of(underlying);
    const settings = lambda.CfnFunction.isCfnFunction(cfn)
      ? { code: cfn.code, environment: cfn.environment, memorySize: cfn.memorySize, timeout: cfn.timeout, runtime: cfn.runtime, handler: cfn.handler, layers: cfn.layers, architectures: cfn.architectures }
      : {};
    hash.update(JSON.stringify(stack.resolve({ arn: underlying.functionArn, qualifier, settings })));
  }
  // 64 hex digits, like an asset hash, which it changes with.
  return hash.digest('hex');
}

function validateLambdaWarmerProps(warmer: IConstruct, props: LambdaWarmerProps): void {
  const v = new PropValidator('LambdaWarmer', warmer);
  v.check(props.targets.length > 0, 'targets must name at least one function (got 0)');
  v.check(!(props.rate && props.windows), 'give either rate or windows, not both');
  v.check(!(props.concurrency !== undefined && props.windows), 'concurrency is the number of the rate schedule; with windows, give each window its concurrency');
  v.check(props.windows === undefined || props.windows.length > 0, 'windows must hold at least one window when given (got 0)');
  v.integerInRange('concurrency', props.concurrency, 1, MAX_WARM_CONCURRENCY);
  v.integerInRange('reservedConcurrency', props.reservedConcurrency, 1, 1000);
  v.wholeMinutes('rate', props.rate);
  if (props.hold && !props.hold.isUnresolved()) {
    const ms = props.hold.toMilliseconds();
    v.check(Number.isInteger(ms) && ms >= 0 && ms <= MAX_HOLD_MS, `hold must be 0..${MAX_HOLD_MS} milliseconds (got ${props.hold.toHumanString()})`);
  }
  props.windows?.forEach((window, i) => {
    v.integerInRange(`windows[${i}].concurrency`, window.concurrency, 1, MAX_WARM_CONCURRENCY);
    if (!Token.isUnresolved(window.cron)) {
      const problem = cronProblem(window.cron);
      v.check(problem === undefined, `windows[${i}].cron '${window.cron}' ${problem}`);
    }
  });

  const hold = props.hold ?? DEFAULT_HOLD;
  const holdMs = hold.isUnresolved() ? undefined : hold.toMilliseconds();
  const seen = new Map<string, number>();
  const largest = largestScheduleConcurrency(props);
  props.targets.forEach((target, i) => {
    const name = `targets[${i}] (${target.function.node.path})`;
    v.integerInRange(`targets[${i}].concurrency`, target.concurrency, 1, MAX_WARM_CONCURRENCY);
    const first = seen.get(target.function.functionArn);
    v.check(first === undefined, `${name} repeats targets[${first}]; give each function, version or alias once`);
    seen.set(target.function.functionArn, i);
    const n = target.concurrency ?? largest;
    const timeoutSeconds = knownTimeoutSeconds(target.function);
    v.check(holdMs === undefined || timeoutSeconds === undefined || timeoutSeconds * 1000 > holdMs,
      `${name} times out after ${timeoutSeconds} seconds, before the hold of ${holdMs} ms ends; shorten the hold`);
    const reserved = knownReservedConcurrency(target.function);
    v.check(reserved === undefined || reserved >= n,
      `${name} is warmed with ${n} concurrent calls but its reserved concurrency is ${reserved}; the calls beyond the reserve would be throttled. Lower the warm-up concurrency or raise its reserved concurrency`);
  });
  const callsPerRun = props.targets.reduce((sum, t) => sum + (t.concurrency ?? largest), 0);
  v.check(callsPerRun <= MAX_CALLS_PER_RUN, `the targets are warmed with ${callsPerRun} calls per run; one run sends at most ${MAX_CALLS_PER_RUN}. Split them over several LambdaWarmers`);
  v.throwIfAny();
}

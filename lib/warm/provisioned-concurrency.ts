import { Duration, TimeZone, Token } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { knownReservedConcurrency } from '../core/known-settings';
import { PropValidator } from '../core/validation';
import { AlarmTopic } from '../core/alarm-topic';
import { cronProblem } from '../core/schedule-expressions';
import { provisionedSpillover } from '../core/runbook';

/** Properties for a {@link ProvisionedConcurrency}. */
export interface ProvisionedConcurrencyProps {
  /** The function to keep initialized: its current version is published and given the alias. */
  readonly function: lambda.Function;
  /** Name of the alias callers must invoke; only invocations of the alias use the provisioned instances. @default 'live' */
  readonly aliasName?: string;
  /**
   * Execution environments Lambda keeps initialized for the alias, set again on every deploy.
   * 0 sets none and leaves the capacity to `autoScaling` alone.
   */
  readonly provisionedConcurrency: number;
  /** Application Auto Scaling of the capacity: scheduled windows and utilization tracking. @default - the capacity stays at `provisionedConcurrency` */
  readonly autoScaling?: ProvisionedConcurrencyScaling;
  /** Topic notified when invocations spill over to on-demand (cold) instances. @default - no alarm; build one from `metricProvisionedConcurrencySpilloverInvocations()` */
  readonly alarmTopic?: AlarmTopic;
}

/** Application Auto Scaling of a {@link ProvisionedConcurrency}: the range, scheduled windows and utilization tracking. */
export interface ProvisionedConcurrencyScaling {
  /** Lowest capacity; every window's capacity lies in `[minCapacity, maxCapacity]`. @default - `provisionedConcurrency` */
  readonly minCapacity?: number;
  /** Highest capacity, also the most the function can ever have provisioned. */
  readonly maxCapacity: number;
  /** Scale to keep this fraction (0.1..0.9) of the provisioned instances busy. @default - no utilization tracking */
  readonly utilizationTarget?: number;
  /** Capacity changes at set times, e.g. 10 from 09:00 and 1 from 19:00 on weekdays in Asia/Seoul. @default - no schedules */
  readonly schedules?: ProvisionedConcurrencySchedule[];
}

/** From `cron` on, the capacity stays in `[minCapacity, maxCapacity]` until the next schedule applies. */
export interface ProvisionedConcurrencySchedule {
  /** Name of the scheduled action, unique within the construct, e.g. 'BusinessHours'. */
  readonly name: string;
  /**
   * Application Auto Scaling cron expression, six fields: minutes hours day-of-month month day-of-week year,
   * with `?` in one of the two day fields, e.g. `0 9 ? * MON-FRI *`.
   */
  readonly cron: string;
  /** IANA time zone `cron` is read in. @default 'UTC' */
  readonly timeZone?: string;
  /** Lowest capacity from this time on. */
  readonly minCapacity: number;
  /** Highest capacity from this time on; set it above `minCapacity` to leave room for utilization tracking. @default - `minCapacity`: the capacity is pinned */
  readonly maxCapacity?: number;
}

/**
 * Provisioned concurrency on an alias of a function's current version: that
 * many execution environments stay initialized, so invocations of the alias
 * start without a cold start up to that concurrency. The capacity can follow
 * schedules (business hours in a time zone) and utilization through
 * Application Auto Scaling. Provisioned instances are billed per hour whether
 * invoked or not; invocations beyond them spill over to on-demand instances.
 */
export class ProvisionedConcurrency extends Construct {
  /** The alias to invoke; invocations of `$LATEST` or of the function name get no provisioned instance. */
  readonly alias: lambda.Alias;
  /** The published version the alias points to. */
  readonly version: lambda.IVersion;
  /** The alias's auto scaling, to add schedules or policies to; only with `autoScaling`. */
  readonly autoScaling?: lambda.IScalableFunctionAttribute;
  /** The Application Auto Scaling target of the alias's provisioned concurrency; only with `autoScaling`. */
  readonly scalableTarget?: appscaling.ScalableTarget;
  /** In ALARM while invocations spill over to on-demand instances; only with `alarmTopic`. */
  readonly spilloverAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ProvisionedConcurrencyProps) {
    super(scope, id);
    validateProvisionedConcurrencyProps(this, props);

    this.version = props.function.currentVersion;
    this.alias = new lambda.Alias(this, 'Alias', {
      aliasName: props.aliasName ?? 'live',
      version: this.version,
      // 0 leaves the alias without a configuration, so a deploy never resets what the schedules set.
      provisionedConcurrentExecutions: Token.isUnresolved(props.provisionedConcurrency) || props.provisionedConcurrency > 0 ? props.provisionedConcurrency : undefined,
      description: `Provisioned concurrency of ${this.node.path}`,
    });

    const scaling = props.autoScaling;
    if (scaling) {
      this.autoScaling = this.alias.addAutoScaling({
        minCapacity: scaling.minCapacity ?? props.provisionedConcurrency,
        maxCapacity: scaling.maxCapacity,
      });
      // aws-lambda keeps the target inside the scalable attribute it returns (id 'Target'); handed out for policies of the user's own.
      this.scalableTarget = this.autoScaling.node.tryFindChild('Target') as appscaling.ScalableTarget | undefined;
      if (scaling.utilizationTarget !== undefined) {
        this.autoScaling.scaleOnUtilization({ utilizationTarget: scaling.utilizationTarget });
      }
      for (const schedule of scaling.schedules ?? []) {
        this.autoScaling.scaleOnSchedule(schedule.name, {
          schedule: appscaling.Schedule.expression(`cron(${schedule.cron})`),
          timeZone: TimeZone.of(schedule.timeZone ?? 'UTC'),
          minCapacity: schedule.minCapacity,
          maxCapacity: schedule.maxCapacity ?? schedule.minCapacity,
        });
      }
    }

    if (props.alarmTopic) {
      this.spilloverAlarm = this.metricProvisionedConcurrencySpilloverInvocations().createAlarm(this, 'SpilloverAlarm', {
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: provisionedSpillover(this.node.path),
      });
      props.alarmTopic.notifyOn(this.spilloverAlarm);
    }
  }

  /** Invocations of the alias served by on-demand instances because every provisioned instance was busy (sum). */
  metricProvisionedConcurrencySpilloverInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.alias.metric('ProvisionedConcurrencySpilloverInvocations', { statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5), ...props });
  }

  /** Fraction of the alias's provisioned instances in use, 0..1 (maximum, as Lambda recommends for this metric). */
  metricProvisionedConcurrencyUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.alias.metric('ProvisionedConcurrencyUtilization', { statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1), ...props });
  }
}

/** Application Auto Scaling's scheduled action names. */
const SCHEDULED_ACTION_NAME = /^(?! )[^:/|\u0000-\u001f\u007f-\u009f]{1,256}(?<! )$/;

function isSnapStartOn(fn: lambda.Function): boolean {
  const snapStart = (fn.node.defaultChild as lambda.CfnFunction).snapStart;
  return !Token.isUnresolved(snapStart) && (snapStart as lambda.CfnFunction.SnapStartProperty | undefined)?.applyOn === 'PublishedVersions';
}

function validateProvisionedConcurrencyProps(construct: IConstruct, props: ProvisionedConcurrencyProps): void {
  const v = new PropValidator('ProvisionedConcurrency', construct);
  const known = (n: number | undefined): n is number => n !== undefined && !Token.isUnresolved(n);
  const wholeAtLeast = (prop: string, n: number | undefined, min: number): boolean => {
    if (!known(n)) return false;
    const ok = Number.isInteger(n) && n >= min;
    v.check(ok, `${prop} must be a whole number of at least ${min} (got ${n})`);
    return ok;
  };

  const base = props.provisionedConcurrency;
  const baseOk = wholeAtLeast('provisionedConcurrency', base, 0);
  const scaling = props.autoScaling;
  v.check(!baseOk || base > 0 || scaling !== undefined,
    'provisionedConcurrency 0 provisions nothing by itself; give a positive count, or autoScaling with schedules or a utilizationTarget');
  v.aliasName('aliasName', props.aliasName);
  v.check(!isSnapStartOn(props.function),
    `function ${props.function.node.path} has SnapStart on, and Lambda does not support provisioned concurrency on SnapStart functions; use SnapStartAlias for it, or turn snapStart off`);

  let mostProvisioned = baseOk ? base : undefined;
  let mostFrom = 'provisionedConcurrency';
  if (scaling) {
    const min = scaling.minCapacity ?? base;
    const minOk = wholeAtLeast('autoScaling.minCapacity', scaling.minCapacity, 0) || (scaling.minCapacity === undefined && baseOk);
    const maxOk = wholeAtLeast('autoScaling.maxCapacity', scaling.maxCapacity, 1);
    const rangeOk = minOk && maxOk && min <= scaling.maxCapacity;
    v.check(!minOk || !maxOk || rangeOk, `autoScaling.minCapacity must not exceed autoScaling.maxCapacity (got ${min} > ${scaling.maxCapacity})`);
    if (rangeOk && baseOk && base > 0) {
      v.check(base >= min && base <= scaling.maxCapacity,
        `provisionedConcurrency must lie in autoScaling's range ${min}..${scaling.maxCapacity} (got ${base}); outside it Application Auto Scaling moves the capacity and every deploy moves it back`);
    }
    v.check(scaling.utilizationTarget !== undefined || (scaling.schedules?.length ?? 0) > 0,
      'autoScaling needs schedules or a utilizationTarget; a range alone never changes the capacity');
    if (known(scaling.utilizationTarget)) {
      v.check(scaling.utilizationTarget >= 0.1 && scaling.utilizationTarget <= 0.9,
        `autoScaling.utilizationTarget must be between 0.1 and 0.9 (got ${scaling.utilizationTarget})`);
    }
    validateSchedules(v, scaling.schedules ?? [], rangeOk ? [min, scaling.maxCapacity] : undefined);
    if (baseOk && base > 0) {
      const zeroes = [
        ...(minOk && min === 0 ? ['autoScaling.minCapacity'] : []),
        ...(scaling.schedules ?? []).filter((s) => s.minCapacity === 0).map((s) => `schedule '${s.name}'`),
      ];
      v.check(zeroes.length === 0,
        `with provisionedConcurrency ${base}, the capacity must never reach 0 (allowed by ${zeroes.join(', ')}): once scaling removes the configuration, `
        + 'the next deploy fails with ProvisionedConcurrencyConfigNotFoundException; set provisionedConcurrency to 0 to let the schedules own the capacity');
    }
    if (maxOk && (mostProvisioned === undefined || scaling.maxCapacity > mostProvisioned)) {
      mostProvisioned = scaling.maxCapacity;
      mostFrom = 'autoScaling.maxCapacity';
    }
  }

  const reserved = knownReservedConcurrency(props.function);
  if (reserved !== undefined && mostProvisioned !== undefined) {
    v.check(mostProvisioned <= reserved,
      `${mostFrom} ${mostProvisioned} exceeds the reserved concurrency ${reserved} of ${props.function.node.path}; `
      + 'Lambda rejects provisioned concurrency above reserved concurrency at deploy, so raise the reservation or lower the capacity');
  }
  v.throwIfAny();
}

function validateSchedules(v: PropValidator, schedules: readonly ProvisionedConcurrencySchedule[], range: [number, number] | undefined): void {
  const names = schedules.map((s) => s.name);
  const repeated = [...new Set(names.filter((name, i) => names.indexOf(name) !== i))];
  v.check(repeated.length === 0, `schedule names must be unique (repeated: ${repeated.map((n) => `'${n}'`).join(', ')})`);
  for (const schedule of schedules) {
    const what = `schedule '${schedule.name}'`;
    v.check(SCHEDULED_ACTION_NAME.test(schedule.name), `${what}: name must be 1..256 characters without ':', '/', '|', control characters or spaces at either end`);
    if (!Token.isUnresolved(schedule.cron)) {
      const problem = cronProblem(schedule.cron);
      v.check(problem === undefined, `${what}: cron '${schedule.cron}' ${problem}`);
    }
    v.timeZone(`${what}: timeZone`, schedule.timeZone);
    const min = schedule.minCapacity;
    const max = schedule.maxCapacity ?? min;
    const whole = [min, max].every((n) => Number.isInteger(n) && n >= 0);
    v.check(whole, `${what}: minCapacity and maxCapacity must be whole numbers of at least 0 (got ${min}..${max})`);
    v.check(!whole || min <= max, `${what}: minCapacity must not exceed maxCapacity (got ${min} > ${max})`);
    if (whole && range) {
      v.check(min >= range[0] && max <= range[1],
        `${what}: capacity ${min}..${max} must lie in autoScaling's range ${range[0]}..${range[1]}`);
    }
  }
}

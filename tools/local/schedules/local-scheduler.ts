import { awsTime, firingInput, LocalSchedule, newExecutionId, ScheduleTarget } from './schedule-definitions';
import { parseScheduleExpression, ratePeriodMs, ScheduleExpression } from './schedule-expression';

/** Date.now and the timers the scheduler runs on; injectable so tests use a fake clock. */
export interface SchedulerClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** One run of a schedule for one target, one attempt. */
export interface ScheduleFiring {
  readonly schedule: LocalSchedule;
  readonly target: ScheduleTarget;
  /** The time the run was scheduled for, in virtual time (`speed` times faster than real time). */
  readonly scheduledTime: Date;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** The attempt's id: `<aws.scheduler.execution-id>` for Scheduler; the scheduled event's id, the same for every attempt, for a rule. */
  readonly executionId: string;
  /** What the target receives, as AWS sends it (see `firingInput`). */
  readonly input: unknown;
}

/** Why the retries of a run stopped, as AWS names it in the dead-letter message's EXHAUSTED_RETRY_CONDITION. */
export type ExhaustedRetryCondition = 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds';

/** The last attempt of a run that is going to the dead-letter queue. */
export interface DeadLetteredFiring extends ScheduleFiring {
  /** Undefined when the error was not one to retry (the target does not exist, the input is refused): dead-lettered at once. */
  readonly exhaustedRetryCondition?: ExhaustedRetryCondition;
}

/** What became of one run for one target. */
export type FiringOutcome = 'delivered' | 'dead-lettered' | 'dropped' | 'stopped';

/** One log line's worth: a run's schedule, scheduled time, target and outcome. */
export interface FiringLogEntry {
  readonly schedule: LocalSchedule;
  readonly target: ScheduleTarget;
  readonly scheduledTime: Date;
  /** Attempts made: 1 when the first one was delivered. */
  readonly attempts: number;
  readonly outcome: FiringOutcome;
  /** The last rejection, when the run was not delivered. */
  readonly error?: Error;
}

export interface LocalSchedulerOptions {
  /** How much faster than real time schedules run: 1 real time ('on'); 60 ('fast': a 5-minute rate every 5 s). @default 1 */
  readonly speed?: number;
  /** The clock: Date.now and timers, injectable so tests use a fake clock. @default - the process's */
  readonly clock?: SchedulerClock;
  /** Delivers one firing to one target; throws when the target rejects it (e.g. Lambda.TooManyRequestsException). */
  deliver(firing: ScheduleFiring): Promise<void>;
  /** Called when a firing's retries are exhausted and its target has a dead-letter queue: send it there (see `deadLetterMessage`). */
  deadLetter(firing: DeadLetteredFiring, error: Error): Promise<void>;
  /** One entry per run and target, once its outcome is known. @default - no log */
  onFiring?(entry: FiringLogEntry): void;
}

/** Counts of one schedule's runs since `start`, per target run. */
/** What became of a schedule's runs: `fired = delivered + deadLettered + dropped + stopped + running`. */
export interface ScheduleStats {
  fired: number;
  delivered: number;
  /** Attempts after the first (a run retried twice counts 2). */
  retried: number;
  deadLettered: number;
  /** Runs given up without a dead-letter queue, or refused by it (AWS drops them too). */
  dropped: number;
  /** Runs still being retried when the scheduler stopped. */
  stopped: number;
}

/**
 * Backoff between attempts, in virtual milliseconds: AWS retries "with exponential backoff" without
 * documenting the delays; locally they start at 1 s and double up to 1 min, so a rejected run is
 * retried, and dead-lettered, within a minute or two instead of hours. Divided by `speed` in real time.
 */
const FIRST_RETRY_DELAY_MS = 1_000;
const MAX_RETRY_DELAY_MS = 60_000;
/** The longest timer set at once; a later firing re-arms (Node timers hold at most ~24.8 days). */
const MAX_TIMER_MS = 3_600_000;

const PROCESS_CLOCK: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Runs an app's schedules on this machine: each enabled schedule fires at its times (in virtual time,
 * `speed` times faster than real time, starting from the real time of `start`), delivers its input to
 * each target through `deliver`, retries a rejected delivery with backoff up to the target's retry
 * policy, then hands it to `deadLetter`. Flexible time windows are not spread: runs fire at their
 * scheduled time. Schedules with `unsupported` entries do not run.
 */
export class LocalScheduler {
  /** Per schedule logical id. */
  readonly stats: Record<string, ScheduleStats>;

  private readonly speed: number;
  private readonly clock: SchedulerClock;
  private readonly runnable: LocalSchedule[];
  private readonly expressions = new Map<string, ScheduleExpression>();
  private readonly timers = new Map<string, unknown>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly backoffs = new Set<() => void>();
  private realStart?: number;
  private stopped = false;

  constructor(readonly schedules: LocalSchedule[], private readonly options: LocalSchedulerOptions) {
    this.speed = options.speed ?? 1;
    if (!(this.speed > 0)) throw new Error(`LocalScheduler: speed must be more than 0 (got ${options.speed})`);
    this.clock = options.clock ?? PROCESS_CLOCK;
    this.stats = Object.fromEntries(schedules.map((s) => [s.logicalId, { fired: 0, delivered: 0, retried: 0, deadLettered: 0, dropped: 0, stopped: 0 }]));
    this.runnable = schedules.filter((s) => s.enabled && s.unsupported.length === 0);
  }

  /** The current virtual time. */
  now(): Date {
    const real = this.clock.now();
    return new Date(this.realStart === undefined ? real : this.realStart + (real - this.realStart) * this.speed);
  }

  /** Starts every runnable schedule's timer; rates count from now (Scheduler's, without StartDate, fire now). */
  start(): void {
    if (this.realStart !== undefined) throw new Error('LocalScheduler: already started');
    this.realStart = this.clock.now();
    this.bindExpressions(new Date(this.realStart));
    for (const schedule of this.runnable) this.arm(schedule, new Date(this.realStart - 1));
  }

  /** Stops the timers and abandons pending retries, then waits for the deliveries in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const handle of this.timers.values()) this.clock.clearTimeout(handle);
    this.timers.clear();
    for (const wake of [...this.backoffs]) wake();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** The next `count` firings of all runnable schedules from now, in virtual time, earliest first. */
  upcoming(count: number): Array<{ schedule: LocalSchedule; at: Date }> {
    const now = this.now();
    if (this.realStart === undefined) this.bindExpressions(now);
    const firings: Array<{ schedule: LocalSchedule; at: Date }> = [];
    for (const schedule of this.runnable) {
      let after = new Date(now.getTime() - 1);
      for (let i = 0; i < count; i++) {
        const at = this.nextFiring(schedule, after);
        if (!at) break;
        firings.push({ schedule, at });
        after = at;
      }
    }
    return firings.sort((a, b) => a.at.getTime() - b.at.getTime()).slice(0, count);
  }

  /** Rates count from the schedule's StartDate, else from `origin`: the start (the first run of a Scheduler rate), or one period after it for a rule. */
  private bindExpressions(origin: Date): void {
    for (const schedule of this.runnable) {
      const rateOrigin = schedule.expression.startsWith('rate(')
        ? schedule.startDate ?? (schedule.service === 'rule' ? new Date(origin.getTime() + ratePeriodMs(schedule.expression)) : origin)
        : undefined;
      this.expressions.set(schedule.logicalId, parseScheduleExpression(schedule.expression, schedule.timeZone, { origin: rateOrigin }));
    }
  }

  /** The schedule's next firing after `after`, within its StartDate and EndDate (which one-time schedules ignore, as on AWS). */
  private nextFiring(schedule: LocalSchedule, after: Date): Date | undefined {
    const expression = this.expressions.get(schedule.logicalId)!;
    if (expression.kind === 'at') return expression.next(after);
    const { startDate, endDate } = schedule;
    const at = expression.next(startDate && startDate.getTime() - 1 > after.getTime() ? new Date(startDate.getTime() - 1) : after);
    return at && endDate && at.getTime() > endDate.getTime() ? undefined : at;
  }

  private arm(schedule: LocalSchedule, after: Date): void {
    if (this.stopped) return;
    const at = this.nextFiring(schedule, after);
    if (!at) return;
    // Rounded up, so that the virtual time has reached `at` when the timer fires.
    const wait = Math.max(0, Math.ceil((at.getTime() - this.now().getTime()) / this.speed));
    const handle = wait > MAX_TIMER_MS
      ? this.clock.setTimeout(() => this.arm(schedule, after), MAX_TIMER_MS)
      : this.clock.setTimeout(() => {
        for (const target of schedule.targets) this.track(this.run(schedule, target, at));
        // From now when the timer fired late (a stalled process, a sleeping laptop): the missed runs are not made up at once.
        this.arm(schedule, new Date(Math.max(at.getTime(), this.now().getTime())));
      }, wait);
    this.timers.set(schedule.logicalId, handle);
  }

  private track(run: Promise<void>): void {
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /** One run for one target: attempts until delivered, out of retries or of event age, or stopped. */
  private async run(schedule: LocalSchedule, target: ScheduleTarget, scheduledTime: Date): Promise<void> {
    const stats = this.stats[schedule.logicalId];
    stats.fired++;
    // A rule's retries resend the same event; Scheduler gives each attempt its own execution id.
    const eventId = newExecutionId();
    let error: Error | undefined;
    for (let attempt = 1; ; attempt++) {
      const executionId = schedule.service === 'rule' ? eventId : newExecutionId();
      const input = firingInput(schedule, target, { scheduledTime, attempt, executionId });
      const firing: ScheduleFiring = { schedule, target, scheduledTime, attempt, executionId, input };
      try {
        await this.options.deliver(firing);
        stats.delivered++;
        this.log({ schedule, target, scheduledTime, attempts: attempt, outcome: 'delivered' });
        return;
      } catch (rejection) {
        error = rejection instanceof Error ? rejection : new Error(String(rejection));
      }
      // Only errors that can pass are retried (e.g. a throttle); a missing target or a refused input goes to the DLQ at once.
      const retryable = (error as { retryable?: boolean }).retryable !== false;
      const condition = retryable ? this.exhausted(target, scheduledTime, attempt) : undefined;
      if (condition || !retryable) {
        if (target.deadLetterQueueArn === undefined) {
          stats.dropped++;
          this.log({ schedule, target, scheduledTime, attempts: attempt, outcome: 'dropped', error });
          return;
        }
        try {
          await this.options.deadLetter({ ...firing, exhaustedRetryCondition: condition }, error);
        } catch (dlqError) {
          // AWS drops a run its dead-letter queue refuses too.
          stats.dropped++;
          this.log({ schedule, target, scheduledTime, attempts: attempt, outcome: 'dropped', error: dlqError as Error });
          return;
        }
        stats.deadLettered++;
        this.log({ schedule, target, scheduledTime, attempts: attempt, outcome: 'dead-lettered', error });
        return;
      }
      if (this.stopped || !(await this.backoff(attempt))) {
        stats.stopped++;
        this.log({ schedule, target, scheduledTime, attempts: attempt, outcome: 'stopped', error });
        return;
      }
      stats.retried++;
    }
  }

  private exhausted(target: ScheduleTarget, scheduledTime: Date, attempt: number): ExhaustedRetryCondition | undefined {
    if (attempt > target.retryAttempts) return 'MaximumRetryAttempts';
    const nextAttemptAt = this.now().getTime() + retryDelay(attempt);
    return nextAttemptAt - scheduledTime.getTime() > target.maxEventAgeSeconds * 1000 ? 'MaximumEventAgeInSeconds' : undefined;
  }

  /** Waits the backoff after `attempt`; false when the scheduler stopped meanwhile. */
  private backoff(attempt: number): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.backoffs.delete(wake);
        this.clock.clearTimeout(handle);
        resolve(!this.stopped);
      };
      const handle = this.clock.setTimeout(wake, retryDelay(attempt) / this.speed);
      this.backoffs.add(wake);
    });
  }

  private log(entry: FiringLogEntry): void {
    this.options.onFiring?.(entry);
  }
}

function retryDelay(attempt: number): number {
  return Math.min(FIRST_RETRY_DELAY_MS * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
}

/** One line for the log: schedule path, scheduled time, target, outcome. */
export function formatFiringLogEntry(entry: FiringLogEntry): string {
  const tries = entry.attempts === 1 ? '' : ` after ${entry.attempts} attempts`;
  const why = entry.error ? `: ${entry.error.name}: ${entry.error.message}` : '';
  return `${entry.schedule.path} ${awsTime(entry.scheduledTime)} → ${entry.target.arn}: ${entry.outcome}${tries}${why}`;
}

/**
 * The message AWS puts in a target's dead-letter queue for a run it could not deliver: the input as
 * body, and these string attributes.
 * Scheduler (https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html):
 * ERROR_CODE, ERROR_MESSAGE, EXECUTION_ID, EXHAUSTED_RETRY_CONDITION, IS_PAYLOAD_TRUNCATED,
 * RETRY_ATTEMPTS, SCHEDULED_TIME, SCHEDULE_ARN, TARGET_ARN.
 * Rules (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html): RULE_ARN,
 * TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS.
 */
export function deadLetterMessage(firing: DeadLetteredFiring, error: Error): { body: string; attributes: Record<string, string> } {
  const body = typeof firing.input === 'string' ? firing.input : JSON.stringify(firing.input);
  const common = {
    TARGET_ARN: firing.target.arn,
    ERROR_CODE: error.name,
    // SQS refuses an empty attribute value.
    ERROR_MESSAGE: error.message || error.name,
    ...firing.exhaustedRetryCondition && { EXHAUSTED_RETRY_CONDITION: firing.exhaustedRetryCondition },
    RETRY_ATTEMPTS: String(firing.attempt - 1),
  };
  if (firing.schedule.service === 'rule') return { body, attributes: { RULE_ARN: firing.schedule.arn, ...common } };
  return {
    body,
    attributes: {
      ...common,
      EXECUTION_ID: firing.executionId,
      IS_PAYLOAD_TRUNCATED: 'false',
      SCHEDULED_TIME: awsTime(firing.scheduledTime),
      SCHEDULE_ARN: firing.schedule.arn,
    },
  };
}

import { cronProblem } from '../../../lib/core/schedule-expressions';

/**
 * When a schedule fires: `rate`, `cron` and `at` expressions as EventBridge Scheduler and scheduled
 * rules define them (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html,
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html).
 */
export interface ScheduleExpression {
  readonly kind: 'rate' | 'cron' | 'at';
  /** The expression as written, e.g. `cron(0/5 9-18 ? * MON-FRI *)`. */
  readonly expression: string;
  /** The IANA time zone `cron` and `at` are read in. */
  readonly timeZone: string;
  /** The first firing strictly after `after`, or undefined when there is none. */
  next(after: Date): Date | undefined;
}

/** Thrown for an expression that EventBridge would refuse; the message names the expression and the rule. */
export class ScheduleExpressionError extends Error {
  constructor(readonly expression: string, rule: string) {
    super(`schedule expression '${expression}' ${rule}`);
    this.name = 'ScheduleExpressionError';
  }
}

export interface ScheduleExpressionOptions {
  /**
   * Where a `rate` starts counting: it fires at `origin`, `origin + rate`, ... (Scheduler's first
   * invocation is at its StartDate, or at once when it has none).
   * @default - the epoch, which is only useful to read the period
   */
  readonly origin?: Date;
}

const MINUTE_MS = 60_000;
const RATE_UNIT_MS: Record<string, number> = { minute: MINUTE_MS, hour: 60 * MINUTE_MS, day: 24 * 60 * MINUTE_MS };

/** Parses a schedule expression; throws a {@link ScheduleExpressionError} naming the rule it breaks. */
export function parseScheduleExpression(expression: string, timeZone = 'UTC', options: ScheduleExpressionOptions = {}): ScheduleExpression {
  if (!isTimeZone(timeZone)) throw new ScheduleExpressionError(expression, `has the time zone '${timeZone}', which is not an IANA time zone`);
  const match = /^(rate|cron|at)\((.*)\)$/.exec(expression.trim());
  if (!match) throw new ScheduleExpressionError(expression, 'is not rate(...), cron(...) or at(...)');
  const [, kind, body] = match;
  if (kind === 'rate') return rateExpression(expression, body, timeZone, options.origin ?? new Date(0));
  if (kind === 'at') return atExpression(expression, body, timeZone);
  return cronExpression(expression, body, timeZone);
}

/** The period of a `rate(...)` expression, in milliseconds. */
export function ratePeriodMs(expression: string): number {
  const match = /^rate\((.*)\)$/.exec(expression.trim());
  if (!match) throw new ScheduleExpressionError(expression, 'is not rate(value unit)');
  return parseRate(expression, match[1]);
}

function parseRate(expression: string, body: string): number {
  const match = /^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$/.exec(body);
  if (!match || Number(match[1]) < 1) {
    throw new ScheduleExpressionError(expression, 'needs rate(value unit): a positive whole value and minute(s), hour(s) or day(s)');
  }
  return Number(match[1]) * RATE_UNIT_MS[match[2].replace(/s$/, '')];
}

// A rate is a fixed duration ("days represents a 24-hour duration"), so daylight saving time does not move it.
function rateExpression(expression: string, body: string, timeZone: string, origin: Date): ScheduleExpression {
  const period = parseRate(expression, body);
  return {
    kind: 'rate', expression, timeZone,
    next(after) {
      const elapsed = after.getTime() - origin.getTime();
      const periods = elapsed < 0 ? 0 : Math.floor(elapsed / period) + 1;
      return new Date(origin.getTime() + periods * period);
    },
  };
}

function atExpression(expression: string, body: string, timeZone: string): ScheduleExpression {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body.trim());
  if (!match) throw new ScheduleExpressionError(expression, 'needs at(yyyy-mm-ddThh:mm:ss)');
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number);
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(wall).getUTCDate() !== d || h > 23 || mi > 59 || s > 59) throw new ScheduleExpressionError(expression, `names no such date and time`);
  // A local time that daylight saving time skips has no instant: like a cron time in the gap, it does not fire.
  const at = zonedInstant(wall, timeZone);
  return { kind: 'at', expression, timeZone, next: (after) => (at !== undefined && at > after.getTime() ? new Date(at) : undefined) };
}

// Cron is hand-written: croner 11 (the closest library tried) reads the fields with its Quartz options, but
// runs a fixed-time job missed in a daylight-saving gap after the gap and an interval job twice in a
// repeated hour, where AWS skips the first and runs the second once; it also refuses `L` alone in
// day-of-week. aws-cron-parser evaluates in UTC only; cron-parser has no year field and numbers days
// of the week 0-6. So the calendar is evaluated here, in local wall-clock time, then mapped to instants.

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MINUTES: Field = { name: 'minutes', min: 0, max: 59 };
const HOURS: Field = { name: 'hours', min: 0, max: 23 };
const DAY_OF_MONTH: Field = { name: 'day-of-month', min: 1, max: 31 };
const MONTH: Field = { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] };
// EventBridge numbers the days of the week 1-7 from Sunday, not 0-6 as Unix cron does.
const DAY_OF_WEEK: Field = { name: 'day-of-week', min: 1, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] };
const YEAR: Field = { name: 'year', min: 1970, max: 2199 };

/** Which local days a cron expression's two day fields select. */
interface DayRule {
  readonly days?: ReadonlySet<number>;
  readonly lastDay?: boolean;
  readonly lastWeekday?: boolean;
  readonly nearestWeekdays?: ReadonlySet<number>;
  readonly weekdays?: ReadonlySet<number>;
  /** `d#n`: the n-th weekday d of the month. */
  readonly nthWeekday?: { readonly weekday: number; readonly n: number };
  /** `dL`: the last weekday d of the month. */
  readonly lastOfWeekday?: number;
}

function cronExpression(expression: string, body: string, timeZone: string): ScheduleExpression {
  const problem = cronProblem(body);
  if (problem) throw new ScheduleExpressionError(expression, problem);
  const [minuteField, hourField, domField, monthField, dowField, yearField] = body.trim().split(/\s+/).map((f) => f.toUpperCase());
  const fail = (rule: string): never => { throw new ScheduleExpressionError(expression, rule); };
  const minutes = values(minuteField, MINUTES, fail);
  const hours = values(hourField, HOURS, fail);
  const months = values(monthField, MONTH, fail);
  const years = values(yearField, YEAR, fail);
  const dayRule = domField === '?' ? dayOfWeekRule(dowField, fail) : dayOfMonthRule(domField, fail);
  const sortedHours = [...hours].sort((a, b) => a - b);
  const sortedMinutes = [...minutes].sort((a, b) => a - b);
  const lastYear = Math.max(...years);

  return {
    kind: 'cron', expression, timeZone,
    next(after) {
      // Scan local wall-clock times from the local time of `after`: each one fires at its earliest
      // instant, and the earliest instants rise with the wall-clock time, so the first one later
      // than `after` is the answer (see zonedInstant for the daylight-saving rules).
      const start = new Date(wallClock(after.getTime(), timeZone));
      let day = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
      while (new Date(day).getUTCFullYear() <= lastYear) {
        const date = new Date(day);
        if (!years.has(date.getUTCFullYear()) || !months.has(date.getUTCMonth() + 1)) {
          day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
          continue;
        }
        if (dayMatches(dayRule, date)) {
          for (const hour of sortedHours) {
            for (const minute of sortedMinutes) {
              const wall = day + hour * 3_600_000 + minute * MINUTE_MS;
              if (wall < start.getTime() - MINUTE_MS) continue;
              const instant = zonedInstant(wall, timeZone);
              if (instant !== undefined && instant > after.getTime()) return new Date(instant);
            }
          }
        }
        day += 24 * 3_600_000;
      }
      return undefined;
    },
  };
}

/** The values a field selects: numbers or names, ranges (wrapping past the end, as Quartz does), steps, lists, `*`. */
function values(text: string, field: Field, fail: (rule: string) => never): Set<number> {
  const selected = new Set<number>();
  const span = field.max - field.min + 1;
  for (const part of text.split(',')) {
    const match = /^(\*|[0-9A-Z]+)(?:-([0-9A-Z]+))?(?:\/(\d+))?$/.exec(part);
    if (!match) fail(`has '${part}' in ${field.name}, which is not a value, range, step or list`);
    const [, from, to, step] = match!;
    const first = from === '*' ? field.min : value(from, field, fail);
    const last = to !== undefined ? value(to, field, fail) : from === '*' || step !== undefined ? field.max : first;
    const increment = step === undefined ? 1 : Number(step);
    if (increment < 1) fail(`has the step '/${step}' in ${field.name}; it must be at least 1`);
    const count = ((last - first + span) % span) + 1;
    for (let i = 0; i < count; i += increment) selected.add(field.min + ((first - field.min + i) % span));
  }
  return selected;
}

function value(text: string, field: Field, fail: (rule: string) => never): number {
  const named = field.names?.indexOf(text) ?? -1;
  const n = named >= 0 ? field.min + named : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= field.min && n <= field.max)) {
    fail(`has '${text}' in ${field.name}, which takes ${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : ''}`);
  }
  return n;
}

function dayOfMonthRule(text: string, fail: (rule: string) => never): DayRule {
  if (text === 'L') return { lastDay: true };
  if (text === 'LW') return { lastWeekday: true };
  const nearest = /^(\d+)W$/.exec(text);
  if (nearest) return { nearestWeekdays: new Set([value(nearest[1], DAY_OF_MONTH, fail)]) };
  return { days: values(text, DAY_OF_MONTH, fail) };
}

function dayOfWeekRule(text: string, fail: (rule: string) => never): DayRule {
  // `L` alone is the last day of the week, Saturday.
  if (text === 'L') return { weekdays: new Set([7]) };
  const nth = /^([0-9A-Z]+)#(\d)$/.exec(text);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) fail(`has '${text}' in day-of-week; the n of d#n must be 1-5`);
    return { nthWeekday: { weekday: value(nth[1], DAY_OF_WEEK, fail), n } };
  }
  const last = /^([0-9A-Z]+)L$/.exec(text);
  if (last) return { lastOfWeekday: value(last[1], DAY_OF_WEEK, fail) };
  return { weekdays: values(text, DAY_OF_WEEK, fail) };
}

function dayMatches(rule: DayRule, date: Date): boolean {
  const dayOfMonth = date.getUTCDate();
  const weekday = date.getUTCDay() + 1;
  const daysInMonth = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  if (rule.days) return rule.days.has(dayOfMonth);
  if (rule.weekdays) return rule.weekdays.has(weekday);
  if (rule.lastDay) return dayOfMonth === daysInMonth;
  if (rule.lastWeekday) return dayOfMonth === nearestWeekday(date, daysInMonth);
  if (rule.nearestWeekdays) return [...rule.nearestWeekdays].some((d) => d <= daysInMonth && nearestWeekday(date, d) === dayOfMonth);
  if (rule.nthWeekday) return weekday === rule.nthWeekday.weekday && Math.ceil(dayOfMonth / 7) === rule.nthWeekday.n;
  return weekday === rule.lastOfWeekday && dayOfMonth + 7 > daysInMonth;
}

/** The weekday (Monday-Friday) nearest to day `target` of `date`'s month, never leaving the month. */
function nearestWeekday(date: Date, target: number): number {
  const daysInMonth = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  const weekday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), target)).getUTCDay();
  if (weekday === 6) return target === 1 ? 3 : target - 1;
  if (weekday === 0) return target === daysInMonth ? target - 2 : target + 1;
  return target;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The local wall-clock time of `instant` in `timeZone`, as milliseconds of a UTC date with the same fields. */
function wallClock(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(instant)).map((p) => [p.type, Number(p.value)]));
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) + (instant % 1000 + 1000) % 1000;
}

/**
 * The instant a local wall-clock time names in `timeZone`, following EventBridge Scheduler's daylight
 * saving rules (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#daylist-savings-time):
 * a time the spring change skips has none (the invocation is skipped), and a time the autumn change
 * repeats is its first occurrence only (the schedule runs once, not again).
 */
function zonedInstant(wall: number, timeZone: string): number | undefined {
  // The offsets a day either side: a zone changes offset at most once within them.
  const offsets = new Set([wall - 86_400_000, wall + 86_400_000].map((t) => wallClock(t, timeZone) - t));
  const instants = [...offsets].map((offset) => wall - offset).filter((t) => wallClock(t, timeZone) === wall);
  return instants.length === 0 ? undefined : Math.min(...instants);
}

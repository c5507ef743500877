// Schedule expressions, checked alike by ScheduleTrigger, LambdaWarmer and ProvisionedConcurrency.

/** One EventBridge cron field: numbers, names, ranges, steps, lists, and the wildcards the field allows. */
const CRON_FIELD = /^(\*|\?|L|LW|[0-9A-Z]+W?(-[0-9A-Z]+)?(\/\d+)?|\*\/\d+|[0-9A-Z]+#\d)(,([0-9A-Z]+(-[0-9A-Z]+)?(\/\d+)?))*$/;

/** Why `cron` is not an EventBridge Scheduler cron expression, or undefined when it is. */
export function cronProblem(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 6) return `has ${fields.length} fields; it needs 6: minutes hours day-of-month month day-of-week year`;
  const bad = fields.find((field) => !CRON_FIELD.test(field.toUpperCase()));
  if (bad) return `field '${bad}' is not a value, range, step, list or wildcard`;
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) return "needs '?' in exactly one of day-of-month and day-of-week";
  return undefined;
}

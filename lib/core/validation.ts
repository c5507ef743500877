import * as fs from 'node:fs';
import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Thrown at synth time when a construct's props break a rule.
 *
 * All problems of one construct are reported together, each naming the prop,
 * the value it got and the rule it broke, so a user fixes them in one pass.
 * The construct is named by its path in the app, as ids repeat across stacks and scopes.
 */
export class PropValidationError extends Error {
  constructor(
    readonly constructName: string,
    /** The construct's path in the app (`Stack/Scope/Id`). */
    readonly constructPath: string,
    readonly problems: readonly string[],
  ) {
    super(`${constructName} '${constructPath}': ${problems.length === 1 ? problems[0] : `invalid props:\n - ${problems.join('\n - ')}`}`);
    this.name = 'PropValidationError';
  }
}

/** Collects the problems of one construct's props; `throwIfAny` reports them all at once. */
export class PropValidator {
  private readonly problems: string[] = [];

  private readonly constructPath: string;

  constructor(private readonly constructName: string, construct: IConstruct) {
    this.constructPath = construct.node.path;
  }

  /** Records `message` when `ok` is false. */
  check(ok: boolean, message: string): void {
    if (!ok) this.problems.push(message);
  }

  /** An integer in `[min, max]`; unresolved tokens are left to CloudFormation. */
  integerInRange(prop: string, value: number | undefined, min: number, max: number, rule?: string): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    this.check(
      Number.isInteger(value) && value >= min && value <= max,
      `${prop} must be an integer ${min}..${max}${rule ? ` ${rule}` : ''} (got ${value})`,
    );
  }

  /** A whole number of seconds in `[min, max]`, as Step Functions' `*Seconds` fields take them. */
  wholeSecondsInRange(prop: string, value: Duration | undefined, min: Duration, max: Duration, rule?: string): void {
    if (value === undefined || value.isUnresolved()) return;
    const ms = value.toMilliseconds();
    const inRange = ms >= min.toMilliseconds() && ms <= max.toMilliseconds();
    this.check(
      inRange,
      `${prop} must be between ${min.toHumanString()} and ${max.toHumanString()}${rule ? ` ${rule}` : ''} (got ${value.toHumanString()})`,
    );
    this.check(!inRange || ms % 1000 === 0, `${prop} must be a whole number of seconds (got ${value.toHumanString()})`);
  }

  /** A whole number of minutes, at least one, as schedule rates and alarm periods are. */
  wholeMinutes(prop: string, value: Duration | undefined): void {
    if (value === undefined || value.isUnresolved()) return;
    const ms = value.toMilliseconds();
    this.check(ms >= 60_000 && ms % 60_000 === 0, `${prop} must be a whole number of minutes, at least 1 (got ${value.toHumanString()})`);
  }

  /** `lower` must not be longer than `upper`. */
  notLonger(lowerProp: string, lower: Duration, upperProp: string, upper: Duration): void {
    if (lower.isUnresolved() || upper.isUnresolved()) return;
    this.check(
      lower.toMilliseconds() <= upper.toMilliseconds(),
      `${lowerProp} must not exceed ${upperProp} (got ${lower.toHumanString()} > ${upper.toHumanString()})`,
    );
  }

  /** A handler entry file must exist: esbuild would otherwise fail at synth with a message that names no prop. */
  existingFile(prop: string, value: string | undefined): void {
    this.check(value === undefined || fs.existsSync(value), `${prop} must be an existing file (got '${value}')`);
  }

  /** Exactly one of two alternative props must be given, as in AWS Solutions Constructs' existing-or-new props. */
  exactlyOne(propA: string, a: unknown, propB: string, b: unknown): void {
    this.check(
      (a === undefined) !== (b === undefined),
      a === undefined ? `one of ${propA} or ${propB} is required (got neither)` : `give either ${propA} or ${propB}, not both`,
    );
  }

  /** One of an enum's values: a JavaScript caller may pass anything, e.g. the member's name for its value. */
  oneOf(prop: string, value: string | undefined, allowed: Record<string, string>): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    this.check(Object.values(allowed).includes(value),
      `${prop} must be ${Object.entries(allowed).map(([name, v]) => `${name} ('${v}')`).join(' or ')} (got '${value}')`);
  }

  /** An IANA time zone name, as EventBridge Scheduler and Application Auto Scaling take them. */
  timeZone(prop: string, value: string | undefined): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    this.check(isTimeZone(value), `${prop} must be an IANA time zone such as 'Asia/Seoul' (got '${value}')`);
  }

  /** A Lambda alias name: letters, digits, `-` and `_`, not digits only (those name versions). */
  aliasName(prop: string, value: string | undefined): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    this.check(/^(?!\d+$)[A-Za-z0-9_-]{1,128}$/.test(value), `${prop} must be 1..128 letters, digits, '-' or '_', and not only digits (got '${value}')`);
  }

  throwIfAny(): void {
    if (this.problems.length > 0) throw new PropValidationError(this.constructName, this.constructPath, this.problems);
  }
}

/**
 * A Step Functions reference path: `$`, then `.name`, `['name']` or `[index]` steps.
 * Reference paths are what ItemsPath and ResultPath accept (no wildcards or filters).
 */
const REFERENCE_PATH = /^\$(?:\.[A-Za-z_][A-Za-z0-9_-]*|\['[^'\]]+'\]|\[\d+\])*$/;

export function isReferencePath(path: string): boolean {
  return REFERENCE_PATH.test(path);
}

/** Whether the runtime's time-zone database knows `name`; it holds the IANA names AWS accepts. */
function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

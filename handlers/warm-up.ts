/** The `warmer` value that marks a warm-up event; no business event of this library carries it. */
export const WARMER_ID = 'sdp-warmer';
/** Most instances one target is warmed with in one run. */
export const MAX_WARM_CONCURRENCY = 100;
/** Most calls one warmer run sends at once, over all its targets. */
export const MAX_CALLS_PER_RUN = 500;
/** Longest time a warm-up call may hold its instance, in milliseconds. */
export const MAX_HOLD_MS = 5_000;

/** What the warmer sends to a function, one call per instance to keep warm. */
export interface WarmUpEvent {
  readonly warmer: typeof WARMER_ID;
  /** Calls the warmer sends to this function at once, in this run. */
  readonly concurrency: number;
  /** Which of those calls this is, 1..concurrency. */
  readonly instance: number;
  /** How long the instance stays busy before it answers, in milliseconds. */
  readonly holdMs: number;
}

/** One function to keep warm: its ARN, the alias or version to call, and how many instances. */
export interface WarmTargetInput {
  readonly functionName: string;
  readonly qualifier?: string;
  readonly concurrency: number;
}

/** The fixed input of a warm-up schedule. */
export interface WarmerInput {
  readonly targets: readonly WarmTargetInput[];
  /** How long each called instance stays busy, so the overlapping calls need one instance each. */
  readonly holdMs: number;
}

/** What a handler answers to a warm-up event. */
export interface WarmUpResult {
  readonly warmed: true;
  readonly instance: number;
  readonly concurrency: number;
  /** Whether this call started the instance (its first invocation). */
  readonly coldStart: boolean;
}

const WARM_UP_KEYS = ['concurrency', 'holdMs', 'instance', 'warmer'];

/**
 * True for a warm-up event only: a plain object with exactly the four keys, the
 * warmer's id and integers in range. A business event that merely has a `warmer`
 * field, or any extra field, is not one, so it never skips the business logic.
 */
export function isWarmUpEvent(event: unknown): event is WarmUpEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return false;
  const keys = Object.keys(event).sort();
  if (keys.length !== WARM_UP_KEYS.length || keys.some((key, i) => key !== WARM_UP_KEYS[i])) return false;
  const { warmer, concurrency, instance, holdMs } = event as Record<string, unknown>;
  return warmer === WARMER_ID
    && isIntegerIn(concurrency, 1, MAX_WARM_CONCURRENCY)
    && isIntegerIn(instance, 1, concurrency as number)
    && isIntegerIn(holdMs, 0, MAX_HOLD_MS);
}

/** An integer in `[min, max]`: the check of every count and duration in warm-up events and warmer input. */
export function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** A handler wrapped by {@link withWarmUp}: warm-up events in, `WarmUpResult` out; anything else goes to the handler. */
export interface WarmableHandler<E, A extends unknown[], R> {
  (event: WarmUpEvent, ...rest: A): Promise<WarmUpResult>;
  (event: E, ...rest: A): Promise<R>;
}

// Module scope lives as long as the instance, so the first invocation of any kind marks it started.
let started = false;

/**
 * Wraps a handler so a warm-up event returns before the handler runs: no
 * business logic, no idempotency record, no AWS call. The instance is held for
 * `holdMs` so the warmer's overlapping calls each need an instance of their own.
 */
export function withWarmUp<E, A extends unknown[], R>(handler: (event: E, ...rest: A) => Promise<R>): WarmableHandler<E, A, R> {
  const wrapped = async (event: E | WarmUpEvent, ...rest: A): Promise<R | WarmUpResult> => {
    const coldStart = !started;
    started = true;
    if (!isWarmUpEvent(event)) return handler(event as E, ...rest);
    await new Promise((resolve) => setTimeout(resolve, event.holdMs));
    return { warmed: true, instance: event.instance, concurrency: event.concurrency, coldStart };
  };
  return wrapped as WarmableHandler<E, A, R>;
}

import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import {
  isIntegerIn, MAX_CALLS_PER_RUN, MAX_HOLD_MS, MAX_WARM_CONCURRENCY, WARMER_ID, WarmerInput, WarmTargetInput, WarmUpEvent,
} from '../../handlers/warm-up';

/** What one run did for one target. */
export interface WarmTargetReport {
  readonly functionName: string;
  readonly qualifier?: string;
  /** Calls sent. */
  readonly invoked: number;
  /** Calls the function answered with a warm-up result. */
  readonly warmed: number;
  /** Of the warmed calls, those that started a new instance. */
  readonly coldStarts: number;
  /** Calls that were rejected, threw, or answered something else than a warm-up result. */
  readonly failed: number;
}

/** The input is not `{ targets: [{ functionName, qualifier?, concurrency }], holdMs }`. */
export class WarmerInputValidationError extends Error {
  override readonly name = 'WarmerInputValidationError';
}

export function validateWarmerInput(event: unknown): WarmerInput {
  const input = event as Partial<WarmerInput> | null;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new WarmerInputValidationError(`input must be an object like {"targets":[{"functionName":"...","concurrency":1}],"holdMs":200} (got ${JSON.stringify(event)})`);
  }
  if (!Array.isArray(input.targets) || input.targets.length === 0) {
    throw new WarmerInputValidationError(`targets must be a non-empty array (got ${JSON.stringify(input.targets) ?? 'undefined'})`);
  }
  input.targets.forEach((target: Partial<WarmTargetInput> | null, index) => {
    if (typeof target?.functionName !== 'string' || target.functionName === '') {
      throw new WarmerInputValidationError(`targets[${index}].functionName must be a non-empty string (got ${JSON.stringify(target?.functionName) ?? 'undefined'})`);
    }
    if (target.qualifier !== undefined && (typeof target.qualifier !== 'string' || target.qualifier === '')) {
      throw new WarmerInputValidationError(`targets[${index}].qualifier must be a non-empty string when given (got ${JSON.stringify(target.qualifier)})`);
    }
    if (!isIntegerIn(target.concurrency, 1, MAX_WARM_CONCURRENCY)) {
      throw new WarmerInputValidationError(`targets[${index}].concurrency must be an integer 1..${MAX_WARM_CONCURRENCY} (got ${JSON.stringify(target.concurrency) ?? 'undefined'})`);
    }
  });
  const calls = input.targets.reduce((sum, target) => sum + target.concurrency, 0);
  if (calls > MAX_CALLS_PER_RUN) throw new WarmerInputValidationError(`the targets' concurrency adds up to ${calls}; one run sends at most ${MAX_CALLS_PER_RUN} calls`);
  if (!isIntegerIn(input.holdMs, 0, MAX_HOLD_MS)) {
    throw new WarmerInputValidationError(`holdMs must be an integer 0..${MAX_HOLD_MS} (got ${JSON.stringify(input.holdMs) ?? 'undefined'})`);
  }
  return input as WarmerInput;
}

type CallOutcome = { readonly warmed: true; readonly coldStart: boolean } | { readonly warmed: false; readonly error: string };

async function warmOnce(client: LambdaClient, target: WarmTargetInput, instance: number, holdMs: number): Promise<CallOutcome> {
  const event: WarmUpEvent = { warmer: WARMER_ID, concurrency: target.concurrency, instance, holdMs };
  const response = await client.send(new InvokeCommand({
    FunctionName: target.functionName,
    Qualifier: target.qualifier,
    // RequestResponse: each call keeps its instance busy until it answers, so calls sent together overlap.
    InvocationType: 'RequestResponse',
    Payload: JSON.stringify(event),
  }));
  const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
  if (response.FunctionError) return { warmed: false, error: `${response.FunctionError}: ${text.slice(0, 300)}` };
  let result: { warmed?: unknown; coldStart?: unknown } | null = null;
  try {
    result = JSON.parse(text);
  } catch {
    // Not JSON: reported below as an answer that is not a warm-up result.
  }
  if (result?.warmed !== true) return { warmed: false, error: `answered without a warm-up result (got ${text.slice(0, 120)}); does its handler use withWarmUp?` };
  return { warmed: true, coldStart: result.coldStart === true };
}

/**
 * Calls every target `concurrency` times at once; the targets are warmed at
 * the same time too. A failing call fails alone: the others still run and
 * are counted.
 */
export async function warmTargets(client: LambdaClient, input: WarmerInput): Promise<{ reports: WarmTargetReport[]; errors: string[] }> {
  const errors: string[] = [];
  const reports = await Promise.all(input.targets.map(async (target) => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: target.concurrency }, (_, i) => warmOnce(client, target, i + 1, input.holdMs)),
    );
    let warmed = 0;
    let coldStarts = 0;
    for (const outcome of outcomes) {
      const error = outcome.status === 'rejected' ? `${(outcome.reason as Error).name}: ${(outcome.reason as Error).message}`
        : outcome.value.warmed ? undefined : outcome.value.error;
      if (error === undefined) {
        warmed++;
        if (outcome.status === 'fulfilled' && outcome.value.warmed && outcome.value.coldStart) coldStarts++;
      } else {
        errors.push(`${target.functionName}${target.qualifier ? `:${target.qualifier}` : ''}: ${error}`);
      }
    }
    return {
      functionName: target.functionName,
      ...target.qualifier !== undefined && { qualifier: target.qualifier },
      invoked: target.concurrency,
      warmed,
      coldStarts,
      failed: target.concurrency - warmed,
    };
  }));
  return { reports, errors };
}

const logger = new Logger({ serviceName: 'warmer' });
// Each Invoke a subsegment of the warmer's X-Ray trace; outside Lambda the Tracer is off and the client is left as it is.
const tracer = new Tracer({ serviceName: 'warmer' });
const lambdaClient = tracer.captureAWSv3Client(new LambdaClient({
  // A retried call would start after the others have returned, so it could not hold an instance of its own.
  maxAttempts: 1,
  // A socket per call, so no call of a run waits for another to finish.
  requestHandler: { httpsAgent: { keepAlive: true, maxSockets: MAX_CALLS_PER_RUN } },
}));

/** Warms the targets of one scheduled run and returns what each got. */
export async function warm(client: LambdaClient, event: unknown): Promise<WarmTargetReport[]> {
  const input = validateWarmerInput(event);
  const { reports, errors } = await warmTargets(client, input);
  // One entry per run; only the first few errors, which are usually all alike.
  const log = errors.length > 0 ? logger.warn.bind(logger) : logger.info.bind(logger);
  log('warmed targets', { targets: reports, errors: errors.slice(0, 5), errorCount: errors.length });
  return reports;
}

function isCustomResourceEvent(event: unknown): event is CloudFormationCustomResourceEvent {
  const e = event as Partial<CloudFormationCustomResourceEvent> | null;
  return typeof e === 'object' && e !== null && typeof e.RequestType === 'string' && typeof e.ResponseURL === 'string' && typeof e.StackId === 'string';
}

/**
 * The pre-warm right after a deployment: CloudFormation calls the warmer as a
 * custom resource whose `Input` property is the warmer input. Warming is best
 * effort (a failed call is logged, never fails the deployment); a malformed
 * input is a bug and fails the resource so it is seen.
 */
export async function preWarm(client: LambdaClient, event: CloudFormationCustomResourceEvent): Promise<void> {
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason: string | undefined;
  let data: Record<string, number> | undefined;
  if (event.RequestType !== 'Delete') {
    try {
      const reports = await warm(client, JSON.parse(String(event.ResourceProperties.Input)));
      data = { Warmed: reports.reduce((sum, r) => sum + r.warmed, 0), Failed: reports.reduce((sum, r) => sum + r.failed, 0) };
    } catch (error) {
      status = 'FAILED';
      reason = `${(error as Error).name}: ${(error as Error).message}`.slice(0, 500);
      logger.error('pre-warm input rejected', { error: error as Error });
    }
  }
  const body = JSON.stringify({
    Status: status,
    Reason: reason ?? `See the warmer's log group`,
    PhysicalResourceId: 'PhysicalResourceId' in event ? event.PhysicalResourceId : `${event.LogicalResourceId}-pre-warm`,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    ...data && { Data: data },
  });
  const response = await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!response.ok) throw new Error(`CloudFormation did not take the response: HTTP ${response.status}`);
}

export const handler = async (event: unknown, context: Context): Promise<WarmTargetReport[] | void> => {
  logger.addContext(context);
  if (isCustomResourceEvent(event)) return preWarm(lambdaClient, event);
  return warm(lambdaClient, event);
};

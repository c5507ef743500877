import {
  DescribeExecutionCommand, DescribeExecutionOutput, ListStateMachinesCommand, SFNClient, StateMachineListItem,
} from '@aws-sdk/client-sfn';
import {
  AwsOptions, CommandDeps, CommandError, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, UsageError, Writer,
} from './command';

/** How many times a throttled call is tried before giving up. */
export const THROTTLE_ATTEMPTS = 5;
const THROTTLE_FIRST_DELAY_MS = 1_000;
const THROTTLE_MAX_DELAY_MS = 8_000;
const THROTTLING_ERRORS = new Set(['ThrottlingException', 'TooManyRequestsException']);

/** The statuses an execution does not leave; PENDING_REDRIVE is on its way back to RUNNING. */
export const STOPPED_STATUSES: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);
/** The stopped statuses that mean the execution failed (exit status 1). */
export const FAILED_STATUSES: ReadonlySet<string> = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

/** A Step Functions call failed; the message names the call and the error, `errorName` lets callers explain known ones. */
export class AwsCallError extends CommandError {
  constructor(readonly call: string, readonly errorName: string, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Attempts the SDK makes of one call that fails transiently (a timeout, a network fault, a 5xx). */
export const SDK_ATTEMPTS = 3;

/**
 * The real client. Each attempt is bounded: the connection by `connectTimeoutMs`, the response by
 * `requestTimeoutMs` (without a bound the SDK waits as long as the socket stays open). The SDK's own
 * retries (`SDK_ATTEMPTS`, adaptive mode, which also slows the request rate down once throttled)
 * absorb short bursts, network faults and timeouts; `callSfn` retries sustained throttling on top of
 * them, with longer waits.
 */
export function createSfnClient(options: AwsOptions): SFNClient {
  return new SFNClient({
    maxAttempts: SDK_ATTEMPTS,
    retryMode: 'adaptive',
    // The handler's options as a plain object: the SDK builds its NodeHttpHandler from them, so this
    // package need not depend on @smithy/node-http-handler itself. Without throwOnRequestTimeout an
    // exceeded requestTimeout is only logged as a warning.
    requestHandler: {
      connectionTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  });
}

/**
 * Makes one Step Functions call, retrying `ThrottlingException`/`TooManyRequestsException`
 * with exponential backoff up to `THROTTLE_ATTEMPTS` times. The retry is explicit, not left to the
 * SDK, because throttling can outlast the SDK's retries and because aws-sdk-client-mock replaces
 * `send`, so the SDK's retry middleware never runs in the tests.
 */
export async function callSfn<T>(deps: CommandDeps, call: string, send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const name = (error as Error).name || 'Error';
      const detail = `${name}: ${(error as Error).message}`;
      if (name === 'TimeoutError') throw new AwsCallError(call, name, timedOut(call, error as Error), { cause: error });
      if (!THROTTLING_ERRORS.has(name)) throw new AwsCallError(call, name, `${call} failed: ${detail}`, { cause: error });
      if (attempt === THROTTLE_ATTEMPTS) {
        throw new AwsCallError(call, name, `${call} was still throttled after ${attempt} attempts (${detail}); try again later, `
          + 'or ask for a higher Step Functions API quota if this persists', { cause: error });
      }
      const delay = Math.min(THROTTLE_FIRST_DELAY_MS * 2 ** (attempt - 1), THROTTLE_MAX_DELAY_MS);
      printLine(deps.stderr, `${call} throttled (${name}), retrying in ${delay / 1000} s`);
      await deps.sleep(delay);
    }
  }
}

/**
 * What timed out, for a `TimeoutError` of the SDK's HTTP handler: which of the two timeouts (its
 * message says, with the milliseconds), after how many attempts, and the option that sets it.
 */
function timedOut(call: string, error: Error & { $metadata?: { attempts?: number } }): string {
  const ms = /(\d+) ms/.exec(error.message)?.[1];
  const attempts = error.$metadata?.attempts;
  const tries = attempts ? ` (${attempts} attempt${attempts === 1 ? '' : 's'})` : '';
  const what = ms === undefined ? `: ${error.message}`
    : /connection/.test(error.message) ? `: no connection within the connect timeout of ${Number(ms) / 1000} s${tries}; --connect-timeout <s> sets it`
      : `: no response within the request timeout of ${Number(ms) / 1000} s${tries}; --request-timeout <s> sets it`;
  return `${call} timed out${what}. Check the network, and the endpoint (AWS_ENDPOINT_URL*) if one is set`;
}

/**
 * The ARN of a state machine given as an ARN, or as its name or part of it (CDK generates
 * names like `WordLengthWorkflowStateMachine1A2B3C4D-AbCdEf`): an exact name wins, otherwise
 * exactly one name must contain `ref` (case-insensitive).
 */
export async function resolveStateMachine(deps: CommandDeps, ref: string): Promise<string> {
  if (ref.startsWith('arn:')) return ref;
  const machines: StateMachineListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await callSfn(deps, 'ListStateMachines', () => deps.client.send(new ListStateMachinesCommand({ nextToken })));
    machines.push(...(page.stateMachines ?? []));
    nextToken = page.nextToken;
  } while (nextToken);

  const exact = machines.filter((m) => m.name === ref);
  const matches = exact.length > 0 ? exact : machines.filter((m) => m.name?.toLowerCase().includes(ref.toLowerCase()));
  if (matches.length === 1) {
    printLine(deps.stderr, `state machine ${matches[0].stateMachineArn}`);
    return matches[0].stateMachineArn!;
  }
  if (matches.length > 1) {
    throw new CommandError(`'${ref}' matches ${matches.length} state machines; give the full name or the ARN:\n${listMachines(matches)}`);
  }
  throw new CommandError(machines.length === 0
    ? `no state machine matches '${ref}': there are none in this account and region (check --region and --profile)`
    : `no state machine matches '${ref}'; the account has, in this region:\n${listMachines(machines)}`);
}

/** The ARN of the execution named `name` of a state machine (given unqualified, or by a version or alias ARN). */
export function executionArn(stateMachineArn: string, name: string): string {
  const [arn, partition, service, region, account, , stateMachineName] = stateMachineArn.split(':');
  return [arn, partition, service, region, account, 'execution', stateMachineName, name].join(':');
}

// DescribeExecution takes Standard executions (and Distributed Map child runs, `<state machine>/<map run>`).
const EXECUTION_ARN = /^arn:[\w-]+:states:[\w-]+:\d{12}:execution:[^:]+:[^:]+$/;

/** The one positional argument of `command`, which must be an execution ARN; throws `UsageError` otherwise. */
export function executionArnArgument(command: string, positionals: readonly string[]): string {
  if (positionals.length !== 1) throw new UsageError(`${command} takes one execution ARN (got ${positionals.length})`);
  const [arn] = positionals;
  if (!EXECUTION_ARN.test(arn)) {
    throw new UsageError(`${command} needs an execution ARN, arn:aws:states:<region>:<account>:execution:<state machine>:<name> (got '${arn}')`);
  }
  return arn;
}

/** The region of an ARN (`arn:aws:states:<region>:...`), or undefined when `value` is not one. */
export function regionOfArn(value: string | undefined): string | undefined {
  const parts = value?.split(':') ?? [];
  return parts[0] === 'arn' && parts[3] ? parts[3] : undefined;
}

export function describeExecution(deps: CommandDeps, arn: string): Promise<DescribeExecutionOutput> {
  return callSfn(deps, 'DescribeExecution', () => deps.client.send(new DescribeExecutionCommand({ executionArn: arn })));
}

/** An execution's output or input string as JSON; Step Functions always stores JSON, but a string is kept as it is. */
export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Writes a line on a stream that may hold a spinner: on a terminal the spinner's line is cleared first. */
export function printLine(stream: Writer, text: string): void {
  stream.write(`${stream.isTTY ? '\r\x1b[2K' : ''}${text}\n`);
}

const MAX_LISTED = 20;

function listMachines(machines: readonly StateMachineListItem[]): string {
  const lines = machines.slice(0, MAX_LISTED).map((m) => `  ${m.name}  ${m.stateMachineArn}`);
  if (machines.length > MAX_LISTED) lines.push(`  ... and ${machines.length - MAX_LISTED} more`);
  return lines.join('\n');
}

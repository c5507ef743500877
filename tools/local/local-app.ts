import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { constructPath } from '../assembly/cloud-assembly';
import { LambdaServiceError } from './local-lambda';
import { LocalRunner } from './local-runner';
import { DELIVERED_SERVICES, localQueue, publishedEventLines } from './event-bus';
import { ExecutionRecord, LocalStepFunctions, StepFunctionsApiError } from './local-step-functions';
import { LocalRestApi, readRestApis, RequestLogEntry, startRestApiServer } from './rest-api';
import { deadLetterMessage, DeadLetteredFiring, formatFiringLogEntry, LocalSchedule, LocalScheduler, readSchedules, ScheduleFiring, ScheduleStats } from './schedules';

/** Whether `sdp serve` runs the app's schedules, and how fast. */
export type ScheduleMode = 'off' | 'on' | 'fast';

/** How much faster than real time `fast` runs the schedules: a 5-minute rate fires every 5 seconds. */
export const FAST_SCHEDULE_SPEED = 60;

/**
 * How long an idle function instance lives locally before it is reclaimed, in schedule time (divided by the speed in
 * `fast`). Lambda does not document it; minutes is what is commonly observed, and what warmers run against.
 */
export const IDLE_INSTANCE_LIFETIME_MS = 10 * 60_000;

export interface LocalAppOptions {
  /** Cloud assembly directory (`cdk.out`). */
  readonly assemblyDir: string;
  /** The stack to serve. @default - the assembly's only stack */
  readonly stackName?: string;
  /** Port of the first REST API; the next APIs get the next ports. 0: any free port. @default 3000 */
  readonly port?: number;
  /** @default 'on' */
  readonly schedules?: ScheduleMode;
  /** Visibility timeout of every local queue, in seconds. @default - the template's */
  readonly visibilityTimeoutSeconds?: number;
  /** Longest a Wait state waits locally, in seconds (after `timeScale`). @default - as the definition says */
  readonly maxWaitSeconds?: number;
  /** Factor of Wait states' waits and retries' back-offs (LocalRunnerOptions.timeScale). @default 1 - real time */
  readonly timeScale?: number;
  /** Objects put in the stack's buckets before anything is served: bucket selector, key, body. @default - none */
  readonly putObjects?: ReadonlyArray<{ bucket: string; key: string; body: string | Uint8Array }>;
  /** One line per request, firing and finished execution, for stderr. @default - none */
  readonly log?: (line: string) => void;
}

/** A REST API being served. */
export interface ServedApi {
  /** Construct path of the API. */
  readonly path: string;
  /** `http://127.0.0.1:<port>`: the stage's routes are under it, as they are under the stage URL on AWS. */
  readonly url: string;
  /** `METHOD /path` of each route. */
  readonly routes: readonly string[];
  /** Routes whose integration the local API does not run, with why. */
  readonly unsupported: readonly string[];
}

/** What a session served, for the summary printed when it stops. */
export interface LocalAppSummary {
  /** Executions by status. */
  readonly executions: Record<string, number>;
  /** Requests by status code. */
  readonly requests: Record<string, number>;
  /** What became of each schedule's runs, by construct path. */
  readonly schedules: Record<string, ScheduleStats>;
}

/**
 * A stack served on this machine as it would run deployed (`sdp serve`): its REST APIs on 127.0.0.1, their AWS
 * integrations calling the local Step Functions; its schedules firing into their targets; its workers draining their
 * queues all along; function instances reclaimed when idle, so a warmer's effect shows.
 */
export class LocalApp {
  private constructor(
    readonly runner: LocalRunner,
    readonly stepFunctions: LocalStepFunctions,
    readonly apis: readonly ServedApi[],
    private readonly servers: ReadonlyArray<{ close(): Promise<void> }>,
    /** Requests answered, by status code. */
    private readonly requests: Record<string, number>,
    /** The stack's schedules, each with what of it does not run locally (`unsupported`). */
    readonly schedules: readonly LocalSchedule[],
    readonly scheduler?: LocalScheduler,
  ) {}

  static async start(options: LocalAppOptions): Promise<LocalApp> {
    const mode = options.schedules ?? 'on';
    const speed = mode === 'fast' ? FAST_SCHEDULE_SPEED : 1;
    const log = options.log ?? (() => undefined);
    const runner = await LocalRunner.start({
      assemblyDir: options.assemblyDir,
      stackName: options.stackName,
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
      maxWaitSeconds: options.maxWaitSeconds,
      timeScale: options.timeScale,
      idleInstanceLifetimeMs: IDLE_INSTANCE_LIFETIME_MS / speed,
    });
    const servers: Array<{ close(): Promise<void> }> = [];
    try {
      for (const { bucket, key, body } of options.putObjects ?? []) {
        const uri = await runner.putObject(bucket, key, body);
        log(`put ${uri}`);
      }
      if (runner.hasQueueEventSources()) runner.startWorkers();
      const { stepFunctions } = runner;
      stepFunctions.onExecutionEnd((record) => log(executionLine(record)));
      runner.eventBus.unsupportedRules().forEach((line) => log(line));
      runner.eventBus.onPublished((published) => publishedEventLines(published).forEach((line) => log(line)));
      const { resolver } = runner;

      const apis: ServedApi[] = [];
      let port = options.port ?? 3000;
      const requests: Record<string, number> = {};
      for (const definition of readRestApis(runner.stack, resolver)) {
        const api = new LocalRestApi(definition, {
          stepFunctions: (action, body) => stepFunctions.handle(action, body, definition.constructPath),
          invokeFunction: (name, payload) => runner.lambda.invoke(name, payload),
        });
        const server = await startRestApiServer({
          api,
          port,
          onRequest: (entry) => {
            requests[entry.status] = (requests[entry.status] ?? 0) + 1;
            log(requestLine(entry));
          },
        });
        servers.push(server);
        apis.push({
          path: definition.constructPath,
          url: server.url,
          routes: api.routes().map((r) => `${r.method} ${r.path}`),
          unsupported: api.unsupportedRoutes().map((r) => `${r.method} ${r.path}: ${r.reason}`),
        });
        if (port !== 0) port = server.port + 1;
      }

      let scheduler: LocalScheduler | undefined;
      const schedules = readSchedules(runner.stack, resolver);
      for (const schedule of schedules) {
        // Refused up front, so a target nothing here can reach is named once instead of retried and dead-lettered each run.
        for (const target of schedule.targets) {
          if (!DELIVERED_SERVICES.includes(target.arn.split(':')[2])) schedule.unsupported.push(`sdp serve does not deliver to ${target.arn}`);
        }
      }
      if (mode !== 'off' && schedules.length > 0) {
        scheduler = new LocalScheduler(schedules, {
          speed,
          deliver: (firing) => deliver(runner, firing),
          deadLetter: (firing, error) => deadLetter(runner, firing, error),
          onFiring: (entry) => log(formatFiringLogEntry(entry)),
        });
        scheduler.start();
      }
      return new LocalApp(runner, stepFunctions, apis, servers, requests, schedules, scheduler);
    } catch (error) {
      await Promise.allSettled(servers.map((s) => s.close()));
      await runner.stop();
      throw error;
    }
  }

  /**
   * Stops the schedules and closes the APIs, gives running executions and the schedules' invocations up to `graceMs` to
   * finish, then stops the engines; answers how many executions were left running.
   */
  async stop(graceMs = 10_000): Promise<number> {
    await this.scheduler?.stop();
    await Promise.allSettled(this.servers.map((s) => s.close()));
    // Executions, and what the schedules and the events they put started (executions, invocations), again until none starts more.
    const stillRunning = await this.runner.settleDeliveries(graceMs);
    await this.runner.stop();
    return stillRunning;
  }

  summary(): LocalAppSummary {
    const executions: Record<string, number> = {};
    for (const { status } of this.stepFunctions.list()) executions[status] = (executions[status] ?? 0) + 1;
    const schedules: LocalAppSummary['schedules'] = {};
    for (const [logicalId, stats] of Object.entries(this.scheduler?.stats ?? {})) schedules[constructPath(this.runner.stack, logicalId)] = { ...stats };
    return { executions, requests: { ...this.requests }, schedules };
  }
}

/** Step Functions and Lambda errors that another attempt can get past: the rest go to the dead-letter queue at once. */
const RETRYABLE = new Set(['ThrottlingException', 'ExecutionLimitExceeded', 'TooManyRequestsException']);

/** `error`, marked not worth retrying when it is a refusal no retry changes (a missing target, an input refused). */
function withRetryable(error: unknown): unknown {
  const name = error instanceof StepFunctionsApiError ? error.errorName : error instanceof LambdaServiceError ? error.errorCode : undefined;
  if (name !== undefined && !RETRYABLE.has(name)) Object.assign(error as Error, { retryable: false });
  return error;
}

/** Delivers a schedule's firing to its target (see {@link LocalRunner.deliver}), its refusals marked retryable or not. */
async function deliver(runner: LocalRunner, firing: ScheduleFiring): Promise<void> {
  const text = typeof firing.input === 'string' ? firing.input : JSON.stringify(firing.input ?? {});
  try {
    await runner.deliver(firing.target.arn, text, firing.schedule.path);
  } catch (error) {
    throw withRetryable(error);
  }
}

/** Sends a firing whose retries ran out to its dead-letter queue, with the attributes EventBridge Scheduler sets. */
async function deadLetter(runner: LocalRunner, firing: DeadLetteredFiring, error: Error): Promise<void> {
  const { body, attributes } = deadLetterMessage(firing, error);
  await runner.snsSqs!.sqs.send(new SendMessageCommand({
    QueueUrl: localQueue(runner, firing.target.deadLetterQueueArn!).url,
    MessageBody: body,
    MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }])),
  }));
}

function requestLine(entry: RequestLogEntry): string {
  return `${entry.method} ${entry.path} ${entry.status}${entry.executionName ? ` ${entry.executionName}` : ''} ${entry.ms} ms${entry.error ? ` (${entry.error})` : ''}`;
}

function executionLine(record: ExecutionRecord): string {
  const seconds = (((record.stopDate ?? Date.now()) - record.startDate) / 1000).toFixed(1);
  const error = record.result?.error ? ` ${record.result.error}` : '';
  return `execution ${record.name} ${record.status}${error} in ${seconds} s${record.startedBy ? ` (started by ${record.startedBy})` : ''}`;
}

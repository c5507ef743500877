import { randomUUID } from 'node:crypto';
import { paginateScan } from '@aws-sdk/client-dynamodb';
import { AssemblyStack, readCloudAssembly, resourcesOfType, selectStack } from '../assembly/cloud-assembly';
import { IntrinsicResolver, LOCAL_REGION } from '../assembly/intrinsics';
import { withImportedStacks } from '../assembly/stack-imports';
import { DeadLetters, inspectDeadLetters, readDeadLetters } from './dead-letters';
import { JOB_TABLE_METADATA } from '../../handlers/job-records';
import { accountJobs, JobAccount } from './job-accounting';
import { LocalDynamoDb } from './local-dynamodb';
import { handlerEnvironment, LocalLambdaRuntime } from './local-lambda';
import { LambdaEndpoint, startLambdaEndpoint } from './lambda-endpoint';
import { LocalStepFunctions, settledWithin } from './local-step-functions';
import { startStepFunctionsEndpoint, StepFunctionsEndpoint } from './step-functions-endpoint';
import { LocalSnsSqs, putObject as putS3Object } from './local-sns-sqs';
import { PollerStats, queueIsEmpty, SqsPoller } from './sqs-poller';
import type { WaitingTask } from './task-tokens';
import type { RequestMeter } from './request-meter';
import { refuseUnsupportedFields } from './definition-support';
import { withStateQueryLanguages } from './query-language/query-language-states';
import { readSchedules } from './schedules';
import { distributedMapRunner, MapRunProgress, MapRunRecord } from './distributed-map';
import { localInterpreter, localStateMachine, payloadOverLimit } from './interpreter';
import type { LocalWaitSummary } from '../trace/execution-trace';
import { allStates } from '../assembly/definition-states';
import { taskHandlersFor } from './task-integrations';
import type { RecordedEvent } from './event-integrations';
import { DeliveryReceipt, deliverToTarget, eventBusNames, EventBridgeEndpoint, LocalEventBus, readEventRules, startEventBridgeEndpoint } from './event-bus';
import type { ChildExecution } from './step-functions-integrations';
import type { EventLog } from './history-events';

export { MAX_PAYLOAD_BYTES } from './interpreter';

/** The longest an Express execution runs: https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html */
export const EXPRESS_MAX_SECONDS = 300;

/** How long a stop gives the executions it aborts to record their end. */
const STOPPED_EXECUTIONS_WAIT_MS = 5_000;

/** What a DynamoDB table is in a template: `Table`, or `GlobalTable` as aws-cdk-lib's `TableV2` makes it. */
const TABLE_TYPES = ['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'];

export interface LocalRunnerOptions {
  /** Cloud assembly directory (`cdk.out`). */
  readonly assemblyDir: string;
  /**
   * Stack to run, with the stacks whose exports it imports (their tables, queues, functions and schedules run with it).
   * @default - the assembly's only stack
   */
  readonly stackName?: string;
  /**
   * Visibility timeout of every local queue, in seconds, so redelivery and dead-lettering take seconds, not minutes.
   * @default - the template's
   */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * Longest a Wait state waits locally, in seconds: a poll loop's interval is there for AWS's costs, not for what a
   * local run checks. It bounds the wait after `timeScale` (the shorter of the two applies); retries' back-offs are
   * not bounded by it.
   * @default - as the definition says (after `timeScale`)
   */
  readonly maxWaitSeconds?: number;
  /**
   * Factor of every Wait state's wait (`Seconds`, `SecondsPath`, `Timestamp`, `TimestampPath`, JSONata `Seconds` and
   * `Timestamp`) and every retry's back-off (`IntervalSeconds` × `BackoffRate`^n, `MaxDelaySeconds`, jitter), so a
   * workflow of waits and retries runs in a moment (0.01: a 3-second wait takes 30 ms), its waits in proportion.
   * Task (TimeoutSeconds, HeartbeatSeconds), Lambda and execution timeouts are not scaled: they bound work that really runs. A Wait state's scaled wait
   * is then bounded by `maxWaitSeconds`. More than 0, at most 1.
   * @default 1 - real time
   */
  readonly timeScale?: number;
  /**
   * Concurrent executions shared by the functions without reserved concurrency (the account's unreserved pool).
   * @default - 1000 (a new account's quota) less the stack's reserved concurrency
   */
  readonly unreservedConcurrency?: number;
  /**
   * Counts the requests to the local DynamoDB, SNS, SQS and S3 by action and billing unit (`sdp cost`): the engines
   * are reached through a metering proxy.
   * @default - not metered
   */
  readonly meter?: RequestMeter;
  /**
   * How long an idle function instance lives before it is reclaimed, in milliseconds (see {@link LocalLambdaOptions}).
   * @default - never
   */
  readonly idleInstanceLifetimeMs?: number;
}

/** What draining a stack's queues did. */
export interface DrainResult {
  /** Poller statistics by event source mapping logical id. */
  readonly pollers: Record<string, PollerStats>;
  /** Messages now in each dead-letter queue, by queue logical id. */
  readonly deadLettered: Record<string, number>;
  /** What each dead-letter queue holds, by queue logical id. */
  readonly deadLetters: Record<string, DeadLetters>;
  /** What became of the messages of each queue a function is fed from, by queue logical id. */
  readonly queues: Record<string, QueueDrain>;
}

/**
 * What became of a source queue's messages once drained: each was processed or dead-lettered
 * (`messages = processed + deadLettered`). `received - failedRecords` deliveries succeeded: one per
 * processed message, more when a message came back while a delivery of it was still in progress.
 */
export interface QueueDrain {
  /** Messages the queue delivered, each counted once. */
  readonly messages: number;
  /** Messages the function succeeded on, each counted once. */
  readonly processed: number;
  /** Messages now in the queue's dead-letter queue (0 without one). */
  readonly deadLettered: number;
  /**
   * Items in the messages of the queue's dead-letter queue (0 without one): the `items` of each chunk
   * (`{ jobId, chunkIndex, items }`), one per message that is not a chunk.
   */
  readonly deadLetteredItems: number;
  /** Deliveries to the function, redeliveries included. */
  readonly received: number;
  /** Deliveries the function failed: the records it reported failed, or every record of an invocation that threw. */
  readonly failedRecords: number;
  /** Invocations of the function. */
  readonly invocations: number;
  /**
   * Errors of whole invocations (the function threw, timed out or was throttled), by error name, with the first
   * message: absent when there were none. Records a worker reports failed are in `failedRecords` only.
   */
  readonly errors?: Record<string, { count: number; message: string }>;
  /** The dead-letter queue's logical id, when the queue has one. */
  readonly deadLetterQueue?: string;
}

export interface LocalExecutionRequest {
  /** Logical id of the state machine, or a part of its construct path. @default - the stack's only state machine */
  readonly stateMachine?: string;
  readonly input: unknown;
  /** Execution name. @default - a random UUID */
  readonly name?: string;
  /**
   * The execution's ARN, when the caller gave it one (an Express execution's `…:express:…:<name>:<id>`).
   * @default - the state machine's ARN with `:stateMachine:` made `:execution:`, and the name
   */
  readonly executionArn?: string;
  /** Called as each map run of a distributed Map progresses (items done of the total), e.g. to show a progress bar. */
  readonly onProgress?: (progress: MapRunProgress) => void;
  /**
   * Stops the execution (`ABORTED`, error `sdp.UnansweredTaskToken`, the cause naming the states) once it does nothing
   * but wait for task tokens nothing in the run can answer: every state it runs is a callback task whose call was
   * made, none has HeartbeatSeconds or TimeoutSeconds to end it (AWS would wait up to a year), no function runs, and
   * the queues the workers read are empty, and every other execution of the run does the same or waits for a child
   * that does — for a second; a `.sync` child that waits so is stopped too, and its parent's task fails. What a one-off run (`sdp run`) wants; a server that takes
   * answers from outside (`sdp serve`) does not.
   * @default false - the execution waits for its tokens as long as AWS would
   */
  readonly stopWhenNothingCanAnswer?: boolean;
  /** Stops the execution when it aborts, as StopExecution does: it ends ABORTED. @default - runs to its end */
  readonly abortSignal?: AbortSignal;
  /** An array the run appends its event log to as the events happen: a view of the execution while it runs. @default - none */
  readonly liveEvents?: EventLog[];
}

/** The error of an execution the local run stopped because nothing could answer the task tokens it waited for. */
export const UNANSWERED_TASK_TOKEN = 'sdp.UnansweredTaskToken';

/** The outcome of a local execution, shaped like DescribeExecution plus the event log. */
export interface LocalExecution {
  readonly executionArn: string;
  readonly stateMachine: string;
  /** ABORTED: stopped by the local run ({@link LocalExecutionRequest.stopWhenNothingCanAnswer}) or by StopExecution ({@link LocalExecutionRequest.abortSignal}). */
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly events: readonly EventLog[];
  /** The `Resource` of each Task state, by state name (the history's Task and Lambda events name it). */
  readonly taskResources: Readonly<Record<string, string>>;
  /** The map runs of the execution's distributed Maps, with their child executions, in the order they started. */
  readonly mapRuns: readonly MapRunRecord[];
  /** The events its `events:putEvents` tasks put, in order, each with the rules it matched and what they delivered. */
  readonly putEvents: readonly RecordedEvent[];
  /**
   * The nested executions its `states:startExecution` tasks started, in order: each an execution of
   * {@link LocalRunner.stepFunctions}, still running when a fire-and-forget child outlives its parent.
   */
  readonly childExecutions: readonly ChildExecution[];
}

/**
 * Runs a synthesized stack on this machine. State machine definitions come
 * from the cloud assembly and aws-local-stepfunctions interprets them; Lambda
 * functions run from their bundled assets in-process; DynamoDB tables live in
 * an embedded dynalite; topics, queues and subscriptions in an embedded fauxqs,
 * with a poller per SQS event source.
 */
export class LocalRunner {
  private constructor(
    readonly stack: AssemblyStack,
    readonly dynamodb: LocalDynamoDb,
    readonly lambda: LocalLambdaRuntime,
    /** Resolves the stack's intrinsics to local names and ARNs. */
    readonly resolver: IntrinsicResolver,
    private readonly options: LocalRunnerOptions,
    /** The Lambda API's Invoke, for handlers that invoke functions (a warmer). */
    readonly lambdaEndpoint: LambdaEndpoint,
    /** The SNS/SQS emulator, when the stack has topics or queues. */
    readonly snsSqs?: LocalSnsSqs,
  ) {
    this.stepFunctions = new LocalStepFunctions(this);
    this.eventBus = new LocalEventBus(readEventRules(stack, resolver), eventBusNames(stack, resolver),
      (arn, text, startedBy) => this.deliver(arn, text, startedBy));
  }

  /**
   * The app's event buses and their rules with event patterns: what a task's `events:putEvents` and a handler's PutEvents
   * (through the endpoint at `AWS_ENDPOINT_URL_EVENTBRIDGE`) put events on, delivered to the matching rules' targets.
   */
  readonly eventBus: LocalEventBus;

  /** Asynchronous invocations the deliveries started (the bus's rules', the schedules'), still running. */
  private readonly deliveredInvocations = new Set<Promise<void>>();

  /** The HTTP endpoint of {@link eventBus}, once started. */
  private eventBridgeEndpoint?: EventBridgeEndpoint;

  /**
   * The Step Functions API of the run (StartExecution, DescribeExecution...), which an API's integration, a schedule and
   * the handlers (through the endpoint at `AWS_ENDPOINT_URL_SFN`) call.
   */
  readonly stepFunctions: LocalStepFunctions;

  /** The HTTP endpoint of {@link stepFunctions}, once started. */
  private stepFunctionsEndpoint?: StepFunctionsEndpoint;

  /** Each state machine's definition as {@link runnableDefinition} makes it, by logical id. */
  private readonly definitions = new Map<string, { definition: any; runnable: any }>();

  /** The executions {@link execute} runs now, by ARN, each with what stops it for tokens nothing can answer. */
  private readonly executing = new Map<string, (waiting: WaitingTask[]) => void>();

  /** The pollers of the stack's SQS event sources, once started. */
  private pollers?: Array<{ id: string; queue: { logicalId: string; url: string; arn: string }; poller: SqsPoller }>;

  private static running = false;

  /**
   * Reads the assembly and starts the embedded engines with the stack's tables, topics, queues and subscriptions.
   * One runner at a time per process: its handlers find the engines through the process environment.
   */
  static async start(options: LocalRunnerOptions): Promise<LocalRunner> {
    const { timeScale } = options;
    if (timeScale !== undefined && !(timeScale > 0 && timeScale <= 1)) throw new Error(`LocalRunner: timeScale must be more than 0 and at most 1 (got ${timeScale})`);
    if (LocalRunner.running) throw new Error('another LocalRunner is running in this process; stop it first (handlers find the local engines through the one process environment)');
    LocalRunner.running = true;
    try {
      return await LocalRunner.startEngines(options);
    } catch (error) {
      LocalRunner.running = false;
      throw error;
    }
  }

  private static async startEngines(options: LocalRunnerOptions): Promise<LocalRunner> {
    const stacks = readCloudAssembly(options.assemblyDir);
    // The stacks it imports from run with it: a state machine of one stack may invoke a function or write a table of another.
    const stack = withImportedStacks(stacks, selectStack(stacks, options.stackName));
    const needsSnsSqs = Object.values(stack.template.Resources).some((r) => ['AWS::SNS::Topic', 'AWS::SQS::Queue', 'AWS::S3::Bucket'].includes(r.Type));
    const dynamodb = await LocalDynamoDb.start({ meter: options.meter });
    let snsSqs: LocalSnsSqs | undefined;
    let lambdaEndpoint: LambdaEndpoint | undefined;
    try {
      await dynamodb.createTables(stack.template);
      if (needsSnsSqs) {
        snsSqs = await LocalSnsSqs.start({ meter: options.meter });
        await snsSqs.createFromTemplate(stack.template, { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds });
      }
      // A queue's Ref is its URL, and a handler's SQS client sends its requests to the URL's host: the local SQS's endpoint
      // (fauxqs's own URLs name a host, sqs.<region>.localhost, that no resolver knows; it finds a queue by its path).
      const queueUrl = (logicalId: string) => {
        const queue = snsSqs?.queues.get(logicalId);
        return queue && `${snsSqs!.endpoint}${new URL(queue.url).pathname}`;
      };
      const resolver = IntrinsicResolver.of(stack, { queueUrl });
      const lambda = new LocalLambdaRuntime(stack, { unreservedConcurrency: options.unreservedConcurrency, idleInstanceLifetimeMs: options.idleInstanceLifetimeMs, resolver });
      lambdaEndpoint = await startLambdaEndpoint(lambda);
      // One process hosts every function: SDK clients the handlers create talk to the local engines.
      Object.assign(handlerEnvironment, {
        AWS_ENDPOINT_URL_LAMBDA: lambdaEndpoint.endpoint,
        AWS_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
        ...snsSqs && { AWS_ENDPOINT_URL_SNS: snsSqs.endpoint, AWS_ENDPOINT_URL_SQS: snsSqs.endpoint, AWS_ENDPOINT_URL_S3: snsSqs.endpoint },
      });
      const runner = new LocalRunner(stack, dynamodb, lambda, resolver, options, lambdaEndpoint, snsSqs);
      runner.stepFunctionsEndpoint = await startStepFunctionsEndpoint(runner.stepFunctions);
      handlerEnvironment.AWS_ENDPOINT_URL_SFN = runner.stepFunctionsEndpoint.endpoint;
      runner.eventBridgeEndpoint = await startEventBridgeEndpoint(runner.eventBus);
      handlerEnvironment.AWS_ENDPOINT_URL_EVENTBRIDGE = runner.eventBridgeEndpoint.endpoint;
      return runner;
    } catch (error) {
      await lambdaEndpoint?.close();
      await snsSqs?.stop();
      await dynamodb.stop();
      throw error;
    }
  }

  /** The logical id of the one resource of `type` (or of one of the types) whose logical id or construct path contains `selector`. */
  findResource(type: string | string[], selector?: string): string {
    const ids = [type].flat().flatMap((t) => resourcesOfType(this.stack.template, t));
    const cdkPath = (id: string) => String(this.stack.template.Resources[id].Metadata?.['aws:cdk:path'] ?? '');
    const matches = selector === undefined ? ids : ids.filter((id) => id.includes(selector) || cdkPath(id).includes(selector));
    if (matches.length !== 1) {
      const what = selector === undefined ? type : `${type} matching '${selector}'`;
      throw new Error(`stack ${this.stack.name} has ${matches.length} ${what} (${ids.join(', ') || 'none'}); name one`);
    }
    return matches[0];
  }

  /** The local ARN of a resource, found by logical id or a part of its construct path. */
  resourceArn(type: string, selector?: string): string {
    return this.resolver.arn(this.findResource(type, selector));
  }

  /** Invokes a function of the stack, found by logical id or a part of its construct path. */
  async invokeFunction(selector: string, payload: unknown): Promise<unknown> {
    return this.lambda.invoke(this.resolver.physicalName(this.findResource('AWS::Lambda::Function', selector)), payload);
  }

  /** The local name of a table, found by logical id or a part of its construct path. */
  tableName(selector: string): string {
    return this.resolver.physicalName(this.findResource(TABLE_TYPES, selector));
  }

  /** The local name of a bucket, found by logical id or a part of its construct path. */
  bucketName(selector: string): string {
    return this.resolver.physicalName(this.findResource('AWS::S3::Bucket', selector));
  }

  /**
   * Puts an object in a bucket of the stack, found by logical id or a part of its construct path, in the local S3
   * (in parts when large); returns its `s3://` URI (the bucket's local name).
   */
  async putObject(bucketSelector: string, key: string, body: string | Uint8Array): Promise<string> {
    const bucket = this.bucketName(bucketSelector);
    if (!this.snsSqs) throw new Error(`stack ${this.stack.name} has no local S3`);
    await putS3Object(this.snsSqs.s3, bucket, key, body);
    return `s3://${bucket}/${key}`;
  }

  /** Whether the stack feeds a function from a queue: a run of it is over once the queues are drained. */
  hasQueueEventSources(): boolean {
    return this.queueEventSources().length > 0;
  }

  /**
   * Starts a poller for every SQS event source mapping of the stack, in the background, so workers
   * process messages while an execution runs (a workflow that waits for its workers needs them).
   */
  startWorkers(): void {
    if (this.pollers) return;
    if (!this.snsSqs) throw new Error(`stack ${this.stack.name} has no queues`);
    const snsSqs = this.snsSqs;
    this.pollers = this.queueEventSources().map(({ id, queue, properties: p }) => ({
      id,
      queue,
      poller: new SqsPoller(snsSqs.sqs, this.lambda, {
        queueUrl: queue.url,
        queueArn: queue.arn,
        functionName: String(this.resolver.resolve(p.FunctionName)),
        batchSize: p.BatchSize,
        reportBatchItemFailures: (p.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
        maxConcurrency: p.ScalingConfig?.MaximumConcurrency,
      }),
    }));
    for (const { poller } of this.pollers) poller.start();
  }

  /**
   * Runs the pollers (starting them if {@link startWorkers} has not) until every source queue is empty
   * (delivered, or moved to its dead-letter queue); the counts are of what they did since they started.
   */
  async drainQueues(): Promise<DrainResult> {
    this.startWorkers();
    const pollers = this.pollers!;
    const drains = await Promise.allSettled(pollers.map(({ poller }) => poller.drain()));
    // Every poller has stopped; the counts are of this drain: the next run starts fresh pollers.
    this.pollers = undefined;
    const failed = drains.find((d): d is PromiseRejectedResult => d.status === 'rejected');
    if (failed) throw failed.reason;
    const deadLetters = await this.readDeadLetterQueues();
    const deadLettered = Object.fromEntries(Object.entries(deadLetters).map(([id, d]) => [id, d.messages + d.unread]));
    const queues: Record<string, QueueDrain> = {};
    for (const { queue, poller: { stats } } of pollers) {
      const deadLetterQueue = this.deadLetterQueueOf(queue.logicalId);
      const before = queues[queue.logicalId];
      queues[queue.logicalId] = {
        messages: (before?.messages ?? 0) + Object.keys(stats.receives).length,
        processed: (before?.processed ?? 0) + stats.processed,
        deadLettered: deadLetterQueue ? deadLettered[deadLetterQueue] ?? 0 : 0,
        deadLetteredItems: deadLetterQueue ? deadLetters[deadLetterQueue]?.items ?? 0 : 0,
        received: (before?.received ?? 0) + stats.received,
        failedRecords: (before?.failedRecords ?? 0) + stats.failedRecords,
        invocations: (before?.invocations ?? 0) + stats.invocations,
        ...Object.keys(stats.errors).length > 0 && { errors: mergeErrors(before?.errors, stats.errors) },
        ...deadLetterQueue && { deadLetterQueue },
      };
    }
    return { pollers: Object.fromEntries(pollers.map(({ id, poller }) => [id, poller.stats])), deadLettered, deadLetters, queues };
  }

  /** The items in each table of the stack, by logical id (every page of a counting scan). */
  async itemCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const id of TABLE_TYPES.flatMap((t) => resourcesOfType(this.stack.template, t))) {
      let count = 0;
      for await (const page of paginateScan({ client: this.dynamodb.client }, { TableName: this.resolver.physicalName(id), Select: 'COUNT' })) {
        count += page.Count ?? 0;
      }
      counts[id] = count;
    }
    return counts;
  }

  /** The SQS event source mappings of the stack whose queue the local run created, with that queue. */
  private queueEventSources() {
    return resourcesOfType(this.stack.template, 'AWS::Lambda::EventSourceMapping').flatMap((id) => {
      const properties = this.stack.template.Resources[id].Properties ?? {};
      const queue = this.snsSqs?.queueByArn(this.resolver.resolve(properties.EventSourceArn));
      return queue ? [{ id, queue, properties }] : [];
    });
  }

  /**
   * What each running worker has done so far, by its queue's logical id, with the queue's dead-letter queue: a view of a
   * serving run, whose workers run all along ({@link drainQueues} stops them).
   */
  workerProgress(): Array<{ queue: string; deadLetterQueue?: string; stats: Readonly<PollerStats> }> {
    return (this.pollers ?? []).map(({ queue, poller }) => ({ queue: queue.logicalId, deadLetterQueue: this.deadLetterQueueOf(queue.logicalId), stats: poller.stats }));
  }

  /** The logical id of the queue's dead-letter queue (its redrive policy's target), if it has one. */
  private deadLetterQueueOf(queueLogicalId: string): string | undefined {
    const policy = this.stack.template.Resources[queueLogicalId].Properties?.RedrivePolicy;
    if (!policy) return undefined;
    const { deadLetterTargetArn } = this.resolver.resolve(policy) as { deadLetterTargetArn: string };
    return this.snsSqs?.queueByArn(deadLetterTargetArn)?.logicalId;
  }

  /**
   * What each queue that some redrive policy names as its dead-letter queue holds, by logical id: read
   * without removing anything (see {@link readDeadLetters}; {@link inspectDeadLetters} for what that cannot read).
   */
  async readDeadLetterQueues(): Promise<Record<string, DeadLetters>> {
    if (!this.snsSqs) return {};
    const dlqArns = new Set(Object.values(this.stack.template.Resources)
      .filter((r) => r.Type === 'AWS::SQS::Queue' && r.Properties?.RedrivePolicy)
      .map((r) => (this.resolver.resolve(r.Properties!.RedrivePolicy) as { deadLetterTargetArn: string }).deadLetterTargetArn));
    const contents: Record<string, DeadLetters> = {};
    for (const queue of this.snsSqs.queues.values()) {
      if (!dlqArns.has(queue.arn)) continue;
      const read = await readDeadLetters(this.snsSqs.sqs, queue.url);
      // What SQS cannot show without removing it (a FIFO group's later messages), fauxqs's inspection shows.
      contents[queue.logicalId] = read.unread > 0 ? await inspectDeadLetters(this.snsSqs.endpoint, this.resolver.physicalName(queue.logicalId)) : read;
    }
    return contents;
  }

  /** Logical ids of the stack's job tables: the tables whose metadata has `"sdp:role": "job-table"`. */
  jobTables(): string[] {
    return TABLE_TYPES.flatMap((type) => resourcesOfType(this.stack.template, type))
      .filter((id) => this.stack.template.Resources[id].Metadata?.[JOB_TABLE_METADATA.key] === JOB_TABLE_METADATA.value);
  }

  /**
   * Each job of the stack's job tables accounted for (see {@link accountJobs}), with the chunks in the
   * dead-letter queues; undefined when the stack has no job table.
   * @param deadLetters what the dead-letter queues hold, as {@link drainQueues} read it (default: read now)
   */
  async jobAccounts(deadLetters?: Record<string, DeadLetters>): Promise<JobAccount[] | undefined> {
    const tables = this.jobTables();
    if (tables.length === 0) return undefined;
    const chunks = Object.values(deadLetters ?? await this.readDeadLetterQueues()).flatMap((d) => d.chunks);
    return accountJobs(this.dynamodb.client, tables.map((id) => this.resolver.physicalName(id)), chunks);
  }

  /**
   * The fixed input of each EventBridge schedule or rule that starts `stateMachine`,
   * resolved to local names: what a scheduled run of it would get.
   */
  scheduledInputs(stateMachine?: string): Array<{ schedule: string; input: unknown }> {
    const machineArn = this.resolver.arn(this.findStateMachine(stateMachine));
    // A rule target without Input would send the scheduled event; as an execution input here it is `{}`.
    return readSchedules(this.stack, this.resolver).flatMap(({ logicalId, targets }) => targets
      .filter((target) => target.arn === machineArn)
      .map((target) => ({ schedule: logicalId, input: target.input ?? {} })));
  }

  /** Logical ids of the stack's state machines. */
  stateMachines(): string[] {
    return resourcesOfType(this.stack.template, 'AWS::StepFunctions::StateMachine');
  }

  /** The state machine's definition with every intrinsic resolved to local names. */
  definitionOf(stateMachine?: string): any {
    return withoutWholeStateResultPaths(this.resolver.stateMachineDefinition(this.findStateMachine(stateMachine)));
  }

  async execute(request: LocalExecutionRequest): Promise<LocalExecution> {
    const logicalId = this.findStateMachine(request.stateMachine);
    const { definition, runnable } = this.runnableDefinition(logicalId);
    const name = request.name ?? randomUUID();
    const stateMachineArn = this.resolver.arn(logicalId);
    const executionArn = request.executionArn ?? stateMachineArn.replace(':stateMachine:', ':execution:') + `:${name}`;
    const putEvents: RecordedEvent[] = [];
    const childExecutions: ChildExecution[] = [];
    const taskResourceLocalHandlers = taskHandlersFor(definition, {
      lambda: this.lambda, dynamodb: this.dynamodb.client, snsSqs: this.snsSqs, events: { bus: this.eventBus, executionArn, stateMachineArn, recorded: putEvents },
      nested: { stepFunctions: this.stepFunctions, executionArn, children: childExecutions },
    });
    const input = request.input as any;
    const taskResources = Object.fromEntries([...allStates(definition)].filter(([, s]) => s.Type === 'Task').map(([n, s]) => [n, String(s.Resource)]));
    const distributedMap = distributedMapRunner({ s3: this.snsSqs?.s3, stateMachineArn, executionArn, onProgress: request.onProgress });
    const base = { executionArn, stateMachine: logicalId, taskResources, mapRuns: distributedMap.mapRuns, putEvents, childExecutions };

    // Step Functions checks the input before the first state: nothing runs.
    const inputOverLimit = payloadOverLimit(input, 'the execution input');
    if (inputOverLimit) {
      const at = Date.now();
      const events = [
        { type: 'ExecutionStarted', timestamp: at, input },
        { type: 'ExecutionFailed', timestamp: at, Error: inputOverLimit.name, Cause: inputOverLimit.message },
      ] as EventLog[];
      return { ...base, events, status: 'FAILED', error: inputOverLimit.name, cause: inputOverLimit.message };
    }

    const roleArn = this.stack.template.Resources[logicalId].Properties?.RoleArn;
    const execution = localStateMachine(runnable).run(input, {
      // The execution's own Input and StartTime, which the interpreter would give a Map iteration its item for.
      execution: { Input: input, StartTime: new Date().toISOString() },
      overrides: { taskResourceLocalHandlers },
      taskTokens: this.stepFunctions.taskTokens,
      // A distributed Map's child executions get it too: their tokens are this execution's (tools/local/callback-tasks.ts).
      rootExecutionArn: executionArn,
      localWaitTime: (definedMs: number, kind: LocalWaitSummary['kind']) => this.localWaitTime(definedMs, kind),
      distributedMap: distributedMap.run,
      // The interpreter adds State (per state) and Execution's Input and StartTime.
      context: {
        Execution: { Id: executionArn, Name: name, ...roleArn !== undefined && { RoleArn: this.resolver.resolve(roleArn) } },
        StateMachine: { Id: stateMachineArn, Name: this.resolver.physicalName(logicalId) },
      } as any,
    } as any);
    let unanswered: WaitingTask[] | undefined;
    this.executing.set(executionArn, (waiting) => {
      if (unanswered) return;
      unanswered = waiting;
      execution.abort();
    });
    const stopWatching = request.stopWhenNothingCanAnswer ? this.watchUnanswerable() : undefined;
    request.abortSignal?.addEventListener('abort', () => execution.abort(), { once: true });
    const settled = await settleRun(execution, request.liveEvents);
    stopWatching?.();
    this.executing.delete(executionArn);
    this.stepFunctions.taskTokens.endExecution(executionArn);
    // A `.sync` child outliving its task (the task timed out, the parent stopped) is stopped, as Step Functions stops it.
    for (const { integration, execution: child } of childExecutions) if (integration !== 'startExecution') this.stepFunctions.stop(child);
    if (!unanswered) return { ...base, ...settled };
    const states = unanswered.map((t) => `'${t.state}' (waiting ${Math.round((Date.now() - t.since) / 100) / 10} s)`).join(', ');
    const cause = `the execution waits for the task token of ${states} and nothing in the local run can answer it: no function runs, `
      + 'the queues its workers read are empty, and no HeartbeatSeconds or TimeoutSeconds ends the task (AWS would wait up to a year); the local run stopped it';
    return { ...base, events: settled.events, status: 'ABORTED', error: UNANSWERED_TASK_TOKEN, cause };
  }

  /**
   * Stops each execution of the run (the one {@link execute} was asked for, those started through the API: nested,
   * by rules, by handlers) that does nothing but wait for task tokens nothing in the run can answer, as
   * {@link LocalExecutionRequest.stopWhenNothingCanAnswer} says, while the watch lasts; a parent waiting for such a child
   * then sees it ABORTED. Returns what ends the watch.
   */
  watchUnanswerable(): () => void {
    const running = () => [...new Set([...this.executing.keys(), ...this.stepFunctions.list().filter((r) => r.status === 'RUNNING').map((r) => r.executionArn)])];
    return this.stepFunctions.taskTokens.watchUnanswerable(running, () => this.nothingRunsThatCouldAnswer(), (waiting) => {
      for (const [executionArn, stop] of this.executing) {
        const tasks = waiting.filter((t) => t.executionArn === executionArn);
        if (tasks.length > 0) stop(tasks);
      }
    });
  }

  /** No function runs and every queue the running workers read is empty: nothing of the run is under way. */
  private async nothingRunsThatCouldAnswer(): Promise<boolean> {
    if (this.lambda.invocationsInProgress() > 0) return false;
    for (const { queue } of this.pollers ?? []) {
      if (!await queueIsEmpty(this.snsSqs!.sqs, queue.url)) return false;
    }
    return true;
  }

  /**
   * The state machine's definition, refused before anything runs when the local run cannot run it as AWS would, and
   * the same with each state's query language set, which the interpreter runs: made once per state machine.
   */
  private runnableDefinition(logicalId: string): { definition: any; runnable: any } {
    let found = this.definitions.get(logicalId);
    if (!found) {
      const definition = this.definitionOf(logicalId);
      const express = this.stack.template.Resources[logicalId].Properties?.StateMachineType === 'EXPRESS';
      refuseUnsupportedFields(definition, express ? 'EXPRESS' : 'STANDARD');
      const runnable = withStateQueryLanguages(definition);
      // An Express execution runs at most five minutes, whatever the definition says; then it times out.
      if (express) runnable.TimeoutSeconds = Math.min(runnable.TimeoutSeconds ?? EXPRESS_MAX_SECONDS, EXPRESS_MAX_SECONDS);
      found = { definition, runnable };
      this.definitions.set(logicalId, found);
    }
    return found;
  }

  /** How long a wait the definition asks for lasts here: `timeScale`, then for a Wait state `maxWaitSeconds`. */
  private localWaitTime(definedMs: number, kind: LocalWaitSummary['kind']): number {
    const scaled = definedMs * (this.options.timeScale ?? 1);
    const max = this.options.maxWaitSeconds;
    return kind === 'Wait' && max !== undefined ? Math.min(scaled, max * 1000) : scaled;
  }

  /**
   * Delivers `text` to a target as EventBridge does, for a rule or a schedule ({@link deliverToTarget}); a function's
   * invocation runs on, and {@link settleDeliveries} waits for it.
   */
  deliver(arn: string, text: string, startedBy: string): Promise<DeliveryReceipt> {
    return deliverToTarget(this, arn, text, startedBy, this.deliveredInvocations);
  }

  /**
   * Waits until what events started has finished: the executions (of the local Step Functions, started by rules or
   * otherwise) and the functions' asynchronous invocations, again while either starts more (an execution that puts an
   * event a rule delivers), or until `timeoutMs` passed; answers how many are still running.
   */
  async settleDeliveries(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.stepFunctions.settle(deadline - Date.now());
      await settledWithin(Promise.allSettled([...this.deliveredInvocations]), deadline - Date.now());
      const running = (await this.stepFunctions.settle(0)) + this.deliveredInvocations.size;
      if (running === 0 || Date.now() >= deadline) return running;
    }
  }

  async stop(): Promise<void> {
    // An execution still running goes with the engines (ABORTED): none of its timers (a Wait, a heartbeat) outlives them.
    for (const record of this.stepFunctions.list()) this.stepFunctions.stop(record);
    await this.stepFunctions.settle(STOPPED_EXECUTIONS_WAIT_MS);
    // Whatever the pollers ended with, the engines stop: a poller's error was the run's to report.
    await Promise.allSettled((this.pollers ?? []).map(({ poller }) => poller.stop()));
    this.pollers = undefined;
    try {
      await this.stepFunctionsEndpoint?.close();
      await this.eventBridgeEndpoint?.close();
      await this.lambdaEndpoint.close();
      await this.snsSqs?.stop();
    } finally {
      try {
        await this.dynamodb.stop();
      } finally {
        LocalRunner.running = false;
      }
    }
  }

  private findStateMachine(selector?: string): string {
    return this.findResource('AWS::StepFunctions::StateMachine', selector);
  }
}

/**
 * Drops `"ResultPath": "$"` from states and catchers. It means the same as no
 * ResultPath (the result replaces the state), but aws-local-stepfunctions 3.0
 * treats the `$` as a field name.
 */
function withoutWholeStateResultPaths(definition: any): any {
  for (const [, state] of allStates(definition)) {
    for (const holder of [state, ...(state.Catch ?? [])]) {
      if (holder.ResultPath === '$') delete holder.ResultPath;
    }
  }
  return definition;
}

/** Two tallies of errors by name as one; the first message seen stays. */
function mergeErrors(
  a: Record<string, { count: number; message: string }> = {}, b: Record<string, { count: number; message: string }>,
): Record<string, { count: number; message: string }> {
  const merged = { ...a };
  for (const [name, { count, message }] of Object.entries(b)) merged[name] = { count: (merged[name]?.count ?? 0) + count, message: merged[name]?.message ?? message };
  return merged;
}

/**
 * How a run of the interpreter ended, with its event log (appended to `events` as it runs): its output, or its error and
 * cause (a timeout as `States.Timeout`); an aborted run is ABORTED, without either (StopExecution's caller gives them).
 */
export async function settleRun(
  execution: ReturnType<InstanceType<ReturnType<typeof localInterpreter>['StateMachine']>['run']>,
  events: EventLog[] = [],
): Promise<{ events: EventLog[]; status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED'; output?: unknown; error?: string; cause?: string }> {
  const collecting = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  try {
    const output = await execution.result;
    await collecting;
    return { events, status: 'SUCCEEDED', output };
  } catch (error) {
    await collecting;
    if (error instanceof localInterpreter().ExecutionTimeoutError) return { events, status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out (TimeoutSeconds).' };
    if (error instanceof localInterpreter().ExecutionAbortedError) return { events, status: 'ABORTED' };
    const failure = (error as Error).cause instanceof Error ? (error as Error).cause as Error : error as Error;
    return { events, status: 'FAILED', error: failure.name, cause: failure.message };
  }
}

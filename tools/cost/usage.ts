import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { isDynamoDbWrite, MeteredOperation, s3RequestTier } from '../local/request-meter';
import type { Assumptions, PriceId } from './prices';

/** The services a bill has lines for, in the order it lists them. */
export const SERVICES = ['Step Functions', 'Lambda', 'SNS', 'SQS', 'DynamoDB', 'S3', 'CloudWatch Logs', 'X-Ray'] as const;
export type Service = (typeof SERVICES)[number];

/** One billed quantity of a sample run, before scaling. */
export interface UsageLine {
  readonly service: Service;
  /** What is counted, and of which resource. */
  readonly what: string;
  readonly price: PriceId;
  /** The quantity in the sample run, in the price's unit (requests, GB-seconds, GB...). */
  readonly quantity: number;
  /** How the quantity was had: measured in the local run, read from the definition, or estimated (the line says how). */
  readonly basis: 'measured' | 'definition' | 'estimated';
}

/** What the template says about a pipeline: its state machine and the resources its run can touch. */
export interface PipelineFacts {
  /** The state machine's id, `<stack>/<construct>`. */
  readonly id: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  /** `LoggingConfiguration.Level`. */
  readonly logLevel: 'ALL' | 'ERROR' | 'FATAL' | 'OFF';
  readonly includeExecutionData: boolean;
  /** `TracingConfiguration.Enabled`. */
  readonly tracing: boolean;
  /** The definition (ASL), for the states of a Distributed Map's item processor. */
  readonly definition: { States: Record<string, any> };
  /** The stack's functions by logical id. */
  readonly functions: Readonly<Record<string, FunctionFacts>>;
  /** Construct paths of the tables, queues, topics and buckets, by their local name. */
  readonly names: Readonly<Record<string, string>>;
  /** Local names of the FIFO queues (billed at the FIFO price). */
  readonly fifoQueues: readonly string[];
}

export interface FunctionFacts {
  /** Construct path. */
  readonly id: string;
  readonly memoryMb: number;
  readonly architecture: 'arm64' | 'x86_64';
  /** `TracingConfig.Mode: Active`. */
  readonly tracing: boolean;
  /** Whether an event source mapping (SQS) invokes it: each such invocation starts a trace of its own. */
  readonly fedByEventSource: boolean;
}

/** What the local run of a sample job did. */
export interface SampleRun {
  /** Items the sample job holds. */
  readonly items: number;
  /** The execution's history. */
  readonly events: readonly HistoryEvent[];
  readonly executionArn: string;
  /** Wall time of the execution, in ms (an Express workflow is billed for it). */
  readonly durationMs: number;
  /** The map runs of its Distributed Map states: one child execution per batch. */
  readonly mapRuns: readonly MapRunSample[];
  /** What each function did, by logical id. */
  readonly functions: Readonly<Record<string, { invocations: number; billedMs: number; initMs: number }>>;
  /** The requests to DynamoDB, SNS, SQS and S3. */
  readonly requests: readonly MeteredOperation[];
  /** Bytes the functions' code wrote to stdout and stderr (their log lines). @default - not measured */
  readonly functionLogBytes?: number;
}

/** A Distributed Map's run in the sample: its child executions. */
export interface MapRunSample {
  /** The Map state's name. */
  readonly stateName: string;
  readonly children: ReadonlyArray<{
    readonly durationMs: number;
    /** Bytes of the child's input (its batch). @default - the items the run read from S3, shared evenly */
    readonly inputBytes?: number;
    /** Bytes of the child's output. @default - the results the run wrote to S3, shared evenly */
    readonly outputBytes?: number;
  }>;
}

const GB = 1024 ** 3;
const MS_PER_S = 1000;

/**
 * The billed quantities of one sample run, line by line: Step Functions from the history (and the map runs' child
 * executions), Lambda from the functions' invocations and billed milliseconds with their memory and architecture,
 * SNS, SQS, DynamoDB and S3 from the metered requests, CloudWatch Logs from the logging level and the sizes of
 * the events it logs, X-Ray from the traces the run starts.
 */
export function usageOf(facts: PipelineFacts, run: SampleRun, assumptions: Assumptions): UsageLine[] {
  return [
    ...stepFunctionsUsage(facts, run, assumptions),
    ...lambdaUsage(facts, run),
    ...requestUsage(facts, run.requests),
    ...logsUsage(facts, run, assumptions),
    ...xrayUsage(facts, run, assumptions),
  ].filter((line) => line.quantity > 0);
}

/** State transitions of a Standard history: one per state entered, plus one per retry of a task (https://aws.amazon.com/step-functions/pricing/). */
export function stateTransitions(events: readonly HistoryEvent[]): number {
  let entered = 0;
  let tasksEntered = 0;
  let attempts = 0;
  for (const { type = '' } of events) {
    if (type.endsWith('StateEntered')) entered += 1;
    if (type === 'TaskStateEntered') tasksEntered += 1;
    if (type === 'TaskScheduled' || type === 'LambdaFunctionScheduled') attempts += 1;
  }
  return entered + Math.max(0, attempts - tasksEntered);
}

/** GB-seconds an Express execution is billed for: its duration rounded up to 100 ms, its memory up to 64 MB chunks. */
export function expressGbSeconds(durationMs: number, memoryMb: number): number {
  const billedMs = Math.max(1, Math.ceil(durationMs / 100)) * 100;
  const billedMb = Math.max(1, Math.ceil(memoryMb / 64)) * 64;
  return (billedMs / MS_PER_S) * (billedMb / 1024);
}

/** GB-seconds a function is billed for: its billed milliseconds (1 ms units, init included) at its configured memory. */
export function lambdaGbSeconds(billedMs: number, memoryMb: number): number {
  return (billedMs / MS_PER_S) * (memoryMb / 1024);
}

function stepFunctionsUsage(facts: PipelineFacts, run: SampleRun, assumptions: Assumptions): UsageLine[] {
  const children = run.mapRuns.flatMap((m) => m.children);
  const lines: UsageLine[] = [];
  if (facts.type === 'STANDARD') {
    lines.push({
      service: 'Step Functions', what: `state transitions (Standard): ${facts.id}`, price: 'stepFunctions.standardTransition',
      // A Distributed Map counts one transition per child execution it starts (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-transitions.html).
      quantity: stateTransitions(run.events) + children.length, basis: 'measured',
    });
  } else {
    lines.push(
      { service: 'Step Functions', what: `Express executions: ${facts.id}`, price: 'stepFunctions.expressRequest', quantity: 1, basis: 'measured' },
      {
        service: 'Step Functions', what: `Express GB-seconds (${assumptions.expressMemoryMb} MB, 100 ms units): ${facts.id}`, price: 'stepFunctions.expressGbSecond',
        quantity: expressGbSeconds(run.durationMs, assumptions.expressMemoryMb), basis: 'measured',
      },
    );
  }
  for (const mapRun of run.mapRuns) {
    const type = childExecutionType(facts, mapRun.stateName);
    const what = `${mapRun.stateName}'s child executions`;
    if (type === 'EXPRESS') {
      lines.push(
        { service: 'Step Functions', what: `Express ${what}`, price: 'stepFunctions.expressRequest', quantity: mapRun.children.length, basis: 'measured' },
        {
          service: 'Step Functions', what: `Express GB-seconds of ${what} (${assumptions.expressMemoryMb} MB, 100 ms units)`, price: 'stepFunctions.expressGbSecond',
          quantity: sum(mapRun.children.map((c) => expressGbSeconds(c.durationMs, assumptions.expressMemoryMb))), basis: 'measured',
        },
      );
    } else {
      lines.push({
        service: 'Step Functions', what: `state transitions of ${what} (Standard, one per state of the processor)`, price: 'stepFunctions.standardTransition',
        quantity: mapRun.children.length * Object.keys(itemProcessorOf(facts, mapRun.stateName)?.States ?? {}).length, basis: 'estimated',
      });
    }
  }
  return lines;
}

function lambdaUsage(facts: PipelineFacts, run: SampleRun): UsageLine[] {
  return Object.entries(run.functions).flatMap(([logicalId, f]) => {
    const fn = facts.functions[logicalId];
    if (!fn || f.invocations === 0) return [];
    // Lambda bills the initialization of an on-demand instance with its first invocation (https://aws.amazon.com/lambda/pricing/).
    const billedMs = f.billedMs + Math.ceil(f.initMs);
    return [
      { service: 'Lambda', what: `requests: ${fn.id}`, price: 'lambda.request', quantity: f.invocations, basis: 'measured' },
      {
        service: 'Lambda', what: `GB-seconds (${fn.memoryMb} MB ${fn.architecture}, 1 ms units, init included): ${fn.id}`,
        price: fn.architecture === 'arm64' ? 'lambda.gbSecond.arm64' : 'lambda.gbSecond.x86_64',
        quantity: lambdaGbSeconds(billedMs, fn.memoryMb), basis: 'measured',
      },
    ] satisfies UsageLine[];
  });
}

/** SNS, SQS, DynamoDB and S3 lines of the metered requests: one per resource and price. */
function requestUsage(facts: PipelineFacts, requests: readonly MeteredOperation[]): UsageLine[] {
  const lines = new Map<string, { service: Service; what: string; price: PriceId; quantity: number }>();
  const add = (service: Service, what: string, price: PriceId, quantity: number) => {
    const key = `${service}\u0000${what}\u0000${price}`;
    const line = lines.get(key) ?? { service, what, price, quantity: 0 };
    line.quantity += quantity;
    lines.set(key, line);
  };
  for (const r of requests) {
    const name = facts.names[r.resource] ?? r.resource;
    if (r.service === 'sns') add('SNS', `publishes (64 KB chunks): ${name}`, 'sns.request', r.units);
    // GetQueueAttributes is how the local poller tells a drained queue; Lambda's pollers do not call it.
    if (r.service === 'sqs' && r.operation !== 'GetQueueAttributes') {
      const fifo = facts.fifoQueues.includes(r.resource);
      // An empty receive is the local poller's, which polls without waiting; Lambda's pollers long-poll (see the notes).
      add('SQS', `requests (64 KB chunks; sends, receives, deletes, visibility changes): ${name}`, fifo ? 'sqs.fifoRequest' : 'sqs.request', r.units - r.empty);
    }
    if (r.service === 'dynamodb') {
      if (isDynamoDbWrite(r.operation)) add('DynamoDB', `write request units: ${name}`, 'dynamodb.writeRequestUnit', r.units);
      else add('DynamoDB', `read request units: ${name}`, 'dynamodb.readRequestUnit', r.units);
    }
    if (r.service === 's3') {
      const tier = s3RequestTier(r.operation);
      if (tier === 'putCopyPostList') add('S3', `PUT, COPY, POST, LIST requests: ${name}`, 's3.putCopyPostListRequest', r.requests);
      if (tier === 'getAndOther') add('S3', `GET requests: ${name}`, 's3.getRequest', r.requests);
    }
  }
  return [...lines.values()].map((line) => ({ ...line, basis: 'measured' as const }));
}

/** Which history events a logging level sends to CloudWatch Logs (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-log-level). */
export function loggedAtLevel(level: PipelineFacts['logLevel'], type: string): boolean {
  if (level === 'ALL') return true;
  if (level === 'OFF') return false;
  const fatal = type === 'ExecutionFailed' || type === 'ExecutionTimedOut' || type === 'ExecutionAborted';
  return level === 'FATAL' ? fatal : fatal || /Failed$|TimedOut$|Aborted$/.test(type);
}

/** Bytes one history event takes in CloudWatch Logs: the log record Step Functions writes, plus CloudWatch's per-event overhead. */
export function loggedEventBytes(event: HistoryEvent, executionArn: string, includeExecutionData: boolean, overheadBytes: number): number {
  const detailsKey = Object.keys(event).find((k) => k.endsWith('EventDetails'));
  let details = detailsKey ? (event as Record<string, any>)[detailsKey] : {};
  if (!includeExecutionData && details) {
    const { input: _i, output: _o, parameters: _p, ...rest } = details;
    details = rest;
  }
  const record = {
    id: String(event.id), type: event.type, details,
    previous_event_id: String(event.previousEventId ?? 0), event_timestamp: String(event.timestamp?.valueOf() ?? 0),
    execution_arn: executionArn, redrive_count: '0',
  };
  return Buffer.byteLength(JSON.stringify(record)) + overheadBytes;
}

function logsUsage(facts: PipelineFacts, run: SampleRun, assumptions: Assumptions): UsageLine[] {
  const overhead = assumptions.cloudWatchLogsEventOverheadBytes;
  const lines: UsageLine[] = [];
  const logged = run.events.filter((e) => loggedAtLevel(facts.logLevel, e.type ?? ''));
  const executionBytes = sum(logged.map((e) => loggedEventBytes(e, run.executionArn, facts.includeExecutionData, overhead)));
  const data = facts.includeExecutionData ? 'with execution data' : 'without execution data';
  if (executionBytes > 0) {
    lines.push({
      service: 'CloudWatch Logs', what: `execution history at level ${facts.logLevel} ${data}: ${facts.id}`, price: 'logs.ingestedGb',
      quantity: executionBytes / GB, basis: 'measured',
    });
  }
  const childBytes = facts.logLevel === 'ALL' ? sum(run.mapRuns.map((m) => childLogBytes(facts, m, run, overhead))) : 0;
  if (childBytes > 0) {
    lines.push({
      service: 'CloudWatch Logs', what: `child executions' history at level ALL ${data} (estimated from their inputs and outputs)`, price: 'logs.ingestedGb',
      quantity: childBytes / GB, basis: 'estimated',
    });
  }
  const invocations = sum(Object.entries(run.functions).filter(([id]) => facts.functions[id]).map(([, f]) => f.invocations));
  const functionBytes = invocations * (assumptions.lambdaPlatformLogBytesPerInvocation + 3 * overhead) + (run.functionLogBytes ?? 0);
  if (functionBytes > 0) {
    lines.push({
      service: 'CloudWatch Logs', what: `functions' logs (Lambda's lines per invocation estimated, the code's own ${run.functionLogBytes === undefined ? 'not measured' : 'measured'})`,
      price: 'logs.ingestedGb', quantity: functionBytes / GB, basis: 'estimated',
    });
  }
  return lines;
}

/**
 * Bytes the child executions of a map run log at level ALL: per child, its start and end, and each state of the item
 * processor entered and exited (a Task also scheduled, started and succeeded), the inputs and outputs with them.
 */
export function childLogBytes(facts: PipelineFacts, mapRun: MapRunSample, run: Pick<SampleRun, 'requests' | 'executionArn'>, overheadBytes: number): number {
  const states = Object.values(itemProcessorOf(facts, mapRun.stateName)?.States ?? {}) as Array<{ Type: string }>;
  const tasks = states.filter((s) => s.Type === 'Task').length;
  const others = states.length - tasks;
  // Input-carrying events (started, entered, scheduled) and output-carrying ones (succeeded, exited) of one child.
  const inputEvents = 1 + 2 * tasks + others;
  const outputEvents = 1 + 2 * tasks + others;
  const events = 2 + 5 * tasks + 2 * others;
  const recordBytes = loggedEventBytes({ id: 1, previousEventId: 0, type: 'TaskStateEntered', timestamp: new Date(0) }, `${run.executionArn}/child`, false, overheadBytes);
  const children = mapRun.children.length || 1;
  const readBytes = sum(run.requests.filter((r) => r.service === 's3' && r.operation === 'GetObject').map((r) => r.payloadBytes)) / children;
  const writtenBytes = sum(run.requests.filter((r) => r.service === 's3' && r.operation === 'PutObject').map((r) => r.payloadBytes)) / children;
  return sum(mapRun.children.map((c) => events * recordBytes
    + (facts.includeExecutionData ? inputEvents * (c.inputBytes ?? readBytes) + outputEvents * (c.outputBytes ?? writtenBytes) : 0)));
}

function xrayUsage(facts: PipelineFacts, run: SampleRun, assumptions: Assumptions): UsageLine[] {
  const lines: UsageLine[] = [];
  const sampled = assumptions.xraySampledFraction;
  const children = run.mapRuns.reduce((n, m) => n + m.children.length, 0);
  if (facts.tracing) {
    lines.push({
      service: 'X-Ray', what: `traces of ${facts.id}'s executions${children ? ' and child executions' : ''} (${sampled * 100} % sampled)`, price: 'xray.traceRecorded',
      quantity: (1 + children) * sampled, basis: 'estimated',
    });
  }
  for (const [logicalId, f] of Object.entries(run.functions)) {
    const fn = facts.functions[logicalId];
    // A function the traced workflow invokes is a segment of the workflow's trace; one fed by a queue (or by an untraced workflow) starts its own.
    if (!fn?.tracing || f.invocations === 0 || (facts.tracing && !fn.fedByEventSource)) continue;
    lines.push({
      service: 'X-Ray', what: `traces of ${fn.id}'s invocations (${sampled * 100} % sampled)`, price: 'xray.traceRecorded',
      quantity: f.invocations * sampled, basis: 'estimated',
    });
  }
  return lines;
}

/** The item processor (or iterator) of the Map state named `stateName`, wherever it is nested. */
function itemProcessorOf(facts: PipelineFacts, stateName: string): { States: Record<string, any>; ProcessorConfig?: { ExecutionType?: string } } | undefined {
  const find = (states: Record<string, any>): any => {
    for (const [name, state] of Object.entries(states)) {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (name === stateName && processor) return processor;
      for (const nested of [processor, ...(state.Branches ?? [])].filter(Boolean)) {
        const found = find(nested.States ?? {});
        if (found) return found;
      }
    }
    return undefined;
  };
  return find(facts.definition.States ?? {});
}

function childExecutionType(facts: PipelineFacts, stateName: string): 'EXPRESS' | 'STANDARD' {
  return itemProcessorOf(facts, stateName)?.ProcessorConfig?.ExecutionType === 'STANDARD' ? 'STANDARD' : 'EXPRESS';
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

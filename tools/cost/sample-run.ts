import { putObject } from '../local/local-sns-sqs';
import { toHistoryEvents } from '../local/history-events';
import type { MapRunRecord } from '../local/distributed-map';
import { LocalRunner } from '../local/local-runner';
import { MeteredOperation, RequestMeter } from '../local/request-meter';
import { pipelineFacts } from './pipeline-facts';
import type { MapRunSample, PipelineFacts, SampleRun } from './usage';

export interface SampleRunRequest {
  readonly assemblyDir: string;
  readonly stackName: string;
  /** The state machine's logical id and id (`<stack>/<construct>`). */
  readonly logicalId: string;
  readonly id: string;
  /** The sample job: the execution input. */
  readonly input: unknown;
  /** Items the sample job holds. */
  readonly items: number;
  /** Longest a Wait state waits locally, in seconds. */
  readonly maxWaitSeconds: number;
  /** Visibility timeout of the local queues, in seconds. */
  readonly visibilityTimeoutSeconds: number;
  /** Objects to put in the local S3 before the run (the sample's items file): not counted, they are the job's input. @default - none */
  readonly objects?: readonly SampleObject[];
}

/** An object of the sample job, by its bucket's local name. */
export interface SampleObject {
  readonly bucket: string;
  readonly key: string;
  readonly body: string;
}

/** A sample run's outcome: what the template says, what the run used, and how the execution ended. */
export interface SampleOutcome {
  readonly facts: PipelineFacts;
  readonly run: SampleRun;
  readonly status: string;
  readonly error?: string;
  readonly cause?: string;
}

/**
 * A map run's child executions: their durations, and the bytes of their inputs and outputs, which their logs carry:
 * each child's share (by its items) of the items file put for the sample, and of what the ResultWriter put in S3.
 */
function mapRunSample(mapRun: MapRunRecord, objects: readonly SampleObject[], requests: readonly MeteredOperation[]): MapRunSample {
  const totalItems = mapRun.children.reduce((n, c) => n + c.items, 0) || 1;
  const itemsBytes = objects.reduce((n, o) => n + Buffer.byteLength(o.body), 0);
  const resultBytes = requests.filter((r) => r.service === 's3' && r.operation === 'PutObject').reduce((n, r) => n + r.payloadBytes, 0);
  return {
    stateName: mapRun.stateName,
    children: mapRun.children.map((c) => {
      const share = c.items / totalItems;
      return { durationMs: (c.stop ?? c.start) - c.start, ...itemsBytes > 0 && { inputBytes: itemsBytes * share }, outputBytes: resultBytes * share };
    }),
  };
}

/**
 * Runs the sample job once on the local engines with a request meter in front of them, the stack's queue workers
 * running until the queues are drained (as `sdp run` does), and returns what it used: the history, the map runs'
 * child executions, each function's invocations and billed time, the metered requests and the bytes the functions
 * logged.
 */
export async function runSample(request: SampleRunRequest): Promise<SampleOutcome> {
  const meter = new RequestMeter();
  const runner = await LocalRunner.start({
    assemblyDir: request.assemblyDir, stackName: request.stackName, visibilityTimeoutSeconds: request.visibilityTimeoutSeconds,
    maxWaitSeconds: request.maxWaitSeconds, meter,
  });
  try {
    const facts = pipelineFacts(runner.stack, request.logicalId, request.id);
    for (const object of request.objects ?? []) {
      if (!runner.snsSqs) throw new Error(`stack ${request.stackName} has no bucket to put ${object.key} in`);
      // In parts when large, as the local S3 takes requests of at most 11 MiB.
      await putObject(runner.snsSqs.s3, object.bucket, object.key, object.body);
    }
    const workers = runner.hasQueueEventSources();
    if (workers) runner.startWorkers();
    meter.reset();
    const { result: { execution, durationMs }, bytes } = await countingOutput(async () => {
      const started = Date.now();
      const ran = await runner.execute({ stateMachine: request.logicalId, input: request.input });
      const ended = Date.now();
      if (workers) await runner.drainQueues();
      return { execution: ran, durationMs: ended - started };
    });
    const requests = meter.reading();
    const mapRuns = execution.mapRuns.map((m) => mapRunSample(m, request.objects ?? [], requests));
    const run: SampleRun = {
      items: request.items,
      events: toHistoryEvents(execution.events, execution),
      executionArn: execution.executionArn,
      durationMs,
      mapRuns,
      functions: Object.fromEntries(Object.entries(runner.lambda.stats()).map(([id, s]) => [id, { invocations: s.invocations, billedMs: s.billedMs, initMs: s.initMs }])),
      requests,
      functionLogBytes: bytes,
    };
    return { facts, run, status: execution.status, error: execution.error, cause: execution.cause };
  } finally {
    await runner.stop();
  }
}

/**
 * Runs `work` counting the bytes written to stdout and stderr meanwhile: the functions' log lines, which Lambda
 * would send to CloudWatch Logs (they still reach the streams).
 */
async function countingOutput<T>(work: () => Promise<T>): Promise<{ result: T; bytes: number }> {
  let bytes = 0;
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write);
  streams.forEach((stream, i) => {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      return (writes[i] as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
  });
  try {
    return { result: await work(), bytes };
  } finally {
    streams.forEach((stream, i) => { stream.write = writes[i]; });
  }
}

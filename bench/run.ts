import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { constructPath, functionCodeDir, readCloudAssembly } from '../tools/assembly/cloud-assembly';
import { handlerEnvironment } from '../tools/local/local-lambda';
import { LocalRunner } from '../tools/local/local-runner';
import { batchEntries, chunkJob } from '../lambdas/split-job';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { createExampleApp } from '../examples/example-app';
import { seedWords } from '../examples/seed-words';
import { main as sdp } from '../tools/cli/sdp';
import type { CommandIo } from '../tools/cli/commands/command';
import { buildTrace } from '../tools/trace/execution-trace';
import { formatTrace } from '../tools/trace/format-trace';
import { toHistoryEvents } from '../tools/local/history-events';

/**
 * `npm run bench`: the figures the README records, measured in one run.
 * Timings are medians of RUNS repetitions on this machine; goals from the foundation issue.
 */
const RUNS = 3;
const SYNTH_RUNS = 5;
const root = path.join(__dirname, '..');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function cdkSynthSeconds(app: string): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-bench-'));
  const start = performance.now();
  const run = spawnSync('npx', ['cdk', 'synth', '--quiet', '--app', app, '--output', outdir], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  const seconds = (performance.now() - start) / 1000;
  fs.rmSync(outdir, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`cdk synth --app '${app}' failed:\n${run.stderr}`);
  return seconds;
}

/** Median synth times of the two apps, run alternately so drift in the machine's speed hits both alike. */
function synthTimes(exampleApp: string, emptyApp: string): { example: number; empty: number } {
  const example: number[] = [];
  const empty: number[] = [];
  for (let i = 0; i < SYNTH_RUNS; i++) {
    example.push(cdkSynthSeconds(exampleApp));
    empty.push(cdkSynthSeconds(emptyApp));
  }
  return { example: median(example), empty: median(empty) };
}

async function localThroughput(assemblyDir: string, items: number): Promise<number> {
  const input = { data: seedWords(items) };
  const runner = await LocalRunner.start({ assemblyDir, stackName: 'WordLengthExample' });
  try {
    const rates: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      const execution = await runner.execute({ input });
      const seconds = (performance.now() - start) / 1000;
      if (execution.status !== 'SUCCEEDED') throw new Error(`local run ${execution.status}: ${execution.error} ${execution.cause}`);
      rates.push(items / seconds);
    }
    return median(rates);
  } finally {
    await runner.stop();
  }
}

interface FanOutFigures {
  readonly itemsPerSecond: number;
  readonly lambdaInvocationsPer1000: number;
  readonly snsRequestsPer1000: number;
  readonly sqsRequestsPer1000: number;
  /** Cold starts (instances started) and their summed init time, per function, by construct path. */
  readonly coldStarts: Record<string, { coldStarts: number; initMs: number }>;
}

/** Seed 004's job end to end on the local engines: split, publish, deliver, process, store. */
async function fanOutFigures(chunkSize: number, items: number): Promise<FanOutFigures> {
  const assemblyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-bench-'));
  createExampleApp({ outdir: assemblyDir, fanOutChunkSize: chunkSize }).synth();
  const runner = await LocalRunner.start({ assemblyDir, stackName: 'FanOutExample', visibilityTimeoutSeconds: 30 });
  try {
    const job = { jobId: `bench-${chunkSize}`, items: Array.from({ length: items }, (_, i) => ({ word: `w${i}` })) };
    const start = performance.now();
    const split = await runner.invokeFunction('Splitter', job) as { chunks: number };
    const drained = await runner.drainQueues();
    const seconds = (performance.now() - start) / 1000;
    const stats = Object.values(drained.pollers);
    const per1000 = (n: number) => Math.round((n / items) * 1000 * 10) / 10;
    // The splitter's PublishBatch calls, counted with its own batching rule.
    const publishBatches = batchEntries(chunkJob(job, chunkSize).map((c) => JSON.stringify(c))).length;
    if (split.chunks !== Math.ceil(items / chunkSize)) throw new Error(`expected ${Math.ceil(items / chunkSize)} chunks, got ${split.chunks}`);
    return {
      itemsPerSecond: items / seconds,
      lambdaInvocationsPer1000: per1000(1 + stats.reduce((n, s) => n + s.invocations, 0)),
      snsRequestsPer1000: per1000(publishBatches),
      sqsRequestsPer1000: per1000(stats.reduce((n, s) => n + s.sqsRequests, 0)),
      coldStarts: Object.fromEntries(Object.entries(runner.lambda.stats())
        .filter(([, f]) => f.invocations > 0)
        .map(([id, f]) => [constructPath(runner.stack, id), { coldStarts: f.coldStarts, initMs: Math.round(f.initMs) }])),
    };
  } finally {
    await runner.stop();
  }
}

/** Seed 004's job through the distributed example: the job file put in the local S3, mapped in batches, summed. */
async function distributedSeconds(assemblyDir: string, items: number): Promise<number> {
  const runner = await LocalRunner.start({ assemblyDir, stackName: 'DistributedExample' });
  try {
    await runner.putObject('JobsBucket', 'jobs/bench.json', JSON.stringify(seedWords(items)));
    const start = performance.now();
    const execution = await runner.execute({ input: { itemsKey: 'jobs/bench.json' } });
    const seconds = (performance.now() - start) / 1000;
    if (execution.status !== 'SUCCEEDED' || (execution.output as { items?: number }).items !== items) {
      throw new Error(`distributed run ${execution.status}: ${execution.error ?? JSON.stringify(execution.output)}`);
    }
    return seconds;
  } finally {
    await runner.stop();
  }
}

/** What `sdp cost` says a million items cost through a pipeline of the example app, in dollars, total and by service. */
async function costPerMillion(assemblyDir: string, args: string[]): Promise<{ total: number; byService: Record<string, number> }> {
  let stdout = '';
  let stderr = '';
  const io: CommandIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  };
  const code = await sdp(['cost', ...args, '--assembly', assemblyDir, '--json'], io);
  if (code !== 0) throw new Error(`sdp cost ${args.join(' ')} exited ${code}:\n${stderr}`);
  const [pipeline] = (JSON.parse(stdout) as { pipelines: Array<{ perMillionItemsUsd: number; byService: Record<string, number> }> }).pipelines;
  return { total: pipeline.perMillionItemsUsd, byService: pipeline.byService };
}

/**
 * Milliseconds to build and print the trace of a word-length execution whose Map ran `iterations` times (median of
 * RUNS): the history of a local run of it, converted as `sdp run` converts it.
 */
async function traceMilliseconds(assemblyDir: string, iterations: number): Promise<{ events: number; ms: number }> {
  const runner = await LocalRunner.start({ assemblyDir, stackName: 'WordLengthExample' });
  let events;
  let executionArn;
  try {
    const execution = await runner.execute({ input: { data: seedWords(iterations) } });
    if (execution.status !== 'SUCCEEDED') throw new Error(`local run ${execution.status}: ${execution.error} ${execution.cause}`);
    events = toHistoryEvents(execution.events, execution);
    executionArn = execution.executionArn;
  } finally {
    await runner.stop();
  }
  const times = Array.from({ length: RUNS }, () => {
    const started = performance.now();
    formatTrace(buildTrace(executionArn, events));
    return performance.now() - started;
  });
  return { events: events.length, ms: median(times) };
}

/** Wall time of one `npm start` (the example's local run, as a user runs it), in seconds. */
function npmStartSeconds(...args: string[]): number {
  const start = performance.now();
  const run = spawnSync('npm', ['start', '--silent', '--', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } });
  const seconds = (performance.now() - start) / 1000;
  if (run.status !== 0 || run.stdout.trim() !== '{"totalLength":39}') throw new Error(`npm start ${args.join(' ')} failed (${run.status}):\n${run.stderr}`);
  return seconds;
}

async function main(): Promise<void> {
  handlerEnvironment.POWERTOOLS_LOG_LEVEL = 'WARN';
  const rows: [string, string, string][] = [];

  const exampleApp = JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8')).app as string;
  const { example, empty } = synthTimes(exampleApp, 'npx ts-node --prefer-ts-exts bench/empty-app.ts');
  rows.push([`cdk synth, example app (median of ${SYNTH_RUNS})`, `${example.toFixed(2)} s`, '']);
  rows.push([`cdk synth, empty app, same aws-cdk-lib (median of ${SYNTH_RUNS})`, `${empty.toFixed(2)} s`, '']);
  rows.push(['ratio example / empty', `${(example / empty).toFixed(2)}×`, '≤ 1.5×']);

  rows.push(['`npm start`, synthesizing (`--synth`)', `${npmStartSeconds('--synth').toFixed(2)} s`, '']);
  const again = median(Array.from({ length: RUNS }, () => npmStartSeconds()));
  rows.push([`\`npm start\` again, nothing changed (median of ${RUNS})`, `${again.toFixed(2)} s`, '< 5 s']);

  const assemblyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-bench-'));
  createExampleApp({ outdir: assemblyDir }).synth();
  for (const stack of readCloudAssembly(assemblyDir)) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const bundle = path.join(functionCodeDir(stack, logicalId)!, 'index.js');
      rows.push([`bundle ${stack.name}/${logicalId} (minified index.js)`, `${(fs.statSync(bundle).size / 1024).toFixed(1)} KiB`, '≤ 64 KiB']);
    }
  }

  const rate = await localThroughput(assemblyDir, 10_000);
  rows.push([`local run, 10,000 items (median of ${RUNS})`, `${Math.round(rate).toLocaleString('en-US')} items/s`, '']);
  // The same workflow in JSONata: its states evaluated by tools/local/query-language with the jsonata package.
  const jsonataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-bench-jsonata-'));
  createExampleApp({ outdir: jsonataDir, queryLanguage: sfn.QueryLanguage.JSONATA }).synth();
  const jsonataRate = await localThroughput(jsonataDir, 10_000);
  rows.push([`local run in JSONata (\`queryLanguage\`), 10,000 items (median of ${RUNS})`, `${Math.round(jsonataRate).toLocaleString('en-US')} items/s`, '']);

  for (const [chunkSize, items] of [[10, 10_000], [100, 10_000], [100, 200_000]] as const) {
    const f = await fanOutFigures(chunkSize, items);
    rows.push([`local fan-out, ${items.toLocaleString('en-US')} items in chunks of ${chunkSize}`,
      `${Math.round(f.itemsPerSecond).toLocaleString('en-US')} items/s (${(items / f.itemsPerSecond).toFixed(1)} s)`, items === 200_000 ? '≤ 60 s' : '']);
    rows.push([`  per 1,000 items: Lambda invocations / SNS requests / SQS requests (local poller)`,
      `${f.lambdaInvocationsPer1000} / ${f.snsRequestsPer1000} / ${f.sqsRequestsPer1000}`, '']);
    for (const [fn, c] of Object.entries(f.coldStarts)) rows.push([`  cold starts of ${fn} (init time, summed)`, `${c.coldStarts} (${c.initMs} ms)`, '']);
  }

  const distributed = await distributedSeconds(assemblyDir, 200_000);
  rows.push(['local distributed map/reduce, 200,000 items (job file in the local S3, 3,000 words a batch: 67 child executions)',
    `${Math.round(200_000 / distributed).toLocaleString('en-US')} items/s (${distributed.toFixed(1)} s)`, '≤ 60 s']);

  // The three designs of the same job, per million items (us-east-1): `sdp cost` on a local sample of each.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-bench-cost-'));
  const job = (count: number) => {
    const file = path.join(scratch, `job-${count}.json`);
    fs.writeFileSync(file, JSON.stringify({ items: seedWords(count) }));
    return file;
  };
  const itemsFile = path.join(scratch, 'items-200000.json');
  fs.writeFileSync(itemsFile, JSON.stringify(seedWords(200_000)));
  const designs: Array<[string, string[]]> = [
    ['seed 001\'s naive design (inline Map, a Lambda per item, Standard), jobs of 1,000 items', ['WordLengthExample/WordLength', '--input', path.join(root, 'examples', 'inputs', 'word-length.json'), '--sample', '1000']],
    // 10,000 words is about the most a job's input holds inline (256 KiB); larger jobs go by reference (itemsUri).
    ['SNS/SQS fan-out, jobs of 10,000 items', ['FanOutExample/RunJob', '--input', job(10_000)]],
    ['distributed map/reduce, jobs of 200,000 items', ['DistributedExample/Job', '--items-file', `jobs/sample.json=${itemsFile}`]],
  ];
  const naive = await costPerMillion(assemblyDir, designs[0][1]);
  for (const [design, args] of designs) {
    const cost = design === designs[0][0] ? naive : await costPerMillion(assemblyDir, args);
    const services = Object.entries(cost.byService).filter(([, usd]) => usd >= 0.0001).map(([service, usd]) => `${service} $${usd.toPrecision(2)}`).join(', ');
    rows.push([`cost per million items, ${design} (\`sdp cost\`: ${services})`,
      `$${cost.total.toPrecision(3)} (${Math.round(naive.total / cost.total).toLocaleString('en-US')}× cheaper than naive)`,
      design.startsWith('distributed') ? '≤ $0.02, ≥ 1,000×' : '']);
  }
  fs.rmSync(scratch, { recursive: true, force: true });

  for (const iterations of [1_000, 10_000]) {
    const t = await traceMilliseconds(assemblyDir, iterations);
    rows.push([`trace of a run with a ${iterations.toLocaleString('en-US')}-iteration Map (${t.events.toLocaleString('en-US')} history events), built and formatted (median of ${RUNS})`,
      `${Math.round(t.ms)} ms`, '< 1 s']);
  }

  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}\n`);
  console.log('| measure | value | goal |\n|---|---|---|');
  for (const [measure, value, goal] of rows) console.log(`| ${measure} | ${value} | ${goal} |`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

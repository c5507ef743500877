import { mapRunProgressPrinter } from '../../tools/cli/commands/run-progress';
import { putObject } from '../../tools/local/distributed-map';
import { LocalRunner } from '../../tools/local/local-runner';
import { synthesizeDistributedMapFixture } from './distributed-map-fixture-app';

/**
 * Measures the local run of a 200,000-item Distributed Map job (word-length items `{ "word": "w123" }`, the
 * fixture's `Job` machine, results written as JSONL + FLATTEN): wall time of the execution and items per second.
 * Run: `npx ts-node --prefer-ts-exts test/support/distributed-map-200k.ts [items] [batch]`. A measurement, not a test.
 */
async function main(): Promise<void> {
  const items = Number(process.argv[2] ?? 200_000);
  const batch = Number(process.argv[3] ?? 1000);
  const runner = await LocalRunner.start({ assemblyDir: synthesizeDistributedMapFixture() });
  try {
    const body = JSON.stringify(Array.from({ length: items }, (_, i) => ({ word: `w${i}` })));
    await putObject(runner.snsSqs!.s3, runner.bucketName('Data'), 'jobs/big.json', body);
    const started = performance.now();
    const onProgress = mapRunProgressPrinter({ stderr: process.stderr, now: Date.now });
    const execution = await runner.execute({ stateMachine: 'Job', input: { key: 'jobs/big.json', batch }, onProgress });
    const seconds = (performance.now() - started) / 1000;
    const [mapRun] = execution.mapRuns;
    console.log(JSON.stringify({
      status: execution.status, error: execution.error, firstChildError: mapRun?.children.find((c) => c?.error)?.error, items, batch, children: mapRun?.executionCounts.total, resultsWritten: mapRun?.itemCounts.resultsWritten,
      seconds: Number(seconds.toFixed(2)), itemsPerSecond: Math.round(items / seconds), functions: runner.lambda.stats(),
    }));
  } finally {
    await runner.stop();
  }
}

void main();

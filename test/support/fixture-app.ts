import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { FanOut, IdempotencyTable, JobSplitter, MapReduceWorkflow, ResultTable } from '../../lib';
import { fixtureApp, fixtureFunction } from './fixture-function';

export const FIXTURE_STACK = 'SleepyFixture';

/**
 * A workflow whose map function sleeps as long as each item asks and times out
 * after 1 s (the task timeout is longer), synthesized into a temporary assembly.
 */
export function synthesizeSleepyFixture(): string {
  const { assemblyDir, app } = fixtureApp('fixture');
  const stack = new Stack(app, FIXTURE_STACK);
  const sleepy = fixtureFunction(stack, 'Sleepy', 'sleepy.ts', { timeout: Duration.seconds(1) });
  new MapReduceWorkflow(stack, 'Workflow', {
    mapFunction: sleepy,
    reduceEntry: path.join(__dirname, '..', '..', 'examples', 'handlers', 'sum-lengths', 'index.ts'),
    taskTimeout: Duration.seconds(5),
  });
  app.synth();
  return assemblyDir;
}

export const FIFO_FIXTURE_STACK = 'FifoFanOutFixture';

/** Seed 004's fan-out with FIFO topic and queues, chunks of 10, synthesized into a temporary assembly. */
export function synthesizeFifoFanOutFixture(): string {
  const { assemblyDir, app } = fixtureApp('fifo');
  const stack = new Stack(app, FIFO_FIXTURE_STACK);
  const fanOut = new FanOut(stack, 'Work', {
    fifo: true,
    resultTable: new ResultTable(stack, 'Results', { partitionKeyName: 'resultId' }),
    idempotencyTable: new IdempotencyTable(stack, 'Idempotency'),
    consumers: { Words: { entry: path.join(__dirname, '..', '..', 'examples', 'handlers', 'process-chunk', 'index.ts'), batchSize: 10 } },
  });
  new JobSplitter(stack, 'Splitter', { fanOut, chunkSize: 10 });
  app.synth();
  return assemblyDir;
}

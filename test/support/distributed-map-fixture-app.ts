import { Duration, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { fixtureApp, fixtureFunction } from './fixture-function';

export const DISTRIBUTED_MAP_FIXTURE_STACK = 'DistributedMapFixture';

/**
 * Distributed Maps made with aws-cdk-lib's `sfn.DistributedMap`, each over one item source, with a bucket and the
 * batch-lengths fixture function as the processor (`{ items.$: $.Items }`, OutputPath `$.Payload`, as the
 * distributed mode contract has it), synthesized into a temporary assembly:
 * - `Words`: a JSON array at `$.key`, batches of 3 with a BatchInput, the tolerated failure count at
 *   `$.tolerated`, results to `results/` as JSONL + FLATTEN;
 * - `Lines`: JSON Lines at `$.key`, batches of at most 64 bytes, the children's outputs as the Map's output;
 * - `Table`: a CSV file with its header row, each row a child execution through an ItemSelector;
 * - `GivenHeaders`: a CSV file without a header row, the headers given, at most 2 items (MaxItems);
 * - `Objects`: the objects under `$.prefix`, batches of 2, results written with AWS's default (NONE, JSON);
 * - `Percent`: a JSON array at `$.key`, batches of 2, 30 % of items tolerated to fail;
 * - `Job`: the contract's shape at scale: a JSON array at `$.key`, batches of `$.batch` items and at most 256 KiB,
 *   results to `jobs-results/` as JSONL + FLATTEN.
 */
export function synthesizeDistributedMapFixture(): string {
  // ResultWriterV2 (with WriterConfig) renders only under its feature flag.
  const { assemblyDir, app } = fixtureApp('dmap', { [cxapi.STEPFUNCTIONS_USE_DISTRIBUTED_MAP_RESULT_WRITER_V2]: true });
  const stack = new Stack(app, DISTRIBUTED_MAP_FIXTURE_STACK);
  const bucket = new s3.Bucket(stack, 'Data');
  const fn = fixtureFunction(stack, 'BatchLengths', 'batch-lengths.ts');
  const key = sfn.JsonPath.stringAt('$.key');

  const machine = (id: string, props: sfn.DistributedMapProps) => {
    const map = new sfn.DistributedMap(stack, `${id}Map`, { mapExecutionType: sfn.StateMachineType.EXPRESS, ...props });
    map.itemProcessor(new tasks.LambdaInvoke(stack, `${id}Batch`, {
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject({ items: sfn.JsonPath.listAt('$.Items') }),
      outputPath: '$.Payload',
      retryOnServiceExceptions: false,
    }));
    return new sfn.StateMachine(stack, id, { stateMachineName: id, definitionBody: sfn.DefinitionBody.fromChainable(map) });
  };

  machine('Words', {
    itemReader: new sfn.S3JsonItemReader({ bucket, key }),
    itemBatcher: new sfn.ItemBatcher({ maxItemsPerBatch: 3, batchInput: { 'job.$': '$.job' } }),
    toleratedFailureCountPath: '$.tolerated',
    resultWriterV2: new sfn.ResultWriterV2({
      bucket, prefix: 'results', writerConfig: { outputType: sfn.OutputType.JSONL, transformation: sfn.Transformation.FLATTEN },
    }),
  });
  machine('Lines', {
    itemReader: new sfn.S3JsonLItemReader({ bucket, key }),
    itemBatcher: new sfn.ItemBatcher({ maxInputBytesPerBatch: 64 }),
  });
  machine('Table', {
    itemReader: new sfn.S3CsvItemReader({ bucket, key, csvHeaders: sfn.CsvHeaders.useFirstRow() }),
    itemSelector: { Items: [{ 'word.$': '$$.Map.Item.Value.word', 'count.$': '$$.Map.Item.Value.count' }] },
  });
  machine('GivenHeaders', {
    itemReader: new sfn.S3CsvItemReader({ bucket, key, csvHeaders: sfn.CsvHeaders.use(['word', 'fail']), maxItems: 2 }),
    itemBatcher: new sfn.ItemBatcher({ maxItemsPerBatch: 10 }),
  });
  machine('Objects', {
    itemReader: new sfn.S3ObjectsItemReader({ bucket, prefix: 'inputs/' }),
    itemBatcher: new sfn.ItemBatcher({ maxItemsPerBatch: 2 }),
    resultWriterV2: new sfn.ResultWriterV2({ bucket, prefix: 'listed' }),
  });
  machine('Percent', {
    itemReader: new sfn.S3JsonItemReader({ bucket, key }),
    itemBatcher: new sfn.ItemBatcher({ maxItemsPerBatch: 2 }),
    toleratedFailurePercentage: 30,
  });
  machine('Job', {
    itemReader: new sfn.S3JsonItemReader({ bucket, key }),
    itemBatcher: new sfn.ItemBatcher({ maxItemsPerBatchPath: '$.batch', maxInputBytesPerBatch: 262_144 }),
    resultWriterV2: new sfn.ResultWriterV2({
      bucket, prefix: 'jobs-results', writerConfig: { outputType: sfn.OutputType.JSONL, transformation: sfn.Transformation.FLATTEN },
    }),
  });
  // A map run longer than its execution may last: batches of one item that each wait 2 s, one at a time, in an
  // execution that times out after 1 s.
  const slowMap = new sfn.DistributedMap(stack, 'SlowMap', { itemsPath: '$.items', maxConcurrency: 1, mapExecutionType: sfn.StateMachineType.EXPRESS });
  slowMap.itemProcessor(new sfn.Wait(stack, 'SlowWait', { time: sfn.WaitTime.duration(Duration.seconds(2)) }));
  new sfn.StateMachine(stack, 'Slow', { stateMachineName: 'Slow', definitionBody: sfn.DefinitionBody.fromChainable(slowMap), timeout: Duration.seconds(1) });
  app.synth();
  return assemblyDir;
}

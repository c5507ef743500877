import { refuseUnsupportedFields, UnsupportedDefinitionError } from '../../tools/local/definition-support';

/** What refuseUnsupportedFields names, or [] when it accepts the definition. */
function refused(definition: object): string[] {
  try {
    refuseUnsupportedFields(definition);
    return [];
  } catch (error) {
    if (!(error instanceof UnsupportedDefinitionError)) throw error;
    return error.uses.map((u) => `${u.state}: ${u.field}`);
  }
}

const machine = (states: Record<string, object>) => ({ StartAt: Object.keys(states)[0], States: states });

// aws-local-stepfunctions 3.0 implements JSONPath states only; these fields change a state's result on AWS and are
// skipped locally, so a run would succeed with a result AWS would not give.
// JSONata and variables: https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html,
// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
// Distributed Map fields: https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
describe('a definition using what the local interpreter ignores is refused, naming each state and field', () => {
  test('JSONata per state, Arguments, Output, a JSONata Condition and {% %} expressions', () => {
    expect(refused(machine({
      Call: { Type: 'Task', QueryLanguage: 'JSONata', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'f', Payload: '{% $states.input %}' }, Next: 'Pick' },
      Pick: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.n > 1 %}', Next: 'Done' }], Default: 'Done' },
      Done: { Type: 'Pass', Output: { n: 1 }, End: true },
    }))).toEqual(['Call: QueryLanguage', 'Call: Arguments', 'Pick: Choices[0].Condition', 'Done: Output']);
  });

  test('workflow variables: Assign on a state or a catcher, and $name references in JSONPath', () => {
    expect(refused(machine({
      Keep: { Type: 'Pass', Assign: { total: 1 }, Next: 'Use' },
      Use: { 'Type': 'Pass', 'Parameters': { 'total.$': '$total', 'fromInput.$': '$.a', 'fromContext.$': '$$.Execution.Id' }, 'Next': 'Call' },
      Call: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'f' }, Catch: [{ ErrorEquals: ['States.ALL'], Assign: { failed: true }, Next: 'Format' }], Next: 'Format' },
      Format: { 'Type': 'Pass', 'Parameters': { 'text.$': "States.Format('{} of {}', $.n, $total)" }, 'End': true },
    }))).toEqual(['Keep: Assign', 'Use: Parameters.total.$ (variable reference)', 'Call: Catch[0].Assign', 'Format: Parameters.text.$ (variable reference)']);
  });

  test('the distributed Map\'s item reader, batcher, result writer and tolerated failures in an inline Map (AWS takes them in distributed mode only), nested too', () => {
    const inner = { Type: 'Map', ItemReader: { Resource: 'arn:aws:states:::s3:getObject' }, ToleratedFailurePercentage: 5, ItemProcessor: machine({ Work: { Type: 'Pass', End: true } }), End: true };
    expect(refused(machine({
      Outer: { Type: 'Map', ItemBatcher: { MaxItemsPerBatch: 10 }, ResultWriter: { Resource: 'arn:aws:states:::s3:putObject' }, ToleratedFailureCount: 1, ItemProcessor: machine({ Inner: inner }), End: true },
    }))).toEqual(['Outer: ItemBatcher', 'Outer: ResultWriter', 'Outer: ToleratedFailureCount', 'Inner: ItemReader', 'Inner: ToleratedFailurePercentage']);
  });

  // In distributed mode they are emulated (tools/local/distributed-map.ts); what is not is still refused.
  const distributed = (fields: object) => machine({
    Items: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, ...machine({ Work: { Type: 'Pass', End: true } }) }, ...fields, End: true },
  });

  test('a distributed Map reading an S3 object or prefix, batching, tolerating failures and writing results to S3 is accepted', () => {
    expect(refused(distributed({
      ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW', MaxItems: 10 }, Parameters: { 'Bucket': 'b', 'Key.$': '$.key' } },
      ItemBatcher: { MaxItemsPerBatch: 100, MaxInputBytesPerBatch: 262144, BatchInput: { 'job.$': '$.job' } },
      ToleratedFailurePercentage: 5, ToleratedFailureCountPath: '$.tolerated',
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'b', Prefix: 'results' }, WriterConfig: { OutputType: 'JSONL', Transformation: 'FLATTEN' } },
    }))).toEqual([]);
    expect(refused(distributed({ ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Bucket: 'b', Prefix: 'in/' } } }))).toEqual([]);
  });

  test('a distributed Map\'s item sources and result writers the local run does not emulate are refused, naming the field and value', () => {
    expect(refused(distributed({
      ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'MANIFEST', ManifestType: 'S3_INVENTORY' }, Parameters: { Bucket: 'b', Key: 'manifest.json' } },
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'b' }, WriterConfig: { OutputType: 'CSV' } },
      ItemBatcher: { MaxItemsPerBatch: 10, BatchInput: { 'total.$': '$total' } },
    }))).toEqual([
      'Items: ItemReader.ReaderConfig.InputType (MANIFEST)', 'Items: ItemReader.ReaderConfig.ManifestType (S3_INVENTORY)',
      'Items: ResultWriter.WriterConfig.OutputType (CSV)', 'Items: ItemBatcher.BatchInput.total.$ (variable reference)',
    ]);
    expect(refused(distributed({ ItemReader: { Resource: 'arn:aws:states:::dynamodb:scan', Parameters: {} } }))).toEqual(['Items: ItemReader.Resource (arn:aws:states:::dynamodb:scan)']);
  });

  test('JSONata at the top level', () => {
    expect(refused({ QueryLanguage: 'JSONata', ...machine({ Done: { Type: 'Succeed' } }) })).toEqual(['(top level): QueryLanguage: JSONata']);
  });

  test('what the interpreter runs as AWS does is accepted: JSONPath, intrinsics, context paths, Retry fields, inline Map fields', () => {
    expect(refused(machine({
      Items: {
        'Type': 'Map', 'ItemsPath': '$.items', 'MaxConcurrencyPath': '$.concurrency', 'ItemSelector': { 'item.$': '$$.Map.Item.Value', 'n.$': 'States.ArrayLength($.items)' },
        'ItemProcessor': { ProcessorConfig: { Mode: 'INLINE' }, ...machine({ Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', TimeoutSecondsPath: '$.timeout', Parameters: { 'Payload.$': '$' }, Retry: [{ ErrorEquals: ['States.ALL'], MaxDelaySeconds: 5, JitterStrategy: 'FULL' }], End: true } }) },
        'ResultPath': '$.results', 'Next': 'Check',
      },
      Check: { Type: 'Choice', Choices: [{ Variable: '$.results[0]', IsPresent: true, Next: 'Done' }], Default: 'Done' },
      Done: { Type: 'Pass', Result: { 'price': '$5' }, End: true },
    }))).toEqual([]);
  });
});

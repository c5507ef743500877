import { InvalidDefinitionError, refuseUnsupportedFields, UnsupportedDefinitionError } from '../../tools/local/definition-support';

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

// The local run evaluates JSONata and workflow variables (tools/local/query-language/); what it still refuses is
// named here. Distributed Map fields: https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
describe('a definition using what the local run does not run as AWS does is refused, naming each state and field', () => {
  test('JSONata states and workflow variables in both query languages are accepted', () => {
    expect(refused(machine({
      Call: { Type: 'Task', QueryLanguage: 'JSONata', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'f', Payload: '{% $states.input %}' }, Assign: { total: '{% $states.result.Payload %}' }, Next: 'Pick' },
      Pick: { Type: 'Choice', QueryLanguage: 'JSONata', Choices: [{ Condition: '{% $total > 1 %}', Assign: { big: true }, Output: { n: 1 }, Next: 'Done' }], Default: 'Done' },
      Done: { 'Type': 'Pass', 'Parameters': { 'total.$': '$total', 'text.$': "States.Format('{} of {}', $.n, $total)" }, 'Assign': { 'kept.$': '$.total' }, 'End': true },
    }))).toEqual([]);
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
      'Items: ResultWriter.WriterConfig.OutputType (CSV)',
    ]);
    expect(refused(distributed({ ItemReader: { Resource: 'arn:aws:states:::dynamodb:scan', Parameters: {} } }))).toEqual(['Items: ItemReader.Resource (arn:aws:states:::dynamodb:scan)']);
  });

  test('a JSONata distributed Map is accepted; what it reads from other than S3 is refused as in JSONPath', () => {
    const reader = (Resource: string) => ({ ItemReader: { Resource, ReaderConfig: { InputType: 'JSONL' }, Arguments: { Bucket: 'b', Key: '{% $states.input.key %}' } } });
    expect(refused({ QueryLanguage: 'JSONata', ...distributed(reader('arn:aws:states:::s3:getObject')) })).toEqual([]);
    expect(refused({ QueryLanguage: 'JSONata', ...distributed(reader('arn:aws:states:::dynamodb:scan')) })).toEqual(['Items: ItemReader.Resource (arn:aws:states:::dynamodb:scan)']);
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

/** What InvalidDefinitionError names, or [] when the definition is one Step Functions takes. */
function invalid(definition: object): string[] {
  try {
    refuseUnsupportedFields(definition);
    return [];
  } catch (error) {
    if (!(error instanceof InvalidDefinitionError)) throw error;
    return error.problems.map((p) => `${p.state}: ${p.field}: ${p.rule}`);
  }
}

// What Step Functions refuses when the state machine is created: each query language takes its own fields
// (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html), variable names follow the rule of
// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html. Refused before anything runs.
describe('a definition Step Functions would refuse is refused, naming the state, the field and the rule', () => {
  test('a JSONPath state in a JSONata state machine', () => {
    expect(invalid({ QueryLanguage: 'JSONata', ...machine({ Done: { Type: 'Pass', QueryLanguage: 'JSONPath', End: true } }) }))
      .toEqual(['Done: QueryLanguage: a state of a JSONata state machine cannot be JSONPath']);
  });

  test('JSONPath fields in a JSONata state, a JSONata choice rule and a JSONata catcher', () => {
    expect(invalid({
      QueryLanguage: 'JSONata',
      ...machine({
        Call: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'f' }, ResultPath: '$.r', Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.e', Next: 'Pick' }], Next: 'Pick' },
        Pick: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericEquals: 1, Next: 'Done' }], Default: 'Done' },
        Done: { Type: 'Pass', Result: 1, Next: 'Read' },
        Read: { Type: 'Map', ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: { Bucket: 'b' } }, ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, ...machine({ Work: { Type: 'Pass', End: true } }) }, End: true },
      }),
    })).toEqual([
      'Call: Parameters: a JSONPath field in a JSONata state', 'Call: ResultPath: a JSONPath field in a JSONata state',
      'Call: Catch[0].ResultPath: a JSONPath field in a JSONata state', 'Pick: Choices[0].Variable: a JSONPath field in a JSONata state',
      'Done: Result: a JSONPath field in a JSONata state', 'Read: ItemReader.Parameters: a JSONPath field in a JSONata state',
    ]);
  });

  test('JSONata fields in a JSONPath state, a JSONPath choice rule and a JSONPath catcher', () => {
    expect(invalid(machine({
      Call: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'f' }, Catch: [{ ErrorEquals: ['States.ALL'], Output: {}, Next: 'Pick' }], Next: 'Pick' },
      Pick: { Type: 'Choice', Choices: [{ Condition: '{% true %}', Next: 'Each' }], Default: 'Each' },
      Each: { Type: 'Map', Items: [1], ItemProcessor: machine({ Work: { Type: 'Pass', End: true } }), Output: {}, ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Arguments: {} }, End: true },
    }))).toEqual([
      'Call: Arguments: a JSONata field in a JSONPath state', 'Call: Catch[0].Output: a JSONata field in a JSONPath state',
      'Pick: Choices[0].Condition: a JSONata field in a JSONPath state',
      'Each: Output: a JSONata field in a JSONPath state', 'Each: Items: a JSONata field in a JSONPath state',
      'Each: ResultWriter.Arguments: a JSONata field in a JSONPath state',
    ]);
  });

  test('variable names: a letter or underscore first, then letters, digits or underscores, at most 80, not "states"', () => {
    const rule = 'a variable name is a letter or underscore, then letters, digits or underscores, at most 80, not "states"';
    expect(invalid(machine({
      Keep: { 'Type': 'Pass', 'Assign': { 'ok_1': 1, '_ok': 2, 'größe': 3, '1st': 4, 'has-dash': 5, 'states': 6, ['x'.repeat(81)]: 7, 'path.$': '$.a', 'bad name.$': '$.a' }, 'Next': 'Each' },
      Each: { Type: 'Choice', QueryLanguage: 'JSONata', Choices: [{ Condition: '{% true %}', Assign: { 'a.$': 1 }, Next: 'Done' }], Default: 'Done' },
      Done: { Type: 'Pass', Assign: [1], End: true },
    }))).toEqual([
      `Keep: Assign.1st: ${rule}`, `Keep: Assign.has-dash: ${rule}`, `Keep: Assign.states: ${rule}`, `Keep: Assign.${'x'.repeat(81)}: ${rule}`,
      `Keep: Assign.bad name.$: ${rule}`, `Each: Choices[0].Assign.a.$: ${rule}`, 'Done: Assign: Assign is an object of variable names and values',
    ]);
  });
});

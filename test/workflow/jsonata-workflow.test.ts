import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ItemSource, MapReduceWorkflow, MapReduceWorkflowProps, ResultTable } from '../../lib';
import { LocalRunner } from '../../tools/local/local-runner';
import { stateMachineDefinition } from '../support/definition';
import { exampleAssembly } from '../support/example-app';
import { expectJsonataDefinition, jsonataExampleAssembly, testJsonataExampleStack, withoutDefinitions } from '../support/jsonata-example-app';
import { standInFunction } from '../support/stand-in-function';
import { expectValidationError } from '../support/validation-error';
import seedInput from '../../examples/inputs/word-length.json';

// MapReduceWorkflow with queryLanguage JSONATA, checked against the JSONPath definition it replaces: data moves
// through Arguments and Output, the rest (retries, catches, timeouts, IAM, cdk-nag) is the same, and so is a local run.
// JSONata states' fields: https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html

const STACK = 'WordLengthExample';
const jsonPath = stateMachineDefinition(exampleAssembly().template(STACK));

/** Every state of the definition, those inside Map item processors included. */
function allStates(definition: any): Array<[string, any]> {
  return Object.entries<any>(definition.States).flatMap(([name, state]) => [
    [name, state] as [string, any],
    ...(state.ItemProcessor ? allStates(state.ItemProcessor) : []),
  ]);
}

describe('the seed 001 example (word length) in JSONata', () => {
  const synth = () => jsonataExampleAssembly().template(STACK);

  testJsonataExampleStack(STACK);

  test('the same states with the same transitions, retries, catches and timeouts as the JSONPath definition', () => {
    const definition = stateMachineDefinition(synth());
    const control = (state: any) => ({
      Type: state.Type, Next: state.Next, End: state.End, Retry: state.Retry, Catch: state.Catch,
      TimeoutSeconds: state.TimeoutSeconds, MaxConcurrency: state.MaxConcurrency, Resource: state.Resource,
    });
    const controlOf = (d: any) => Object.fromEntries(allStates(d).map(([name, state]) => [name, control(state)]));
    expect(controlOf(definition)).toEqual(controlOf(jsonPath));
    expect(definition.StartAt).toBe(jsonPath.StartAt);
    expect(definition.TimeoutSeconds).toBe(jsonPath.TimeoutSeconds);
  });

  test('the Map takes its items from $.data and outputs the results at mappedResults, which the reduce task gets as its payload', () => {
    const { States: states } = stateMachineDefinition(synth());
    expect(states.MapItems).toMatchObject({ Items: '{% $states.input.data %}', Output: { mappedResults: '{% $states.result %}' } });
    expect(states.MapItems.ItemProcessor.States.MapItem).toMatchObject({
      Arguments: { FunctionName: expect.stringContaining('WordLengthMapFunction'), Payload: '{% $states.input %}' },
      Output: '{% $states.result.Payload %}',
    });
    expect(states.ReduceResults).toMatchObject({
      Arguments: { FunctionName: expect.stringContaining('WordLengthReduceFunction'), Payload: '{% $states.input.mappedResults %}' },
      Output: '{% $states.result.Payload %}',
    });
  });

  test('the records are written from $states (execution id, entered time) and the state input, which stays the output', () => {
    const { States: states } = stateMachineDefinition(synth());
    const record = (fields: Record<string, unknown>) => ({
      executionId: { S: '{% $states.context.Execution.Id %}' },
      ...fields,
      completedAt: { S: '{% $states.context.State.EnteredTime %}' },
    });
    expect(states.StoreResult).toMatchObject({
      Arguments: { TableName: 'ResultsTable7B2FF7F9', Item: record({ status: { S: 'SUCCEEDED' }, output: { S: '{% $string($states.input) %}' } }) },
      Output: '{% $states.input %}',
    });
    expect(states.RecordFailure).toMatchObject({
      Arguments: { Item: record({ status: { S: 'FAILED' }, error: { S: '{% $states.input.Error %}' }, cause: { S: '{% $states.input.Cause %}' } }) },
      Output: '{% $states.input %}',
    });
    expect(states.Failed).toEqual({ Type: 'Fail', Error: '{% $states.input.Error %}', Cause: '{% $states.input.Cause %}' });
  });
});

/** A workflow of two inline functions (nothing to bundle) in JSONata, with `props`: its definition. */
function jsonataDefinition(props: Partial<MapReduceWorkflowProps>): any {
  const stack = new Stack(new App(), 'Jsonata');
  const fn = (id: string) => new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async (e) => e;'),
  });
  new MapReduceWorkflow(stack, 'Words', { mapFunction: fn('Map'), reduceFunction: fn('Reduce'), queryLanguage: sfn.QueryLanguage.JSONATA, ...props });
  return stateMachineDefinition(Template.fromStack(stack));
}

describe('itemsPath and resultPath are JSONPath in either language, translated into JSONata', () => {
  test("bracketed and dotted steps: $.job['word list'] and $.results.lengths", () => {
    const { States: states } = jsonataDefinition({ itemsPath: "$.job['word list'][0]", resultPath: '$.results.lengths' });
    expect(states.MapItems.Items).toBe('{% $states.input.job.`word list`[0] %}');
    expect(states.MapItems.Output).toEqual({ results: { lengths: '{% $states.result %}' } });
    expect(states.ReduceResults.Arguments.Payload).toBe('{% $states.input.results.lengths %}');
  });

  test('resultPath $: the results are the whole output, and the reduce gets it all', () => {
    const { States: states } = jsonataDefinition({ resultPath: '$' });
    expect(states.MapItems.Output).toBe('{% $states.result %}');
    expect(states.ReduceResults.Arguments.Payload).toBe('{% $states.input %}');
  });

  test('without a result table every catch goes straight to the Fail state, which reports the caught error and cause', () => {
    const { States: states } = jsonataDefinition({});
    expect(Object.keys(states).sort()).toEqual(['Failed', 'MapItems', 'ReduceResults']);
    expect(states.MapItems.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'Failed' }]);
    expect(states.Failed).toEqual({ Type: 'Fail', Error: '{% $states.input.Error %}', Cause: '{% $states.input.Cause %}' });
  });
});

test('validation: queryLanguage must be a value of sfn.QueryLanguage (JavaScript may pass the member\'s name)', () => {
  const error = expectValidationError(() => jsonataDefinition({ queryLanguage: 'JSONATA' as sfn.QueryLanguage }));
  expect(error.message).toBe("MapReduceWorkflow 'Jsonata/Words': queryLanguage must be JSON_PATH ('JSONPath') or JSONATA ('JSONata') (got 'JSONATA')");
});

describe('distributed mode in JSONata: ItemReader and ResultWriter take Arguments, the key from the input read by $states.input', () => {
  /**
   * A distributed workflow over a JSON array file named in the input (or `itemSource`), with stand-in functions, in
   * `queryLanguage`, in an app under cdk-nag AwsSolutions and Serverless.
   */
  function distributed(queryLanguage: sfn.QueryLanguage, itemSource?: (bucket: s3.Bucket) => ItemSource) {
    const app = new App();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    const stack = new Stack(app, 'Distributed');
    const items = new s3.Bucket(stack, 'Items', { enforceSSL: true });
    Validations.of(items).acknowledge({ id: 'AwsSolutions-S1', reason: 'Test fixture: the items bucket of the user, whose logging is theirs to decide.' });
    new MapReduceWorkflow(stack, 'Words', {
      mapFunction: standInFunction(stack, 'Map', { reservedConcurrency: 100 }),
      reduceFunction: standInFunction(stack, 'Reduce'),
      itemSource: itemSource?.(items) ?? ItemSource.jsonArray(items, { keyPrefix: 'jobs/' }),
      resultTable: new ResultTable(stack, 'Results'),
      queryLanguage,
    });
    // Synthesized when first asked for, in a test: an unacknowledged finding fails that test.
    let template: Template | undefined;
    return { app, template: () => template ??= Template.fromStack(stack) };
  }
  const jsonataStack = distributed(sfn.QueryLanguage.JSONATA);
  const states = () => stateMachineDefinition(jsonataStack.template()).States;

  test('passes cdk-nag AwsSolutions and Serverless, and matches its snapshot', () => {
    expect(() => jsonataStack.app.synth()).not.toThrow();
    expect(jsonataStack.template().toJSON()).toMatchSnapshot();
  });

  test('only the definition differs from the JSONPath stack: the same IAM, scoped to the key prefix and the results prefix', () => {
    expect(withoutDefinitions(jsonataStack.template())).toEqual(withoutDefinitions(distributed(sfn.QueryLanguage.JSON_PATH).template()));
  });

  test('"QueryLanguage": "JSONata" at the top, a valid definition, and no state has a JSONPath field', () => {
    expectJsonataDefinition(stateMachineDefinition(jsonataStack.template()));
  });

  test('the reader reads the key the input names, the batch task gets { items }, the writer writes under the prefix', () => {
    const { MapItems, ReduceResults } = states();
    expect(MapItems).toMatchObject({
      ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Arguments: { Bucket: expect.any(String), Key: '{% $states.input.itemsKey %}' } },
      ItemBatcher: { MaxInputBytesPerBatch: 65536 },
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Arguments: { Bucket: expect.any(String), Prefix: 'map-runs' }, WriterConfig: { OutputType: 'JSONL', Transformation: 'FLATTEN' } },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' } },
      Output: { mappedResults: '{% $states.result %}' },
    });
    expect(MapItems.ItemProcessor.States.MapBatch).toMatchObject({
      Arguments: { Payload: { items: '{% $states.input.Items %}' } },
      Output: '{% $states.result.Payload %}',
    });
    expect(ReduceResults.Arguments.Payload).toBe('{% $states.input.mappedResults %}');
  });

  test('the same retries, catches and timeouts as the JSONPath definition', () => {
    const jsonPathStates = stateMachineDefinition(distributed(sfn.QueryLanguage.JSON_PATH).template()).States;
    const jsonataStates = states();
    const control = ({ Retry, Catch, TimeoutSeconds, Next, End }: any) => ({ Retry, Catch, TimeoutSeconds, Next, End });
    expect(control(jsonataStates.MapItems.ItemProcessor.States.MapBatch)).toEqual(control(jsonPathStates.MapItems.ItemProcessor.States.MapBatch));
    for (const name of Object.keys(jsonPathStates)) expect([name, control(jsonataStates[name])]).toEqual([name, control(jsonPathStates[name])]);
  });

  test('a literal key stays literal; a prefix from the input is read by $states.input', () => {
    const reader = (source: (bucket: s3.Bucket) => ItemSource) => stateMachineDefinition(distributed(sfn.QueryLanguage.JSONATA, source).template())
      .States.MapItems.ItemReader.Arguments;
    expect(reader((bucket) => ItemSource.jsonLines(bucket, { key: 'jobs/all.jsonl' }))).toMatchObject({ Key: 'jobs/all.jsonl' });
    expect(reader((bucket) => ItemSource.objects(bucket, { prefix: sfn.JsonPath.stringAt('$.job.photos') })))
      .toMatchObject({ Prefix: '{% $states.input.job.photos %}' });
  });

  test('validation: a key from the input must be a reference path for JSONata to read it', () => {
    const stack = new Stack(new App(), 'Formatted');
    const error = expectValidationError(() => new MapReduceWorkflow(stack, 'Job', {
      mapFunction: standInFunction(stack, 'Map', { reservedConcurrency: 100 }),
      reduceFunction: standInFunction(stack, 'Reduce'),
      itemSource: ItemSource.jsonArray(new s3.Bucket(stack, 'Items'), { key: sfn.JsonPath.format('jobs/{}.json', sfn.JsonPath.stringAt('$.jobId')) }),
      queryLanguage: sfn.QueryLanguage.JSONATA,
    }));
    expect(error.message).toBe("MapReduceWorkflow 'Formatted/Job': itemSource: the key comes from 'States.Format('jobs/{}.json', $.jobId)', "
      + "which queryLanguage JSONATA cannot read; give a literal key or a reference path such as '$.job.key'");
  });
});

describe('run locally, the JSONata definition behaves as the JSONPath one', () => {
  /** What an execution ends with, and what it recorded in the result table (but its key and time). */
  async function outcome(runner: LocalRunner, input: unknown) {
    const { status, output, error, cause, executionArn } = await runner.execute({ input });
    const { Item } = await runner.dynamodb.client.send(new GetItemCommand({
      TableName: runner.tableName('Results'),
      Key: { executionId: { S: executionArn } },
    }));
    const { executionId, completedAt, ...record } = Item!;
    expect([executionId.S, completedAt.S]).toEqual([executionArn, expect.stringMatching(/^\d{4}-\d\d-\d\dT/)]);
    return { status, output, error, cause, record };
  }

  /** The seed input and a malformed one, run on the example's stack in `assemblyDir`. */
  async function runExamples(assemblyDir: string) {
    const runner = await LocalRunner.start({ assemblyDir, stackName: STACK });
    try {
      return {
        seed: await outcome(runner, seedInput),
        empty: await outcome(runner, { data: [] }),
        malformed: await outcome(runner, { data: [{ word: 'apple' }, { wrd: 'typo' }] }),
      };
    } finally {
      await runner.stop();
    }
  }

  test('an input without its items: JSONPath fails States.Runtime, which nothing catches; JSONata States.QueryEvaluationError, caught and recorded', async () => {
    const run = async (assemblyDir: string) => {
      const runner = await LocalRunner.start({ assemblyDir, stackName: STACK });
      try {
        const { status, error, executionArn } = await runner.execute({ input: { words: ['no', 'data'] } });
        const { Item } = await runner.dynamodb.client.send(new GetItemCommand({ TableName: runner.tableName('Results'), Key: { executionId: { S: executionArn } } }));
        return { status, error, recorded: Item?.error?.S };
      } finally {
        await runner.stop();
      }
    };
    expect(await run(exampleAssembly().assemblyDir)).toEqual({ status: 'FAILED', error: 'States.Runtime', recorded: undefined });
    expect(await run(jsonataExampleAssembly().assemblyDir)).toEqual({ status: 'FAILED', error: 'States.QueryEvaluationError', recorded: 'States.QueryEvaluationError' });
  }, 120_000);

  test('seed 001 gives {"totalLength":39}, an empty list 0, a malformed item the same error and record, as with JSONPath', async () => {
    const jsonPathRuns = await runExamples(exampleAssembly().assemblyDir);
    const jsonataRuns = await runExamples(jsonataExampleAssembly().assemblyDir);
    expect(jsonataRuns.seed).toEqual({
      status: 'SUCCEEDED',
      output: { totalLength: 39 },
      error: undefined,
      cause: undefined,
      record: { status: { S: 'SUCCEEDED' }, output: { S: '{"totalLength":39}' } },
    });
    expect(jsonataRuns.empty).toMatchObject({ status: 'SUCCEEDED', output: { totalLength: 0 } });
    expect(jsonataRuns.malformed).toMatchObject({ status: 'FAILED', error: 'WordValidationError', record: { status: { S: 'FAILED' }, error: { S: 'WordValidationError' } } });
    expect(JSON.parse(jsonataRuns.malformed.cause!)).toMatchObject({ errorMessage: 'item.word must be a string (got undefined)' });
    expect(jsonataRuns).toEqual(jsonPathRuns);
  }, 120_000);
});

import * as path from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ItemSource, MapReduceWorkflow, MapReduceWorkflowProps } from '../../lib';
import { LocalRunner } from '../../tools/local/local-runner';
import { stateMachineDefinition } from '../support/definition';
import { exampleAssembly } from '../support/example-app';
import { jsonataExampleAssembly, testJsonataExampleStack } from '../support/jsonata-example-app';
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

test('validation: queryLanguage JSONATA is refused in distributed mode, whose item source names its key by a JSONPath', () => {
  const stack = new Stack(new App(), 'Distributed');
  const error = expectValidationError(() => new MapReduceWorkflow(stack, 'Job', {
    mapEntry: path.join(__dirname, '..', '..', 'examples', 'handlers', 'word-length-batch', 'index.ts'),
    reduceEntry: path.join(__dirname, '..', '..', 'examples', 'handlers', 'sum-map-run-lengths', 'index.ts'),
    itemSource: ItemSource.jsonArray(new s3.Bucket(stack, 'Items')),
    queryLanguage: sfn.QueryLanguage.JSONATA,
  }));
  expect(error.message).toBe("MapReduceWorkflow 'Distributed/Job': queryLanguage JSONATA applies to inline mode (got mode DISTRIBUTED): "
    + 'the itemSource reads its key or prefix from the execution input by a JSONPath ($.itemsKey by default), which a JSONata state '
    + 'cannot hold; leave queryLanguage unset in distributed mode');
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

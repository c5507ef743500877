import { runDefinition } from '../support/run-definition';

// JSONata states run locally as Step Functions runs them. The fields, `$states` and the functions Step Functions adds:
// https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html ("Transforming data with JSONata");
// the order of evaluation and the reserved variable: https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html.

const jsonata = (states: Record<string, object>) => ({ QueryLanguage: 'JSONata', StartAt: Object.keys(states)[0], States: states });
const echo = async (input: unknown) => ({ Payload: input });

test('a Task\'s Arguments are what the integration gets; Output reads $states.result and $states.input; without Output the state outputs the result', async () => {
  const calls: unknown[] = [];
  const run = await runDefinition(jsonata({
    // The documentation's example shape: Arguments built from the input, Output picking from the result.
    Lookup: {
      Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke',
      Arguments: { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:Lookup', Payload: { productId: '{% $states.input.product.id %}', tags: ['{% $states.input.product.tag %}', 'fixed'] } },
      Output: { price: '{% $states.result.Payload.price %}', id: '{% $states.input.product.id %}' },
      Next: 'Raw',
    },
    Raw: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'f', Payload: '{% $states.input %}' }, End: true },
  }), { product: { id: 'p-1', tag: 'blue' } }, {
    Lookup: async (input) => {
      calls.push(input);
      return { Payload: { price: 12 } };
    },
    Raw: echo,
  });
  expect(calls).toEqual([{ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:Lookup', Payload: { productId: 'p-1', tags: ['blue', 'fixed'] } }]);
  expect(run).toMatchObject({ status: 'SUCCEEDED', output: { Payload: { FunctionName: 'f', Payload: { price: 12, id: 'p-1' } } } });
  // TaskScheduled records the task's input after Arguments, as it does after Parameters.
  const scheduled = run.history.filter((e) => e.type === 'TaskScheduled').map((e) => JSON.parse(e.taskScheduledEventDetails!.parameters!));
  expect(scheduled[0]).toEqual(calls[0]);
});

test('Pass, Wait, Succeed: Output replaces the input, or the input passes through; Wait takes Seconds and Timestamp as expressions', async () => {
  const run = await runDefinition(jsonata({
    Shape: { Type: 'Pass', Output: { total: '{% $sum($states.input.values) %}', first: '{% $states.input.values[0] %}' }, Next: 'Pause' },
    Pause: { Type: 'Wait', Seconds: '{% $states.input.first - 1 %}', Next: 'Until' },
    Until: { Type: 'Wait', Timestamp: '{% $fromMillis($millis() + 100) %}', Next: 'Keep' },
    Keep: { Type: 'Pass', Next: 'Done' },
    Done: { Type: 'Succeed', Output: '{% $states.input.total * 2 %}' },
  }), { values: [1, 2, 3] });
  expect(run).toMatchObject({ status: 'SUCCEEDED', output: 12 });
  expect(run.history.filter((e) => e.type === 'PassStateExited').map((e) => JSON.parse(e.stateExitedEventDetails!.output!))).toEqual([{ total: 6, first: 1 }, { total: 6, first: 1 }]);
});

test('Choice: the first rule whose Condition holds, its own Output and Assign; Default otherwise; no match fails with States.NoChoiceMatched', async () => {
  const definition = jsonata({
    Check: {
      Type: 'Choice',
      Choices: [
        { Condition: '{% $states.input.age >= 18 %}', Next: 'Adult', Output: { who: 'adult', age: '{% $states.input.age %}' }, Assign: { checked: true } },
        { Condition: '{% $states.input.age >= 0 %}', Next: 'Minor' },
      ],
      Default: 'Unknown',
    },
    Adult: { Type: 'Pass', Output: { who: '{% $states.input.who %}', checked: '{% $checked %}' }, End: true },
    Minor: { Type: 'Pass', Output: '{% $states.input %}', End: true },
    Unknown: { Type: 'Fail', Error: 'NoAge', Cause: '{% "age was " & $string($states.input.age) %}' },
  });
  await expect(runDefinition(definition, { age: 30 })).resolves.toMatchObject({ status: 'SUCCEEDED', output: { who: 'adult', checked: true } });
  await expect(runDefinition(definition, { age: 3 })).resolves.toMatchObject({ status: 'SUCCEEDED', output: { age: 3 } });
  await expect(runDefinition(definition, { age: -1 })).resolves.toMatchObject({ status: 'FAILED', error: 'NoAge', cause: 'age was -1' });
  const noDefault = jsonata({ Check: { Type: 'Choice', Choices: [{ Condition: '{% false %}', Next: 'Done' }] }, Done: { Type: 'Succeed' } });
  await expect(runDefinition(noDefault, {})).resolves.toMatchObject({ status: 'FAILED', error: 'States.NoChoiceMatched' });
});

test('Map: Items, ItemSelector with $states.context.Map.Item, MaxConcurrency as an expression, Output over the results', async () => {
  const run = await runDefinition(jsonata({
    Each: {
      Type: 'Map',
      Items: '{% $states.input.orders[price > 10] %}',
      ItemSelector: { index: '{% $states.context.Map.Item.Index %}', id: '{% $states.context.Map.Item.Value.id %}', currency: '{% $states.input.currency %}' },
      MaxConcurrency: '{% $count($states.input.orders) %}',
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Label', States: { Label: { Type: 'Pass', Output: '{% $states.input.id & "/" & $states.input.currency & "#" & $states.input.index %}', End: true } } },
      Output: { labels: '{% $states.result %}', count: '{% $count($states.result) %}' },
      End: true,
    },
  }), { currency: 'EUR', orders: [{ id: 'a', price: 5 }, { id: 'b', price: 20 }, { id: 'c', price: 30 }] });
  expect(run).toMatchObject({ status: 'SUCCEEDED', output: { labels: ['b/EUR#0', 'c/EUR#1'], count: 2 } });
});

test('a distributed Map: Items, ItemSelector, an ItemBatcher with a JSONata BatchInput, a tolerated failure count as an expression, JSONata children', async () => {
  const run = await runDefinition(jsonata({
    Each: {
      Type: 'Map',
      Items: '{% $states.input.words %}',
      ItemSelector: { word: '{% $uppercase($states.context.Map.Item.Value) %}' },
      ItemBatcher: { MaxItemsPerBatch: 2, BatchInput: { prefix: '{% $states.input.prefix %}' } },
      ToleratedFailureCount: '{% $states.input.tolerated %}',
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
        StartAt: 'Join',
        States: { Join: { Type: 'Pass', Output: '{% $states.input.BatchInput.prefix & $join($states.input.Items.word, "+") %}', End: true } },
      },
      Output: '{% $states.result %}',
      End: true,
    },
  }), { words: ['a', 'b', 'c'], prefix: '>', tolerated: 0 });
  expect(run).toMatchObject({ status: 'SUCCEEDED', output: ['>A+B', '>C'] });
});

test('Parallel: Arguments are each branch\'s input; the result is the branches\' outputs in order', async () => {
  const run = await runDefinition(jsonata({
    Both: {
      Type: 'Parallel',
      Arguments: { n: '{% $states.input.n * 10 %}' },
      Branches: [
        { StartAt: 'Add', States: { Add: { Type: 'Pass', Output: '{% $states.input.n + 1 %}', End: true } } },
        { StartAt: 'Sub', States: { Sub: { Type: 'Pass', Output: '{% $states.input.n - 1 %}', End: true } } },
      ],
      Output: '{% $sum($states.result) %}',
      End: true,
    },
  }), { n: 2 });
  expect(run).toMatchObject({ status: 'SUCCEEDED', output: 40 });
});

test('the functions Step Functions adds: $partition, $range, $hash, $random, $uuid, $parse', async () => {
  const run = await runDefinition(jsonata({
    Compute: {
      Type: 'Pass',
      Output: {
        partition: '{% $partition([1,2,3,4,5], 2) %}',
        range: '{% $range(0, 10, 5) %}',
        down: '{% $range(3, 1, -1) %}',
        sha256: '{% $hash("Hello World", "SHA-256") %}',
        md5: '{% $hash("Hello World", "MD5") %}',
        random: '{% $random() %}',
        seeded: '{% [$random(7), $random(7)] %}',
        uuid: '{% $uuid() %}',
        parsed: '{% $parse($states.input.json) %}',
      },
      End: true,
    },
  }), { json: '{"a":[1,{"b":true}]}' });
  expect(run.status).toBe('SUCCEEDED');
  const output = run.output;
  expect(output).toMatchObject({
    partition: [[1, 2], [3, 4], [5]],
    range: [0, 5, 10],
    down: [3, 2, 1],
    sha256: 'a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e',
    md5: 'b10a8db164e0754105b7a99be72e3fe5',
    parsed: { a: [1, { b: true }] },
  });
  expect(output.random).toBeGreaterThanOrEqual(0);
  expect(output.random).toBeLessThan(1);
  expect(output.seeded[0]).toBe(output.seeded[1]);
  expect(output.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('only a whole string {% … %} is an expression: one with a space before is a literal, one starting {% but not ending %} is refused', async () => {
  const run = await runDefinition(jsonata({ Shape: { Type: 'Pass', Output: { expression: '{% 1 + 1 %}', spaced: ' {% 1 + 1 %}' }, End: true } }), {});
  expect(run.output).toEqual({ expression: 2, spaced: ' {% 1 + 1 %}' });
  // The validator the interpreter runs (asl-validator, as Step Functions' own validation does) refuses the definition.
  await expect(runDefinition(jsonata({ Shape: { Type: 'Pass', Output: { trailing: '{% 1 + 1 %} ' }, End: true } }), {}))
    .rejects.toThrow('/States/Shape/Output/trailing is invalid');
});

test('$eval, which Step Functions leaves out of JSONata, fails the state naming $parse', async () => {
  const run = await runDefinition(jsonata({ Evaluate: { Type: 'Pass', Output: '{% $eval("1 + 1") %}', End: true } }), {});
  expect(run).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
  expect(run.cause).toContain('$eval is not available in Step Functions: use $parse');
});

test('$states.context is the context object: the execution, the state machine, the state', async () => {
  const run = await runDefinition(jsonata({
    Where: { Type: 'Pass', Output: { execution: '{% $states.context.Execution.Name %}', input: '{% $states.context.Execution.Input %}', machine: '{% $states.context.StateMachine.Name %}', state: '{% $states.context.State.Name %}' }, End: true },
  }), { a: 1 });
  expect(run.output).toEqual({ execution: 'run-1', input: { a: 1 }, machine: 'Machine', state: 'Where' });
});

describe('States.QueryEvaluationError', () => {
  test('an expression that fails names the field and the expression, and fails the execution when nothing catches it', async () => {
    const run = await runDefinition(jsonata({ Bad: { Type: 'Pass', Output: { x: '{% $states.input.n.$uppercase() %}' }, End: true } }), { n: 1 });
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    expect(run.cause).toContain('{% $states.input.n.$uppercase() %}');
    expect(run.cause).toContain("field 'Output.x'");
  });

  test('an expression that gives nothing (undefined) fails the state rather than dropping the field', async () => {
    const run = await runDefinition(jsonata({ Missing: { Type: 'Pass', Output: { x: '{% $states.input.absent %}' }, End: true } }), {});
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError', cause: "The JSONata expression '{% $states.input.absent %}' specified for the field 'Output.x' returned an unsupported result type." });
  });

  test('a Condition that is not a boolean, a Seconds that is not an integer', async () => {
    await expect(runDefinition(jsonata({ Pick: { Type: 'Choice', Choices: [{ Condition: '{% "yes" %}', Next: 'Done' }] }, Done: { Type: 'Succeed' } }), {}))
      .resolves.toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    await expect(runDefinition(jsonata({ Pause: { Type: 'Wait', Seconds: '{% 1.5 %}', End: true } }), {}))
      .resolves.toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
  });

  test('the history: a task whose Output fails succeeded, then the evaluation failed; one whose Arguments fail was never scheduled', async () => {
    // The event types of GetExecutionHistory: https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
    const afterTask = await runDefinition(jsonata({ Call: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'f' }, Output: '{% $states.result.missing %}', End: true } }), {}, { Call: echo });
    expect(afterTask.history.map((e) => e.type)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'EvaluationFailed', 'ExecutionFailed']);
    expect(afterTask.history[5].evaluationFailedEventDetails).toMatchObject({ state: 'Call', error: 'States.QueryEvaluationError' });
    const beforeTask = await runDefinition(jsonata({ Call: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: '{% $states.input.missing %}' }, End: true } }), {}, { Call: echo });
    expect(beforeTask.history.map((e) => e.type)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'EvaluationFailed', 'ExecutionFailed']);
  });

  test('Retry and Catch match it: a retrier of States.ALL retries it, a catcher takes it with $states.errorOutput', async () => {
    let calls = 0;
    const run = await runDefinition(jsonata({
      Call: {
        Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'f', Payload: {} },
        // The result has no `value` the first time: Output fails, the retry calls the task again.
        Output: '{% $states.result.Payload.value %}',
        Retry: [{ ErrorEquals: ['States.QueryEvaluationError'], IntervalSeconds: 1, MaxAttempts: 1, BackoffRate: 1 }],
        Next: 'Bad',
      },
      Bad: {
        Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'f' }, Output: '{% $error("no") %}',
        Catch: [{ ErrorEquals: ['States.ALL'], Output: { caught: '{% $states.errorOutput.Error %}', input: '{% $states.input %}' }, Next: 'Done' }],
        Next: 'Done',
      },
      Done: { Type: 'Succeed' },
    }), {}, { Call: async () => ({ Payload: calls++ === 0 ? {} : { value: 'second' } }), Bad: echo });
    expect(calls).toBe(2);
    expect(run).toMatchObject({ status: 'SUCCEEDED', output: { caught: 'States.QueryEvaluationError', input: 'second' } });
  });
});

test('a Task\'s TimeoutSeconds as an expression: the task times out with States.Timeout', async () => {
  const run = await runDefinition(jsonata({
    Slow: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'f' }, TimeoutSeconds: '{% $states.input.timeout %}', End: true },
  }), { timeout: 1 }, { Slow: () => new Promise((resolve) => setTimeout(() => resolve({ Payload: 'late' }), 3000).unref()) });
  expect(run).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
});

test('query languages mixed as AWS allows: JSONata states in a JSONPath state machine, each reading the other\'s output', async () => {
  const run = await runDefinition({
    StartAt: 'PathFirst',
    States: {
      PathFirst: { Type: 'Pass', Parameters: { 'n.$': '$.n' }, Next: 'Ata' },
      Ata: { Type: 'Pass', QueryLanguage: 'JSONata', Output: { doubled: '{% $states.input.n * 2 %}' }, Next: 'PathAgain' },
      PathAgain: { Type: 'Pass', InputPath: '$.doubled', End: true },
    },
  }, { n: 21 });
  expect(run).toMatchObject({ status: 'SUCCEEDED', output: 42 });
});

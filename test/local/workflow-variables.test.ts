import { MAX_ASSIGN_BYTES, MAX_EXECUTION_VARIABLES_BYTES, MAX_VARIABLE_BYTES } from '../../tools/local/query-language/workflow-variables';
import { runDefinition } from '../support/run-definition';

// Workflow variables (`Assign`, `$name`) in both query languages, as
// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html describes them: assigned after the
// state (every expression of the state reads the values from before it), visible to later states, read-only in Map
// iterations and Parallel branches, within the documented size quotas.

const machine = (states: Record<string, object>, extra: object = {}) => ({ ...extra, StartAt: Object.keys(states)[0], States: states });
const assignedOn = (run: Awaited<ReturnType<typeof runDefinition>>) => run.history
  .filter((e) => e.stateExitedEventDetails?.assignedVariables)
  .map((e) => [e.stateExitedEventDetails!.name, e.stateExitedEventDetails!.assignedVariables]);

describe('JSONPath', () => {
  test('Assign reads the state\'s result ($) and literals; later states read $name in Parameters, intrinsic functions and Choice rules', async () => {
    const run = await runDefinition(machine({
      // The page's first example, with a value taken from the result.
      Keep: { 'Type': 'Pass', 'Result': { answer: 42 }, 'Assign': { 'productName': 'product1', 'count': 42, 'available': true, 'theAnswer.$': '$.answer' }, 'Next': 'Check' },
      Check: { Type: 'Choice', Choices: [{ Variable: '$count', NumericGreaterThan: 40, Next: 'Use' }], Default: 'Fail' },
      Use: { 'Type': 'Pass', 'Parameters': { 'name.$': '$productName', 'text.$': "States.Format('{} x {}', $productName, $count)", 'fromInput.$': '$.answer' }, 'End': true },
      Fail: { Type: 'Fail', Error: 'Wrong' },
    }), {});
    expect(run).toMatchObject({ status: 'SUCCEEDED', output: { name: 'product1', text: 'product1 x 42', fromInput: 42 } });
    expect(assignedOn(run)).toEqual([['Keep', { productName: '"product1"', count: '42', available: 'true', theAnswer: '42' }]]);
  });

  test('the order of evaluation: InputPath, ResultPath and OutputPath read the values from before the state; the next state reads the new ones', async () => {
    // A case recorded against AWS by LocalStack's snapshot tests (BASE_EVALUATION_ORDER_PASS_STATE): the output is the old value.
    const run = await runDefinition(machine({
      State0: { 'Type': 'Pass', 'Result': { theQuestion: 'What is the answer?' }, 'Assign': { 'question.$': '$.theQuestion', 'answer': 42 }, 'Next': 'State1' },
      State1: { Type: 'Pass', InputPath: '$answer', ResultPath: '$.theAnswer', OutputPath: '$answer', Assign: { answer: '<omitted>' }, Next: 'State2' },
      State2: { 'Type': 'Pass', 'Parameters': { 'previous.$': '$', 'now.$': '$answer', 'question.$': '$question' }, 'End': true },
    }), {});
    expect(run.output).toEqual({ previous: 42, now: '<omitted>', question: 'What is the answer?' });
  });

  test('a Task\'s Assign reads the result after ResultSelector; a catcher\'s Assign reads the error output and the state\'s own Assign does not apply', async () => {
    const run = await runDefinition(machine({
      Call: {
        'Type': 'Task', 'Resource': 'arn:aws:states:::lambda:invoke', 'Parameters': { FunctionName: 'f' },
        'ResultSelector': { 'n.$': '$.Payload.n' }, 'Assign': { 'selected.$': '$.n' }, 'ResultPath': '$.call', 'Next': 'Fails',
      },
      Fails: {
        'Type': 'Task', 'Resource': 'arn:aws:states:::lambda:invoke', 'Parameters': { FunctionName: 'g' },
        'Assign': { 'never': true },
        'Catch': [{ 'ErrorEquals': ['States.ALL'], 'Assign': { 'failure.$': '$.Error', 'cause.$': '$.Cause' }, 'ResultPath': '$.error', 'Next': 'Report' }],
        'Next': 'Report',
      },
      Report: { 'Type': 'Pass', 'Parameters': { 'selected.$': '$selected', 'failure.$': '$failure', 'cause.$': '$cause', 'error.$': '$.error.Error' }, 'End': true },
    }), {}, {
      Call: async () => ({ Payload: { n: 7 } }),
      Fails: async () => {
        const error = new Error('went wrong');
        error.name = 'Broken';
        throw error;
      },
    });
    expect(run).toMatchObject({ status: 'SUCCEEDED', output: { selected: 7, failure: 'Broken', cause: 'went wrong', error: 'Broken' } });
    expect(assignedOn(run)).toEqual([['Call', { selected: '7' }], ['Fails', { failure: '"Broken"', cause: '"went wrong"' }]]);
  });

  test('a reference to a variable no state has assigned fails the execution with States.Runtime, which Catch does not take', async () => {
    const run = await runDefinition(machine({
      Use: {
        'Type': 'Task', 'Resource': 'arn:aws:states:::lambda:invoke', 'Parameters': { 'FunctionName': 'f', 'Payload.$': '$missing' },
        'Catch': [{ ErrorEquals: ['States.ALL'], Next: 'Done' }], 'Next': 'Done',
      },
      Done: { Type: 'Succeed' },
    }), {}, { Use: async () => ({}) });
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(run.cause).toContain("variable 'missing'");
  });
});

describe('JSONata', () => {
  test('Assign and Output of one state both read the values from before it (the page\'s evaluation-order example)', async () => {
    const run = await runDefinition(machine({
      Start: { Type: 'Pass', Assign: { x: 1 }, Next: 'Step' },
      Step: { Type: 'Pass', Assign: { x: '{% $x + 1 %}', y: '{% $x %}' }, Output: { xSeen: '{% $x %}' }, Next: 'After' },
      After: { Type: 'Pass', Output: { x: '{% $x %}', y: '{% $y %}', before: '{% $states.input.xSeen %}' }, End: true },
    }, { QueryLanguage: 'JSONata' }), {});
    expect(run.output).toEqual({ x: 2, y: 1, before: 1 });
    expect(assignedOn(run)).toEqual([['Start', { x: '1' }], ['Step', { x: '2', y: '1' }]]);
  });

  test('a catcher\'s Assign reads $states.errorOutput and $states.input; a variable never assigned is an error of the expression', async () => {
    const run = await runDefinition(machine({
      Try: {
        Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'f' }, Assign: { never: true },
        Catch: [{ ErrorEquals: ['States.ALL'], Assign: { error: '{% $states.errorOutput.Error %}', had: '{% $states.input.n %}' }, Next: 'Report' }],
        Next: 'Report',
      },
      Report: { Type: 'Pass', Output: { error: '{% $error %}', had: '{% $had %}', never: '{% $exists($never) %}' }, Next: 'Unknown' },
      Unknown: { Type: 'Pass', Output: '{% $nothing %}', End: true },
    }, { QueryLanguage: 'JSONata' }), { n: 3 }, {
      Try: async () => {
        throw Object.assign(new Error('no'), { name: 'Nope' });
      },
    });
    expect(run.history.find((e) => e.type === 'PassStateExited')?.stateExitedEventDetails?.output).toBe(JSON.stringify({ error: 'Nope', had: 3, never: false }));
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
  });
});

describe('scope: Map iterations and Parallel branches read the outer variables, and what they assign stays inside', () => {
  // LocalStack's BASE_SCOPE_MAP case (recorded against AWS), with two additions of ours: the iterations' Parameters
  // show what they read, and State3's read of $innerX after the Map fails, by our reading of the scope rule.
  test('JSONPath Map: an iteration reads $x, its innerX is gone after the Map', async () => {
    const run = await runDefinition(machine({
      State0: { Type: 'Pass', Assign: { x: 42, items: [1, 2, 3] }, Next: 'State1' },
      State1: {
        Type: 'Map', ItemsPath: '$items', MaxConcurrency: 1,
        ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Inner', States: { Inner: { 'Type': 'Pass', 'Assign': { 'innerX.$': '$x' }, 'Parameters': { 'seen.$': '$x', 'item.$': '$' }, 'End': true } } },
        ResultPath: '$.results', Next: 'State2',
      },
      State2: { 'Type': 'Pass', 'Assign': { 'final.$': '$x' }, 'Parameters': { 'results.$': '$.results', 'final.$': '$x' }, 'Next': 'State3' },
      State3: { 'Type': 'Pass', 'Parameters': { 'inner.$': '$innerX' }, 'End': true },
    }), {});
    expect(run.history.filter((e) => e.type === 'PassStateExited' && e.stateExitedEventDetails?.name === 'State2').map((e) => JSON.parse(e.stateExitedEventDetails!.output!)))
      .toEqual([{ results: [{ seen: 42, item: 1 }, { seen: 42, item: 2 }, { seen: 42, item: 3 }], final: 42 }]);
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(run.cause).toContain("variable 'innerX'");
  });

  test('JSONata Parallel and Map: each branch and iteration has its own scope, none sees another\'s, and what they assign is gone after them', async () => {
    const run = await runDefinition(machine({
      Init: { Type: 'Pass', Assign: { total: 10, label: 'outer' }, Next: 'Both' },
      Both: {
        Type: 'Parallel',
        Branches: [
          { StartAt: 'A1', States: { A1: { Type: 'Pass', Assign: { branchLabel: 'branch A' }, Next: 'A2' }, A2: { Type: 'Pass', Output: { a: '{% $branchLabel %}', total: '{% $total %}' }, End: true } } },
          { StartAt: 'B1', States: { B1: { Type: 'Pass', Output: { b: '{% $label %}' }, End: true } } },
        ],
        Next: 'Each',
      },
      Each: {
        Type: 'Map', Items: [1, 2, 3],
        ItemProcessor: { StartAt: 'Mine', States: { Mine: { Type: 'Pass', Assign: { mine: '{% $states.input %}' }, Next: 'Read' }, Read: { Type: 'Pass', Output: '{% $mine * $total %}', End: true } } },
        Assign: { products: '{% $states.result %}' },
        Output: { branches: '{% $states.input %}' },
        Next: 'End',
      },
      End: { Type: 'Pass', Output: { branches: '{% $states.input.branches %}', products: '{% $products %}', label: '{% $label %}', mine: '{% $exists($mine) %}', branchLabel: '{% $exists($branchLabel) %}' }, End: true },
    }, { QueryLanguage: 'JSONata' }), {});
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      output: { branches: [{ a: 'branch A', total: 10 }, { b: 'outer' }], products: [10, 20, 30], label: 'outer', mine: false, branchLabel: false },
    });
  });
});

describe('a Choice: a matched rule\'s Assign and Output, the state\'s own only when Default is taken', () => {
  // As AWS ran LocalStack's recorded case (choice_condition_jsonata): the rule's value alone when a rule matched.
  const choice = (rules: object[]) => machine({
    Pick: { Type: 'Choice', Choices: rules, Default: 'Done', Assign: { who: 'default' }, Output: { from: 'state' } },
    Done: { Type: 'Pass', Output: { who: '{% $exists($who) ? $who : null %}', input: '{% $states.input %}' }, End: true },
  }, { QueryLanguage: 'JSONata' });

  test('a matched rule with Assign and Output: its own', async () => {
    const run = await runDefinition(choice([{ Condition: '{% true %}', Next: 'Done', Assign: { who: 'rule' }, Output: { from: 'rule' } }]), { n: 1 });
    expect(run.output).toEqual({ who: 'rule', input: { from: 'rule' } });
  });

  test('a matched rule without them: no variable assigned, the input passes through', async () => {
    const run = await runDefinition(choice([{ Condition: '{% true %}', Next: 'Done' }]), { n: 1 });
    expect(run.output).toEqual({ who: null, input: { n: 1 } });
  });

  test('Default taken: the state\'s own', async () => {
    const run = await runDefinition(choice([{ Condition: '{% false %}', Next: 'Done' }]), { n: 1 });
    expect(run.output).toEqual({ who: 'default', input: { from: 'state' } });
  });

  test('JSONPath: a matched rule\'s Assign, the state\'s when Default is taken', async () => {
    const jsonPath = (n: number) => runDefinition(machine({
      Pick: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericEquals: 1, Next: 'Done', Assign: { 'who.$': '$.n' } }], Default: 'Done', Assign: { who: 'default' } },
      Done: { 'Type': 'Pass', 'Parameters': { 'who.$': '$who' }, 'End': true },
    }), { n });
    expect((await jsonPath(1)).output).toEqual({ who: 1 });
    expect((await jsonPath(2)).output).toEqual({ who: 'default' });
  });
});

describe('a distributed Map (JSONPath): its ItemSelector and BatchInput read the variables; its child executions start with none', () => {
  test('the selector and the batch input read $k; a child reading $k fails', async () => {
    const map = (child: object) => machine({
      Keep: { Type: 'Pass', Assign: { k: 5 }, Next: 'Each' },
      Each: {
        'Type': 'Map', 'ItemsPath': '$.items',
        'ItemSelector': { 'v.$': '$$.Map.Item.Value', 'k.$': '$k' },
        'ItemBatcher': { MaxItemsPerBatch: 2, BatchInput: { 'k.$': '$k' } },
        'ItemProcessor': { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'Child', States: { Child: child } },
        'End': true,
      },
    });
    const read = await runDefinition(map({ Type: 'Pass', End: true }), { items: [1, 2, 3] });
    expect(read).toMatchObject({ status: 'SUCCEEDED', output: [{ Items: [{ v: 1, k: 5 }, { v: 2, k: 5 }], BatchInput: { k: 5 } }, { Items: [{ v: 3, k: 5 }], BatchInput: { k: 5 } }] });
    const child = await runDefinition(map({ 'Type': 'Pass', 'Parameters': { 'k.$': '$k' }, 'End': true }), { items: [1] });
    expect(child).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
  });
});

describe('size quotas', () => {
  const text = (bytes: number) => 'x'.repeat(bytes - 2); // its JSON text is `bytes` long

  test(`one variable over ${MAX_VARIABLE_BYTES} bytes fails the execution with States.Runtime, which a catcher of States.ALL does not take`, async () => {
    const run = await runDefinition(machine({
      Big: {
        Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'f' }, Assign: { big: '{% $states.result.Payload %}' },
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Done' }], Next: 'Done',
      },
      Done: { Type: 'Succeed' },
    }, { QueryLanguage: 'JSONata' }), {}, { Big: async () => ({ Payload: text(MAX_VARIABLE_BYTES + 1) }) });
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(run.cause).toContain(`variable 'big' ${MAX_VARIABLE_BYTES + 1} bytes`);
  });

  test(`one Assign of more than ${MAX_ASSIGN_BYTES} bytes together fails, though each value is under the quota of a variable; at the quota it passes`, async () => {
    const half = MAX_ASSIGN_BYTES / 2;
    const assign = (second: number) => machine({ Two: { Type: 'Pass', Assign: { a: text(half), b: text(second) }, End: true } });
    await expect(runDefinition(assign(half), {})).resolves.toMatchObject({ status: 'SUCCEEDED' });
    const run = await runDefinition(assign(half + 1), {});
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(run.cause).toContain(`${MAX_ASSIGN_BYTES + 1} bytes of variables at once`);
  });

  test(`an execution holding more than ${MAX_EXECUTION_VARIABLES_BYTES} bytes of variables fails; assigning a name again replaces its bytes`, async () => {
    const value = text(MAX_VARIABLE_BYTES);
    const count = Math.floor(MAX_EXECUTION_VARIABLES_BYTES / MAX_VARIABLE_BYTES); // 40 variables fill the quota exactly
    const states: Record<string, object> = {};
    for (let i = 0; i < count; i++) states[`Keep${i}`] = { Type: 'Pass', Assign: { [`v${i}`]: value }, Next: `Keep${i + 1}` };
    states[`Keep${count}`] = { Type: 'Pass', Assign: { v0: value }, Next: 'OneMore' };
    states.OneMore = { Type: 'Pass', Assign: { extra: 1 }, End: true };
    const run = await runDefinition(machine(states), {});
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(run.cause).toContain("State 'OneMore' would make the execution hold");
  });
});

import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { assemblyStateMachines, AssemblyStateMachine, selectStateMachines, stateMachineDiagram } from '../../tools/diagram/assembly';
import { AslChoiceRule, AslDefinition, AslState, describeRule, escapeLabel, toMermaid } from '../../tools/diagram/mermaid';
import { stateMachineDefinition } from '../support/definition';
import { exampleAssembly } from '../support/example-app';
import { mermaidProblems } from '../support/mermaid-syntax';

const machines = assemblyStateMachines(exampleAssembly().assemblyDir);
const machine = (id: string): AssemblyStateMachine => selectStateMachines(machines, id)[0];

const lambdaTask = (extra: Partial<AslState> = {}): AslState => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { 'FunctionName': 'arn:aws:lambda:us-east-1:000000000000:function:WorkFunctionAB12CD34', 'Payload.$': '$' },
  ...extra,
});

/** The chart, after checking that it is well-formed. */
function chart(definition: AslDefinition): string {
  const text = toMermaid(definition);
  expect(mermaidProblems(text)).toEqual([]);
  return text;
}

describe('the example workflows', () => {
  test('the assembly names each state machine after the construct that owns it', () => {
    expect(machines.map((m) => [m.id, m.logicalId])).toEqual([
      ['WordLengthExample/WordLength', 'WordLengthStateMachine5AE2E759'],
      ['FanOutExample/RunJob', 'RunJobStateMachineC5380B43'],
      ['DistributedExample/Job', 'JobStateMachineE2E0FF72'],
    ]);
  });

  test('WordLength: the Map as a subgraph, every failure caught into RecordFailure, Failed in red', () => {
    const text = stateMachineDiagram(machine('WordLengthExample/WordLength'));
    expect(mermaidProblems(text)).toEqual([]);
    expect(text).toBe(`flowchart TD
  %% WordLengthExample/WordLength (WordLengthStateMachine5AE2E759)
  Start(("Start"))
  subgraph MapItems["MapItems<br>Map over $.data, 2 at a time"]
    MapItems_Start(("Start"))
    MapItem["MapItem<br>lambda:invoke WordLengthMapFunction<br>↻ 6×"]
    MapItems_End((("End")))
    MapItems_Start --> MapItem
    MapItem --> MapItems_End
  end
  ReduceResults["ReduceResults<br>lambda:invoke WordLengthReduceFunction<br>↻ 6×"]
  RecordFailure["RecordFailure<br>dynamodb:putItem ResultsTable<br>↻ 6×"]
  StoreResult["StoreResult<br>dynamodb:putItem ResultsTable<br>↻ 6×"]
  Failed>"Failed<br>$.Error"]
  End((("End")))
  Start --> MapItems
  MapItems --> ReduceResults
  MapItems -.->|"States.ALL"| RecordFailure
  ReduceResults --> StoreResult
  ReduceResults -.->|"States.ALL"| RecordFailure
  RecordFailure --> Failed
  StoreResult --> End
  StoreResult -.->|"States.ALL"| RecordFailure
  classDef fail fill:#fde2e2,stroke:#c62828,color:#8e0000
  class Failed fail
`);
  });

  test('RunJob: the Choice branches labelled with their conditions, the default to the validation error, the wait loop back to its Wait', () => {
    const text = stateMachineDiagram(machine('FanOutExample/RunJob'));
    expect(mermaidProblems(text)).toEqual([]);
    expect(text).toBe(`flowchart TD
  %% FanOutExample/RunJob (RunJobStateMachineC5380B43)
  Start(("Start"))
  WhereAreTheItems{"WhereAreTheItems"}
  SplitStoredJob["SplitStoredJob<br>lambda:invoke SplitterFunction<br>↻ 6×"]
  SplitInlineJob["SplitInlineJob<br>lambda:invoke SplitterFunction<br>↻ 6×"]
  NoItems>"NoItems<br>JobValidationError"]
  StartWaiting[/"StartWaiting"/]
  WaitForWorkers{{"WaitForWorkers<br>wait 10 s"}}
  ReadJobRecord["ReadJobRecord<br>dynamodb:getItem WorkJobsTable<br>↻ 5×"]
  AllItemsAccountedFor{"AllItemsAccountedFor"}
  JobOutcome[/"JobOutcome"/]
  IncompleteOutcome[/"IncompleteOutcome"/]
  CountPoll[/"CountPoll"/]
  AllItemsStored{"AllItemsStored"}
  DescribeIncompleteJob[/"DescribeIncompleteJob"/]
  JobSucceeded(["JobSucceeded"])
  DescribeFailedItems[/"DescribeFailedItems"/]
  JobIncomplete>"JobIncomplete<br>JobIncomplete"]
  JobItemsFailed>"JobItemsFailed<br>JobItemsFailed"]
  End((("End")))
  Start --> WhereAreTheItems
  WhereAreTheItems -->|"$.itemsUri is present"| SplitStoredJob
  WhereAreTheItems -->|"$.items is present"| SplitInlineJob
  WhereAreTheItems -->|"default"| NoItems
  SplitStoredJob --> StartWaiting
  SplitInlineJob --> StartWaiting
  StartWaiting --> WaitForWorkers
  WaitForWorkers --> ReadJobRecord
  ReadJobRecord --> AllItemsAccountedFor
  AllItemsAccountedFor -->|"$.job.completed #gt;= $.job.items"| JobOutcome
  AllItemsAccountedFor -->|"$.wait.polls #gt;= 82"| IncompleteOutcome
  AllItemsAccountedFor -->|"default"| CountPoll
  JobOutcome --> AllItemsStored
  IncompleteOutcome --> DescribeIncompleteJob
  CountPoll --> WaitForWorkers
  AllItemsStored -->|"$.stored == $.items"| JobSucceeded
  AllItemsStored -->|"default"| DescribeFailedItems
  DescribeIncompleteJob --> JobIncomplete
  JobSucceeded --> End
  DescribeFailedItems --> JobItemsFailed
  classDef fail fill:#fde2e2,stroke:#c62828,color:#8e0000
  class NoItems,JobIncomplete,JobItemsFailed fail
`);
  });

  test('a selector matches a part of the id or of the logical id; none matching lists the state machines', () => {
    expect(selectStateMachines(machines, 'RunJob').map((m) => m.id)).toEqual(['FanOutExample/RunJob']);
    expect(selectStateMachines(machines, 'WordLengthStateMachine').map((m) => m.id)).toEqual(['WordLengthExample/WordLength']);
    expect(selectStateMachines(machines, 'Example/').length).toBe(3);
    expect(() => selectStateMachines(machines, 'Nope')).toThrow(
      "no state machine matches 'Nope' (state machines: WordLengthExample/WordLength (WordLengthStateMachine5AE2E759), "
      + 'FanOutExample/RunJob (RunJobStateMachineC5380B43), DistributedExample/Job (JobStateMachineE2E0FF72))');
  });
});

describe('Choice conditions', () => {
  test.each<[string, AslChoiceRule, string]>([
    ['presence', { Variable: '$.a', IsPresent: true }, '$.a is present'],
    ['absence', { Variable: '$.a', IsPresent: false }, '$.a is not present'],
    ['null and type tests', { Variable: '$.a', IsNumeric: true }, '$.a is numeric'],
    ['numeric equality', { Variable: '$.x', NumericEquals: 5 }, '$.x == 5'],
    ['numeric order', { Variable: '$.x', NumericGreaterThanEquals: 1.5 }, '$.x >= 1.5'],
    ['string equality, quoted', { Variable: '$.s', StringEquals: 'done' }, '$.s == "done"'],
    ['string pattern', { Variable: '$.s', StringMatches: 'log-*' }, '$.s matches "log-*"'],
    ['a comparison with another path', { Variable: '$.x', NumericLessThanPath: '$.limit' }, '$.x < $.limit'],
    ['booleans', { Variable: '$.ok', BooleanEquals: false }, '$.ok == false'],
    ['timestamps', { Variable: '$.t', TimestampLessThan: '2026-01-01T00:00:00Z' }, '$.t < "2026-01-01T00:00:00Z"'],
    ['And, Or and Not nested', {
      And: [
        { Variable: '$.x', NumericGreaterThan: 1 },
        { Or: [{ Variable: '$.s', StringEquals: 'a' }, { Not: { Variable: '$.s', IsNull: true } }] },
      ],
    }, '$.x > 1 and ($.s == "a" or not ($.s is null))'],
    ['a JSONata Condition', { Condition: '{% $states.input.x > 5 %}' }, '$states.input.x > 5'],
  ])('%s', (_, rule, expected) => {
    expect(describeRule(rule)).toBe(expected);
  });

  test('an unknown comparison is an error naming the rule', () => {
    expect(() => describeRule({ Variable: '$.x', NumericAbout: 5 })).toThrow('unknown Choice rule {"Variable":"$.x","NumericAbout":5}');
  });

  test('each Choice rule is an edge labelled with its condition, escaped; the default is labelled default', () => {
    const text = chart({
      StartAt: 'Check',
      States: {
        Check: {
          Type: 'Choice',
          Choices: [
            { And: [{ Variable: '$.n', NumericGreaterThan: 10 }, { Variable: '$.kind', StringEquals: 'big' }], Next: 'Big' },
            { Not: { Variable: '$.n', NumericLessThanEquals: 0 }, Next: 'Small' },
          ],
          Default: 'Small',
        },
        Big: { Type: 'Pass', End: true },
        Small: { Type: 'Succeed' },
      },
    });
    expect(text).toContain('  Check{"Check"}\n');
    expect(text).toContain('  Check -->|"$.n #gt; 10 and $.kind == #quot;big#quot;"| Big\n');
    expect(text).toContain('  Check -->|"not ($.n #lt;= 0)"| Small\n');
    expect(text).toContain('  Check -->|"default"| Small\n');
  });

  test('a JSONata definition: Condition and Arguments', () => {
    const text = chart({
      QueryLanguage: 'JSONata',
      StartAt: 'Check',
      States: {
        Check: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.n > 5 %}', Next: 'Work' }], Default: 'Work' },
        Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'my-function', Payload: '{% $states.input %}' }, End: true },
      },
    });
    expect(text).toContain('  Check -->|"$states.input.n #gt; 5"| Work\n');
    expect(text).toContain('  Work["Work<br>lambda:invoke my-function"]\n');
  });
});

describe('states', () => {
  test('a shape per type, Succeed and End: true lead to End, Fail stands out in red', () => {
    expect(chart({
      StartAt: 'Prepare',
      States: {
        Prepare: { Type: 'Pass', Next: 'Pause' },
        Pause: { Type: 'Wait', Seconds: 30, Next: 'Until' },
        Until: { Type: 'Wait', TimestampPath: '$.at', Next: 'Call' },
        Call: { Type: 'Task', Resource: 'arn:aws:lambda:eu-west-1:123456789012:function:Direct:live', Next: 'Publish' },
        Publish: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { TopicArn: 'arn:aws:sns:eu-west-1:123456789012:Alerts' }, Next: 'Nested' },
        Nested: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:ChildStateMachine12345678' }, Next: 'Ask' },
        Ask: { Type: 'Task', Resource: 'arn:aws:states:eu-west-1:123456789012:activity:Approve', Next: 'Done' },
        Done: { Type: 'Succeed' },
        Broken: { Type: 'Fail', ErrorPath: '$.Error' },
      },
    })).toBe(`flowchart TD
  Start(("Start"))
  Prepare[/"Prepare"/]
  Pause{{"Pause<br>wait 30 s"}}
  Until{{"Until<br>until $.at"}}
  Call["Call<br>lambda Direct"]
  Publish["Publish<br>sns:publish Alerts"]
  Nested["Nested<br>states:startExecution.sync:2 ChildStateMachine"]
  Ask["Ask<br>activity Approve"]
  Done(["Done"])
  Broken>"Broken<br>$.Error"]
  End((("End")))
  Start --> Prepare
  Prepare --> Pause
  Pause --> Until
  Until --> Call
  Call --> Publish
  Publish --> Nested
  Nested --> Ask
  Ask --> Done
  Done --> End
  classDef fail fill:#fde2e2,stroke:#c62828,color:#8e0000
  class Broken fail
`);
  });

  test('states come in flow order from StartAt, whatever the order of the definition', () => {
    const text = chart({
      StartAt: 'First',
      States: { Third: { Type: 'Succeed' }, Second: { Type: 'Pass', Next: 'Third' }, First: { Type: 'Pass', Next: 'Second' } },
    });
    expect(text.split('\n').filter((l) => /^ {2}\w+\[|^ {2}\w+\(\[/.test(l)).map((l) => l.trim().split(/\W/)[0])).toEqual(['First', 'Second', 'Third']);
  });

  test('Catch edges are dashed and labelled with the errors; retries show their attempts', () => {
    const text = chart({
      StartAt: 'Work',
      States: {
        Work: lambdaTask({
          Next: 'Done',
          Retry: [{ ErrorEquals: ['Lambda.TooManyRequestsException'], MaxAttempts: 6 }, { ErrorEquals: ['States.Timeout'] }],
          Catch: [{ ErrorEquals: ['ValidationError', 'ParseError'], Next: 'Reject' }, { ErrorEquals: ['States.ALL'], Next: 'Broken' }],
        }),
        Done: { Type: 'Succeed' },
        Reject: { Type: 'Fail', Error: 'Rejected' },
        Broken: { Type: 'Fail' },
      },
    });
    expect(text).toContain('  Work["Work<br>lambda:invoke WorkFunction<br>↻ 6×, 3×"]\n');
    expect(text).toContain('  Work --> Done\n');
    expect(text).toContain('  Work -.->|"ValidationError, ParseError"| Reject\n');
    expect(text).toContain('  Work -.->|"States.ALL"| Broken\n');
    expect(text).toContain('  class Reject,Broken fail\n');
  });

  test('a transition to a state its scope lacks is an error', () => {
    expect(() => toMermaid({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } }))
      .toThrow("the definition refers to a state 'Nowhere' that its scope does not define");
  });
});

describe('Map and Parallel', () => {
  test('a Map inside a Map: nested subgraphs, each with its start and end, ids unique across the levels (the outer level keeps the plain name)', () => {
    expect(chart({
      StartAt: 'Rows',
      States: {
        Rows: {
          Type: 'Map', ItemsPath: '$.rows', Next: 'Done', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Broken' }],
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'Cells',
            States: {
              Cells: {
                Type: 'Map', ItemsPath: '$.cells', MaxConcurrency: 10, End: true, Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 2 }],
                Iterator: { StartAt: 'Done', States: { Done: lambdaTask({ End: true }) } },
              },
            },
          },
        },
        Done: { Type: 'Succeed' },
        Broken: { Type: 'Fail' },
      },
    })).toBe(`flowchart TD
  Start(("Start"))
  subgraph Rows["Rows<br>Map over $.rows"]
    Rows_Start(("Start"))
    subgraph Cells["Cells<br>Map over $.cells, 10 at a time<br>↻ 2×"]
      Cells_Start(("Start"))
      Done_2["Done<br>lambda:invoke WorkFunction"]
      Cells_End((("End")))
      Cells_Start --> Done_2
      Done_2 --> Cells_End
    end
    Rows_End((("End")))
    Rows_Start --> Cells
    Cells --> Rows_End
  end
  Done(["Done"])
  Broken>"Broken"]
  End((("End")))
  Start --> Rows
  Rows --> Done
  Rows -.->|"States.ALL"| Broken
  Done --> End
  classDef fail fill:#fde2e2,stroke:#c62828,color:#8e0000
  class Broken fail
`);
  });

  test('a distributed Map names its reader', () => {
    const text = chart({
      StartAt: 'Files',
      States: {
        Files: {
          Type: 'Map', End: true, MaxConcurrency: 1000, ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2' },
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' }, StartAt: 'Work', States: { Work: lambdaTask({ End: true }) } },
        },
      },
    });
    expect(text).toContain('  subgraph Files["Files<br>Distributed Map over s3:listObjectsV2, 1000 at a time"]\n');
  });

  test('a Parallel with two branches: a subgraph per branch inside the Parallel\'s', () => {
    expect(chart({
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel', End: true,
          Branches: [
            { StartAt: 'Work', States: { Work: lambdaTask({ End: true }) } },
            { StartAt: 'Work', States: { Work: lambdaTask({ Next: 'Rest' }), Rest: { Type: 'Wait', Seconds: 5, End: true } } },
          ],
        },
      },
    })).toBe(`flowchart TD
  Start(("Start"))
  subgraph Both["Both<br>Parallel"]
    subgraph Both_Branch1["branch 1"]
      Both_Branch1_Start(("Start"))
      Work["Work<br>lambda:invoke WorkFunction"]
      Both_Branch1_End((("End")))
      Both_Branch1_Start --> Work
      Work --> Both_Branch1_End
    end
    subgraph Both_Branch2["branch 2"]
      Both_Branch2_Start(("Start"))
      Work_2["Work<br>lambda:invoke WorkFunction"]
      Rest{{"Rest<br>wait 5 s"}}
      Both_Branch2_End((("End")))
      Both_Branch2_Start --> Work_2
      Work_2 --> Rest
      Rest --> Both_Branch2_End
    end
  end
  End((("End")))
  Start --> Both
  Both --> End
`);
  });
});

describe('JSONata states and workflow variables', () => {
  test('Choice rules: each JSONata condition without its {% %}, a rule\'s Assign under it; a state\'s Assign in its node', () => {
    // The Choice rules of https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html and the Assign of
    // https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html.
    expect(chart({
      QueryLanguage: 'JSONata',
      StartAt: 'Remember',
      States: {
        Remember: { Type: 'Pass', Assign: { productName: 'product1', count: 42, available: true }, Next: 'Route' },
        Route: {
          Type: 'Choice',
          Choices: [
            { Condition: '{% $foo = 1 %}', Next: 'NumericMatchState' },
            { Condition: "{% $type = 'local' %}", Assign: { origin: "{% 'local' %}", hops: 0 }, Next: 'StringMatchState' },
            { Condition: '{% $possiblyNullValue != null and $possiblyNullValue = 42 %}', Next: 'NotNullAnd42' },
          ],
          Default: 'Done',
          Assign: { routed: true },
        },
        NumericMatchState: { Type: 'Pass', End: true },
        StringMatchState: { Type: 'Pass', End: true },
        NotNullAnd42: { Type: 'Pass', End: true },
        Done: { Type: 'Succeed' },
      },
    })).toBe(`flowchart TD
  Start(("Start"))
  Remember[/"Remember<br>assigns $productName, $count, $available"/]
  Route{"Route<br>assigns $routed"}
  NumericMatchState[/"NumericMatchState"/]
  StringMatchState[/"StringMatchState"/]
  NotNullAnd42[/"NotNullAnd42"/]
  Done(["Done"])
  End((("End")))
  Start --> Remember
  Remember --> Route
  Route -->|"$foo = 1"| NumericMatchState
  Route -->|"$type = 'local'<br>assigns $origin, $hops"| StringMatchState
  Route -->|"$possiblyNullValue != null and $possiblyNullValue = 42"| NotNullAnd42
  Route -->|"default"| Done
  NumericMatchState --> End
  StringMatchState --> End
  NotNullAnd42 --> End
  Done --> End
`);
  });

  test('a long expression is shortened to one line of 60 characters; a long list of names ends with how many more', () => {
    const condition = '{% (\n  $total := $sum($states.input.items.price);\n  $total > 100 and $count($states.input.items) < 10\n) %}';
    expect(describeRule({ Condition: condition })).toBe('( $total := $sum($states.input.items.price); $total > 100 a…');
    const text = chart({ StartAt: 'Many', States: { Many: { Type: 'Pass', End: true, Assign: Object.fromEntries('abcdefghijklmnopqrstuvwxyz'.split('').map((c) => [`${c}${c}`, 1])) } } });
    expect(text).toContain('  Many[/"Many<br>assigns $aa, $bb, $cc, $dd, $ee, $ff, $gg, $hh and 18 more"/]\n');
  });

  test('expressions elsewhere without their {% %}: a Map\'s Items, a Wait\'s Seconds and Timestamp, a Fail\'s Error, a task\'s target; a catcher\'s Assign on its edge', () => {
    const text = chart({
      QueryLanguage: 'JSONata',
      StartAt: 'Orders',
      States: {
        Orders: {
          Type: 'Map', Items: '{% $states.input.orders %}', Next: 'Pause', Assign: { processed: '{% $count($states.result) %}' },
          Catch: [{ ErrorEquals: ['States.QueryEvaluationError'], Assign: { errorInfo: '{% $states.errorOutput %}' }, Next: 'Broken' }],
          ItemProcessor: { StartAt: 'Ship', States: { Ship: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: '{% $shipper %}' }, End: true } } },
        },
        Pause: { Type: 'Wait', Seconds: '{% $states.input.delay %}', Next: 'Until' },
        Until: { Type: 'Wait', Timestamp: '{% $states.input.notBefore %}', End: true },
        Broken: { Type: 'Fail', Error: '{% $errorInfo.Error %}' },
      },
    });
    expect(text).toContain('  subgraph Orders["Orders<br>Map over $states.input.orders<br>assigns $processed"]\n');
    expect(text).toContain('    Ship["Ship<br>lambda:invoke $shipper"]\n');
    expect(text).toContain('  Pause{{"Pause<br>wait $states.input.delay s"}}\n');
    expect(text).toContain('  Until{{"Until<br>until $states.input.notBefore"}}\n');
    expect(text).toContain('  Broken>"Broken<br>$errorInfo.Error"]\n');
    expect(text).toContain('  Orders -.->|"States.QueryEvaluationError<br>assigns $errorInfo"| Broken\n');
  });

  test('a Parallel\'s Assign is on the Parallel, not on its branches', () => {
    const text = chart({
      StartAt: 'Both',
      States: { Both: { Type: 'Parallel', End: true, Assign: { both: true }, Branches: [{ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }] } },
    });
    expect(text).toContain('  subgraph Both["Both<br>Parallel<br>assigns $both"]\n    subgraph Both_Branch1["branch 1"]\n');
  });

  test('aws-cdk-lib\'s JSONata states beside a JSONPath one, as synthesized: the names a JSONPath Assign computes lose their .$', () => {
    const stack = new Stack();
    const checkPrice = tasks.LambdaInvoke.jsonata(stack, 'CheckPrice', {
      lambdaFunction: lambda.Function.fromFunctionArn(stack, 'PriceFunction', 'arn:aws:lambda:us-east-1:123456789012:function:PriceFunction'),
      assign: { currentPrice: '{% $states.result.Payload.current_price %}' },
    });
    checkPrice.addCatch(sfn.Fail.jsonata(stack, 'PriceUnknown', { error: '{% $errorInfo.Error %}' }), {
      errors: ['States.QueryEvaluationError'], assign: { errorInfo: '{% $states.errorOutput %}' },
    });
    const remember = sfn.Pass.jsonPath(stack, 'Remember', { assign: { title: sfn.JsonPath.stringAt('$.title'), count: 42 } });
    const isCheap = sfn.Choice.jsonata(stack, 'IsCheap')
      .when(sfn.Condition.jsonata('{% $currentPrice < 20 %}'), sfn.Pass.jsonata(stack, 'Buy'), { assign: { reason: "{% 'price ' & $currentPrice %}" } })
      .otherwise(sfn.Succeed.jsonata(stack, 'Skip'));
    new sfn.StateMachine(stack, 'Pricing', { definitionBody: sfn.DefinitionBody.fromChainable(remember.next(checkPrice).next(isCheap)) });
    const definition = stateMachineDefinition(Template.fromStack(stack));
    expect(definition.States.Remember.Assign).toEqual({ 'title.$': '$.title', 'count': 42 });

    expect(chart(definition)).toBe(`flowchart TD
  Start(("Start"))
  Remember[/"Remember<br>assigns $title, $count"/]
  CheckPrice["CheckPrice<br>lambda:invoke PriceFunction<br>↻ 6×<br>assigns $currentPrice"]
  IsCheap{"IsCheap"}
  PriceUnknown>"PriceUnknown<br>$errorInfo.Error"]
  Buy[/"Buy"/]
  Skip(["Skip"])
  End((("End")))
  Start --> Remember
  Remember --> CheckPrice
  CheckPrice --> IsCheap
  CheckPrice -.->|"States.QueryEvaluationError<br>assigns $errorInfo"| PriceUnknown
  IsCheap -->|"$currentPrice #lt; 20<br>assigns $reason"| Buy
  IsCheap -->|"default"| Skip
  Buy --> End
  Skip --> End
  classDef fail fill:#fde2e2,stroke:#c62828,color:#8e0000
  class PriceUnknown fail
`);
  });
});

describe('ids and labels', () => {
  test('ids are derived from the names, made safe and unique; keywords and leading digits get a prefix', () => {
    const text = chart({
      StartAt: 'a b',
      States: {
        'a b': { Type: 'Pass', Next: 'a_b' },
        'a_b': { Type: 'Pass', Next: 'end' },
        'end': { Type: 'Pass', Next: '1st' },
        '1st': { Type: 'Pass', Next: 'Start' },
        'Start': { Type: 'Succeed' },
      },
    });
    expect(text).toContain('  a_b[/"a b"/]\n  a_b_2[/"a_b"/]\n  s_end[/"end"/]\n  s_1st[/"1st"/]\n  Start_2(["Start"])\n');
    expect(text).toContain('  Start --> a_b\n  a_b --> a_b_2\n  a_b_2 --> s_end\n  s_end --> s_1st\n  s_1st --> Start_2\n  Start_2 --> End\n');
  });

  test.each([
    ['quotes', 'say "hi"', 'say #quot;hi#quot;'],
    ['brackets and braces', 'a[0] {b}', 'a#91;0#93; #123;b#125;'],
    ['angle brackets', '<b>x</b>', '#lt;b#gt;x#lt;/b#gt;'],
    ['a hash, before the codes that contain one', '#1 & #quot;', '#35;1 & #35;quot;'],
    ['a pipe and a backtick', 'a|b `c`', 'a#124;b #96;c#96;'],
    ['$$, which would start a formula', '$$.Execution.Id', '#36;#36;.Execution.Id'],
    ['line breaks', 'two\nlines', 'two lines'],
  ])('labels escape %s', (_, text, escaped) => {
    expect(escapeLabel(text)).toBe(escaped);
  });

  test('state names and conditions are escaped in the chart', () => {
    const text = chart({
      StartAt: 'Is it "big" <or> [small]? #1',
      States: {
        'Is it "big" <or> [small]? #1': { Type: 'Choice', Choices: [{ Variable: '$$.Execution.Input.size', StringEquals: 'a|b', Next: 'Done' }], Default: 'Done' },
        'Done': { Type: 'Succeed' },
      },
    });
    expect(text).toContain('  Is_it_big_or_small_1{"Is it #quot;big#quot; #lt;or#gt; #91;small#93;? #35;1"}\n');
    expect(text).toContain('  Is_it_big_or_small_1 -->|"#36;#36;.Execution.Input.size == #quot;a#124;b#quot;"| Done\n');
  });
});

test('a title becomes a %% comment after the header', () => {
  expect(toMermaid({ StartAt: 'A', States: { A: { Type: 'Succeed' } } }, { title: 'My/Workflow', direction: 'LR' }))
    .toMatch(/^flowchart LR\n {2}%% My\/Workflow\n/);
});

describe('the structural check these tests rely on', () => {
  test.each([
    ['an unclosed subgraph', 'flowchart TD\n  subgraph M["M"]\n    A["A"]\n', ['1 subgraph(s) not closed']],
    ['an end too many', 'flowchart TD\n  A["A"]\n  end\n', ['line 3: end without subgraph']],
    ['an id defined twice', 'flowchart TD\n  A["A"]\n  A{"B"}\n', ['line 3: id A is defined twice']],
    ['an edge to an undefined id', 'flowchart TD\n  A["A"]\n  A --> B\n', ['line 3: edge from or to undefined id B']],
    ['a raw quote in a label', 'flowchart TD\n  A["say "hi""]\n', ['line 2: not a statement of these charts: A["say "hi""]']],
    ['a keyword as id', 'flowchart TD\n  end["A"]\n', ['line 2: id end is a keyword']],
  ])('finds %s', (_, text, problems) => {
    expect(mermaidProblems(text)).toEqual(problems);
  });
});

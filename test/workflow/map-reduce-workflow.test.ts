import * as path from 'node:path';
import { App, CfnParameter, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { MapReduceWorkflow, MapReduceWorkflowProps, PropValidationError, ResultTable } from '../../lib';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../tools/assembly/intrinsics';
import { stateMachineDefinition } from '../support/definition';
import { expectValidationError } from '../support/validation-error';
import { aslValidator } from '../support/asl-validator';

const lambdas = path.join(__dirname, '..', '..', 'examples', 'handlers');
const mapEntry = path.join(lambdas, 'word-length', 'index.ts');
const reduceEntry = path.join(lambdas, 'sum-lengths', 'index.ts');

type PropsIn = Partial<MapReduceWorkflowProps> | ((stack: Stack) => Partial<MapReduceWorkflowProps>);

/**
 * A stack with two inline functions (nothing to bundle) and a workflow 'Words' that uses them,
 * unless `props` overrides `mapFunction`/`reduceFunction` (pass `undefined` to leave one out).
 * Without `inlineFunctions`, the stack holds only what the workflow makes.
 */
function build(props: PropsIn = {}, { inlineFunctions = true } = {}) {
  const stack = new Stack(new App(), 'Test');
  const inline = (id: string) => inlineFunctions ? new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async (event) => event;'),
  }) : undefined;
  const mapFunction = inline('Map');
  const reduceFunction = inline('Reduce');
  const workflow = new MapReduceWorkflow(stack, 'Words', {
    mapFunction,
    reduceFunction,
    ...(typeof props === 'function' ? props(stack) : props),
  });
  return { stack, workflow, mapFunction: mapFunction!, reduceFunction: reduceFunction! };
}

function synth(props: PropsIn = {}, options: { inlineFunctions?: boolean } = {}) {
  const built = build(props, options);
  const template = Template.fromStack(built.stack);
  return { ...built, template, definition: stateMachineDefinition(template) };
}

/** The error `build(props)` throws, which must be a PropValidationError. */
function rejection(props: PropsIn): PropValidationError {
  return expectValidationError(() => build(props));
}

const messageOf = (props: PropsIn) => rejection(props).message;

/** Every state of the definition, those inside Map item processors included. */
function allStates(definition: any): Array<[string, any]> {
  return Object.entries<any>(definition.States).flatMap(([name, state]) => [
    [name, state] as [string, any],
    ...(state.ItemProcessor ? allStates(state.ItemProcessor) : []),
  ]);
}

const withResultTable = (stack: Stack) => ({ resultTable: new ResultTable(stack, 'Results') });

describe('validation: one test per rule, each with the full message', () => {
  test('mapReservedConcurrency only for a built map function', () => {
    expect(messageOf({ mapReservedConcurrency: 5 })).toBe(
      "MapReduceWorkflow 'Test/Words': mapReservedConcurrency applies to a map function built from mapEntry; set it on the mapFunction itself");
  });
  test('reduceReservedConcurrency only for a built reduce function', () => {
    expect(messageOf({ reduceReservedConcurrency: 5 })).toBe(
      "MapReduceWorkflow 'Test/Words': reduceReservedConcurrency applies to a reduce function built from reduceEntry; set it on the reduceFunction itself");
  });
  test('reserved concurrency 1..1000 (0 would disable the function)', () => {
    expect(rejection({ mapFunction: undefined, mapEntry, mapReservedConcurrency: 0, reduceFunction: undefined, reduceEntry, reduceReservedConcurrency: 1001 }).problems)
      .toEqual(expect.arrayContaining([
        'mapReservedConcurrency must be an integer 1..10000 (got 0)',
        'reduceReservedConcurrency must be an integer 1..1000 (got 1001)',
      ]));
  });
  test("the map function's reserved concurrency is at least maxConcurrency (built)", () => {
    expect(rejection({ mapFunction: undefined, mapEntry, mapReservedConcurrency: 5, maxConcurrency: 10 }).problems).toEqual([
      "the map function's reserved concurrency must be at least maxConcurrency (got 5 < 10); "
      + 'the Map would run more iterations at once than the function may, and throttle itself',
    ]);
  });
  test("the map function's reserved concurrency is at least maxConcurrency (passed in)", () => {
    const message = messageOf((stack) => ({
      maxConcurrency: 10,
      mapFunction: new lambda.Function(stack, 'Reserved3', {
        runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async(e)=>e'), reservedConcurrentExecutions: 3,
      }),
    }));
    expect(message).toContain("the map function's reserved concurrency must be at least maxConcurrency (got 3 < 10)");
  });
  test('the error is a PropValidationError naming the construct, its path and the problem', () => {
    const error = rejection({ maxConcurrency: 41 });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('PropValidationError');
    expect(error.constructName).toBe('MapReduceWorkflow');
    expect(error.constructPath).toBe('Test/Words');
    expect(error.problems).toEqual(['maxConcurrency must be an integer 1..40 for inline maps, or up to 10000 in distributed mode with an itemSource (got 41)']);
  });

  test('map: neither mapFunction nor mapEntry', () => {
    expect(messageOf({ mapFunction: undefined }))
      .toBe("MapReduceWorkflow 'Test/Words': one of mapFunction or mapEntry is required (got neither)");
  });

  test('map: both mapFunction and mapEntry', () => {
    expect(messageOf({ mapEntry }))
      .toBe("MapReduceWorkflow 'Test/Words': give either mapFunction or mapEntry, not both");
  });

  test('reduce: neither reduceFunction nor reduceEntry', () => {
    expect(messageOf({ reduceFunction: undefined }))
      .toBe("MapReduceWorkflow 'Test/Words': one of reduceFunction or reduceEntry is required (got neither)");
  });

  test('reduce: both reduceFunction and reduceEntry', () => {
    expect(messageOf({ reduceEntry }))
      .toBe("MapReduceWorkflow 'Test/Words': give either reduceFunction or reduceEntry, not both");
  });

  test('itemsPath must be a reference path', () => {
    expect(messageOf({ itemsPath: '$.data[*]' }))
      .toBe("MapReduceWorkflow 'Test/Words': itemsPath must be a JSONPath reference path such as '$.data' (got '$.data[*]')");
  });

  test("resultPath must be '$' or a dot path", () => {
    expect(messageOf({ resultPath: '$.results[0]' }))
      .toBe("MapReduceWorkflow 'Test/Words': resultPath must be '$' or a dot path such as '$.mappedResults' (got '$.results[0]')");
  });

  test('maxConcurrency 0 is rejected', () => {
    expect(messageOf({ maxConcurrency: 0 }))
      .toBe("MapReduceWorkflow 'Test/Words': maxConcurrency must be an integer 1..40 for inline maps, or up to 10000 in distributed mode with an itemSource (got 0)");
  });

  test('maxConcurrency 41 is rejected', () => {
    expect(messageOf({ maxConcurrency: 41 }))
      .toBe("MapReduceWorkflow 'Test/Words': maxConcurrency must be an integer 1..40 for inline maps, or up to 10000 in distributed mode with an itemSource (got 41)");
  });

  test('a non-integer maxConcurrency is rejected', () => {
    expect(messageOf({ maxConcurrency: 2.5 }))
      .toBe("MapReduceWorkflow 'Test/Words': maxConcurrency must be an integer 1..40 for inline maps, or up to 10000 in distributed mode with an itemSource (got 2.5)");
  });

  test('an Express timeout over 5 minutes is rejected', () => {
    expect(messageOf({ workflowType: sfn.StateMachineType.EXPRESS, timeout: Duration.minutes(6) }))
      .toBe("MapReduceWorkflow 'Test/Words': timeout must be between 1 second and 5 minutes for EXPRESS workflows (got 6 minutes)");
  });

  test('a Standard timeout over 365 days is rejected', () => {
    expect(messageOf({ timeout: Duration.days(366) }))
      .toBe("MapReduceWorkflow 'Test/Words': timeout must be between 1 second and 365 days for STANDARD workflows (got 366 days)");
  });

  test('taskTimeout under 1 second is rejected', () => {
    expect(messageOf({ taskTimeout: Duration.millis(500) }))
      .toBe("MapReduceWorkflow 'Test/Words': taskTimeout must be between 1 second and 15 minutes (got 500 millis)");
  });

  test('taskTimeout over 15 minutes is rejected', () => {
    expect(messageOf({ taskTimeout: Duration.minutes(16), timeout: Duration.hours(1) }))
      .toBe("MapReduceWorkflow 'Test/Words': taskTimeout must be between 1 second and 15 minutes (got 16 minutes)");
  });

  test('a timeout that is not a whole number of seconds is rejected', () => {
    expect(messageOf({ taskTimeout: Duration.millis(1500) }))
      .toBe("MapReduceWorkflow 'Test/Words': taskTimeout must be a whole number of seconds (got 1 second 500 millis)");
  });

  test('taskTimeout longer than timeout is rejected', () => {
    expect(messageOf({ taskTimeout: Duration.minutes(10), timeout: Duration.minutes(5) }))
      .toBe("MapReduceWorkflow 'Test/Words': taskTimeout must not exceed timeout (got 10 minutes > 5 minutes)");
  });

  test('a negative retry.maxAttempts is rejected', () => {
    expect(messageOf({ retry: { maxAttempts: -1 } }))
      .toBe("MapReduceWorkflow 'Test/Words': retry.maxAttempts must be an integer 0..99999999 (got -1)");
  });

  test('retry.backoffRate below 1 is rejected', () => {
    expect(messageOf({ retry: { backoffRate: 0.5 } }))
      .toBe("MapReduceWorkflow 'Test/Words': retry.backoffRate must be at least 1 (got 0.5)");
  });

  test('retry.interval under 1 second is rejected', () => {
    expect(messageOf({ retry: { interval: Duration.millis(100) } }))
      .toBe("MapReduceWorkflow 'Test/Words': retry.interval must be between 1 second and 1157 days 9 hours (got 100 millis)");
  });

  test('retry.maxDelay over 366 days (MaxDelaySeconds) is rejected', () => {
    expect(messageOf({ retry: { maxDelay: Duration.days(400) } }))
      .toBe("MapReduceWorkflow 'Test/Words': retry.maxDelay must be between 1 second and 366 days (got 400 days)");
  });

  test('retry.maxDelay shorter than retry.interval is rejected', () => {
    expect(messageOf({ retry: { interval: Duration.seconds(10), maxDelay: Duration.seconds(5) } }))
      .toBe("MapReduceWorkflow 'Test/Words': retry.interval must not exceed retry.maxDelay (got 10 seconds > 5 seconds)");
  });

  test('memorySize below 128 MiB is rejected', () => {
    expect(messageOf({ memorySize: 127 }))
      .toBe("MapReduceWorkflow 'Test/Words': memorySize must be an integer 128..10240 MiB (got 127)");
  });

  test('memorySize above 10240 MiB is rejected', () => {
    expect(messageOf({ memorySize: 10_241 }))
      .toBe("MapReduceWorkflow 'Test/Words': memorySize must be an integer 128..10240 MiB (got 10241)");
  });

  test('a handler entry that does not exist is rejected', () => {
    expect(messageOf({ mapFunction: undefined, mapEntry: 'lambdas/nope/index.ts' }))
      .toBe("MapReduceWorkflow 'Test/Words': mapEntry must be an existing file (got 'lambdas/nope/index.ts')");
  });

  test('a stateMachineName outside Step Functions naming is rejected', () => {
    expect(messageOf({ stateMachineName: 'word length' }))
      .toBe("MapReduceWorkflow 'Test/Words': stateMachineName must be 1..80 letters, digits, '-' or '_' (got 'word length')");
  });

  test('several problems are reported together in one error', () => {
    const error = rejection({
      mapFunction: undefined,
      maxConcurrency: 100,
      taskTimeout: Duration.minutes(10),
      timeout: Duration.minutes(5),
      retry: { backoffRate: 0 },
    });
    expect(error.message).toBe([
      "MapReduceWorkflow 'Test/Words': invalid props:",
      ' - one of mapFunction or mapEntry is required (got neither)',
      ' - maxConcurrency must be an integer 1..40 for inline maps, or up to 10000 in distributed mode with an itemSource (got 100)',
      ' - taskTimeout must not exceed timeout (got 10 minutes > 5 minutes)',
      ' - retry.backoffRate must be at least 1 (got 0)',
    ].join('\n'));
    expect(error.problems).toHaveLength(4);
  });

  test('unresolved tokens are not rejected but left to CloudFormation', () => {
    const lazy = synth({ maxConcurrency: Lazy.number({ produce: () => 5 }) });
    expect(lazy.definition.States.MapItems.MaxConcurrency).toBe(5);

    const { stack } = build((stack) => ({
      maxConcurrency: Token.asNumber(new CfnParameter(stack, 'Concurrency', { type: 'Number', default: 50 }).value),
      retry: { backoffRate: Token.asNumber(new CfnParameter(stack, 'Backoff', { type: 'Number', default: 0.5 }).value) },
    }));
    // Parameters are not resources, so the definition is read unresolved.
    const template = Template.fromStack(stack);
    const definitionString = JSON.stringify(Object.values<any>(template.findResources('AWS::StepFunctions::StateMachine'))[0].Properties.DefinitionString);
    expect(definitionString).toContain('{"Ref":"Concurrency"}');
    expect(definitionString).toContain('{"Ref":"Backoff"}');
  });
});

describe('definition variants', () => {
  test.each<[string, PropsIn]>([
    ['default', {}],
    ['Express', { workflowType: sfn.StateMachineType.EXPRESS }],
    ['nested result path', { resultPath: '$.a.b' }],
    ['whole-state result path', { resultPath: '$' }],
    ['bracket items path', { itemsPath: "$['items'][0]" }],
    ['result table', withResultTable],
  ])('the %s definition passes asl-validator', (_, props) => {
    const result = aslValidator(synth(props).definition);
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  test('defaults: Standard, 1-hour timeout, $.data ten at a time, results at $.mappedResults, 60 s tasks', () => {
    const { template, definition } = synth();
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'STANDARD' });
    expect(definition.TimeoutSeconds).toBe(3600);
    expect(definition.States.MapItems).toMatchObject({
      ItemsPath: '$.data',
      MaxConcurrency: 10,
      ResultSelector: { 'mappedResults.$': '$' },
      ResultPath: '$',
    });
    expect(definition.States.ReduceResults.Parameters['Payload.$']).toBe('$.mappedResults');
    expect(definition.States.MapItems.ItemProcessor.States.MapItem.TimeoutSeconds).toBe(60);
    expect(definition.States.ReduceResults.TimeoutSeconds).toBe(60);
  });

  test('Express: type EXPRESS and a 300 s default timeout', () => {
    const { template, definition } = synth({ workflowType: sfn.StateMachineType.EXPRESS });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'EXPRESS' });
    expect(definition.TimeoutSeconds).toBe(300);
  });

  test('a custom timeout is the definition timeout', () => {
    expect(synth({ timeout: Duration.hours(2) }).definition.TimeoutSeconds).toBe(7200);
  });

  test('resultPath $.a.b nests the collected results and the reduce reads them there', () => {
    const { definition } = synth({ resultPath: '$.a.b' });
    expect(definition.States.MapItems.ResultSelector).toEqual({ a: { 'b.$': '$' } });
    expect(definition.States.MapItems.ResultPath).toBe('$');
    expect(definition.States.ReduceResults.Parameters['Payload.$']).toBe('$.a.b');
  });

  test('resultPath $ replaces the state with the results, without a ResultSelector', () => {
    const { definition } = synth({ resultPath: '$' });
    expect(definition.States.MapItems).not.toHaveProperty('ResultSelector');
    expect(definition.States.MapItems.ResultPath).toBe('$');
    expect(definition.States.ReduceResults.Parameters['Payload.$']).toBe('$');
  });

  test('without a result table nothing is stored and every catch goes straight to Failed', () => {
    const { definition } = synth();
    expect(Object.keys(definition.States).sort()).toEqual(['Failed', 'MapItems', 'ReduceResults']);
    for (const name of ['MapItems', 'ReduceResults']) {
      expect(definition.States[name].Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'Failed' }]);
    }
    expect(definition.States.ReduceResults.End).toBe(true);
    expect(definition.States.Failed).toEqual({ Type: 'Fail', ErrorPath: '$.Error', CausePath: '$.Cause' });
  });

  test('with a result table, success and failure records are written under its key name', () => {
    const { definition } = synth((stack) => ({ resultTable: new ResultTable(stack, 'Results', { partitionKeyName: 'runId' }) }));
    expect(Object.keys(definition.States).sort()).toEqual(['Failed', 'MapItems', 'RecordFailure', 'ReduceResults', 'StoreResult']);
    expect(definition.States.ReduceResults.Next).toBe('StoreResult');
    expect(definition.States.StoreResult.Parameters.Item).toMatchObject({ runId: { 'S.$': '$$.Execution.Id' }, status: { S: 'SUCCEEDED' } });
    expect(definition.States.RecordFailure.Parameters.Item).toMatchObject({
      runId: { 'S.$': '$$.Execution.Id' },
      status: { S: 'FAILED' },
      error: { 'S.$': '$.Error' },
      cause: { 'S.$': '$.Cause' },
    });
  });

  // Issue 10: a failed execution records why, and nothing reports success while items are missing.
  // An inline Map fails as a whole when an iteration fails (no ToleratedFailure* on inline maps):
  // https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
  // https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html (a Catch's ResultPath defaults to $: the error output, Error and Cause)
  test('no path reaches success past a failed item: the map tolerates no failure, every catch records the error and ends in Fail', () => {
    const { definition } = synth((stack) => ({ resultTable: new ResultTable(stack, 'Results') }));
    const { MapItems, ReduceResults, StoreResult, RecordFailure, Failed } = definition.States;
    expect(MapItems.ToleratedFailurePercentage).toBeUndefined();
    expect(MapItems.ToleratedFailureCount).toBeUndefined();
    // The only way out of the map without an error is on to the reduce, with every item's result.
    expect(MapItems.Next).toBe('ReduceResults');
    for (const state of [MapItems, ReduceResults, StoreResult]) expect(state.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'RecordFailure' }]);
    expect(RecordFailure.Next).toBe('Failed');
    expect(Failed).toEqual({ Type: 'Fail', ErrorPath: '$.Error', CausePath: '$.Cause' });
    // The only state that ends the execution successfully is StoreResult, after the reduce.
    const ends = Object.entries<any>(definition.States).filter(([, state]) => state.End || state.Type === 'Succeed').map(([name]) => name);
    expect(ends).toEqual(['StoreResult']);
  });

  test('custom retry settings appear in every Retry block, Lambda and DynamoDB alike', () => {
    const { definition } = synth((stack) => ({
      ...withResultTable(stack),
      retry: { maxAttempts: 2, interval: Duration.seconds(5), backoffRate: 3, maxDelay: Duration.seconds(20) },
    }));
    const retried = allStates(definition).filter(([, state]) => state.Retry);
    expect(retried.map(([name]) => name).sort()).toEqual(['MapItem', 'RecordFailure', 'ReduceResults', 'StoreResult']);
    for (const [, state] of retried) {
      expect(state.Retry).toHaveLength(1);
      expect(state.Retry[0]).toMatchObject({ IntervalSeconds: 5, MaxAttempts: 2, BackoffRate: 3, MaxDelaySeconds: 20, JitterStrategy: 'FULL' });
    }
  });

  test('a custom taskTimeout is the TimeoutSeconds of the map and reduce tasks', () => {
    const { definition } = synth({ taskTimeout: Duration.seconds(30) });
    expect(definition.States.MapItems.ItemProcessor.States.MapItem.TimeoutSeconds).toBe(30);
    expect(definition.States.ReduceResults.TimeoutSeconds).toBe(30);
  });

  test('functions passed in are the ones invoked, and no other function is made', () => {
    const { stack, template, definition, workflow, mapFunction, reduceFunction } = synth();
    template.resourceCountIs('AWS::Lambda::Function', 2);
    expect(workflow.mapFunction).toBe(mapFunction);
    expect(workflow.reduceFunction).toBe(reduceFunction);
    const arnOf = (fn: lambda.Function) =>
      `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)}`;
    expect(definition.States.MapItems.ItemProcessor.States.MapItem.Parameters.FunctionName).toBe(arnOf(mapFunction));
    expect(definition.States.ReduceResults.Parameters.FunctionName).toBe(arnOf(reduceFunction));
  });
});

describe('public methods', () => {
  test('grantStartExecution allows states:StartExecution on this state machine only', () => {
    const { stack, workflow } = build();
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    expect(workflow.grantStartExecution(caller).success).toBe(true);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(caller.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: {
        Statement: [{
          Action: 'states:StartExecution',
          Effect: 'Allow',
          Resource: { Ref: stack.getLogicalId(workflow.stateMachine.node.defaultChild as sfn.CfnStateMachine) },
        }],
      },
    });
  });

  test('metricFailed is ExecutionsFailed in AWS/States for this state machine', () => {
    const { stack, workflow } = build();
    const metric = workflow.metricFailed();
    expect(metric.metricName).toBe('ExecutionsFailed');
    expect(metric.namespace).toBe('AWS/States');
    expect(stack.resolve(metric.dimensions)).toEqual({
      StateMachineArn: { Ref: stack.getLogicalId(workflow.stateMachine.node.defaultChild as sfn.CfnStateMachine) },
    });
  });
});

// The only test that bundles (esbuild, both handlers).
test('functions built from entries: Node.js 22, arm64, active tracing, the task timeout and memory, no AWS managed policy', () => {
  const { template } = synth({
    mapEntry,
    reduceEntry,
    taskTimeout: Duration.seconds(20),
    memorySize: 512,
    maxConcurrency: 4,
  }, { inlineFunctions: false });
  const resources = template.toJSON().Resources;
  // Reserved concurrency by default: twice the Map's concurrency for the map function, 2 for the reduce function.
  template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', ReservedConcurrentExecutions: 8, Timeout: 20 });
  expect(Object.values<any>(template.findResources('AWS::Lambda::Function')).map((fn) => fn.Properties.ReservedConcurrentExecutions)).toEqual([8, 2]);
  const built = Object.entries<any>(template.findResources('AWS::Lambda::Function'));
  expect(built.map(([logicalId]) => logicalId)).toEqual([
    expect.stringMatching(/^WordsMapFunction[0-9A-F]{8}$/),
    expect.stringMatching(/^WordsReduceFunction[0-9A-F]{8}$/),
  ]);
  for (const [, fn] of built) {
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Timeout: 20,
      MemorySize: 512,
    });
    const [roleId] = fn.Properties.Role['Fn::GetAtt'];
    expect(resources[roleId].Type).toBe('AWS::IAM::Role');
    expect(resources[roleId].Properties).not.toHaveProperty('ManagedPolicyArns');
  }
});

test('inline mode: logExecutionData: false leaves the inputs and outputs out of the execution log, still at level ALL', () => {
  synth({ logExecutionData: false }).template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
    LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
  });
});

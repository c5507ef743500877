import * as path from 'node:path';
import { App, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { MapReduceWorkflow, MapReduceWorkflowProps, PropValidationError, ResultTable } from '../../lib';
import { stateMachineDefinition } from '../support/definition';
// asl-validator ships CommonJS without types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator: (definition: unknown) => { isValid: boolean; errorsText: (sep?: string) => string } = require('asl-validator');

const lambdas = path.join(__dirname, '..', '..', 'lambdas');

/** A stack with inline functions (no bundling) and a workflow built from `props`. */
function build(props: Partial<MapReduceWorkflowProps> = {}, withFunctions = true) {
  const stack = new Stack(new App(), 'Test');
  const inline = (id: string) => new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async (e) => e;'),
  });
  const functions = withFunctions ? { mapFunction: inline('Map'), reduceFunction: inline('Reduce') } : {};
  const workflow = new MapReduceWorkflow(stack, 'Words', { ...functions, ...props });
  return { stack, workflow, template: () => Template.fromStack(stack) };
}

function messageOf(props: Partial<MapReduceWorkflowProps>, withFunctions = true): string {
  try {
    build(props, withFunctions);
  } catch (error) {
    expect(error).toBeInstanceOf(PropValidationError);
    return (error as Error).message;
  }
  throw new Error('expected a PropValidationError');
}

const fn = () => lambda.Function.fromFunctionName(new Stack(), 'Imported', 'imported');
const mapEntry = path.join(lambdas, 'word-length', 'index.ts');
const reduceEntry = path.join(lambdas, 'sum-lengths', 'index.ts');

describe('validation: one test per rule, each message naming the prop, the value and the rule', () => {
  test('map: neither function nor entry', () => {
    expect(messageOf({ reduceFunction: fn() }, false)).toBe("MapReduceWorkflow 'Words': one of mapFunction or mapHandlerEntry is required (got neither)");
  });
  test('map: both function and entry', () => {
    expect(messageOf({ mapHandlerEntry: mapEntry })).toBe("MapReduceWorkflow 'Words': give either mapFunction or mapHandlerEntry, not both");
  });
  test('reduce: neither function nor entry', () => {
    expect(messageOf({ mapFunction: fn() }, false)).toBe("MapReduceWorkflow 'Words': one of reduceFunction or reduceHandlerEntry is required (got neither)");
  });
  test('reduce: both function and entry', () => {
    expect(messageOf({ reduceHandlerEntry: reduceEntry })).toBe("MapReduceWorkflow 'Words': give either reduceFunction or reduceHandlerEntry, not both");
  });
  test('itemsPath must be a reference path', () => {
    expect(messageOf({ itemsPath: 'data' })).toBe("MapReduceWorkflow 'Words': itemsPath must be a JSONPath reference path such as '$.data' (got 'data')");
    expect(messageOf({ itemsPath: '$.data[*]' })).toContain("(got '$.data[*]')");
  });
  test("resultPath must be '$' or a dot path", () => {
    expect(messageOf({ resultPath: '$.results[0]' })).toBe("MapReduceWorkflow 'Words': resultPath must be '$' or a dot path such as '$.mappedResults' (got '$.results[0]')");
  });
  test('maxConcurrency must be an integer 1..40', () => {
    expect(messageOf({ maxConcurrency: 41 })).toBe("MapReduceWorkflow 'Words': maxConcurrency must be an integer 1..40 for inline maps (got 41)");
    expect(messageOf({ maxConcurrency: 0 })).toContain('(got 0)');
    expect(messageOf({ maxConcurrency: 2.5 })).toContain('(got 2.5)');
  });
  test('an Express workflow lasts at most 5 minutes', () => {
    expect(messageOf({ workflowType: sfn.StateMachineType.EXPRESS, workflowTimeout: Duration.minutes(6) }))
      .toBe("MapReduceWorkflow 'Words': workflowTimeout must be between 1 second and 5 minutes for EXPRESS workflows (got 6 minutes)");
  });
  test('a Standard workflow lasts at most a year', () => {
    expect(messageOf({ workflowTimeout: Duration.days(366) }))
      .toBe("MapReduceWorkflow 'Words': workflowTimeout must be between 1 second and 365 days for STANDARD workflows (got 366 days)");
  });
  test('taskTimeout is 1 second to 15 minutes, as Lambda allows', () => {
    expect(messageOf({ taskTimeout: Duration.minutes(16) }))
      .toBe("MapReduceWorkflow 'Words': taskTimeout must be between 1 second and 15 minutes (got 16 minutes)");
    expect(messageOf({ taskTimeout: Duration.millis(500) })).toContain('(got 500 millis)');
  });
  test('timeouts are whole seconds, as TimeoutSeconds takes them', () => {
    expect(messageOf({ taskTimeout: Duration.millis(1500) }))
      .toBe("MapReduceWorkflow 'Words': taskTimeout must be a whole number of seconds (got 1 second 500 millis)");
  });
  test('taskTimeout must not exceed workflowTimeout', () => {
    expect(messageOf({ taskTimeout: Duration.minutes(10), workflowTimeout: Duration.minutes(5) }))
      .toBe("MapReduceWorkflow 'Words': taskTimeout must not exceed workflowTimeout (got 10 minutes > 5 minutes)");
  });
  test('retry.maxAttempts must be a non-negative integer', () => {
    expect(messageOf({ retry: { maxAttempts: -1 } })).toBe("MapReduceWorkflow 'Words': retry.maxAttempts must be an integer 0..99999999 (got -1)");
  });
  test('retry.backoffRate must be at least 1', () => {
    expect(messageOf({ retry: { backoffRate: 0.5 } })).toBe("MapReduceWorkflow 'Words': retry.backoffRate must be at least 1 (got 0.5)");
  });
  test('retry.interval must be at least 1 second', () => {
    expect(messageOf({ retry: { interval: Duration.millis(100) } })).toContain('retry.interval must be between 1 second and');
    expect(messageOf({ retry: { interval: Duration.millis(100) } })).toContain('(got 100 millis)');
  });
  test('retry.maxDelay must be at least retry.interval', () => {
    expect(messageOf({ retry: { interval: Duration.seconds(10), maxDelay: Duration.seconds(5) } }))
      .toBe("MapReduceWorkflow 'Words': retry.interval must not exceed retry.maxDelay (got 10 seconds > 5 seconds)");
  });
  test('retry.maxDelay is below a year and a day, as MaxDelaySeconds allows', () => {
    expect(messageOf({ retry: { maxDelay: Duration.days(400) } })).toContain('retry.maxDelay must be between 1 second and 366 days (got 400 days)');
  });
  test('handlerMemorySize is 128..10240 MiB', () => {
    expect(messageOf({ handlerMemorySize: 64 })).toBe("MapReduceWorkflow 'Words': handlerMemorySize must be an integer 128..10240 MiB (got 64)");
  });
  test('handler entries must exist', () => {
    expect(messageOf({ mapHandlerEntry: 'lambdas/nope/index.ts', reduceFunction: fn() }, false))
      .toBe("MapReduceWorkflow 'Words': mapHandlerEntry must be an existing file (got 'lambdas/nope/index.ts')");
  });
  test('stateMachineName follows Step Functions naming', () => {
    expect(messageOf({ stateMachineName: 'word length' }))
      .toBe("MapReduceWorkflow 'Words': stateMachineName must be 1..80 letters, digits, '-' or '_' (got 'word length')");
  });
  test('all problems of the props are reported together', () => {
    expect(messageOf({ maxConcurrency: 100, taskTimeout: Duration.minutes(10), workflowTimeout: Duration.minutes(5) })).toBe([
      "MapReduceWorkflow 'Words': invalid props:",
      ' - maxConcurrency must be an integer 1..40 for inline maps (got 100)',
      ' - taskTimeout must not exceed workflowTimeout (got 10 minutes > 5 minutes)',
    ].join('\n'));
  });
  test('unresolved tokens are left to CloudFormation', () => {
    expect(() => build({ maxConcurrency: Lazy.number({ produce: () => 5 }) })).not.toThrow();
  });
});

describe('variants', () => {
  test.each<[string, Partial<MapReduceWorkflowProps>]>([
    ['defaults', {}],
    ['Express', { workflowType: sfn.StateMachineType.EXPRESS }],
    ['nested result path', { resultPath: '$.a.b' }],
    ['whole-state result path', { resultPath: '$' }],
    ['bracket items path', { itemsPath: "$['items'][0]" }],
  ])('the %s definition passes asl-validator', (_, props) => {
    const result = aslValidator(stateMachineDefinition(build(props).template()));
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  test('Express: type EXPRESS and a 5-minute default timeout', () => {
    const { template } = build({ workflowType: sfn.StateMachineType.EXPRESS });
    template().hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'EXPRESS' });
    expect(stateMachineDefinition(template()).TimeoutSeconds).toBe(300);
  });

  test('Standard: a 1-hour default timeout', () => {
    expect(stateMachineDefinition(build().template()).TimeoutSeconds).toBe(3600);
  });

  test('a nested resultPath nests the collected results; $ replaces the state with them', () => {
    expect(stateMachineDefinition(build({ resultPath: '$.a.b' }).template()).States.MapItems)
      .toMatchObject({ ResultSelector: { a: { 'b.$': '$' } }, ResultPath: '$' });
    const whole = stateMachineDefinition(build({ resultPath: '$' }).template());
    expect(whole.States.MapItems.ResultSelector).toBeUndefined();
    expect(whole.States.ReduceResults.Parameters['Payload.$']).toBe('$');
  });

  test('without a result table, failures go straight to the Fail state and nothing is stored', () => {
    const definition = stateMachineDefinition(build().template());
    expect(Object.keys(definition.States).sort()).toEqual(['Failed', 'MapItems', 'ReduceResults']);
    expect(definition.States.MapItems.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'Failed' }]);
    expect(definition.States.ReduceResults.End).toBe(true);
  });

  test('with a result table, a custom key name is written', () => {
    const stack = new Stack(new App(), 'Keyed');
    const table = new ResultTable(stack, 'Results', { partitionKeyName: 'runId' });
    new MapReduceWorkflow(stack, 'Words', { mapFunction: fn(), reduceFunction: fn(), resultTable: table });
    const definition = stateMachineDefinition(Template.fromStack(stack));
    expect(definition.States.StoreResult.Parameters.Item.runId).toEqual({ 'S.$': '$$.Execution.Id' });
    expect(definition.States.RecordFailure.Parameters.Item).toMatchObject({ runId: { 'S.$': '$$.Execution.Id' }, error: { 'S.$': '$.Error' } });
  });

  test('custom retry and task timeout apply to every task', () => {
    const definition = stateMachineDefinition(build({
      taskTimeout: Duration.seconds(30),
      retry: { maxAttempts: 2, interval: Duration.seconds(5), backoffRate: 3, maxDelay: Duration.seconds(20) },
    }).template());
    for (const task of [definition.States.MapItems.ItemProcessor.States.MapItem, definition.States.ReduceResults]) {
      expect(task.TimeoutSeconds).toBe(30);
      expect(task.Retry[0]).toMatchObject({ IntervalSeconds: 5, MaxAttempts: 2, BackoffRate: 3, MaxDelaySeconds: 20, JitterStrategy: 'FULL' });
    }
  });

  test('functions passed in are used as they are, and none is built', () => {
    const { template, workflow } = build();
    template().resourceCountIs('AWS::Lambda::Function', 2);
    expect(workflow.mapFunction.node.id).toBe('Map');
    expect(stateMachineDefinition(template()).States.ReduceResults.Parameters.FunctionName).toMatch(/:function:Reduce[0-9A-F]{8}$/);
  });

  test('grantStartExecution allows states:StartExecution on this state machine only; metricFailed reads ExecutionsFailed', () => {
    const { stack, workflow, template } = build();
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    workflow.grantStartExecution(role);
    template().hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: { Statement: [{ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: stack.getLogicalId(workflow.stateMachine.node.defaultChild as sfn.CfnStateMachine) } }] },
    });
    const metric = workflow.metricFailed();
    expect([metric.namespace, metric.metricName]).toEqual(['AWS/States', 'ExecutionsFailed']);
  });
});

test('functions built from entries: Node.js 22, arm64, traced, task timeout and memory, no AWS managed policy', () => {
  const { template } = build({
    mapHandlerEntry: mapEntry,
    reduceHandlerEntry: reduceEntry,
    taskTimeout: Duration.seconds(20),
    handlerMemorySize: 512,
  }, false);
  const functions = Object.values(template().findResources('AWS::Lambda::Function'));
  expect(functions).toHaveLength(2);
  for (const f of functions) {
    expect(f.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, Timeout: 20, MemorySize: 512 });
  }
  for (const role of Object.values(template().findResources('AWS::IAM::Role'))) {
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  }
});

import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { FanOut, FanOutJobWorkflow, JobSplitter } from '../../lib';
import { stateMachineDefinition } from '../support/definition';
import { standInFunction } from '../support/stand-in-function';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator: (definition: unknown) => { isValid: boolean; errorsText: (sep?: string) => string } = require('asl-validator');

// One app for the whole file: the splitter is bundled once.
const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
const stack = new Stack(app, 'Jobs');
const worker = standInFunction(stack, 'Worker', { code: 'exports.handler=async()=>({batchItemFailures:[]})', reservedConcurrency: 2 });
const fanOut = new FanOut(stack, 'Work', { consumers: { Words: { workerFunction: worker } } });
const splitter = new JobSplitter(stack, 'Splitter', { fanOut });
const workflow = new FanOutJobWorkflow(stack, 'RunJob', { splitter });
const template = Template.fromStack(stack);

/** A splitter stand-in with an inline function, for tests that need no bundling. */
const inlineSplitter = (scope: Stack) => ({
  function: new lambda.Function(scope, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('x') }),
}) as JobSplitter;
const definition = stateMachineDefinition(template);

test('a valid ASL definition: route by where the items are, split with the execution name as job id, a named error when there are none', () => {
  expect(aslValidator(definition).isValid).toBe(true);
  expect(definition.StartAt).toBe('WhereAreTheItems');
  expect(definition.States.WhereAreTheItems.Choices).toEqual([
    { Variable: '$.itemsUri', IsPresent: true, Next: 'SplitStoredJob' },
    { Variable: '$.items', IsPresent: true, Next: 'SplitInlineJob' },
  ]);
  expect(definition.States.WhereAreTheItems.Default).toBe('NoItems');
  expect(definition.States.SplitStoredJob.Parameters.Payload).toEqual({ 'jobId.$': '$$.Execution.Name', 'itemsUri.$': '$.itemsUri' });
  expect(definition.States.SplitInlineJob.Parameters.Payload).toEqual({ 'jobId.$': '$$.Execution.Name', 'items.$': '$.items' });
  expect(definition.States.NoItems).toMatchObject({ Type: 'Fail', Error: 'JobValidationError' });
});

test('both split tasks invoke the splitter, retry only transient Lambda errors, and time out with it', () => {
  for (const state of ['SplitStoredJob', 'SplitInlineJob']) {
    expect(definition.States[state]).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke',
      TimeoutSeconds: 60,
      OutputPath: '$.Payload',
      Retry: [expect.objectContaining({ ErrorEquals: expect.arrayContaining(['Lambda.TooManyRequestsException']), JitterStrategy: 'FULL' })],
      End: true,
    });
    expect(definition.States[state].Retry[0].ErrorEquals).not.toContain('States.ALL');
  }
});

test('a Standard workflow with tracing and the full execution log', () => {
  template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
    StateMachineType: 'STANDARD',
    TracingConfiguration: { Enabled: true },
    LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
  });
  expect(workflow.stateMachine).toBeDefined();
});

test('passes cdk-nag AwsSolutions and Serverless with its acknowledgements', () => {
  expect(() => app.synth()).not.toThrow();
});

test('validation: timeout between 1 minute and a year', () => {
  const other = new Stack(new App(), 'Other');
  expect(() => new FanOutJobWorkflow(other, 'RunJob', { splitter: inlineSplitter(other), timeout: Duration.seconds(30) }))
    .toThrow("FanOutJobWorkflow 'RunJob': timeout must be between 1 minute and 365 days (got 30 seconds)");
});

test('grantStartExecution names this state machine only', () => {
  const other = new Stack(new App(), 'Granted');
  const otherWorkflow = new FanOutJobWorkflow(other, 'RunJob', { splitter: inlineSplitter(other) });
  const role = new iam.Role(other, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
  otherWorkflow.grantStartExecution(role);
  Template.fromStack(other).hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: [Match.objectLike({ Action: 'states:StartExecution', Resource: { Ref: Match.stringLikeRegexp('^RunJobStateMachine') } })] },
  });
});

import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { FanOut, FanOutJobWorkflow, JobSplitter, JobTable } from '../../lib';
import { stateMachineDefinition } from '../support/definition';
import { standInFunction } from '../support/stand-in-function';
import { aslValidator } from '../support/asl-validator';

// eslint-disable-next-line @typescript-eslint/no-require-imports

// One app for the whole file: the splitter is bundled once.
const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
const stack = new Stack(app, 'Jobs');
const worker = standInFunction(stack, 'Worker', { code: 'exports.handler=async()=>({batchItemFailures:[]})', reservedConcurrency: 2 });
const fanOut = new FanOut(stack, 'Work', { consumers: { Words: { function: worker } } });
const splitter = new JobSplitter(stack, 'Splitter', { fanOut });
const workflow = new FanOutJobWorkflow(stack, 'RunJob', { splitter });
const template = Template.fromStack(stack);

/** A splitter stand-in with an inline function, for tests that need no bundling. */
const inlineSplitter = (scope: Stack) => ({
  function: new lambda.Function(scope, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('x') }),
  jobTable: new JobTable(scope, 'Jobs'),
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
      Next: 'StartWaiting',
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
  // The construct's stateMachine is the one state machine of the template.
  expect(stack.resolve(workflow.stateMachine.stateMachineArn)).toEqual({ Ref: Object.keys(template.findResources('AWS::StepFunctions::StateMachine'))[0] });
});

test('passes cdk-nag AwsSolutions and Serverless with its acknowledgements', () => {
  expect(() => app.synth()).not.toThrow();
});

test('validation: timeout between 1 minute and a year', () => {
  const other = new Stack(new App(), 'Other');
  expect(() => new FanOutJobWorkflow(other, 'RunJob', { splitter: inlineSplitter(other), timeout: Duration.seconds(30) }))
    .toThrow("FanOutJobWorkflow 'Other/RunJob': timeout must be between 1 minute and 365 days (got 30 seconds)");
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

// The wait for the workers: Wait → GetItem (optimized integration) → Choice, looping until the job's count is complete.
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html (GetItem, its response shape: Item with typed values)
// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html (NumericGreaterThanEqualsPath compares two paths)
test('after the split, the execution polls the job record every pollInterval until completed >= items', () => {
  expect(definition.States.WaitForWorkers).toMatchObject({ Type: 'Wait', Seconds: 10, Next: 'ReadJobRecord' });
  const jobTableName = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable', { Metadata: { 'sdp:role': 'job-table' } }));
  expect(jobTableName).toHaveLength(1);
  expect(definition.States.ReadJobRecord).toMatchObject({
    Type: 'Task',
    Resource: 'arn:aws:states:::dynamodb:getItem',
    Parameters: {
      Key: { jobId: { 'S.$': '$.jobId' }, recordId: { S: 'job' } },
      ConsistentRead: true,
      ProjectionExpression: '#items,#stored,#failed,#deadLettered,#completed',
      ExpressionAttributeNames: { '#items': 'items', '#stored': 'stored', '#failed': 'failed', '#deadLettered': 'deadLettered', '#completed': 'completed' },
    },
    ResultSelector: {
      'items.$': 'States.StringToJson($.Item.items.N)',
      'completed.$': 'States.StringToJson($.Item.completed.N)',
    },
    ResultPath: '$.job',
    Next: 'AllItemsAccountedFor',
  });
  // 15 minutes, less the splitter's minute and one poll: 83 polls of 10 s at most, the poll counted after each read.
  expect(definition.States.StartWaiting).toMatchObject({ Type: 'Pass', Result: { polls: 0 }, ResultPath: '$.wait', Next: 'WaitForWorkers' });
  expect(definition.States.AllItemsAccountedFor).toMatchObject({
    Type: 'Choice',
    Choices: [
      { Variable: '$.job.completed', NumericGreaterThanEqualsPath: '$.job.items', Next: 'JobOutcome' },
      { Variable: '$.wait.polls', NumericGreaterThanEquals: 82, Next: 'IncompleteOutcome' },
    ],
    Default: 'CountPoll',
  });
  expect(definition.States.CountPoll).toMatchObject({
    Type: 'Pass', Parameters: { 'polls.$': 'States.MathAdd($.wait.polls, 1)' }, ResultPath: '$.wait', Next: 'WaitForWorkers',
  });
});

test('a job still incomplete after maxWait (a chunk no worker could count) ends FAILED JobIncomplete with the counts so far', () => {
  expect(definition.States.IncompleteOutcome).toMatchObject({ Type: 'Pass', Parameters: { 'stored.$': '$.job.stored' }, Next: 'DescribeIncompleteJob' });
  expect(definition.States.DescribeIncompleteJob).toMatchObject({ Type: 'Pass', Parameters: { 'cause.$': 'States.JsonToString($)' }, Next: 'JobIncomplete' });
  expect(definition.States.JobIncomplete).toMatchObject({ Type: 'Fail', Error: 'JobIncomplete', CausePath: '$.cause' });
});

test('validation: maxWait at least pollInterval and at most timeout; by default timeout less the split and one poll', () => {
  const other = new Stack(new App(), 'Other');
  expect(() => new FanOutJobWorkflow(other, 'Short', { splitter: inlineSplitter(other), maxWait: Duration.seconds(5) }))
    .toThrow("FanOutJobWorkflow 'Other/Short': maxWait must be at least pollInterval (10 seconds) and at most timeout (15 minutes) (got 5 seconds)");
  const fresh = () => new Stack(new App(), 'Other');
  const long = fresh();
  expect(() => new FanOutJobWorkflow(long, 'Long', { splitter: inlineSplitter(long), maxWait: Duration.minutes(16) }))
    .toThrow('maxWait must be at least pollInterval (10 seconds) and at most timeout (15 minutes) (got 16 minutes)');
  // 70 s less the splitter's 60 s and a 10 s poll leaves no time to wait.
  const tight = fresh();
  expect(() => new FanOutJobWorkflow(tight, 'Tight', { splitter: inlineSplitter(tight), timeout: Duration.seconds(70) }))
    .toThrow("FanOutJobWorkflow 'Other/Tight': timeout must leave time to wait for the workers: at least the splitter's timeout and two pollIntervals (80 seconds), or give maxWait (got 1 minute 10 seconds)");
  const given = fresh();
  expect(() => new FanOutJobWorkflow(given, 'Given', { splitter: inlineSplitter(given), timeout: Duration.seconds(70), maxWait: Duration.seconds(10) })).not.toThrow();
});

// https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html (CausePath may use States.JsonToString)
test('a complete job ends with { jobId, items, stored, failed, deadLettered }: Succeed when every item is stored, else Fail JobItemsFailed with it as the cause', () => {
  expect(definition.States.JobOutcome).toMatchObject({
    Type: 'Pass',
    Parameters: { 'jobId.$': '$.jobId', 'items.$': '$.job.items', 'stored.$': '$.job.stored', 'failed.$': '$.job.failed', 'deadLettered.$': '$.job.deadLettered' },
    Next: 'AllItemsStored',
  });
  expect(definition.States.AllItemsStored).toMatchObject({
    Type: 'Choice',
    Choices: [{ Variable: '$.stored', NumericEqualsPath: '$.items', Next: 'JobSucceeded' }],
    Default: 'DescribeFailedItems',
  });
  expect(definition.States.JobSucceeded).toMatchObject({ Type: 'Succeed' });
  expect(definition.States.DescribeFailedItems).toMatchObject({ Type: 'Pass', Parameters: { 'cause.$': 'States.JsonToString($)' }, Next: 'JobItemsFailed' });
  expect(definition.States.JobItemsFailed).toMatchObject({ Type: 'Fail', Error: 'JobItemsFailed', CausePath: '$.cause' });
});

test('least privilege: the state machine may read the job table (GetItem) and no other table', () => {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^RunJobStateMachineRole') }] } });
  const statements = Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
  const dynamodb = statements.filter((st: any) => [st.Action].flat().some((a: string) => a.startsWith('dynamodb:')));
  expect(dynamodb).toEqual([expect.objectContaining({ Action: 'dynamodb:GetItem', Resource: expect.anything() })]);
  expect(JSON.stringify(dynamodb[0].Resource)).toContain('WorkJobsTable');
});

test('the workers and the splitter get the job table: their environment and only the writes they make', () => {
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ JOB_TABLE_NAME: { Ref: Match.stringLikeRegexp('^WorkJobsTable') }, TOPIC_ARN: Match.anyValue() }) },
  });
  const policyOf = (rolePrefix: string) => Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${rolePrefix}`) }] } }))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
    .filter((st: any) => [st.Action].flat().some((a: string) => a.startsWith('dynamodb:')));
  expect(policyOf('SplitterFunction')).toEqual([expect.objectContaining({ Action: ['dynamodb:PutItem', 'dynamodb:GetItem'] })]);
  expect(policyOf('Worker')).toEqual([expect.objectContaining({ Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'] })]);
  // The stand-in worker is a lambda.Function passed in: it gets the environment too.
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: { JOB_TABLE_NAME: { Ref: Match.stringLikeRegexp('^WorkJobsTable') }, MAX_RECEIVE_COUNT: '5' } },
  });
});

test('validation: pollInterval between 1 second and 1 hour, whole seconds, shorter than timeout', () => {
  const build = (pollInterval: Duration, timeout?: Duration) => {
    const other = new Stack(new App(), 'Other');
    return () => new FanOutJobWorkflow(other, 'RunJob', { splitter: inlineSplitter(other), pollInterval, timeout });
  };
  expect(build(Duration.millis(500))).toThrow("FanOutJobWorkflow 'Other/RunJob': pollInterval must be between 1 second and 1 hour (got 500 millis)");
  expect(build(Duration.millis(1500))).toThrow('pollInterval must be a whole number of seconds (got 1 second 500 millis)');
  expect(build(Duration.minutes(2), Duration.minutes(2))).toThrow('pollInterval must be shorter than timeout, or the job could never be seen complete (got 2 minutes >= 2 minutes)');
  expect(build(Duration.seconds(30))).not.toThrow();
});

import { Match, Template } from 'aws-cdk-lib/assertions';
import { exampleAssembly } from '../support/example-app';
import { stateMachineDefinition } from '../support/definition';
import { aslValidator } from '../support/asl-validator';

// Synthesized once per run by test/support/global-setup.ts, with cdk-nag (AwsSolutions + Serverless) and CloudFormation validation: any unacknowledged finding fails the run.
const app = exampleAssembly();
const template: Template = app.template('WordLengthExample');

test('the synthesized stack matches the snapshot (asset hashes normalized)', () => {
  expect(template.toJSON()).toMatchSnapshot();
});

describe('workflow definition', () => {
  const definition = stateMachineDefinition(template);

  test('passes asl-validator', () => {
    const result = aslValidator(definition);
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  test('maps $.data two at a time and collects the results at $.mappedResults', () => {
    expect(definition.StartAt).toBe('MapItems');
    expect(definition.States.MapItems).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.data',
      MaxConcurrency: 2,
      ResultSelector: { 'mappedResults.$': '$' },
      ResultPath: '$',
      Next: 'ReduceResults',
    });
    expect(definition.States.ReduceResults.Parameters['Payload.$']).toBe('$.mappedResults');
  });

  test('retries only Lambda service errors and throttling, with backoff and full jitter', () => {
    const mapItem = definition.States.MapItems.ItemProcessor.States.MapItem;
    for (const task of [mapItem, definition.States.ReduceResults]) {
      expect(task.Retry).toEqual([{
        ErrorEquals: [
          'Lambda.ClientExecutionTimeoutException',
          'Lambda.ServiceException',
          'Lambda.AWSLambdaException',
          'Lambda.SdkClientException',
          'Lambda.TooManyRequestsException',
        ],
        IntervalSeconds: 2,
        MaxAttempts: 6,
        BackoffRate: 2,
        MaxDelaySeconds: 60,
        JitterStrategy: 'FULL',
      }]);
      expect(task.TimeoutSeconds).toBe(60);
    }
  });

  test('catches every error into RecordFailure, which ends in a Fail state carrying error and cause', () => {
    for (const name of ['MapItems', 'ReduceResults', 'StoreResult']) {
      expect(definition.States[name].Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'RecordFailure' }]);
    }
    expect(definition.States.RecordFailure).toMatchObject({ Next: 'Failed', ResultPath: null });
    expect(definition.States.Failed).toMatchObject({ Type: 'Fail', ErrorPath: '$.Error', CausePath: '$.Cause' });
  });

  test('stores the output keyed by execution id with the direct DynamoDB integration, keeping the reduce result as output', () => {
    expect(definition.States.StoreResult).toMatchObject({
      Resource: 'arn:aws:states:::dynamodb:putItem',
      ResultPath: null,
      End: true,
      Parameters: {
        TableName: 'ResultsTable7B2FF7F9',
        Item: {
          'executionId': { 'S.$': '$$.Execution.Id' },
          'status': { S: 'SUCCEEDED' },
          'output': { 'S.$': 'States.JsonToString($)' },
        },
      },
    });
  });
});

test('the state machine logs ALL with execution data and traces with X-Ray', () => {
  template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
    StateMachineType: 'STANDARD',
    TracingConfiguration: { Enabled: true },
    LoggingConfiguration: {
      Level: 'ALL',
      IncludeExecutionData: true,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WordLengthExecutionLogs'), 'Arn'] } } }],
    },
  });
  template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
});

test('the state machine role may invoke only the two functions and write only to the result table', () => {
  const policy = Object.values(template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^WordLengthStateMachineRole') }] },
  }))[0];
  const statements: any[] = policy.Properties.PolicyDocument.Statement;
  const invoked = statements.filter((s) => s.Action === 'lambda:InvokeFunction').flatMap((s) => s.Resource);
  expect(invoked.map((r) => JSON.stringify(r)).sort()).toEqual([
    expect.stringMatching(/^\{"Fn::GetAtt":\["WordLengthMapFunction\w+","Arn"\]\}$/),
    expect.stringMatching(/^\{"Fn::GetAtt":\["WordLengthReduceFunction\w+","Arn"\]\}$/),
    expect.stringMatching(/^\{"Fn::Join":.*WordLengthMapFunction\w+.*":\*"/),
    expect.stringMatching(/^\{"Fn::Join":.*WordLengthReduceFunction\w+.*":\*"/),
  ]);
  const dynamo = statements.filter((s) => JSON.stringify(s.Action).includes('dynamodb:'));
  expect(dynamo).toHaveLength(1);
  expect(dynamo[0].Action).toBe('dynamodb:PutItem');
  expect(JSON.stringify(dynamo[0].Resource)).toMatch(/:table\/",\{"Ref":"ResultsTable7B2FF7F9"\}\]\]\}$/);
  expect(statements.some((s) => JSON.stringify(s.Action).includes('*') && !String(s.Action).startsWith('xray'))).toBe(false);
});

test('both functions run Node.js 22 on arm64 with active tracing, JSON logs and their own log group', () => {
  const functions = template.findResources('AWS::Lambda::Function');
  expect(Object.keys(functions)).toHaveLength(2);
  for (const fn of Object.values(functions)) {
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 60,
      MemorySize: 256,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.stringMatching(/LogGroup/) } },
    });
  }
  template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
});

test('the result table is on demand, point-in-time recoverable, retained, with a TTL attribute', () => {
  template.hasResource('AWS::DynamoDB::GlobalTable', {
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'executionId', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    },
  });
});

test('every function has an explicit reserved concurrency: the map function twice the Map concurrency (2), the reduce function 2', () => {
  const functions = Object.entries<any>(template.findResources('AWS::Lambda::Function'));
  expect(functions.map(([id, fn]) => [id.replace(/[0-9A-F]{8}$/, ''), fn.Properties.ReservedConcurrentExecutions]))
    .toEqual([['WordLengthMapFunction', 4], ['WordLengthReduceFunction', 2]]);
});

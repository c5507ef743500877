import { Match, Template } from 'aws-cdk-lib/assertions';
import { exampleAssembly } from '../support/example-app';

// Synthesized once per run by test/support/global-setup.ts, with cdk-nag and CloudFormation validation.
const template: Template = exampleAssembly().template('FanOutExample');

test('the synthesized stack matches the snapshot (asset hashes normalized)', () => {
  expect(template.toJSON()).toMatchSnapshot();
});

test('the topic is KMS-encrypted with a rotated key and SSL-only', () => {
  template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WorkTopicKey'), 'Arn'] } });
  template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  template.hasResourceProperties('AWS::SNS::TopicPolicy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
  });
});

test('the consumer queue: encrypted, SSL-only, visibility 6 × the 30 s worker timeout, dead-letter after 5 receives', () => {
  const queues = template.findResources('AWS::SQS::Queue');
  expect(Object.keys(queues).filter((id) => id.startsWith('WorkWords'))).toHaveLength(2);
  const [dlqId] = Object.keys(queues).filter((id) => id.startsWith('WorkWordsDeadLetterQueue'));
  template.hasResourceProperties('AWS::SQS::Queue', {
    SqsManagedSseEnabled: true,
    VisibilityTimeout: 180,
    MessageRetentionPeriod: 4 * 24 * 3600,
    RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
  });
  expect(queues[dlqId].Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
  expect(Object.values(template.findResources('AWS::SQS::QueuePolicy')).every((p: any) => JSON.stringify(p).includes('aws:SecureTransport'))).toBe(true);
});

test('the subscription delivers raw messages and sends undeliverable ones to the dead-letter queue', () => {
  template.hasResourceProperties('AWS::SNS::Subscription', {
    Protocol: 'sqs',
    RawMessageDelivery: true,
    RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] } },
  });
});

test('the worker: reserved concurrency 10, fed 10 records at a time, at most 5 at once, with partial batch responses', () => {
  template.hasResourceProperties('AWS::Lambda::Function', {
    ReservedConcurrentExecutions: 10,
    Timeout: 30,
    Environment: { Variables: Match.objectLike({ RESULT_TABLE_KEY: 'resultId', RESULT_TABLE_NAME: Match.anyValue(), IDEMPOTENCY_TABLE_NAME: Match.anyValue() }) },
  });
  template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    BatchSize: 10,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    ScalingConfig: { MaximumConcurrency: 5 },
  });
});

test('a dead-letter alarm (any visible message) notifies the alarm topic, which e-mails', () => {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Namespace: 'AWS/SQS',
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
    AlarmActions: [{ Ref: Match.stringLikeRegexp('^WorkAlarmsTopic') }],
    AlarmDescription: Match.stringLikeRegexp('dead-letter queue.*redrive'),
  });
  template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'alerts@example.com' });
});

test('the idempotency table has the layout Powertools expects: key id, TTL expiration', () => {
  template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
  });
});

test('the splitter may publish to the topic and use its key, read job files from the jobs bucket and open jobs in the job table, nothing more', () => {
  const policies = Object.values<any>(template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^SplitterFunctionRole') }] },
  }));
  const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
  const actions = statements.flatMap((s: any) => [s.Action].flat());
  expect(actions.sort()).toEqual([
    'dynamodb:GetItem', 'dynamodb:PutItem',
    'kms:Decrypt', 'kms:GenerateDataKey*', 'logs:CreateLogStream', 'logs:PutLogEvents', 's3:GetObject', 'sns:Publish', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments',
  ]);
  const dynamodb = statements.filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('dynamodb:')));
  expect(dynamodb.map((s: any) => s.Resource)).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^WorkJobsTable/), 'Arn'] }]);
  expect(statements.find((s: any) => s.Action === 's3:GetObject').Resource).toEqual({
    'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^JobsBucket/), 'Arn'] }, '/*']],
  });
});

test('the job table: jobId and recordId keys, marked for the local run and sdp; the worker records outcomes in it, the job workflow reads it', () => {
  const tables = template.findResources('AWS::DynamoDB::GlobalTable', { Metadata: { 'sdp:role': 'job-table' } });
  expect(Object.keys(tables)).toEqual([expect.stringMatching(/^WorkJobsTable/)]);
  expect(Object.values<any>(tables)[0].Properties.KeySchema).toEqual([{ AttributeName: 'jobId', KeyType: 'HASH' }, { AttributeName: 'recordId', KeyType: 'RANGE' }]);
  template.hasResourceProperties('AWS::Lambda::Function', {
    Handler: 'index.handler',
    Environment: { Variables: Match.objectLike({ JOB_TABLE_NAME: { Ref: Match.stringLikeRegexp('^WorkJobsTable') }, MAX_RECEIVE_COUNT: '5', RESULT_TABLE_NAME: Match.anyValue() }) },
  });
});

test('every function has an explicit reserved concurrency, and the app reserves well under the account budget', () => {
  const functions = Object.values<any>(template.findResources('AWS::Lambda::Function'));
  expect(functions.length).toBeGreaterThanOrEqual(3);
  for (const fn of functions) expect(fn.Properties.ReservedConcurrentExecutions).toEqual(expect.any(Number));
  const reserved = functions.reduce((sum, fn) => sum + fn.Properties.ReservedConcurrentExecutions, 0);
  expect(reserved).toBeLessThanOrEqual(900);
});

describe("seed 004's triggers: a 5-minute schedule and an API run the same job workflow", () => {
  test('the schedule starts the job workflow every 5 minutes with the scheduled job file in the jobs bucket', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      Target: Match.objectLike({
        Arn: { Ref: Match.stringLikeRegexp('^RunJobStateMachine') },
        Input: { 'Fn::Join': ['', ['{"itemsUri":"s3://', { Ref: Match.stringLikeRegexp('^JobsBucket') }, '/jobs/scheduled.json"}']] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Every5MinutesDeadLetterQueue'), 'Arn'] } },
      }),
    });
    // Its dead-letter alarm e-mails through the same topic as the workers'.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('^Scheduled runs of FanOutExample/Every5Minutes'),
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^WorkAlarmsTopic') }],
    });
  });

  test('the API starts the same workflow with IAM authorization and a body of items or itemsUri only', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'AWS_IAM',
      Integration: Match.objectLike({ Uri: { 'Fn::Join': ['', Match.arrayWith([':states:action/StartExecution'])] } }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', AuthorizationType: 'AWS_IAM' });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Schema: Match.objectLike({ type: 'object', additionalProperties: false, minProperties: 1, maxProperties: 1 }),
    });
    const roles = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^RunJobApiIntegrationRole') }] } });
    expect(JSON.stringify(roles)).toContain('RunJobStateMachine');
  });

  test('the warmer keeps the splitter warm: 2 in Seoul business hours, 1 otherwise, and 2 right after deploy', () => {
    const splitterArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^SplitterFunction'), 'Arn'] };
    const warmInput = (concurrency: number) => ({ 'Fn::Join': ['', ['{"targets":[{"functionName":"', splitterArn, `","concurrency":${concurrency}}],"holdMs":200}`]] });
    for (const [cron, concurrency] of [['0/5 9-18 ? * MON-FRI *', 2], ['0/5 0-8,19-23 ? * MON-FRI *', 1], ['0/5 * ? * SAT,SUN *', 1]] as const) {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: `cron(${cron})`,
        ScheduleExpressionTimezone: 'Asia/Seoul',
        Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WarmerFunction'), 'Arn'] }, Input: warmInput(concurrency) }),
      });
    }
    template.hasResourceProperties('Custom::LambdaPreWarm', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WarmerFunction'), 'Arn'] },
      Input: warmInput(2),
    });
  });
});

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
  expect(Object.keys(queues)).toHaveLength(2);
  const [dlqId] = Object.keys(queues).filter((id) => id.includes('DeadLetterQueue'));
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

test('the splitter may publish to the topic and use its key, nothing more', () => {
  const policies = Object.values<any>(template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^SplitterFunctionRole') }] },
  }));
  const actions = policies.flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat()));
  expect(actions.sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*', 'logs:CreateLogStream', 'logs:PutLogEvents', 'sns:Publish', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
});

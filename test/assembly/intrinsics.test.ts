import { IntrinsicResolver } from '../../tools/assembly/intrinsics';

const resolver = new IntrinsicResolver({
  Resources: {
    Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
    Named: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'my-function' } },
    Table: { Type: 'AWS::DynamoDB::GlobalTable', Properties: {} },
    Bucket: { Type: 'AWS::S3::Bucket', Properties: {} },
    Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
    FifoQueue: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true } },
    Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: {} },
    Cluster: { Type: 'AWS::ECS::Cluster', Properties: {} },
  },
});

test('Ref gives the physical name: the name property when set, else the logical id', () => {
  expect(resolver.resolve({ Ref: 'Fn' })).toBe('Fn');
  expect(resolver.resolve({ Ref: 'Named' })).toBe('my-function');
  expect(resolver.resolve({ Ref: 'AWS::Partition' })).toBe('aws');
});

test('Fn::GetAtt Arn gives a local ARN of the resource type', () => {
  expect(resolver.resolve({ 'Fn::GetAtt': ['Named', 'Arn'] })).toBe('arn:aws:lambda:us-east-1:000000000000:function:my-function');
  expect(resolver.resolve({ 'Fn::GetAtt': 'Table.Arn' })).toBe('arn:aws:dynamodb:us-east-1:000000000000:table/Table');
});

test("a topic's and a state machine's Ref is its ARN; FIFO names end in .fifo; bucket names are lower case", () => {
  expect(resolver.resolve({ Ref: 'Topic' })).toBe('arn:aws:sns:us-east-1:000000000000:Topic');
  expect(resolver.resolve({ Ref: 'Machine' })).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:Machine');
  expect(resolver.resolve({ Ref: 'Bucket' })).toBe('bucket');
  expect(resolver.resolve({ 'Fn::GetAtt': ['Bucket', 'Arn'] })).toBe('arn:aws:s3:::bucket');
  expect(resolver.resolve({ 'Fn::GetAtt': ['FifoQueue', 'Arn'] })).toBe('arn:aws:sqs:us-east-1:000000000000:FifoQueue.fifo');
});

test('Fn::Join, Fn::Select, Fn::Split and Fn::Sub resolve recursively', () => {
  expect(resolver.resolve({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':x:', { Ref: 'Fn' }]] })).toBe('arn:aws:x:Fn');
  expect(resolver.resolve({ 'Fn::Select': [1, ['a', { Ref: 'Fn' }]] })).toBe('Fn');
  expect(resolver.resolve({ 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: 'Machine' }] }] })).toBe('Machine');
  expect(resolver.resolve({ 'Fn::Sub': 'cdk-${AWS::AccountId}-${AWS::Region}-${Fn.Arn}-${Named}' }))
    .toBe('cdk-000000000000-us-east-1-arn:aws:lambda:us-east-1:000000000000:function:Fn-my-function');
  expect(resolver.resolve({ 'Fn::Sub': ['${X}/${Fn}', { X: { Ref: 'Named' } }] })).toBe('my-function/Fn');
});

test('anything it cannot resolve is named, not guessed', () => {
  expect(() => resolver.resolve({ 'Fn::ImportValue': 'shared' })).toThrow('the local run cannot resolve Fn::ImportValue');
  expect(() => resolver.resolve({ 'Fn::GetAtt': ['Cluster', 'Arn'] })).toThrow('the local run cannot name the ARN of Cluster (AWS::ECS::Cluster)');
  expect(() => resolver.resolve({ 'Fn::GetAtt': ['Fn', 'SnapStartResponse'] })).toThrow('the local run cannot resolve Fn::GetAtt Fn.SnapStartResponse');
  expect(() => resolver.resolve({ Ref: 'Missing' })).toThrow("the template has no resource 'Missing'");
});

test('a state machine definition: from DefinitionString or Definition, intrinsics resolved, DefinitionSubstitutions applied; none is named', () => {
  const machines = new IntrinsicResolver({
    Resources: {
      Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
      FromString: { Type: 'AWS::StepFunctions::StateMachine', Properties: {
        DefinitionString: { 'Fn::Join': ['', ['{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"', { 'Fn::GetAtt': ['Fn', 'Arn'] }, '","Comment":"${note}","End":true}}}']] },
        DefinitionSubstitutions: { note: { Ref: 'Fn' } },
      } },
      FromObject: { Type: 'AWS::StepFunctions::StateMachine', Properties: {
        Definition: { StartAt: 'A', States: { A: { Type: 'Task', Resource: { 'Fn::GetAtt': ['Fn', 'Arn'] }, End: true } } },
      } },
      InS3: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionS3Location: { Bucket: 'b', Key: 'k' } } },
    },
  });
  const fnArn = 'arn:aws:lambda:us-east-1:000000000000:function:Fn';
  expect(machines.stateMachineDefinition('FromString').States.A).toEqual({ Type: 'Task', Resource: fnArn, Comment: 'Fn', End: true });
  expect(machines.stateMachineDefinition('FromObject').States.A).toEqual({ Type: 'Task', Resource: fnArn, End: true });
  expect(() => machines.stateMachineDefinition('InS3')).toThrow('InS3 has neither DefinitionString nor Definition (a definition in S3 cannot be read offline)');
});

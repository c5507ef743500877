import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
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
  expect(() => resolver.resolve({ 'Fn::ImportValue': 'shared' })).toThrow("the local run cannot resolve Fn::ImportValue 'shared': no stack read with this one exports it");
  expect(() => resolver.resolve({ 'Fn::Base64': 'x' })).toThrow('the local run cannot resolve Fn::Base64');
  expect(() => resolver.resolve({ 'Fn::GetAtt': ['Cluster', 'Arn'] })).toThrow('the local run cannot name the ARN of Cluster (AWS::ECS::Cluster)');
  expect(() => resolver.resolve({ 'Fn::GetAtt': ['Fn', 'SnapStartResponse'] })).toThrow('the local run cannot resolve Fn::GetAtt Fn.SnapStartResponse');
  expect(() => resolver.resolve({ Ref: 'Missing' })).toThrow("the template has no resource 'Missing'");
});

test('a state machine definition: from DefinitionString or Definition, intrinsics resolved, DefinitionSubstitutions applied to either', () => {
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
      FromObjectWithSubstitutions: { Type: 'AWS::StepFunctions::StateMachine', Properties: {
        Definition: { StartAt: 'A', States: { A: { Type: 'Task', Resource: '${FnArn}', Comment: 'calls ${FnName}', End: true } } },
        DefinitionSubstitutions: { FnArn: { 'Fn::GetAtt': ['Fn', 'Arn'] }, FnName: { Ref: 'Fn' } },
      } },
    },
  });
  const fnArn = 'arn:aws:lambda:us-east-1:000000000000:function:Fn';
  expect(machines.stateMachineDefinition('FromString').States.A).toEqual({ Type: 'Task', Resource: fnArn, Comment: 'Fn', End: true });
  expect(machines.stateMachineDefinition('FromObject').States.A).toEqual({ Type: 'Task', Resource: fnArn, End: true });
  expect(machines.stateMachineDefinition('FromObjectWithSubstitutions').States.A).toEqual({ Type: 'Task', Resource: fnArn, Comment: 'calls Fn', End: true });
});

test('a DefinitionS3Location that is no file asset of the assembly, or no definition at all, is named with the state machine', () => {
  const template = {
    Resources: {
      InS3: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionS3Location: { Bucket: 'my-definitions', Key: 'flow.asl.json', Version: '3' } } },
      Nothing: { Type: 'AWS::StepFunctions::StateMachine', Properties: {} },
    },
  };
  const notAnAsset = 'InS3: DefinitionS3Location s3://my-definitions/flow.asl.json is not a file asset of the assembly '
    + '(the local run reads a definition in S3 only from the assembly, as sfn.DefinitionBody.fromFile puts it there)';
  expect(() => new IntrinsicResolver(template).stateMachineDefinition('InS3')).toThrow(notAnAsset);
  const assemblyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-no-assets-'));
  fs.writeFileSync(path.join(assemblyDir, 'manifest.json'), JSON.stringify({ artifacts: { Flows: { type: 'aws:cloudformation:stack' } } }));
  expect(() => IntrinsicResolver.of({ name: 'Flows', assemblyDir, template }).stateMachineDefinition('InS3')).toThrow(notAnAsset);
  const legacy = { Resources: { Legacy: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionS3Location: { Bucket: { Ref: 'AssetParametersBucket' }, Key: 'k' } } } } };
  expect(() => new IntrinsicResolver(legacy).stateMachineDefinition('Legacy'))
    .toThrow(`Legacy: cannot read its DefinitionS3Location {"Bucket":{"Ref":"AssetParametersBucket"},"Key":"k"}: the template has no resource 'AssetParametersBucket'`);
  expect(() => new IntrinsicResolver(template).stateMachineDefinition('Nothing'))
    .toThrow('Nothing has no definition (neither DefinitionString, Definition nor DefinitionS3Location)');
});

/** An assembly of one stack whose asset manifest publishes `file` (written with `text`) to the bootstrap bucket under `key`. */
function assemblyWithFileAsset(file: string, key: string, text: string): string {
  const assemblyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-file-asset-'));
  fs.writeFileSync(path.join(assemblyDir, 'manifest.json'), JSON.stringify({ artifacts: {
    'Flows.assets': { type: 'cdk:asset-manifest', properties: { file: 'Flows.assets.json' } },
    'Flows': { type: 'aws:cloudformation:stack', dependencies: ['Flows.assets'] },
  } }));
  fs.writeFileSync(path.join(assemblyDir, 'Flows.assets.json'), JSON.stringify({ files: { hash: {
    source: { path: file, packaging: 'file' },
    destinations: { 'current_account-current_region': { bucketName: 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}', objectKey: key } },
  } } }));
  fs.writeFileSync(path.join(assemblyDir, file), text);
  return assemblyDir;
}

describe('a DefinitionS3Location of a file asset', () => {
  // As CDK's DefinitionBody.fromFile synthesizes it: the bootstrap bucket's Fn::Sub and the asset's key.
  const machine = (key: string, substitutions: object) => ({ Resources: { Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: {
    DefinitionS3Location: { Bucket: { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' }, Key: key, Version: 'ignored' },
    DefinitionSubstitutions: substitutions,
  } } } });

  test('is read from the assembly, substituted', () => {
    const assemblyDir = assemblyWithFileAsset('asset.hash.json', 'hash.json', '{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"${word}","End":true}}}');
    const definition = IntrinsicResolver.of({ name: 'Flows', assemblyDir, template: machine('hash.json', { word: { 'Fn::Join': ['-', ['a', 'b']] } }) })
      .stateMachineDefinition('Machine');
    expect(definition.States.A).toEqual({ Type: 'Pass', Result: 'a-b', End: true });
  });

  test('in YAML: read with the yaml package, or its install named when it is missing', () => {
    const assemblyDir = assemblyWithFileAsset('asset.hash.yaml', 'hash.yaml', 'StartAt: A\nStates:\n  A:\n    Type: Pass\n    Result: ${word}\n    End: true\n');
    const stack = { name: 'Flows', assemblyDir, template: machine('hash.yaml', { word: 'yes' }) };
    expect(IntrinsicResolver.of(stack).stateMachineDefinition('Machine').States.A).toEqual({ Type: 'Pass', Result: 'yes', End: true });
    jest.isolateModules(() => {
      jest.doMock('yaml', () => {
        throw new Error("Cannot find module 'yaml'");
      });
      const { IntrinsicResolver: WithoutYaml } = jest.requireActual<typeof import('../../tools/assembly/intrinsics')>('../../tools/assembly/intrinsics');
      expect(() => WithoutYaml.of(stack).stateMachineDefinition('Machine'))
        .toThrow(`Machine's definition is YAML (${path.join(assemblyDir, 'asset.hash.yaml')}): reading it needs the yaml package (npm install -D yaml)`);
    });
  });
});

test("a queue's Ref and QueueUrl are its URL (the local SQS's when the resolver is given it), its QueueName its name", () => {
  const template = { Resources: { Jobs: { Type: 'AWS::SQS::Queue' }, Alerts: { Type: 'AWS::SNS::Topic' } } };
  const awsForm = new IntrinsicResolver(template);
  expect(awsForm.resolve({ Ref: 'Jobs' })).toBe('https://sqs.us-east-1.amazonaws.com/000000000000/Jobs');
  expect(awsForm.resolve({ 'Fn::GetAtt': ['Jobs', 'QueueUrl'] })).toBe('https://sqs.us-east-1.amazonaws.com/000000000000/Jobs');
  expect(awsForm.resolve({ 'Fn::GetAtt': ['Jobs', 'QueueName'] })).toBe('Jobs');
  // Fn::Sub's ${X} is X's Ref: a topic's ARN, a queue's URL.
  expect(awsForm.resolve({ 'Fn::Sub': '${Alerts} ${Jobs}' })).toBe('arn:aws:sns:us-east-1:000000000000:Alerts https://sqs.us-east-1.amazonaws.com/000000000000/Jobs');
  const local = new IntrinsicResolver(template, undefined, { queueUrl: (id) => `http://127.0.0.1:4566/000000000000/${id}` });
  expect(local.resolve({ Ref: 'Jobs' })).toBe('http://127.0.0.1:4566/000000000000/Jobs');
});

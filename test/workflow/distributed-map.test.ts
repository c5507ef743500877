import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ItemSource, MapMode, MapReduceWorkflow, MapReduceWorkflowProps, ResultTable } from '../../lib';
import { stateMachineDefinition } from '../support/definition';
import { standInFunction } from '../support/stand-in-function';
import { aslValidator } from '../support/asl-validator';

type PropsIn = (stack: Stack, items: s3.Bucket) => Partial<MapReduceWorkflowProps>;

/**
 * A stack with an items bucket, stand-in map (reserved concurrency 100) and reduce functions, and a
 * distributed workflow 'Words' over a JSON array file in that bucket unless `props` says otherwise.
 */
function synth(props: PropsIn = () => ({})) {
  const stack = new Stack(new App(), 'Test');
  const items = new s3.Bucket(stack, 'Items');
  const mapFunction = standInFunction(stack, 'Map', { reservedConcurrency: 100 });
  const reduceFunction = standInFunction(stack, 'Reduce');
  const workflow = new MapReduceWorkflow(stack, 'Words', {
    mapFunction,
    reduceFunction,
    itemSource: ItemSource.jsonArray(items),
    ...props(stack, items),
  });
  const template = Template.fromStack(stack);
  return { stack, items, workflow, mapFunction, reduceFunction, template, definition: stateMachineDefinition(template) };
}

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as any);
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const objectsArn = (id: string, suffix: string) => ({ 'Fn::Join': ['', [arnOf(id), suffix]] });

/** The statements of the role policy of `role`'s DefaultPolicy. */
function statementsOf(template: Template, policyLogicalIdPrefix: string): any[] {
  const policies = Object.entries<any>(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith(policyLogicalIdPrefix));
  expect(policies).toHaveLength(1);
  return policies[0][1].Properties.PolicyDocument.Statement;
}

const S3_STATEMENTS = (statement: any) => [statement.Action].flat().some((action: string) => action.startsWith('s3:'));

describe('the distributed definition', () => {
  test('mode defaults to DISTRIBUTED when an itemSource is given', () => {
    const { workflow, definition } = synth();
    expect(workflow.mode).toBe(MapMode.DISTRIBUTED);
    expect(definition.States.MapItems.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' });
  });

  test('the whole definition: reader, batcher, Express children of one batch task, writer, the reduce given the writer details', () => {
    const { stack, definition, mapFunction, reduceFunction } = synth();
    const functionArn = (fn: lambda.Function) => `arn:aws:lambda:us-east-1:000000000000:function:${logicalId(stack, fn)}`;
    const { MapItems, ReduceResults } = definition.States;
    expect(MapItems).toMatchObject({
      Type: 'Map',
      MaxConcurrency: 100,
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Bucket': expect.stringMatching(/^items/), 'Key.$': '$.itemsKey' },
      },
      ItemBatcher: { MaxInputBytesPerBatch: 65536 },
      ResultWriter: {
        Resource: 'arn:aws:states:::s3:putObject',
        Parameters: { Bucket: expect.stringMatching(/^wordsresultsbucket/), Prefix: 'map-runs' },
        WriterConfig: { OutputType: 'JSONL', Transformation: 'FLATTEN' },
      },
      ResultSelector: { 'mappedResults.$': '$' },
      ResultPath: '$',
      Next: 'ReduceResults',
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }],
    });
    expect(MapItems).not.toHaveProperty('ItemsPath');
    expect(MapItems).not.toHaveProperty('ToleratedFailurePercentage');
    expect(MapItems).not.toHaveProperty('ToleratedFailureCount');
    expect(MapItems.ItemProcessor.StartAt).toBe('MapBatch');
    expect(Object.keys(MapItems.ItemProcessor.States)).toEqual(['MapBatch']);
    expect(MapItems.ItemProcessor.States.MapBatch).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: functionArn(mapFunction), Payload: { 'items.$': '$.Items' } },
      OutputPath: '$.Payload',
      TimeoutSeconds: 60,
      End: true,
      Retry: [expect.objectContaining({ ErrorEquals: expect.arrayContaining(['Lambda.TooManyRequestsException']), JitterStrategy: 'FULL' })],
    });
    expect(ReduceResults.Parameters).toEqual({ 'FunctionName': functionArn(reduceFunction), 'Payload.$': '$.mappedResults' });
  });

  test('the batch task retries exactly as the inline MapItem does', () => {
    const retry = { maxAttempts: 3, interval: Duration.seconds(4), backoffRate: 1.5, maxDelay: Duration.seconds(30) };
    const distributed = synth(() => ({ retry })).definition;
    const inline = synth(() => ({ itemSource: undefined, retry })).definition;
    expect(distributed.States.MapItems.ItemProcessor.States.MapBatch.Retry)
      .toEqual(inline.States.MapItems.ItemProcessor.States.MapItem.Retry);
  });

  test.each<[string, (bucket: s3.IBucket) => ItemSource, object]>([
    ['a JSON array file', (bucket) => ItemSource.jsonArray(bucket), { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { 'Key.$': '$.itemsKey' } }],
    ['a JSON Lines file', (bucket) => ItemSource.jsonLines(bucket, { key: 'jobs/words.jsonl' }), { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL' }, Parameters: { Key: 'jobs/words.jsonl' } }],
    ['a CSV file with a header row', (bucket) => ItemSource.csv(bucket), {
      Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' }, Parameters: { 'Key.$': '$.itemsKey' },
    }],
    ['a CSV file with given headers and a delimiter', (bucket) => ItemSource.csv(bucket, { headers: ['word', 'lang'], delimiter: sfn.CsvDelimiter.SEMICOLON, key: sfn.JsonPath.stringAt('$.job.csv') }), {
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'GIVEN', CSVHeaders: ['word', 'lang'], CSVDelimiter: 'SEMICOLON' },
      Parameters: { 'Key.$': '$.job.csv' },
    }],
    ['the objects under a prefix from the input', (bucket) => ItemSource.objects(bucket), { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { 'Prefix.$': '$.itemsPrefix' } }],
    ['the objects under a literal prefix', (bucket) => ItemSource.objects(bucket, { prefix: 'photos/' }), { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Prefix: 'photos/' } }],
  ])('ItemReader of %s, and the definition passes asl-validator', (_, source, reader: any) => {
    const { definition } = synth((_stack, items) => ({ itemSource: source(items) }));
    expect(definition.States.MapItems.ItemReader).toEqual({ ...reader, Parameters: { Bucket: expect.stringMatching(/^items/), ...reader.Parameters } });
    const result = aslValidator(definition);
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  test('batches by count and bytes, tolerated failures, concurrency, results bucket and prefix as given', () => {
    const { stack, definition } = synth((s) => ({
      maxItemsPerBatch: 500,
      maxInputBytesPerBatch: 262_144,
      toleratedFailurePercentage: 5,
      toleratedFailureCount: 10,
      maxConcurrency: 50,
      resultsBucket: new s3.Bucket(s, 'Mine'),
      resultsPrefix: 'jobs/results',
    }));
    expect(definition.States.MapItems).toMatchObject({
      ItemBatcher: { MaxItemsPerBatch: 500, MaxInputBytesPerBatch: 262144 },
      ToleratedFailurePercentage: 5,
      ToleratedFailureCount: 10,
      MaxConcurrency: 50,
      ResultWriter: { Parameters: { Bucket: expect.stringMatching(/^mine/), Prefix: 'jobs/results' } },
    });
    // The items bucket and the one given: the workflow makes none.
    Template.fromStack(stack).resourceCountIs('AWS::S3::Bucket', 2);
    const result = aslValidator(definition);
    expect(result.errorsText('\n')).toBe('');
  });

  test('a count alone bounds the batches: no byte bound is added', () => {
    expect(synth(() => ({ maxItemsPerBatch: 100 })).definition.States.MapItems.ItemBatcher).toEqual({ MaxItemsPerBatch: 100 });
  });

  test('with a result table and a nested result path the definition still passes asl-validator', () => {
    const { definition } = synth((stack) => ({ resultPath: '$.map.run', resultTable: new ResultTable(stack, 'Results') }));
    expect(definition.States.MapItems.ResultSelector).toEqual({ map: { 'run.$': '$' } });
    expect(definition.States.ReduceResults.Parameters['Payload.$']).toBe('$.map.run');
    expect(definition.States.ReduceResults.Next).toBe('StoreResult');
    expect(definition.States.MapItems.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'RecordFailure' }]);
    const result = aslValidator(definition);
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });
});

describe('the results bucket the workflow creates', () => {
  test('SSE-S3, SSL only, no public access, results expiring after 7 days, unfinished uploads after 1', () => {
    const { stack, template, workflow } = synth();
    const bucketId = logicalId(stack, workflow.results!.bucket);
    expect(bucketId).toMatch(/^WordsResultsBucket/);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 7, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
  });

  test('resultsExpiration sets the lifecycle expiry', () => {
    synth(() => ({ resultsExpiration: Duration.days(30) })).template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30 })] },
    });
  });
});

describe('least-privilege IAM', () => {
  test('the state machine: its own child executions, GetObject on the items, ResultWriter actions under the results prefix only', () => {
    const { stack, template, workflow, items } = synth();
    const machine = { Ref: logicalId(stack, workflow.stateMachine) };
    const executionArn = (suffix: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':execution:',
        { 'Fn::Select': [6, { 'Fn::Split': [':', machine] }] }, suffix]],
    });
    expect(statementsOf(template, 'WordsStateMachineDistributedMapPolicy')).toEqual([
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: machine },
      { Action: ['states:DescribeExecution', 'states:StopExecution'], Effect: 'Allow', Resource: executionArn(':*') },
      { Action: 'states:RedriveExecution', Effect: 'Allow', Resource: executionArn('/*:*') },
    ]);
    const resultsId = logicalId(stack, workflow.results!.bucket);
    expect(statementsOf(template, 'WordsStateMachineRoleDefaultPolicy').filter(S3_STATEMENTS)).toEqual([
      {
        Action: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        Effect: 'Allow',
        Resource: objectsArn(resultsId, '/map-runs/*'),
      },
      { Action: 's3:GetObject', Effect: 'Allow', Resource: objectsArn(logicalId(stack, items), '/*') },
    ]);
  });

  test('the reduce function: s3:GetObject under the results prefix only; the map function: no S3 for a file of items', () => {
    const { stack, template, workflow } = synth();
    expect(statementsOf(template, 'ReduceServiceRoleDefaultPolicy').filter(S3_STATEMENTS)).toEqual([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: objectsArn(logicalId(stack, workflow.results!.bucket), '/map-runs/*') },
    ]);
    expect(statementsOf(template, 'MapServiceRoleDefaultPolicy').filter(S3_STATEMENTS)).toEqual([]);
  });

  test('a literal key: GetObject on that one object', () => {
    const { stack, template, items } = synth((_stack, bucket) => ({ itemSource: ItemSource.jsonLines(bucket, { key: 'jobs/words.jsonl' }) }));
    expect(statementsOf(template, 'WordsStateMachineRoleDefaultPolicy').filter(S3_STATEMENTS)[1])
      .toEqual({ Action: 's3:GetObject', Effect: 'Allow', Resource: objectsArn(logicalId(stack, items), '/jobs/words.jsonl') });
  });

  test('a key from the input with a keyPrefix: GetObject under the prefix only', () => {
    const { stack, template, items } = synth((_stack, bucket) => ({ itemSource: ItemSource.csv(bucket, { keyPrefix: 'jobs/' }) }));
    expect(statementsOf(template, 'WordsStateMachineRoleDefaultPolicy').filter(S3_STATEMENTS)[1])
      .toEqual({ Action: 's3:GetObject', Effect: 'Allow', Resource: objectsArn(logicalId(stack, items), '/jobs/*') });
  });

  test('objects under a prefix: ListBucket on the bucket for that prefix, and the map function reads the listed objects', () => {
    const { stack, template, items } = synth((_stack, bucket) => ({ itemSource: ItemSource.objects(bucket, { prefix: 'photos/' }) }));
    const itemsId = logicalId(stack, items);
    expect(statementsOf(template, 'WordsStateMachineRoleDefaultPolicy').filter(S3_STATEMENTS)[1]).toEqual({
      Action: 's3:ListBucket', Effect: 'Allow', Resource: arnOf(itemsId), Condition: { StringLike: { 's3:prefix': 'photos/*' } },
    });
    expect(statementsOf(template, 'MapServiceRoleDefaultPolicy').filter(S3_STATEMENTS)).toEqual([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: objectsArn(itemsId, '/photos/*') },
    ]);
  });

  test('a results bucket of the user with a KMS key: the state machine may encrypt, the reduce decrypt, under its prefix', () => {
    const { stack, template } = synth((s) => ({
      resultsBucket: new s3.Bucket(s, 'Encrypted', { encryptionKey: new kms.Key(s, 'Key'), encryption: s3.BucketEncryption.KMS }),
      resultsPrefix: 'runs',
    }));
    const keyArn = arnOf(stack.getLogicalId(stack.node.findChild('Key').node.defaultChild as kms.CfnKey));
    const kmsActions = (statements: any[]) => statements.filter((statement) => [statement.Action].flat().some((a: string) => a.startsWith('kms:')));
    expect(kmsActions(statementsOf(template, 'WordsStateMachineRoleDefaultPolicy'))).toEqual([
      { Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'], Effect: 'Allow', Resource: keyArn },
    ]);
    expect(kmsActions(statementsOf(template, 'ReduceServiceRoleDefaultPolicy'))).toEqual([{ Action: 'kms:Decrypt', Effect: 'Allow', Resource: keyArn }]);
    expect(statementsOf(template, 'ReduceServiceRoleDefaultPolicy').filter(S3_STATEMENTS)[0].Resource)
      .toEqual(objectsArn(stack.getLogicalId(stack.node.findChild('Encrypted').node.defaultChild as s3.CfnBucket), '/runs/*'));
  });

  test('grantReadResults lets another principal GetObject under the results prefix', () => {
    const stack = new Stack(new App(), 'Test');
    const workflow = new MapReduceWorkflow(stack, 'Words', {
      mapFunction: standInFunction(stack, 'Map', { reservedConcurrency: 100 }),
      reduceFunction: standInFunction(stack, 'Reduce'),
      itemSource: ItemSource.jsonArray(new s3.Bucket(stack, 'Items')),
    });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    expect(workflow.grantReadResults(reader).success).toBe(true);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(reader.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: { Statement: [{ Action: 's3:GetObject', Effect: 'Allow', Resource: objectsArn(logicalId(stack, workflow.results!.bucket), '/map-runs/*') }] },
    });
  });
});

test('distributed mode logs every event (level ALL) without the batches\' items and results by default; logExecutionData: true adds them', () => {
  synth().template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
    LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
  });
  synth(() => ({ logExecutionData: true })).template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
    LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
  });
});

test('the distributed stack matches its snapshot', () => {
  expect(synth().template.toJSON()).toMatchSnapshot();
});

// Bundles the echo fixture: the default reserved concurrency of a built map function in distributed mode.
test('a map function built from an entry reserves maxConcurrency, not twice it, in distributed mode', () => {
  const fixture = path.join(__dirname, '..', 'fixtures', 'handlers', 'echo.ts');
  const stack = new Stack(new App(), 'Test');
  new MapReduceWorkflow(stack, 'Words', {
    mapEntry: fixture,
    reduceFunction: standInFunction(stack, 'Reduce'),
    itemSource: ItemSource.jsonArray(new s3.Bucket(stack, 'Items')),
    maxConcurrency: 300,
  });
  Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', ReservedConcurrentExecutions: 300 });
});

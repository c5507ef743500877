import { Match, Template } from 'aws-cdk-lib/assertions';
import { exampleAssembly } from '../support/example-app';
import { stateMachineDefinition } from '../support/definition';
import { aslValidator } from '../support/asl-validator';

// Synthesized once per run by test/support/global-setup.ts, with cdk-nag (AwsSolutions + Serverless) and CloudFormation validation.
const template: Template = exampleAssembly().template('DistributedExample');
const definition = stateMachineDefinition(template);

test('the synthesized stack matches the snapshot (asset hashes normalized)', () => {
  expect(template.toJSON()).toMatchSnapshot();
});

test('the definition passes asl-validator', () => {
  const result = aslValidator(definition);
  expect(result.errorsText('\n')).toBe('');
  expect(result.isValid).toBe(true);
});

test('the job file named by the input, under jobs/ of the jobs bucket, mapped 3,000 words or 64 KiB a batch, 10 batches at a time, in Express children', () => {
  expect(definition.States.MapItems).toMatchObject({
    ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { 'Bucket': 'jobsbucket5eadc5ca', 'Key.$': '$.itemsKey' } },
    ItemBatcher: { MaxItemsPerBatch: 3000, MaxInputBytesPerBatch: 65536 },
    MaxConcurrency: 10,
    ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' } },
    ResultWriter: { WriterConfig: { OutputType: 'JSONL', Transformation: 'FLATTEN' } },
  });
});

test('the state machine reads only the job files under jobs/ and logs every event without the batches\' data', () => {
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: {
      Statement: Match.arrayWith([Match.objectLike({
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^JobsBucket'), 'Arn'] }, '/jobs/*']] },
      })]),
    },
  });
  template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
    LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    TracingConfiguration: { Enabled: true },
  });
});

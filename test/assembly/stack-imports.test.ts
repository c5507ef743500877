import { AssemblyStack, CfnTemplate } from '../../tools/assembly/cloud-assembly';
import { IntrinsicResolver } from '../../tools/assembly/intrinsics';
import { withImportedStacks } from '../../tools/assembly/stack-imports';

const stack = (name: string, template: CfnTemplate): AssemblyStack => ({ name, template, assemblyDir: '/nowhere' });
const exported = (name: string, value: unknown) => ({ Value: value, Export: { Name: name } });

// As CDK writes a cross-stack reference: the exporting stack's output named `<stack>:ExportsOutput...`, imported by that name.
const shared = stack('Shared', {
  Resources: { Fn: { Type: 'AWS::Lambda::Function' }, Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'greetings' } } },
  Outputs: {
    ExportsOutputFnGetAttFnArn: exported('Shared:ExportsOutputFnGetAttFnArn', { 'Fn::GetAtt': ['Fn', 'Arn'] }),
    ExportsOutputRefTable: exported({ 'Fn::Join': [':', ['Shared', 'ExportsOutputRefTable']] } as any, { Ref: 'Table' }),
    NotExported: { Value: 'x' },
  },
});
const middle = stack('Middle', {
  Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { Tags: [{ Key: 'table', Value: { 'Fn::ImportValue': 'Shared:ExportsOutputRefTable' } }] } } },
  Outputs: { ExportsOutputQueueArn: exported('Middle:ExportsOutputQueueArn', { 'Fn::GetAtt': ['Queue', 'Arn'] }) },
});
const workflow = stack('Workflow', {
  Resources: {
    Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: {
      DefinitionString: '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"${Fn}","Comment":"${Queue}","End":true}}}',
      DefinitionSubstitutions: { Fn: { 'Fn::ImportValue': 'Shared:ExportsOutputFnGetAttFnArn' }, Queue: { 'Fn::ImportValue': 'Middle:ExportsOutputQueueArn' } },
    } },
  },
});

test('a stack that imports nothing is itself', () => {
  expect(withImportedStacks([shared, workflow], shared)).toBe(shared);
});

test("the stacks a stack imports from, and theirs, are merged into it: their resources, their exports, each import resolved in the exporter's terms", () => {
  const merged = withImportedStacks([shared, middle, workflow], workflow);
  expect(merged.name).toBe('Workflow');
  expect(merged.importedStacks?.map((s) => s.name)).toEqual(['Shared', 'Middle']);
  expect(Object.keys(merged.template.Resources).sort()).toEqual(['Fn', 'Machine', 'Queue', 'Table']);
  const resolver = new IntrinsicResolver(merged.template);
  expect(resolver.stateMachineDefinition('Machine').States.A).toEqual({
    Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Fn', Comment: 'arn:aws:sqs:us-east-1:000000000000:Queue', End: true,
  });
  expect(resolver.resolve(merged.template.Resources.Queue.Properties)).toEqual({ Tags: [{ Key: 'table', Value: 'greetings' }] });
  // An output no stack exports is not among what an import can read.
  expect(() => resolver.resolve({ 'Fn::ImportValue': 'NotExported' })).toThrow("cannot resolve Fn::ImportValue 'NotExported'");
});

test('an import no stack exports, an export two stacks give and a logical id two stacks use are refused by name', () => {
  expect(() => withImportedStacks([middle, workflow], middle))
    .toThrow("stack Middle imports 'Shared:ExportsOutputRefTable' (Fn::ImportValue), which no stack of the assembly exports");
  const twice = stack('Twice', { Resources: {}, Outputs: { Out: exported('Shared:ExportsOutputFnGetAttFnArn', 'x') } });
  expect(() => withImportedStacks([shared, twice, middle, workflow], workflow))
    .toThrow("stack Workflow imports 'Shared:ExportsOutputFnGetAttFnArn', which stacks Shared and Twice all export (locally every stack's AWS::StackName is 'local')");
  const sameIds = stack('SameIds', { Resources: { Fn: { Type: 'AWS::Lambda::Function' } }, Outputs: { Out: exported('SameIds:Out', { Ref: 'Fn' }) } });
  const importer = stack('Importer', { Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { Description: { 'Fn::ImportValue': 'SameIds:Out' } } } } });
  expect(() => withImportedStacks([sameIds, importer], importer))
    .toThrow("stacks Importer and SameIds both have a resource 'Fn': the local run names resources by logical id, so it cannot run Importer with the stacks it imports from");
});

test('the CDKMetadata resource the CDK CLI puts in every stack is not merged, so it does not clash', () => {
  const metadata = { CDKMetadata: { Type: 'AWS::CDK::Metadata', Properties: { Analytics: 'v2:deflate64:…' } } };
  const withMetadata = (s: AssemblyStack) => stack(s.name, { ...s.template, Resources: { ...s.template.Resources, ...metadata } });
  const merged = withImportedStacks([withMetadata(shared), withMetadata(middle), withMetadata(workflow)], withMetadata(workflow));
  expect(Object.keys(merged.template.Resources).sort()).toEqual(['CDKMetadata', 'Fn', 'Machine', 'Queue', 'Table']);
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { assemblyStateMachines } from '../../tools/diagram/assembly';
import { main } from '../../tools/cli/sdp';
import { bufferedIo } from '../cli/buffered-io';
import { SHARED_STACK, synthesizeDefinitionsFixture, WORKFLOW_STACK } from '../support/definitions-fixture-app';
import { useLocalRunner } from '../support/use-local-runner';

// An app of two stacks: the workflow stack's state machines invoke a function and write a table of the shared stack
// through CDK's cross-stack references; two of its definitions are files (JSON and YAML) with substitutions.
// CloudFormation takes a definition in S3 as a JSON or YAML file and applies DefinitionSubstitutions to it:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-stepfunctions-statemachine-s3location.html
const assemblyDir = synthesizeDefinitionsFixture();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-definitions-run-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('LocalRunner on the workflow stack', () => {
  const runner = useLocalRunner(() => ({ assemblyDir, stackName: WORKFLOW_STACK }));

  const storedGreeting = async (id: string) => (await runner().dynamodb.client.send(new GetItemCommand({
    TableName: runner().tableName('Greetings'), Key: { id: { S: id } },
  }))).Item;

  test('runs the shared stack it imports from with it', () => {
    expect(runner().stack.importedStacks?.map((s) => s.name)).toEqual([SHARED_STACK]);
    expect(runner().stateMachines()).toHaveLength(3);
  });

  test("a definition from a JSON file asset, substituted: invokes the other stack's function and writes its table", async () => {
    const definition = runner().definitionOf('FromJsonFile');
    expect(definition.States.Greet.Parameters.FunctionName).toBe(runner().resourceArn('AWS::Lambda::Function', 'Greeter'));
    expect(definition.States.Record.Parameters.TableName).toBe(runner().tableName('Greetings'));
    const execution = await runner().execute({ stateMachine: 'FromJsonFile', input: { name: 'ada' } });
    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { name: 'ada', greet: { greeted: { name: 'ada', greeting: 'hello' } } } });
    expect(await storedGreeting('ada')).toEqual({ id: { S: 'ada' }, greeting: { S: 'hello' } });
  });

  test('a definition from a YAML file asset, substituted', async () => {
    const execution = await runner().execute({ stateMachine: 'FromYamlFile', input: { name: 'grace' } });
    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { name: 'grace', greeting: 'hello' } });
  });

  test("a function of the stack whose environment imports the other stack's table writes to it", async () => {
    const execution = await runner().execute({ stateMachine: 'ThroughOwnFunction', input: { index: 7 } });
    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { index: 7 } });
    expect(await storedGreeting('7')).toEqual({ id: { S: '7' } });
  });
});

describe('sdp run', () => {
  test('runs a state machine of the workflow stack; the tables of the shared stack are counted under their own paths', async () => {
    const input = path.join(dir, 'input.json');
    fs.writeFileSync(input, JSON.stringify({ name: 'ada' }));
    const { io, printed } = bufferedIo();
    const code = await main(['run', 'FromJsonFile', '--assembly', assemblyDir, '--stack', WORKFLOW_STACK, '--input', input, '--json'], io);
    expect({ code, stderr: printed.stderr }).toMatchObject({ code: 0 });
    expect(JSON.parse(printed.stdout)).toMatchObject({
      status: 'SUCCEEDED',
      output: { name: 'ada', greet: { greeted: { greeting: 'hello' } } },
      tables: { [`${SHARED_STACK}/Greetings`]: 1 },
    });
  });

  test("every state machine's definition is read before a run, the file assets' and the imports' resolved", () => {
    const machines = assemblyStateMachines(assemblyDir);
    expect(machines.map((m) => m.id)).toEqual(['DefinitionsWorkflow/FromJsonFile', 'DefinitionsWorkflow/FromYamlFile', 'DefinitionsWorkflow/ThroughOwnFunction']);
    expect((machines[1].definition.States.Greet as any).Parameters.Payload).toEqual({ 'greeting': 'hello', 'name.$': '$.name' });
  });
});

test('sdp run refuses a definition in an S3 location that is no asset of the assembly before anything runs, naming both', async () => {
  const elsewhere = fs.mkdtempSync(path.join(dir, 'elsewhere-'));
  const app = new App({ outdir: elsewhere });
  new sfn.CfnStateMachine(new Stack(app, 'Elsewhere'), 'Machine', {
    roleArn: 'arn:aws:iam::000000000000:role/machine',
    definitionS3Location: { bucket: 'my-definitions', key: 'flow.asl.json' },
  });
  app.synth();
  const { io, printed } = bufferedIo();
  expect(await main(['run', '--assembly', elsewhere], io)).toBe(2);
  expect(printed.stderr).toContain('cannot read the definition of Elsewhere/Machine: Machine: DefinitionS3Location s3://my-definitions/flow.asl.json '
    + 'is not a file asset of the assembly');
  expect(printed.stdout).toBe('');
});

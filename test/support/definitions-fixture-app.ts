import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { fixtureApp, fixtureFunction } from './fixture-function';

export const SHARED_STACK = 'DefinitionsShared';
export const WORKFLOW_STACK = 'DefinitionsWorkflow';

const fixture = (...parts: string[]) => path.join(__dirname, '..', 'fixtures', ...parts);

/**
 * An app of two stacks, in the style of the public samples that keep shared resources apart: DefinitionsShared holds a
 * function and a table; DefinitionsWorkflow's state machines use them through CDK's cross-stack references (exports
 * and `Fn::ImportValue`). Two of its definitions are files (`DefinitionBody.fromFile`, JSON and YAML: file assets the
 * template names by `DefinitionS3Location`) with `definitionSubstitutions`; the third invokes a function of its own
 * stack whose environment names the other stack's table. Synthesized into a temporary assembly.
 */
export function synthesizeDefinitionsFixture(): string {
  const { assemblyDir, app } = fixtureApp('definitions');
  const handler = (stack: Stack, id: string, file: string, environment?: Record<string, string>) => fixtureFunction(stack, id, `${file}.ts`, { environment });

  const shared = new Stack(app, SHARED_STACK);
  const greeter = handler(shared, 'Greeter', 'echo');
  const greetings = new dynamodb.Table(shared, 'Greetings', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });

  const workflow = new Stack(app, WORKFLOW_STACK);
  const definitionSubstitutions = { GreeterArn: greeter.functionArn, GreetingsTable: greetings.tableName, Greeting: 'hello' };
  const fromFile = new sfn.StateMachine(workflow, 'FromJsonFile', {
    definitionBody: sfn.DefinitionBody.fromFile(fixture('definitions', 'greet-and-record.asl.json')),
    definitionSubstitutions,
  });
  const fromYaml = new sfn.StateMachine(workflow, 'FromYamlFile', {
    definitionBody: sfn.DefinitionBody.fromFile(fixture('definitions', 'greet.asl.yaml')),
    definitionSubstitutions,
  });
  const recordItem = handler(workflow, 'RecordItem', 'record-item', { TABLE_NAME: greetings.tableName });
  new sfn.StateMachine(workflow, 'ThroughOwnFunction', {
    definitionBody: sfn.DefinitionBody.fromChainable(new tasks.LambdaInvoke(workflow, 'Record', { lambdaFunction: recordItem, payloadResponseOnly: true })),
  });
  for (const machine of [fromFile, fromYaml]) greeter.grantInvoke(machine);
  greetings.grantWriteData(fromFile);
  greetings.grantWriteData(recordItem);
  app.synth();
  return assemblyDir;
}

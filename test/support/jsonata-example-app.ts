import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { createExampleApp } from '../../examples/example-app';
import { stateMachineDefinition } from './definition';
import { assemblyIn, exampleAssembly, ExampleAssembly } from './example-app';
// asl-validator (4: JSONata states and variables) ships CommonJS without types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator: (definition: unknown) => { isValid: boolean; errorsText: (sep?: string) => string } = require('asl-validator');

let jsonataAssemblyDir: string | undefined;

/**
 * The example app with its word-length and fan-out workflows in JSONata, synthesized on first use in a test file
 * into a temporary directory, with cdk-nag and CloudFormation validation as global-setup.ts synthesizes the
 * JSONPath one: any unacknowledged finding throws here.
 */
export function jsonataExampleAssembly(): ExampleAssembly {
  if (jsonataAssemblyDir === undefined) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-jsonata-assembly-'));
    createExampleApp({ outdir, queryLanguage: sfn.QueryLanguage.JSONATA }).synth();
    jsonataAssemblyDir = outdir;
  }
  return assemblyIn(jsonataAssemblyDir);
}

/** The template without its state machines' definitions: every resource and property besides. */
export function withoutDefinitions(template: Template): unknown {
  const json = structuredClone(template.toJSON()) as { Resources: Record<string, any> };
  for (const resource of Object.values(json.Resources)) {
    if (resource.Type === 'AWS::StepFunctions::StateMachine') delete resource.Properties.DefinitionString;
  }
  return json;
}

/** The JSONPath-only fields of a JSONata definition's states, Map item processors included, as `state.Field`: none is expected. */
function jsonPathFields(definition: { States: Record<string, any> }): string[] {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    ...JSONPATH_ONLY_FIELDS.filter((field) => field in state).map((field) => `${name}.${field}`),
    ...(state.ItemProcessor ? jsonPathFields(state.ItemProcessor) : []),
  ]);
}

// https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html: JSONata states take Arguments and Output instead.
const JSONPATH_ONLY_FIELDS = ['InputPath', 'Parameters', 'ResultSelector', 'ResultPath', 'OutputPath', 'ItemsPath', 'ErrorPath', 'CausePath', 'Variable'];

/**
 * The tests every example stack in JSONata passes: it synthesizes with cdk-nag and CloudFormation validation, its
 * template matches the snapshot, differs from the JSONPath one in the definition only (IAM and every other resource
 * the same), and the definition is valid JSONata ASL with QueryLanguage at its top and no JSONPath field.
 */
export function testJsonataExampleStack(stackName: string): void {
  const synth = () => jsonataExampleAssembly().template(stackName);

  test('synthesizes with no unacknowledged cdk-nag finding and no CloudFormation validation error', () => {
    expect(synth).not.toThrow();
  });

  test('the synthesized stack matches the snapshot (asset hashes normalized)', () => {
    expect(synth().toJSON()).toMatchSnapshot();
  });

  test('only the definition differs from the JSONPath stack: the same IAM, functions, tables, logs and alarms', () => {
    expect(withoutDefinitions(synth())).toEqual(withoutDefinitions(exampleAssembly().template(stackName)));
  });

  test('"QueryLanguage": "JSONata" at the top, a valid definition, and no state has a JSONPath field', () => {
    expectJsonataDefinition(stateMachineDefinition(synth()));
  });
}

/** `definition` has `"QueryLanguage": "JSONata"` at its top, passes asl-validator, and none of its states has a JSONPath field. */
export function expectJsonataDefinition(definition: { QueryLanguage?: string; States: Record<string, any> }): void {
  expect(definition.QueryLanguage).toBe('JSONata');
  const validation = aslValidator(definition);
  expect([validation.isValid, validation.errorsText('\n')]).toEqual([true, '']);
  expect(jsonPathFields(definition)).toEqual([]);
}

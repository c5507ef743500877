import { Template } from 'aws-cdk-lib/assertions';
import { stateMachineDefinition } from './definition';
import { assemblyIn, exampleAssembly, ExampleAssembly } from './example-app';
import { aslValidator } from './asl-validator';

/**
 * The example app with its workflows in JSONata, synthesized once per `npm test` run by global-setup.ts beside the
 * JSONPath one, with cdk-nag and CloudFormation validation (any unacknowledged finding fails the run there).
 */
export function jsonataExampleAssembly(): ExampleAssembly {
  const assemblyDir = process.env.SDP_JSONATA_EXAMPLE_ASSEMBLY;
  if (!assemblyDir) throw new Error('SDP_JSONATA_EXAMPLE_ASSEMBLY is not set: run the tests through jest.config.js (npm test)');
  return assemblyIn(assemblyDir);
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

import { createRequire } from 'node:module';
import * as path from 'node:path';
import { compileDefinitionSchemasOnce } from '../../tools/local/definition-schema-check';
import { localStateMachine } from '../../tools/local/interpreter';
import { aslValidator } from '../support/asl-validator';

// The interpreter's copy of asl-validator, and its schema check as the package has it: loaded through jest's registry,
// a copy of its own, which the local run does not replace.
const interpreterFile = require.resolve('aws-local-stepfunctions');
const validatorFile = createRequire(interpreterFile).resolve('asl-validator');
const schemaErrorsFile = path.join(path.dirname(validatorFile), 'checks', 'json-schema-errors.js');
const packageCheck: (definition: unknown, options: object) => unknown[] = require(schemaErrorsFile).jsonSchemaErrors;

/** What asl-validator does before its schema check: each state without a QueryLanguage gets the machine's. */
function withQueryLanguages(definition: any): any {
  const copy = structuredClone(definition);
  const visit = (states: Record<string, any>) => {
    for (const state of Object.values(states)) {
      state.QueryLanguage ??= copy.QueryLanguage ?? 'JSONPath';
      for (const processor of [state.ItemProcessor, state.Iterator, ...state.Branches ?? []]) if (processor) visit(processor.States);
    }
  };
  visit(copy.States ?? {});
  return copy;
}

/** The check the interpreter runs, after the local run replaced it: Node's own module cache, as the interpreter loads it. */
function replacedCheck(): (definition: unknown, options: object) => unknown[] {
  localStateMachine({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } });
  return createRequire(interpreterFile)(schemaErrorsFile).jsonSchemaErrors;
}

const DEFINITIONS: Record<string, unknown> = {
  'a valid JSONPath machine': {
    StartAt: 'Map', States: {
      Map: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'Payload.$': '$' }, End: true } } }, ResultPath: '$.r', Next: 'Done' },
      Done: { Type: 'Succeed' },
    },
  },
  'a valid JSONata machine': {
    QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', Output: '{% $states.input.a + 1 %}', Assign: { x: '{% 1 %}' }, End: true } },
  },
  'a bad JSONPath': { StartAt: 'P', States: { P: { Type: 'Pass', OutputPath: '$..[bad', End: true } } },
  'a bad ARN': { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'not-an-arn', End: true } } },
  'a bad JSONata expression': { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', Output: '{% $states.input.( %}', End: true } } },
  'an unknown state type (a oneOf)': { StartAt: 'X', States: { X: { Type: 'Nope', End: true } } },
  'a missing StartAt': { States: { P: { Type: 'Pass', End: true } } },
};

test.each(Object.entries(DEFINITIONS))('%s: the same errors as asl-validator\'s own check, paths and ARNs checked or not', (name, definition) => {
  const check = replacedCheck();
  expect(check).not.toBe(packageCheck);
  // Each call of the package's check compiles its schemas again (~0.4 s): both sets of options only where they matter.
  const optionSets = /JSONPath$|ARN/.test(name) ? [{ checkPaths: true, checkArn: true }, { checkPaths: false, checkArn: false }] : [{ checkPaths: true, checkArn: true }];
  for (const options of optionSets) {
    const errors = check(withQueryLanguages(definition), options);
    expect(errors).toEqual(packageCheck(withQueryLanguages(definition), options));
    if (name.startsWith('a valid')) expect(errors).toEqual([]);
    else if (options.checkPaths || !/JSONPath|ARN/.test(name)) expect(errors).not.toEqual([]);
  }
});

test('the invalid definitions are refused by the interpreter with asl-validator\'s message', () => {
  replacedCheck();
  expect(() => localStateMachine(structuredClone(DEFINITIONS['a bad ARN']))).toThrow(/State machine definition is invalid[\s\S]*Resource/);
  expect(() => localStateMachine(structuredClone(DEFINITIONS['a missing StartAt']))).toThrow(/StartAt/);
});

test('the tests\' asl-validator (test/support/asl-validator.ts, schemas compiled once too) still refuses what asl-validator refuses', () => {
  for (const [name, definition] of Object.entries(DEFINITIONS)) {
    expect([name, aslValidator(structuredClone(definition)).isValid]).toEqual([name, name.startsWith('a valid')]);
  }
});

test('an asl-validator laid out otherwise keeps its own check, and the local run goes on', () => {
  const elsewhere = Object.assign(() => ({}), { resolve: () => path.join(__dirname, 'no-such-asl-validator', 'index.js') }) as unknown as NodeRequire;
  expect(() => compileDefinitionSchemasOnce(elsewhere)).not.toThrow();
});

import { App, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { createExampleApp, QUERY_LANGUAGE_CONTEXT } from '../../examples/example-app';

// The examples' query language is chosen by a context value, as cdk.json's "context" or `cdk synth -c` give it:
// the App reads the context the CLI (or sdp) passes in CDK_CONTEXT_JSON.

/** The example app built with `context` as the CLI passes it. */
function appWithContext(context: Record<string, unknown>): App {
  const before = process.env.CDK_CONTEXT_JSON;
  process.env.CDK_CONTEXT_JSON = JSON.stringify(context);
  try {
    return createExampleApp();
  } finally {
    if (before === undefined) delete process.env.CDK_CONTEXT_JSON;
    else process.env.CDK_CONTEXT_JSON = before;
  }
}

/** Each state machine of the app by its path, with the query language at the top of its definition. */
function queryLanguages(app: App): Record<string, string> {
  const machines = app.node.findAll().filter((c): c is sfn.StateMachine => c instanceof sfn.StateMachine);
  return Object.fromEntries(machines.map((machine) => {
    const definition = JSON.stringify(Stack.of(machine).resolve((machine.node.defaultChild as sfn.CfnStateMachine).definitionString));
    return [machine.node.path, definition.includes('\\"QueryLanguage\\":\\"JSONata\\"') ? 'JSONata' : 'JSONPath'];
  }));
}

test(`${QUERY_LANGUAGE_CONTEXT} JSONata: the word-length, fan-out and distributed workflows are JSONata`, () => {
  expect(queryLanguages(appWithContext({ [QUERY_LANGUAGE_CONTEXT]: 'JSONata' }))).toEqual({
    'WordLengthExample/WordLength/StateMachine': 'JSONata',
    'FanOutExample/RunJob/StateMachine': 'JSONata',
    'DistributedExample/Job/StateMachine': 'JSONata',
  });
});

test(`any other ${QUERY_LANGUAGE_CONTEXT} fails naming the two it may be`, () => {
  expect(() => appWithContext({ [QUERY_LANGUAGE_CONTEXT]: 'jsonata' }))
    .toThrow("context queryLanguage must be 'JSONPath' or 'JSONata' (got \"jsonata\")");
});

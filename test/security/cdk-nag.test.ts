import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { MapReduceWorkflow, ResultTable } from '../../lib';
import { createExampleApp } from '../../examples/example-app';

const ACKNOWLEDGED = 'aws:cdk:acknowledged-rules';
const lambdas = path.join(__dirname, '..', '..', 'examples', 'handlers');

function nagApp(): App {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return app;
}

test('the constructs with default props pass AwsSolutions and Serverless with no finding left unacknowledged', () => {
  const app = nagApp();
  const stack = new Stack(app, 'Defaults');
  new MapReduceWorkflow(stack, 'Workflow', {
    mapEntry: path.join(lambdas, 'word-length', 'index.ts'),
    reduceEntry: path.join(lambdas, 'sum-lengths', 'index.ts'),
    resultTable: new ResultTable(stack, 'Results'),
  });
  expect(() => app.synth()).not.toThrow();
});

test('the nag packs are live: an unacknowledged finding fails synth and names the rule', () => {
  const app = nagApp();
  new sqs.Queue(new Stack(app, 'Insecure'), 'PlainQueue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
  expect(() => app.synth()).toThrow(/AwsSolutions-SQS4'/);
});

test('every acknowledgement in the example app is on a resource, not a stack, and gives a specific reason', () => {
  // Acknowledgements are recorded when the constructs are built; no synth needed.
  const app = createExampleApp();
  const acknowledgements = app.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === ACKNOWLEDGED)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ construct, id, reason }))));
  expect(acknowledgements.length).toBeGreaterThan(0);
  for (const { construct, id, reason } of acknowledgements) {
    expect({ id, path: construct.node.path, onStack: Stack.isStack(construct) }).toEqual({ id, path: construct.node.path, onStack: false });
    expect(reason.length).toBeGreaterThanOrEqual(60);
  }
  expect(acknowledgements.map((a) => `${a.construct.node.path} ${a.id}`).sort()).toMatchSnapshot();
});

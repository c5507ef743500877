import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ItemSource, MapReduceWorkflow, ResultTable } from '../../lib';
import { standInFunction } from '../support/stand-in-function';

const ACKNOWLEDGED = 'aws:cdk:acknowledged-rules';

/** A stack under AwsSolutions and Serverless with an items bucket that passes them, and a distributed workflow over it. */
function nagStack(itemSource: (bucket: s3.Bucket) => ItemSource, resultsBucket?: (stack: Stack) => s3.IBucket) {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  const stack = new Stack(app, 'Distributed');
  const items = new s3.Bucket(stack, 'Items', { enforceSSL: true });
  Validations.of(items).acknowledge({ id: 'AwsSolutions-S1', reason: 'Test fixture: the items bucket of the user, whose logging is theirs to decide.' });
  const workflow = new MapReduceWorkflow(stack, 'Words', {
    mapFunction: standInFunction(stack, 'Map', { reservedConcurrency: 100 }),
    reduceFunction: standInFunction(stack, 'Reduce'),
    itemSource: itemSource(items),
    resultTable: new ResultTable(stack, 'Results'),
    resultsBucket: resultsBucket?.(stack),
  });
  return { app, workflow };
}

test.each<[string, (bucket: s3.Bucket) => ItemSource]>([
  ['a JSON array file named in the input', (bucket) => ItemSource.jsonArray(bucket)],
  ['a CSV file under a key prefix', (bucket) => ItemSource.csv(bucket, { keyPrefix: 'jobs/' })],
  ['a literal JSON Lines key', (bucket) => ItemSource.jsonLines(bucket, { key: 'jobs/all.jsonl' })],
  ['the objects under a prefix', (bucket) => ItemSource.objects(bucket, { prefix: 'photos/' })],
])('a distributed workflow over %s passes AwsSolutions and Serverless with no finding left unacknowledged', (_, source) => {
  expect(() => nagStack(source).app.synth()).not.toThrow();
});

test('with a results bucket of the user, the same', () => {
  expect(() => nagStack((bucket) => ItemSource.jsonArray(bucket), (stack) => {
    const bucket = new s3.Bucket(stack, 'MyResults', { enforceSSL: true });
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'Test fixture: a results bucket of the user, whose logging is theirs to decide.' });
    return bucket;
  }).app.synth()).not.toThrow();
});

test.each<[string, (bucket: s3.Bucket) => ItemSource]>([
  ['a file named in the input', (bucket) => ItemSource.jsonArray(bucket)],
  ['the objects under a prefix from the input', (bucket) => ItemSource.objects(bucket)],
])('over %s, every acknowledgement is on a resource and names its finding, with a specific reason', (_, source) => {
  const { workflow } = nagStack(source);
  const stack = Stack.of(workflow);
  const acknowledgements = [workflow, stack.node.findChild('Map'), stack.node.findChild('Reduce')].flatMap((scope) => scope.node.findAll()).flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === ACKNOWLEDGED)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ path: construct.node.path, id, reason }))));
  for (const { reason } of acknowledgements) expect(reason.length).toBeGreaterThanOrEqual(60);
  expect(acknowledgements.map(({ path, id }) => `${path} ${id}`).sort()).toMatchSnapshot();
});

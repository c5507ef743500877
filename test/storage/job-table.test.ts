import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { JobTable } from '../../lib';

const build = (props = {}) => {
  const stack = new Stack(new App(), 'Jobs');
  const table = new JobTable(stack, 'Jobs', props);
  const role = (id: string) => new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  return { stack, table, role };
};
const actionsOf = (template: Template, rolePrefix: string) => Object.values<any>(template.findResources('AWS::IAM::Policy', {
  Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${rolePrefix}`) }] },
})).flatMap((p) => p.Properties.PolicyDocument.Statement).flatMap((s: any) => [s.Action].flat()).sort();

test('the job record contract: keys jobId and recordId, on demand, point-in-time recovery, retained, marked sdp:role job-table', () => {
  const { stack } = build();
  const template = Template.fromStack(stack);
  template.hasResource('AWS::DynamoDB::GlobalTable', {
    Metadata: Match.objectLike({ 'sdp:role': 'job-table' }),
    DeletionPolicy: 'Retain',
    Properties: Match.objectLike({
      KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }, { AttributeName: 'recordId', KeyType: 'RANGE' }],
      BillingMode: 'PAY_PER_REQUEST',
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    }),
  });
  // Job records never expire on their own.
  expect(JSON.stringify(template.toJSON())).not.toContain('TimeToLiveSpecification');
});

test('removalPolicy is the table\'s', () => {
  const { stack } = build({ removalPolicy: RemovalPolicy.DESTROY });
  Template.fromStack(stack).hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
});

test('grants: workers PutItem, GetItem (of a chunk record another delivery wrote) and UpdateItem, splitters PutItem and GetItem, readers the read actions', () => {
  const { stack, table, role } = build();
  table.grantRecordOutcomes(role('Worker'));
  table.grantCreateJobs(role('Splitter'));
  table.grantRead(role('Reader'));
  const template = Template.fromStack(stack);
  expect(actionsOf(template, 'Worker')).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
  expect(actionsOf(template, 'Splitter')).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
  expect(actionsOf(template, 'Reader')).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan']));
  expect(actionsOf(template, 'Reader')).not.toContain('dynamodb:PutItem');
});

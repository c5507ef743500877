import { App, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { PropValidationError, ResultTable, ResultTableProps } from '../../lib';
import { expectValidationError } from '../support/validation-error';

function build(props?: ResultTableProps) {
  const stack = new Stack(new App(), 'Test');
  const table = new ResultTable(stack, 'Results', props);
  return { stack, table };
}

function synth(props?: ResultTableProps) {
  const built = build(props);
  return { ...built, template: Template.fromStack(built.stack) };
}

test('defaults: a global table on demand, key executionId (S), TTL expiresAt, PITR on the replica, retained', () => {
  const { template, table } = synth();
  template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
  template.resourceCountIs('AWS::DynamoDB::Table', 0);
  template.hasResource('AWS::DynamoDB::GlobalTable', {
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'executionId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'executionId', AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    },
  });
  expect(template.findResources('AWS::DynamoDB::GlobalTable', { Properties: { TableName: Match.anyValue() } })).toEqual({});
  expect([table.partitionKeyName, table.timeToLiveAttribute]).toEqual(['executionId', 'expiresAt']);
});

test('custom key, TTL attribute, removal policy DESTROY and table name', () => {
  const { template, table } = synth({
    partitionKeyName: 'runId',
    timeToLiveAttribute: 'ttl',
    removalPolicy: RemovalPolicy.DESTROY,
    tableName: 'word-results',
  });
  template.hasResource('AWS::DynamoDB::GlobalTable', {
    DeletionPolicy: 'Delete',
    UpdateReplacePolicy: 'Delete',
    Properties: {
      TableName: 'word-results',
      KeySchema: [{ AttributeName: 'runId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'runId', AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    },
  });
  expect([table.partitionKeyName, table.timeToLiveAttribute]).toEqual(['runId', 'ttl']);
});

test('tableName and tableArn are those of the underlying table', () => {
  const { stack, table } = build();
  const logicalId = stack.getLogicalId(table.table.node.defaultChild as dynamodb.CfnGlobalTable);
  expect(stack.resolve(table.tableName)).toEqual({ Ref: logicalId });
  expect(stack.resolve(table.tableArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'Arn'] });
});

describe('grants: the data actions, on this table only', () => {
  /** The dynamodb actions `grant` gives a new role; every statement must name the table's ARN and nothing else. */
  function actionsGranted(grant: (table: ResultTable, grantee: iam.IGrantable) => iam.Grant): string[] {
    const { stack, table } = build();
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    expect(grant(table, role).success).toBe(true);
    const tableArn = { 'Fn::GetAtt': [stack.getLogicalId(table.table.node.defaultChild as dynamodb.CfnGlobalTable), 'Arn'] };
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }] },
    });
    const statements: any[] = Object.values<any>(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Resource).toEqual(tableArn);
    }
    return [...new Set(statements.flatMap((s) => s.Action))].sort();
  }

  const readActions = ['dynamodb:BatchGetItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'];
  const writeActions = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

  test('grantReadData reads (GetItem, Query, Scan, BatchGetItem, DescribeTable) and writes nothing', () => {
    const actions = actionsGranted((t, g) => t.grantReadData(g));
    expect(actions).toEqual(expect.arrayContaining(readActions));
    for (const action of writeActions) expect(actions).not.toContain(action);
    expect(actions.every((a) => a.startsWith('dynamodb:') && !a.includes('*'))).toBe(true);
  });

  test('grantWriteData writes (PutItem, UpdateItem, DeleteItem, BatchWriteItem) and reads no items', () => {
    const actions = actionsGranted((t, g) => t.grantWriteData(g));
    expect(actions).toEqual(expect.arrayContaining(writeActions));
    for (const action of ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:BatchGetItem']) expect(actions).not.toContain(action);
    expect(actions.every((a) => a.startsWith('dynamodb:') && !a.includes('*'))).toBe(true);
  });

  test('grantReadWriteData gives both', () => {
    const actions = actionsGranted((t, g) => t.grantReadWriteData(g));
    expect(actions).toEqual(expect.arrayContaining([...readActions, ...writeActions]));
    expect(actions.every((a) => a.startsWith('dynamodb:') && !a.includes('*'))).toBe(true);
  });
});

describe('validation: one test per rule, each with the full message', () => {
  function rejection(props: ResultTableProps): PropValidationError {
    return expectValidationError(() => build(props));
  }

  test('tableName must follow DynamoDB naming', () => {
    expect(rejection({ tableName: 'my results' }).message)
      .toBe("ResultTable 'Test/Results': tableName must be 3..255 letters, digits, '_', '.' or '-' (got 'my results')");
  });

  test('partitionKeyName must be 1..255 characters', () => {
    expect(rejection({ partitionKeyName: '' }).message)
      .toBe("ResultTable 'Test/Results': partitionKeyName must be 1..255 characters (got '')");
  });

  test('timeToLiveAttribute must be 1..255 characters', () => {
    const long = 'x'.repeat(256);
    expect(rejection({ timeToLiveAttribute: long }).message)
      .toBe(`ResultTable 'Test/Results': timeToLiveAttribute must be 1..255 characters (got '${long}')`);
  });

  test('timeToLiveAttribute must differ from partitionKeyName', () => {
    expect(rejection({ partitionKeyName: 'id', timeToLiveAttribute: 'id' }).message)
      .toBe("ResultTable 'Test/Results': timeToLiveAttribute must differ from partitionKeyName (both 'id')");
  });

  test('several problems are reported together in one error', () => {
    const error = rejection({ tableName: 'x', partitionKeyName: 'expiresAt' });
    expect(error.message).toBe([
      "ResultTable 'Test/Results': invalid props:",
      " - tableName must be 3..255 letters, digits, '_', '.' or '-' (got 'x')",
      " - timeToLiveAttribute must differ from partitionKeyName (both 'expiresAt')",
    ].join('\n'));
  });

  test('an unresolved tableName is left to CloudFormation', () => {
    expect(() => build({ tableName: Lazy.string({ produce: () => 'results' }) })).not.toThrow();
  });
});

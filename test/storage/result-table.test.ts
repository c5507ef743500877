import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { PropValidationError, ResultTable, ResultTableProps } from '../../lib';

function build(props?: ResultTableProps) {
  const stack = new Stack(new App(), 'Test');
  const table = new ResultTable(stack, 'Results', props);
  return { stack, table, template: () => Template.fromStack(stack) };
}

test('defaults: on demand, PITR, retained, key executionId, TTL expiresAt', () => {
  build().template().hasResource('AWS::DynamoDB::GlobalTable', {
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
});

test('custom key, TTL attribute, removal policy and name', () => {
  const { template, table } = build({ partitionKeyName: 'runId', timeToLiveAttribute: 'ttl', removalPolicy: RemovalPolicy.DESTROY, tableName: 'results' });
  template().hasResource('AWS::DynamoDB::GlobalTable', {
    DeletionPolicy: 'Delete',
    Properties: {
      TableName: 'results',
      KeySchema: [{ AttributeName: 'runId', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    },
  });
  expect([table.partitionKeyName, table.timeToLiveAttribute]).toEqual(['runId', 'ttl']);
});

describe('grants give the data actions on this table only', () => {
  const actionsGranted = (grant: (table: ResultTable, role: iam.IGrantable) => void): string[] => {
    const { stack, table, template } = build();
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    grant(table, role);
    const statements: any[] = Object.values<any>(template().findResources('AWS::IAM::Policy'))[0].Properties.PolicyDocument.Statement;
    for (const statement of statements) {
      expect(JSON.stringify(statement.Resource)).toContain('ResultsTable');
      expect(JSON.stringify(statement.Resource)).not.toContain('"*"');
    }
    return statements.flatMap((s) => s.Action).filter((a: string) => a.startsWith('dynamodb:'));
  };

  test('grantReadData', () => {
    const actions = actionsGranted((t, r) => t.grantReadData(r));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:BatchGetItem']));
    expect(actions).not.toContain('dynamodb:PutItem');
  });

  test('grantWriteData', () => {
    const actions = actionsGranted((t, r) => t.grantWriteData(r));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']));
    expect(actions).not.toContain('dynamodb:GetItem');
  });

  test('grantReadWriteData', () => {
    const actions = actionsGranted((t, r) => t.grantReadWriteData(r));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem']));
  });
});

describe('validation: one test per rule', () => {
  const messageOf = (props: ResultTableProps) => {
    try {
      build(props);
    } catch (error) {
      expect(error).toBeInstanceOf(PropValidationError);
      return (error as Error).message;
    }
    throw new Error('expected a PropValidationError');
  };

  test('partitionKeyName is 1..255 characters', () => {
    expect(messageOf({ partitionKeyName: '' })).toBe("ResultTable 'Results': partitionKeyName must be 1..255 characters (got '')");
  });
  test('timeToLiveAttribute is 1..255 characters', () => {
    expect(messageOf({ timeToLiveAttribute: 'x'.repeat(256) })).toBe(`ResultTable 'Results': timeToLiveAttribute must be 1..255 characters (got '${'x'.repeat(256)}')`);
  });
  test('tableName follows DynamoDB naming', () => {
    expect(messageOf({ tableName: 'my results' })).toBe("ResultTable 'Results': tableName must be 3..255 letters, digits, '_', '.' or '-' (got 'my results')");
  });
  test('the TTL attribute is not the key', () => {
    expect(messageOf({ partitionKeyName: 'id', timeToLiveAttribute: 'id' })).toBe("ResultTable 'Results': timeToLiveAttribute must differ from partitionKeyName (both 'id')");
  });
});

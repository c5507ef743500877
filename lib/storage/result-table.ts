import { RemovalPolicy, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { createOnDemandTable } from '../core/on-demand-table';
import { PropValidator } from '../core/validation';

/** Properties for a {@link ResultTable}. */
export interface ResultTableProps {
  /**
   * Name of the string partition key that results are stored under.
   * Workflows write their execution id (the execution ARN) here.
   * @default 'executionId'
   */
  readonly partitionKeyName?: string;

  /**
   * Name of the numeric attribute (epoch seconds) that DynamoDB's TTL deletes items by.
   * Items without it are kept.
   * @default 'expiresAt'
   */
  readonly timeToLiveAttribute?: string;

  /**
   * What happens to the table, and the results in it, when the stack is deleted.
   * @default RemovalPolicy.RETAIN - results outlive the stack that produced them
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Physical table name.
   * @default - a name CloudFormation generates, so the stack can be deployed more than once per account
   */
  readonly tableName?: string;
}

/**
 * DynamoDB storage for the results of distributed jobs: on-demand capacity,
 * point-in-time recovery, a TTL attribute and retention on stack delete.
 */
export class ResultTable extends Construct {
  /** The underlying table, for anything this construct does not wrap. */
  readonly table: dynamodb.TableV2;
  /** Name of the string partition key. */
  readonly partitionKeyName: string;
  /** Name of the TTL attribute (epoch seconds). */
  readonly timeToLiveAttribute: string;

  constructor(scope: Construct, id: string, props: ResultTableProps = {}) {
    super(scope, id);
    this.partitionKeyName = props.partitionKeyName ?? 'executionId';
    this.timeToLiveAttribute = props.timeToLiveAttribute ?? 'expiresAt';
    validateResultTableProps(this, this.partitionKeyName, this.timeToLiveAttribute, props.tableName);

    this.table = createOnDemandTable(this, 'Table', {
      tableName: props.tableName,
      partitionKeyName: this.partitionKeyName,
      timeToLiveAttribute: this.timeToLiveAttribute,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  get tableName(): string {
    return this.table.tableName;
  }

  get tableArn(): string {
    return this.table.tableArn;
  }

  /** Lets `grantee` read results (GetItem, Query, Scan, BatchGetItem, DescribeTable). */
  grantReadData(grantee: iam.IGrantable): iam.Grant {
    return this.table.grantReadData(grantee);
  }

  /** Lets `grantee` write results (PutItem, UpdateItem, DeleteItem, BatchWriteItem). */
  grantWriteData(grantee: iam.IGrantable): iam.Grant {
    return this.table.grantWriteData(grantee);
  }

  /** Lets `grantee` read and write results. */
  grantReadWriteData(grantee: iam.IGrantable): iam.Grant {
    return this.table.grantReadWriteData(grantee);
  }
}

/** DynamoDB's naming rules: attribute names 1..255 characters, table names 3..255 of [A-Za-z0-9_.-]; key and TTL are different attributes. */
function validateResultTableProps(table: IConstruct, partitionKeyName: string, timeToLiveAttribute: string, tableName?: string): void {
  const v = new PropValidator('ResultTable', table);
  v.check(
    tableName === undefined || Token.isUnresolved(tableName) || /^[A-Za-z0-9_.-]{3,255}$/.test(tableName),
    `tableName must be 3..255 letters, digits, '_', '.' or '-' (got '${tableName}')`,
  );
  v.check(
    partitionKeyName.length >= 1 && partitionKeyName.length <= 255,
    `partitionKeyName must be 1..255 characters (got '${partitionKeyName}')`,
  );
  v.check(
    timeToLiveAttribute.length >= 1 && timeToLiveAttribute.length <= 255,
    `timeToLiveAttribute must be 1..255 characters (got '${timeToLiveAttribute}')`,
  );
  v.check(
    partitionKeyName !== timeToLiveAttribute,
    `timeToLiveAttribute must differ from partitionKeyName (both '${partitionKeyName}')`,
  );
  v.throwIfAny();
}

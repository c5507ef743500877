import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { createOnDemandTable } from '../core/on-demand-table';

/** Properties for an {@link IdempotencyTable}. */
export interface IdempotencyTableProps {
  /**
   * What happens to the table when the stack is deleted. Its records only guard against redelivery, so they need not outlive the stack.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The table Powertools' DynamoDB persistence layer keeps idempotency records
 * in, in the layout it expects by default: string key `id`, TTL attribute
 * `expiration`. On demand, point-in-time recoverable.
 */
export class IdempotencyTable extends Construct {
  /** Key attribute Powertools writes (its default `keyAttr`). */
  static readonly KEY_ATTRIBUTE = 'id';
  /** TTL attribute Powertools writes (its default `expiryAttr`). */
  static readonly EXPIRY_ATTRIBUTE = 'expiration';

  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: IdempotencyTableProps = {}) {
    super(scope, id);
    this.table = createOnDemandTable(this, 'Table', {
      partitionKeyName: IdempotencyTable.KEY_ATTRIBUTE,
      timeToLiveAttribute: IdempotencyTable.EXPIRY_ATTRIBUTE,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
  }

  get tableName(): string {
    return this.table.tableName;
  }

  /** What Powertools needs: GetItem, PutItem, UpdateItem, DeleteItem on this table. */
  grantReadWriteData(grantee: iam.IGrantable): iam.Grant {
    return this.table.grantReadWriteData(grantee);
  }
}

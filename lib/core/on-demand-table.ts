import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/** What distinguishes the library's tables; the rest is the same for all. */
export interface OnDemandTableOptions {
  readonly partitionKeyName: string;
  /** A string sort key, for tables holding several records per partition. */
  readonly sortKeyName?: string;
  /** Omitted for tables whose records must not expire. */
  readonly timeToLiveAttribute?: string;
  readonly removalPolicy: RemovalPolicy;
  readonly tableName?: string;
}

/** A table with a string partition key (and sort key, if named), on-demand capacity, point-in-time recovery and a TTL attribute if named. */
export function createOnDemandTable(scope: Construct, id: string, options: OnDemandTableOptions): dynamodb.TableV2 {
  return new dynamodb.TableV2(scope, id, {
    tableName: options.tableName,
    partitionKey: { name: options.partitionKeyName, type: dynamodb.AttributeType.STRING },
    sortKey: options.sortKeyName === undefined ? undefined : { name: options.sortKeyName, type: dynamodb.AttributeType.STRING },
    billing: dynamodb.Billing.onDemand(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: options.timeToLiveAttribute,
    removalPolicy: options.removalPolicy,
  });
}

import { CfnResource, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { JOB_TABLE_METADATA, JOB_TABLE_PARTITION_KEY, JOB_TABLE_SORT_KEY } from '../../handlers/job-records';
import { createOnDemandTable } from '../core/on-demand-table';

/** Properties for a {@link JobTable}. */
export interface JobTableProps {
  /**
   * What happens to the table, and the accounts of past jobs in it, when the stack is deleted.
   * @default RemovalPolicy.RETAIN - a job's record of what was stored and what failed outlives the stack
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The accounts of fan-out jobs: per job, a job record (`recordId = "job"`: its
 * items and the running counts `stored`, `failed`, `deadLettered`, `completed`),
 * written by the splitter before it publishes, and one chunk record per chunk
 * outcome (`recordId = "chunk#000042"`, with the items that failed and why),
 * written by the workers. The record layout is in the package's './handlers'
 * entry (`JobRecord`, `ChunkRecord`). On demand, point-in-time recoverable.
 *
 * A chunk is counted once, by the first worker that records it: with several
 * consumers receiving the same chunks (no filter policy telling them apart), a
 * job's counts are those of whichever consumer records each chunk first.
 *
 * The table resource carries the metadata `sdp:role: job-table`, by which the
 * local run and `sdp` find it in a template.
 */
export class JobTable extends Construct {
  /** Partition key: the job id. */
  static readonly PARTITION_KEY = JOB_TABLE_PARTITION_KEY;
  /** Sort key: `job` or `chunk#<index, 6 digits>`. */
  static readonly SORT_KEY = JOB_TABLE_SORT_KEY;

  /** The underlying table, for anything this construct does not wrap. */
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: JobTableProps = {}) {
    super(scope, id);
    this.table = createOnDemandTable(this, 'Table', {
      partitionKeyName: JobTable.PARTITION_KEY,
      sortKeyName: JobTable.SORT_KEY,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    (this.table.node.defaultChild as CfnResource).addMetadata(JOB_TABLE_METADATA.key, JOB_TABLE_METADATA.value);
  }

  get tableName(): string {
    return this.table.tableName;
  }

  get tableArn(): string {
    return this.table.tableArn;
  }

  /**
   * What a worker needs to record a chunk's outcome: PutItem of the chunk record,
   * GetItem of it when another delivery's record won, and UpdateItem of the job
   * record's counters (conditional writes, see `ChunkWorker`).
   */
  grantRecordOutcomes(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem');
  }

  /**
   * What a splitter needs to open a job: PutItem of the job record, and GetItem to
   * compare it with an existing one when the same job is split again.
   */
  grantCreateJobs(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, 'dynamodb:PutItem', 'dynamodb:GetItem');
  }

  /** Lets `grantee` read the accounts (GetItem, Query, Scan, BatchGetItem, DescribeTable). */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.table.grantReadData(grantee);
  }
}

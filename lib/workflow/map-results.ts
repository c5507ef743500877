import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/**
 * Where a distributed map writes its results: `<prefix>/<map run id>/manifest.json` and the
 * SUCCEEDED_/FAILED_/PENDING_ result files beside it, one JSON Lines file per batch of results.
 */
export class MapResultsLocation {
  constructor(readonly bucket: s3.IBucket, readonly prefix: string) {}

  /** ARN pattern of every object the map runs write. */
  get objectsArn(): string {
    return this.bucket.arnForObjects(`${this.prefix}/*`);
  }

  /**
   * The ResultWriter of the map: JSON Lines, each child's array of results flattened so each line is one result.
   * The Map's output is then `{ MapRunArn, ResultWriterDetails: { Bucket, Key } }`, Key naming the manifest.
   */
  resultWriter(): sfn.ResultWriterV2 {
    return new PrefixScopedResultWriter(this, {
      bucket: this.bucket,
      prefix: this.prefix,
      writerConfig: new sfn.WriterConfig({ outputType: sfn.OutputType.JSONL, transformation: sfn.Transformation.FLATTEN }),
    });
  }

  /** The state machine's rights to write results (and, for a bucket with a KMS key, to encrypt them). */
  grantWrite(grantee: iam.IGrantable): void {
    this.bucket.encryptionKey?.grantEncryptDecrypt(grantee);
  }

  /**
   * s3:GetObject on the results under the prefix, and nothing else: the manifest names every result
   * file, so a reader lists nothing. bucket.grantRead would add s3:GetBucket* and s3:List* on the bucket.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    this.bucket.encryptionKey?.grantDecrypt(grantee);
    return iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: [this.objectsArn] });
  }
}

/**
 * aws-cdk-lib's ResultWriterV2 grants its writes on every object of the bucket; this one grants the
 * same actions (those AWS lists for a ResultWriter: s3:PutObject, s3:GetObject,
 * s3:ListMultipartUploadParts, s3:AbortMultipartUpload) on the results prefix only.
 */
class PrefixScopedResultWriter extends sfn.ResultWriterV2 {
  constructor(private readonly location: MapResultsLocation, props: sfn.ResultWriterV2Props) {
    super(props);
  }

  override providePolicyStatements(): iam.PolicyStatement[] {
    return [new iam.PolicyStatement({
      actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
      resources: [this.location.objectsArn],
    })];
  }
}

/**
 * A bucket for map results only: SSE-S3 encrypted, SSL only, no public access, results expiring after
 * `expiration` and unfinished multipart uploads after a day. Kept when the stack is deleted (the default
 * of a bucket) and emptied by its lifecycle rules.
 */
export function createResultsBucket(scope: Construct, id: string, expiration: Duration): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ expiration, abortIncompleteMultipartUploadAfter: Duration.days(1) }],
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: `Holds only map-run results, written by the workflow's state machine and read by its reduce function (the only two roles granted), each expiring after ${expiration.toHumanString()}; server access logs would need a second bucket for no reader.`,
  });
  return bucket;
}

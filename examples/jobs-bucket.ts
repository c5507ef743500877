import { Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * The bucket of job files an example reads its items from (the export of the internal system seed 004's job pulls
 * from): SSE-S3, SSL only, no public access, versioned. `readBy` says who reads it and where the reads are recorded,
 * for the one finding acknowledged.
 */
export function createJobsBucket(scope: Construct, readBy: string): s3.Bucket {
  const bucket = new s3.Bucket(scope, 'JobsBucket', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    versioned: true,
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: `The jobs bucket holds job files ${readBy}, so server access logs would add a second bucket and no information.`,
  });
  return bucket;
}

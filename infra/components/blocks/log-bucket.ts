/**
 * A bucket that AWS services deliver logs into (S3 server access logs, load-balancer access
 * logs). Those services write only with SSE-S3, so it is S3-encrypted rather than KMS; it is
 * private, owner-enforced, expires its logs, and admits writers only through `policy`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface LogBucketArgs {
  /** Days a log object is kept. */
  retentionDays: number;
  /** Keep overwritten or deleted logs (30 days) as well: for logs an audit relies on. */
  versioned: boolean;
  /** The bucket policy as JSON, given the bucket's ARN: who may deliver, and where. */
  policy: (bucketArn: pulumi.Output<string>) => pulumi.Input<string>;
  tags?: Record<string, string>;
}

export function logBucket(
  name: string,
  args: LogBucketArgs,
  opts: pulumi.CustomResourceOptions,
): { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy } {
  const bucket = new aws.s3.Bucket(name, { forceDestroy: false, ...(args.tags ? { tags: args.tags } : {}) }, opts);
  const id = bucket.id;
  new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access`,
    { bucket: id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    opts,
  );
  new aws.s3.BucketOwnershipControls(
    `${name}-ownership`,
    { bucket: id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    opts,
  );
  if (args.versioned) {
    new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: id, versioningConfiguration: { status: "Enabled" } },
      opts,
    );
  }
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    { bucket: id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    opts,
  );
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-lifecycle`,
    {
      bucket: id,
      rules: [
        {
          id: "expire",
          status: "Enabled",
          filter: {},
          expiration: { days: args.retentionDays },
          ...(args.versioned ? { noncurrentVersionExpiration: { noncurrentDays: 30 } } : {}),
        },
      ],
    },
    opts,
  );
  const policy = new aws.s3.BucketPolicy(`${name}-policy`, { bucket: id, policy: args.policy(bucket.arn) }, opts);
  return { bucket, policy };
}

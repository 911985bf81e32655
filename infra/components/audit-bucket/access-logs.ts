/**
 * The bucket that receives the audit bucket's server access logs (CIS: the trail bucket logs its
 * own access). S3 delivers these logs as the logging service and only with SSE-S3, so this
 * bucket is S3-encrypted, owner-enforced, private, and admits the logging service for the audit
 * bucket of this account only.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export function accessLogBucketPolicy(p: {
  logBucketArn: string;
  sourceBucketArn: string;
  ownerAccountId: string;
  prefix: string;
}): aws.iam.PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [p.logBucketArn, `${p.logBucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "S3ServerAccessLogs",
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `${p.logBucketArn}/${p.prefix}*`,
        Condition: {
          ArnLike: { "aws:SourceArn": p.sourceBucketArn },
          StringEquals: { "aws:SourceAccount": p.ownerAccountId },
        },
      },
    ],
  };
}

export function accessLogBucket(
  name: string,
  args: { source: aws.s3.Bucket; ownerAccountId: string; prefix: string; retentionDays: number },
  opts: pulumi.CustomResourceOptions,
): aws.s3.Bucket {
  const logs = new aws.s3.Bucket(name, { forceDestroy: false }, opts);
  const bucket = logs.id;
  new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access`,
    { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    opts,
  );
  new aws.s3.BucketOwnershipControls(
    `${name}-ownership`,
    { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
    opts,
  );
  new aws.s3.BucketVersioning(`${name}-versioning`, { bucket, versioningConfiguration: { status: "Enabled" } }, opts);
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    opts,
  );
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-lifecycle`,
    {
      bucket,
      rules: [
        {
          id: "expire",
          status: "Enabled",
          filter: {},
          expiration: { days: args.retentionDays },
          noncurrentVersionExpiration: { noncurrentDays: 30 },
        },
      ],
    },
    opts,
  );
  new aws.s3.BucketPolicy(
    `${name}-policy`,
    {
      bucket,
      policy: pulumi.all([logs.arn, args.source.arn]).apply(([logBucketArn, sourceBucketArn]) =>
        JSON.stringify(
          accessLogBucketPolicy({
            logBucketArn,
            sourceBucketArn,
            ownerAccountId: args.ownerAccountId,
            prefix: args.prefix,
          }),
        ),
      ),
    },
    opts,
  );
  new aws.s3.BucketLogging(
    `${name}-source`,
    { bucket: args.source.id, targetBucket: logs.id, targetPrefix: args.prefix },
    opts,
  );
  return logs;
}

/**
 * A private S3 bucket as the platform keeps every bucket: public access blocked, encrypted at rest,
 * TLS-only, object ownership enforced (no ACLs) and, unless told otherwise, versioned.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface PrivateBucketArgs {
  /** Keep every version of every object (restores after an overwrite or delete). Default: true. */
  versioned?: boolean;
  /** KMS key for SSE-KMS; unset: SSE-S3 (AES256), which needs no key grants for readers. */
  kmsKeyArn?: pulumi.Input<string>;
  /** Days a noncurrent version is kept before it expires; unset: kept until deleted. */
  noncurrentVersionDays?: number;
  /** Let `pulumi destroy` delete a bucket that still holds objects. Default: false. */
  forceDestroy?: boolean;
}

export class PrivateBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;

  constructor(name: string, args: PrivateBucketArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:blocks:PrivateBucket", name, {}, opts);
    const child = { parent: this };
    this.bucket = new aws.s3.Bucket(name, { forceDestroy: args.forceDestroy ?? false }, child);
    const bucket = this.bucket.id;
    new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      child,
    );
    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket,
        rules: [
          {
            applyServerSideEncryptionByDefault:
              args.kmsKeyArn === undefined
                ? { sseAlgorithm: "AES256" }
                : { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn },
            bucketKeyEnabled: args.kmsKeyArn !== undefined,
          },
        ],
      },
      child,
    );
    if (args.versioned ?? true) {
      new aws.s3.BucketVersioning(
        `${name}-versioning`,
        { bucket, versioningConfiguration: { status: "Enabled" } },
        child,
      );
      if (args.noncurrentVersionDays !== undefined) {
        new aws.s3.BucketLifecycleConfiguration(
          `${name}-noncurrent`,
          {
            bucket,
            rules: [
              {
                id: "expire-noncurrent-versions",
                status: "Enabled",
                filter: {},
                noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
              },
            ],
          },
          child,
        );
      }
    }
    new aws.s3.BucketPolicy(
      `${name}-tls-only`,
      {
        bucket,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "DenyInsecureTransport",
              Effect: "Deny",
              Principal: "*",
              Action: "s3:*",
              Resource: [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/*`],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        }),
      },
      child,
    );
    this.registerOutputs({ bucket: this.bucket.bucket, arn: this.bucket.arn });
  }
}

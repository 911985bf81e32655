/**
 * A private S3 bucket as the platform keeps every bucket: public access blocked, encrypted at rest,
 * TLS-only, object ownership enforced (no ACLs) and, unless told otherwise, versioned.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { childOptions, type MovedFrom } from "./moved-from";
import { denyInsecureTransport } from "../../shared/bucket-statements";

/** The block's resources, for `movedFrom.names`. */
export type PrivateBucketPart =
  "bucket" | "publicAccess" | "ownership" | "encryption" | "versioning" | "lifecycle" | "cors" | "policy";

export interface PrivateBucketArgs {
  /** Keep every version of every object (restores after an overwrite or delete). Default: true. */
  versioned?: boolean;
  /** KMS key for SSE-KMS; unset: SSE-S3 (AES256), which needs no key grants for readers. */
  kmsKeyArn?: pulumi.Input<string>;
  /** Days a noncurrent version is kept before it expires; unset: kept until deleted. */
  noncurrentVersionDays?: number;
  /** Let `pulumi destroy` delete a bucket that still holds objects. Default: false. */
  forceDestroy?: boolean;
  /**
   * The caller's own lifecycle rules (expiring working data, say). A bucket has one lifecycle
   * configuration: it holds these and the noncurrent-version rule. Default: none.
   */
  lifecycleRules?: aws.types.input.s3.BucketLifecycleConfigurationRule[];
  /** Browser origins that may call the bucket directly (pre-signed uploads from an app). Default: no CORS. */
  corsRules?: aws.types.input.s3.BucketCorsConfigurationCorsRule[];
  /** Where these resources were before this block built them (aliases to their old URNs). Default: a new bucket. */
  movedFrom?: MovedFrom<PrivateBucketPart>;
}

export class PrivateBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;

  constructor(name: string, args: PrivateBucketArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:blocks:PrivateBucket", name, {}, opts);
    const child = (part: PrivateBucketPart) => childOptions(this, args.movedFrom, part);
    this.bucket = new aws.s3.Bucket(name, { forceDestroy: args.forceDestroy ?? false }, child("bucket"));
    const bucket = this.bucket.id;
    new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      child("publicAccess"),
    );
    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
      child("ownership"),
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
      child("encryption"),
    );
    const versioned = args.versioned ?? true;
    if (versioned) {
      new aws.s3.BucketVersioning(
        `${name}-versioning`,
        { bucket, versioningConfiguration: { status: "Enabled" } },
        child("versioning"),
      );
    }
    const noncurrent: aws.types.input.s3.BucketLifecycleConfigurationRule[] =
      versioned && args.noncurrentVersionDays !== undefined
        ? [
            {
              id: "expire-noncurrent-versions",
              status: "Enabled",
              filter: {},
              noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
            },
          ]
        : [];
    const rules = [...(args.lifecycleRules ?? []), ...noncurrent];
    if (rules.length > 0) {
      // Named for what it held when the noncurrent rule was all the block knew: stacks keep that name.
      const lifecycleName = args.lifecycleRules?.length ? `${name}-lifecycle` : `${name}-noncurrent`;
      new aws.s3.BucketLifecycleConfiguration(lifecycleName, { bucket, rules }, child("lifecycle"));
    }
    if (args.corsRules !== undefined) {
      new aws.s3.BucketCorsConfiguration(`${name}-cors`, { bucket, corsRules: args.corsRules }, child("cors"));
    }
    new aws.s3.BucketPolicy(
      `${name}-tls-only`,
      {
        bucket,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [this.bucket.arn.apply(denyInsecureTransport)],
        }),
      },
      child("policy"),
    );
    this.registerOutputs({ bucket: this.bucket.bucket, arn: this.bucket.arn });
  }
}

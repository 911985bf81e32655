/**
 * The production-account bucket that receives CloudTrail and AWS Config from every member
 * account. Object lock, versioning and a deny-delete policy make it tamper-proof; the KMS key
 * lets the services encrypt while no member-account principal can decrypt or destroy.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accessLogBucket } from "./access-logs";
import { auditBucketPolicy, auditKeyPolicy } from "./policies";
import { PURPOSE, TAG } from "../../shared/conventions";

export interface AuditBucketArgs {
  ownerAccountId: string;
  memberAccountIds: pulumi.Input<string[]>;
  objectLock: { mode: "GOVERNANCE" | "COMPLIANCE"; retentionDays: number };
  /** Days before objects move to Glacier Instant Retrieval. */
  transitionDays: number;
  trailPrefix: string;
  configPrefix: string;
  /** The trail name every member account uses: the bucket and key admit no other trail. */
  trailName: string;
}

export class AuditBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly key: aws.kms.Key;
  /** Receives the audit bucket's server access logs. */
  readonly accessLogs: aws.s3.Bucket;

  constructor(name: string, args: AuditBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:management:AuditBucket", name, {}, opts);
    const child = { parent: this };
    const members = pulumi.output(args.memberAccountIds);

    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: "Encrypts CloudTrail and AWS Config deliveries from member accounts",
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: members.apply((memberAccountIds) => JSON.stringify(auditKeyPolicy({ ...args, memberAccountIds }))),
      },
      { ...child, protect: true },
    );
    new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${name}`, targetKeyId: this.key.keyId }, child);

    this.bucket = new aws.s3.Bucket(
      name,
      { objectLockEnabled: true, forceDestroy: false, tags: { [TAG.purpose]: PURPOSE.audit } },
      { ...child, protect: true },
    );
    const bucket = this.bucket.id;
    new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      child,
    );
    new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket, versioningConfiguration: { status: "Enabled" } },
      child,
    );
    new aws.s3.BucketObjectLockConfiguration(
      `${name}-object-lock`,
      {
        bucket,
        objectLockEnabled: "Enabled",
        rule: { defaultRetention: { mode: args.objectLock.mode, days: args.objectLock.retentionDays } },
      },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.arn },
            bucketKeyEnabled: true,
          },
        ],
      },
      child,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket,
        rules: [
          {
            id: "colder-storage",
            status: "Enabled",
            filter: {},
            transitions: [{ days: args.transitionDays, storageClass: "GLACIER_IR" }],
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      child,
    );
    new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket,
        policy: pulumi
          .all([this.bucket.arn, members])
          .apply(([bucketArn, memberAccountIds]) =>
            JSON.stringify(auditBucketPolicy({ ...args, bucketArn, memberAccountIds })),
          ),
      },
      child,
    );
    this.accessLogs = accessLogBucket(
      `${name}-access-logs`,
      {
        source: this.bucket,
        ownerAccountId: args.ownerAccountId,
        prefix: "audit-bucket/",
        retentionDays: args.objectLock.retentionDays,
      },
      child,
    );
    this.registerOutputs({ bucket: this.bucket.bucket, keyArn: this.key.arn });
  }
}

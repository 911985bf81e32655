/**
 * The production-account buckets that receive CloudTrail (object-locked) and AWS Config (Config
 * does not deliver to object-locked buckets) from every member account. Versioning and a
 * deny-delete policy make both tamper-proof, and they log their access to a third bucket; the KMS
 * key lets the services encrypt while no member-account principal can decrypt or destroy.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accessLogBucket } from "./access-logs";
import { auditBucketPolicy, auditKeyPolicy, configBucketPolicy } from "./policies";
import { PURPOSE, TAG } from "../../../../workloads/shared/conventions";

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
  /** Receives AWS Config deliveries (Config does not deliver to an object-locked bucket). */
  readonly configBucket: aws.s3.Bucket;
  /** Receives the two delivery buckets' server access logs. */
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

    // CloudTrail's bucket is object-locked. Config does not deliver to a bucket with object lock
    // (AWS documents it so), so its deliveries go to a bucket of their own: versioned, and
    // protected by the same deny-delete policy and key.
    this.bucket = this.deliveryBucket(name, args, {
      objectLock: args.objectLock,
      tags: { [TAG.purpose]: PURPOSE.audit },
      policy: (bucketArn, memberAccountIds) => auditBucketPolicy({ ...args, bucketArn, memberAccountIds }),
    });
    this.configBucket = this.deliveryBucket(`${name}-config`, args, {
      tags: {},
      policy: (bucketArn, memberAccountIds) => configBucketPolicy({ ...args, bucketArn, memberAccountIds }),
    });
    this.accessLogs = accessLogBucket(
      `${name}-access-logs`,
      {
        sources: [this.bucket, this.configBucket],
        ownerAccountId: args.ownerAccountId,
        retentionDays: args.objectLock.retentionDays,
      },
      child,
    );
    this.registerOutputs({ bucket: this.bucket.bucket, configBucket: this.configBucket.bucket, keyArn: this.key.arn });
  }

  /** A private, versioned, KMS-encrypted delivery bucket with its policy; object-locked when asked. */
  private deliveryBucket(
    name: string,
    args: AuditBucketArgs,
    p: {
      objectLock?: AuditBucketArgs["objectLock"];
      tags: Record<string, string>;
      policy: (bucketArn: string, memberAccountIds: string[]) => aws.iam.PolicyDocument;
    },
  ): aws.s3.Bucket {
    const child = { parent: this };
    const created = new aws.s3.Bucket(
      name,
      { objectLockEnabled: p.objectLock !== undefined, forceDestroy: false, tags: p.tags },
      { ...child, protect: true },
    );
    const bucket = created.id;
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
    if (p.objectLock)
      new aws.s3.BucketObjectLockConfiguration(
        `${name}-object-lock`,
        {
          bucket,
          objectLockEnabled: "Enabled",
          rule: { defaultRetention: { mode: p.objectLock.mode, days: p.objectLock.retentionDays } },
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
          .all([created.arn, args.memberAccountIds])
          .apply(([bucketArn, memberAccountIds]) => JSON.stringify(p.policy(bucketArn, memberAccountIds))),
      },
      child,
    );
    return created;
  }
}

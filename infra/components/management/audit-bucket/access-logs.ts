/**
 * The bucket that receives the delivery buckets' server access logs (CIS: the trail bucket logs
 * its access). S3 delivers these logs as the logging service and only with SSE-S3, so this
 * bucket is S3-encrypted, owner-enforced, private, and admits the logging service for the
 * delivery buckets of this account only, each under a prefix of its own.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { logBucket } from "../../blocks/log-bucket";
import { denyInsecureTransport } from "../../../shared/bucket-statements";

export function accessLogBucketPolicy(p: {
  logBucketArn: string;
  sourceBucketArns: string[];
  ownerAccountId: string;
}): aws.iam.PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      denyInsecureTransport(p.logBucketArn),
      {
        Sid: "S3ServerAccessLogs",
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `${p.logBucketArn}/*`,
        Condition: {
          ArnLike: { "aws:SourceArn": p.sourceBucketArns },
          StringEquals: { "aws:SourceAccount": p.ownerAccountId },
        },
      },
    ],
  };
}

export function accessLogBucket(
  name: string,
  args: { sources: aws.s3.Bucket[]; ownerAccountId: string; retentionDays: number },
  opts: pulumi.CustomResourceOptions,
): aws.s3.Bucket {
  const { bucket: logs } = logBucket(
    name,
    {
      retentionDays: args.retentionDays,
      versioned: true,
      policy: (arn) =>
        pulumi
          .all([arn, ...args.sources.map((b) => b.arn)])
          .apply(([logBucketArn, ...sourceBucketArns]) =>
            JSON.stringify(
              accessLogBucketPolicy({ logBucketArn, sourceBucketArns, ownerAccountId: args.ownerAccountId }),
            ),
          ),
    },
    opts,
  );
  args.sources.forEach((source, i) => {
    // The first source keeps the name it had when it was the only one.
    new aws.s3.BucketLogging(
      i === 0 ? `${name}-source` : `${name}-source-${i}`,
      { bucket: source.id, targetBucket: logs.id, targetPrefix: pulumi.interpolate`${source.bucket}/` },
      opts,
    );
  });
  return logs;
}

/**
 * Bucket-policy statements every platform bucket carries, written once: the TLS-only deny (the
 * audit, access-log, load-balancer log and private buckets all begin their policy with it).
 */
import type * as aws from "@pulumi/aws";

/** Denies every request to the bucket and its objects that does not come over TLS. */
export function denyInsecureTransport(bucketArn: string): aws.iam.PolicyStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

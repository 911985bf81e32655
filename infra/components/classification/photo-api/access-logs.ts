/**
 * The bucket the photo API's load balancers write their access logs to. Load balancers deliver
 * only with SSE-S3, as Elastic Load Balancing's regional account (regions older than August
 * 2022) or its log-delivery service principal (newer regions), and AWS documents no condition
 * for either: the grant is limited to this bucket's load-balancer prefix instead.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { logBucket } from "../../blocks/log-bucket";
import { TAG } from "../../../../workloads/shared/conventions";
import { ELB_ACCOUNTS, PURPOSE_EXEMPTION } from "../../../shared/elb-accounts";
import { denyInsecureTransport } from "../../../shared/bucket-statements";

export const LB_LOG_PREFIX = "load-balancers";

export function loadBalancerLogPolicy(p: { bucketArn: string; region: string }): aws.iam.PolicyDocument {
  const elbAccount = ELB_ACCOUNTS[p.region];
  return {
    Version: "2012-10-17",
    Statement: [
      denyInsecureTransport(p.bucketArn),
      {
        Sid: "LoadBalancerAccessLogs",
        Effect: "Allow",
        Principal:
          elbAccount !== undefined
            ? { AWS: `arn:aws:iam::${elbAccount}:root` }
            : { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `${p.bucketArn}/${LB_LOG_PREFIX}/*`,
      },
    ],
  };
}

/** The log bucket and its policy; load balancers must depend on the policy (ELB checks it when logging is enabled). */
export function loadBalancerLogBucket(
  name: string,
  args: { region: string; retentionDays: number },
  opts: pulumi.CustomResourceOptions,
): { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy } {
  return logBucket(
    name,
    {
      retentionDays: args.retentionDays,
      versioned: false,
      // AWS documents ELB's regional account grant without conditions: the pack's reviewed exemption
      // `elb-access-log-delivery` accepts exactly that grant on this bucket's policy (policies/exemptions.ts).
      tags: { [TAG.policyExemption]: PURPOSE_EXEMPTION },
      policy: (arn) =>
        arn.apply((bucketArn) => JSON.stringify(loadBalancerLogPolicy({ bucketArn, region: args.region }))),
    },
    opts,
  );
}

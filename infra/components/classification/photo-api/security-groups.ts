/**
 * Who may talk to whom: the public balancer admits CloudFront's origin-facing ranges only, the
 * internal one the GPU workers only, and the tasks only the two balancers.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

export interface ApiSecurityGroups {
  publicLb: aws.ec2.SecurityGroup;
  internalLb: aws.ec2.SecurityGroup;
  tasks: aws.ec2.SecurityGroup;
}

export function apiSecurityGroups(
  name: string,
  args: { vpcId: string; port: number; internalClientSecurityGroupIds: pulumi.Input<string>[] },
  opts: pulumi.CustomResourceOptions,
): ApiSecurityGroups {
  const cloudfront = aws.ec2.getManagedPrefixListOutput(
    { name: "com.amazonaws.global.cloudfront.origin-facing" },
    { parent: opts.parent },
  );
  const publicLb = new aws.ec2.SecurityGroup(
    `${name}-lb`,
    {
      vpcId: args.vpcId,
      description: "Photo API public load balancer: HTTPS from CloudFront only",
      ingress: [
        {
          protocol: "tcp",
          fromPort: 443,
          toPort: 443,
          prefixListIds: [cloudfront.id],
          description: "CloudFront origin-facing",
        },
      ],
    },
    opts,
  );
  const internalLb = new aws.ec2.SecurityGroup(
    `${name}-internal-lb`,
    {
      vpcId: args.vpcId,
      description: "Photo API internal load balancer: HTTPS from the GPU workers only",
      ingress: [
        {
          protocol: "tcp",
          fromPort: 443,
          toPort: 443,
          securityGroups: args.internalClientSecurityGroupIds,
          description: "GPU workers",
        },
      ],
    },
    opts,
  );
  const tasks = new aws.ec2.SecurityGroup(
    `${name}-tasks`,
    {
      vpcId: args.vpcId,
      description: "Photo API tasks: only from its load balancers",
      ingress: [
        {
          protocol: "tcp",
          fromPort: args.port,
          toPort: args.port,
          securityGroups: [publicLb.id, internalLb.id],
          description: "load balancers",
        },
      ],
      egress: [
        { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "HTTPS to AWS APIs" },
      ],
    },
    opts,
  );
  return { publicLb, internalLb, tasks };
}

/**
 * The two HTTPS balancers in front of the tasks: the public one (which answers 404 on the
 * workers' `/internal/` paths, so the result endpoint is not reachable from the internet) and
 * the internal one, which a private zone for the API's domain points the workers at, so they use
 * the same name and certificate and their traffic never leaves the VPC.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { LB_LOG_PREFIX, loadBalancerLogBucket } from "./access-logs";
import type { ApiSecurityGroups } from "./security-groups";

export interface Balancer {
  lb: aws.lb.LoadBalancer;
  targets: aws.lb.TargetGroup;
  listener: aws.lb.Listener;
}

export interface ApiLoadBalancers {
  external: Balancer;
  internal: Balancer;
  /** Access logs of both balancers. */
  accessLogs: aws.s3.Bucket;
}

export interface ApiLoadBalancersArgs {
  vpcId: string;
  publicSubnetIds: string[];
  privateSubnetIds: string[];
  domainName: string;
  certificateArn: string;
  /** The tasks' port, where the balancers forward and health-check. */
  port: number;
  groups: ApiSecurityGroups;
  region: string;
  logRetentionDays: number;
}

export function apiLoadBalancers(
  name: string,
  args: ApiLoadBalancersArgs,
  opts: pulumi.CustomResourceOptions,
): ApiLoadBalancers {
  const lbLogs = loadBalancerLogBucket(
    `${name}-lb-logs`,
    { region: args.region, retentionDays: args.logRetentionDays },
    opts,
  );
  const balancer = (suffix: string, group: aws.ec2.SecurityGroup, internal: boolean, subnets: string[]): Balancer => {
    new aws.vpc.SecurityGroupEgressRule(
      `${name}${suffix}-lb-to-tasks`,
      {
        securityGroupId: group.id,
        ipProtocol: "tcp",
        fromPort: args.port,
        toPort: args.port,
        referencedSecurityGroupId: args.groups.tasks.id,
      },
      opts,
    );
    const lb = new aws.lb.LoadBalancer(
      `${name}${suffix}`,
      {
        loadBalancerType: "application",
        internal,
        subnets,
        securityGroups: [group.id],
        dropInvalidHeaderFields: true,
        enableDeletionProtection: true,
        accessLogs: {
          bucket: lbLogs.bucket.id,
          prefix: `${LB_LOG_PREFIX}/${internal ? "internal" : "public"}`,
          enabled: true,
        },
      },
      { ...opts, dependsOn: [lbLogs.policy] },
    );
    const targets = new aws.lb.TargetGroup(
      `${name}${suffix}`,
      {
        vpcId: args.vpcId,
        port: args.port,
        protocol: "HTTP",
        targetType: "ip",
        // The API's /healthz turns 503 once it drains, so the balancer stops sending it requests.
        healthCheck: { path: "/healthz", matcher: "200" },
        deregistrationDelay: 30,
      },
      opts,
    );
    const listener = new aws.lb.Listener(
      `${name}${suffix}-https`,
      {
        loadBalancerArn: lb.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificateArn: args.certificateArn,
        defaultActions: [{ type: "forward", targetGroupArn: targets.arn }],
      },
      opts,
    );
    return { lb, targets, listener };
  };
  const external = balancer("", args.groups.publicLb, false, args.publicSubnetIds);
  const internal = balancer("-internal", args.groups.internalLb, true, args.privateSubnetIds);
  new aws.lb.ListenerRule(
    `${name}-no-internal`,
    {
      listenerArn: external.listener.arn,
      priority: 10,
      conditions: [{ pathPattern: { values: ["/internal/*", "/internal"] } }],
      actions: [
        {
          type: "fixed-response",
          fixedResponse: { contentType: "application/json", statusCode: "404", messageBody: '{"error":"not found"}' },
        },
      ],
    },
    opts,
  );
  const zone = new aws.route53.Zone(
    `${name}-private`,
    { name: args.domainName, comment: "Photo API for callers inside the VPC", vpcs: [{ vpcId: args.vpcId }] },
    opts,
  );
  new aws.route53.Record(
    `${name}-private`,
    {
      zoneId: zone.zoneId,
      name: args.domainName,
      type: "A",
      aliases: [{ name: internal.lb.dnsName, zoneId: internal.lb.zoneId, evaluateTargetHealth: true }],
    },
    opts,
  );
  return { external, internal, accessLogs: lbLogs.bucket };
}

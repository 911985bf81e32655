/**
 * The photo API on Fargate: it signs upload URLs for the upload prefix and keeps verdicts in
 * its DynamoDB table, and may do nothing else. Two HTTPS load balancers front it:
 * - a public one that admits only CloudFront's origin-facing ranges and answers 404 on the
 *   workers' `/internal/` paths, so the result endpoint is not reachable from the internet;
 * - an internal one in the private subnets that admits only the GPU workers. A private hosted
 *   zone for the API's domain in the VPC points the workers at it, so they use the same name and
 *   certificate and their traffic never leaves the VPC (through a NAT the public balancer would
 *   see the NAT's address, not the workers' security group).
 */
import * as pulumi from "@pulumi/pulumi";
import type * as aws from "@pulumi/aws";
import type { BucketHandle } from "../../blocks/handles";
import { apiLoadBalancers } from "./load-balancers";
import { apiSecurityGroups } from "./security-groups";
import { apiStore } from "./store";
import { apiTaskService } from "./task-service";

export { apiTaskPolicy } from "./task-service";

export interface PhotoApiArgs {
  vpcId: string;
  privateSubnetIds: string[];
  publicSubnetIds: string[];
  /** The API's domain; inside the VPC it resolves to the internal load balancer. */
  domainName: string;
  /** ACM certificate for the API's domain. */
  certificateArn: string;
  /** Security groups of clients inside the VPC that call the API (the GPU workers). */
  internalClientSecurityGroupIds: pulumi.Input<string>[];
  image: string;
  cpu: number;
  memoryMiB: number;
  desiredCount: number;
  /** The bucket and prefix the API may sign uploads under (its task role allows nothing else). */
  uploads: { bucket: BucketHandle; prefix: string };
  /**
   * The container's environment, from the API service's own environmentFor, given what only
   * this component knows: the table it creates and the port it serves on. The worker token is
   * injected as a secret (WORKER_TOKEN) from the secret this component creates.
   */
  environment: (own: { tableName: string; port: number }) => pulumi.Input<Record<string, string>>;
  logRetentionDays: number;
  region: string;
}

const PORT = 8080;

/**
 * One file per piece (pulumi-eks `nodes/` style): the table and token (store.ts), the security
 * groups (security-groups.ts), the balancers and private zone (load-balancers.ts), the Fargate
 * service (task-service.ts). Every resource keeps this component as its parent and its name, so
 * the split moves nothing in a deployed stack.
 */
export class PhotoApi extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  readonly tokenSecret: aws.secretsmanager.Secret;
  readonly loadBalancer: aws.lb.LoadBalancer;
  readonly internalLoadBalancer: aws.lb.LoadBalancer;
  /** Access logs of both load balancers. */
  readonly accessLogs: aws.s3.Bucket;
  readonly service: aws.ecs.Service;

  constructor(name: string, args: PhotoApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:classification:PhotoApi", name, {}, opts);
    const child = { parent: this };
    const store = apiStore(name, child);
    this.table = store.table;
    this.tokenSecret = store.tokenSecret;
    const groups = apiSecurityGroups(
      name,
      { vpcId: args.vpcId, port: PORT, internalClientSecurityGroupIds: args.internalClientSecurityGroupIds },
      child,
    );
    const balancers = apiLoadBalancers(
      name,
      {
        vpcId: args.vpcId,
        publicSubnetIds: args.publicSubnetIds,
        privateSubnetIds: args.privateSubnetIds,
        domainName: args.domainName,
        certificateArn: args.certificateArn,
        port: PORT,
        groups,
        region: args.region,
        logRetentionDays: args.logRetentionDays,
      },
      child,
    );
    this.loadBalancer = balancers.external.lb;
    this.internalLoadBalancer = balancers.internal.lb;
    this.accessLogs = balancers.accessLogs;
    this.service = apiTaskService(
      name,
      {
        image: args.image,
        cpu: args.cpu,
        memoryMiB: args.memoryMiB,
        desiredCount: args.desiredCount,
        port: PORT,
        environment: store.table.name.apply((tableName) => pulumi.output(args.environment({ tableName, port: PORT }))),
        uploads: args.uploads,
        store,
        subnetIds: args.privateSubnetIds,
        securityGroup: groups.tasks,
        balancers: [balancers.external, balancers.internal],
        logRetentionDays: args.logRetentionDays,
        region: args.region,
      },
      child,
    );
    this.registerOutputs({ tableName: this.table.name, dnsName: this.loadBalancer.dnsName });
  }
}

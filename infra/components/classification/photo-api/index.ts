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
import { randomBytes } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { APP_USER, executionRole, taskRole } from "../../blocks/ecs-task-roles";
import { LB_LOG_PREFIX, loadBalancerLogBucket } from "./access-logs";

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
  uploadBucketArn: pulumi.Input<string>;
  /** The prefix the API may sign uploads under (its task role allows nothing else). */
  uploadPrefix: string;
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

export function apiTaskPolicy(p: {
  uploadBucketArn: string;
  uploadPrefix: string;
  tableArn: string;
}): aws.iam.PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      // A pre-signed PUT carries the signer's permissions: this is what phones get to do.
      {
        Sid: "SignUploads",
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: `${p.uploadBucketArn}/${p.uploadPrefix}*`,
      },
      {
        Sid: "Verdicts",
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        Resource: p.tableArn,
      },
    ],
  };
}

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

    this.table = new aws.dynamodb.Table(
      `${name}-photos`,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: "photoId",
        attributes: [{ name: "photoId", type: "S" }],
        serverSideEncryption: { enabled: true },
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: true,
      },
      child,
    );
    // The worker→API token. Generated once; rotate by writing a new version out of band.
    this.tokenSecret = new aws.secretsmanager.Secret(
      `${name}-worker-token`,
      { description: "Bearer token the GPU workers use on the internal result endpoint" },
      child,
    );
    new aws.secretsmanager.SecretVersion(
      `${name}-worker-token`,
      { secretId: this.tokenSecret.id, secretString: pulumi.secret(randomBytes(32).toString("base64url")) },
      { ...child, ignoreChanges: ["secretString"] },
    );

    const cloudfront = aws.ec2.getManagedPrefixListOutput(
      { name: "com.amazonaws.global.cloudfront.origin-facing" },
      { parent: this },
    );
    const lbGroup = new aws.ec2.SecurityGroup(
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
      child,
    );
    const internalLbGroup = new aws.ec2.SecurityGroup(
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
      child,
    );
    const taskGroup = new aws.ec2.SecurityGroup(
      `${name}-tasks`,
      {
        vpcId: args.vpcId,
        description: "Photo API tasks: only from its load balancers",
        ingress: [
          {
            protocol: "tcp",
            fromPort: PORT,
            toPort: PORT,
            securityGroups: [lbGroup.id, internalLbGroup.id],
            description: "load balancers",
          },
        ],
        egress: [
          { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "HTTPS to AWS APIs" },
        ],
      },
      child,
    );
    const lbLogs = loadBalancerLogBucket(
      `${name}-lb-logs`,
      { region: args.region, retentionDays: args.logRetentionDays },
      child,
    );
    this.accessLogs = lbLogs.bucket;
    const balancer = (suffix: string, group: aws.ec2.SecurityGroup, internal: boolean, subnets: string[]) => {
      new aws.vpc.SecurityGroupEgressRule(
        `${name}${suffix}-lb-to-tasks`,
        {
          securityGroupId: group.id,
          ipProtocol: "tcp",
          fromPort: PORT,
          toPort: PORT,
          referencedSecurityGroupId: taskGroup.id,
        },
        child,
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
        { ...child, dependsOn: [lbLogs.policy] },
      );
      const targets = new aws.lb.TargetGroup(
        `${name}${suffix}`,
        {
          vpcId: args.vpcId,
          port: PORT,
          protocol: "HTTP",
          targetType: "ip",
          healthCheck: { path: "/healthz", matcher: "200" },
          deregistrationDelay: 30,
        },
        child,
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
        child,
      );
      return { lb, targets, listener };
    };
    const external = balancer("", lbGroup, false, args.publicSubnetIds);
    const internal = balancer("-internal", internalLbGroup, true, args.privateSubnetIds);
    this.loadBalancer = external.lb;
    this.internalLoadBalancer = internal.lb;
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
      child,
    );
    const zone = new aws.route53.Zone(
      `${name}-private`,
      { name: args.domainName, comment: "Photo API for callers inside the VPC", vpcs: [{ vpcId: args.vpcId }] },
      child,
    );
    new aws.route53.Record(
      `${name}-private`,
      {
        zoneId: zone.zoneId,
        name: args.domainName,
        type: "A",
        aliases: [{ name: internal.lb.dnsName, zoneId: internal.lb.zoneId, evaluateTargetHealth: true }],
      },
      child,
    );

    const logs = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: args.logRetentionDays }, child);
    const role = taskRole(
      name,
      pulumi
        .all([args.uploadBucketArn, this.table.arn])
        .apply(([uploadBucketArn, tableArn]) =>
          JSON.stringify(apiTaskPolicy({ uploadBucketArn, uploadPrefix: args.uploadPrefix, tableArn })),
        ),
      child,
    );
    const execution = executionRole(name, [this.tokenSecret.arn], child);
    const taskDefinition = new aws.ecs.TaskDefinition(
      name,
      {
        family: name,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: String(args.cpu),
        memory: String(args.memoryMiB),
        taskRoleArn: role.arn,
        executionRoleArn: execution.arn,
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
        containerDefinitions: pulumi
          .all([
            this.table.name.apply((tableName) => args.environment({ tableName, port: PORT })),
            this.tokenSecret.arn,
            logs.name,
          ])
          .apply(([environment, tokenArn, logGroup]) =>
            JSON.stringify([
              {
                name: "api",
                image: args.image,
                essential: true,
                user: APP_USER,
                privileged: false,
                readonlyRootFilesystem: true,
                linuxParameters: { capabilities: { drop: ["ALL"] } },
                portMappings: [{ containerPort: PORT, protocol: "tcp" }],
                environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
                secrets: [{ name: "WORKER_TOKEN", valueFrom: tokenArn }],
                logConfiguration: {
                  logDriver: "awslogs",
                  options: { "awslogs-group": logGroup, "awslogs-region": args.region, "awslogs-stream-prefix": "api" },
                },
              },
            ]),
          ),
      },
      child,
    );
    this.service = new aws.ecs.Service(
      name,
      {
        launchType: "FARGATE",
        cluster: pulumi.output(
          new aws.ecs.Cluster(`${name}-cluster`, { settings: [{ name: "containerInsights", value: "enabled" }] }, child)
            .arn,
        ),
        taskDefinition: taskDefinition.arn,
        desiredCount: args.desiredCount,
        networkConfiguration: { subnets: args.privateSubnetIds, securityGroups: [taskGroup.id], assignPublicIp: false },
        loadBalancers: [external.targets, internal.targets].map((t) => ({
          targetGroupArn: t.arn,
          containerName: "api",
          containerPort: PORT,
        })),
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
      child,
    );
    this.registerOutputs({ tableName: this.table.name, dnsName: this.loadBalancer.dnsName });
  }
}

/**
 * The photo API on Fargate behind an HTTPS load balancer: it signs upload URLs for the upload
 * prefix and keeps verdicts in its DynamoDB table, and may do nothing else. The load balancer
 * admits only CloudFront's origin-facing ranges and the GPU workers, never 0.0.0.0/0.
 */
import { randomBytes } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { APP_USER, executionRole, taskRole } from "../classifier-service";

export interface PhotoApiArgs {
  vpcId: string;
  privateSubnetIds: string[];
  publicSubnetIds: string[];
  /** ACM certificate for the API's domain. */
  certificateArn: string;
  /** Security groups of clients inside the VPC that call the API (the GPU workers). */
  internalClientSecurityGroupIds: pulumi.Input<string>[];
  image: string;
  cpu: number;
  memoryMiB: number;
  desiredCount: number;
  uploadBucketArn: pulumi.Input<string>;
  uploadBucketName: pulumi.Input<string>;
  uploadPrefix: string;
  maxUploadBytes: number;
  uploadUrlExpirySeconds: number;
  logRetentionDays: number;
  region: string;
}

const PORT = 8080;

export function apiTaskPolicy(p: { uploadBucketArn: string; uploadPrefix: string; tableArn: string }): aws.iam.PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      // A pre-signed PUT carries the signer's permissions: this is what phones get to do.
      { Sid: "SignUploads", Effect: "Allow", Action: "s3:PutObject", Resource: `${p.uploadBucketArn}/${p.uploadPrefix}*` },
      { Sid: "Verdicts", Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], Resource: p.tableArn },
    ],
  };
}

export class PhotoApi extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  readonly tokenSecret: aws.secretsmanager.Secret;
  readonly loadBalancer: aws.lb.LoadBalancer;
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
    this.tokenSecret = new aws.secretsmanager.Secret(`${name}-worker-token`, { description: "Bearer token the GPU workers use on the internal result endpoint" }, child);
    new aws.secretsmanager.SecretVersion(
      `${name}-worker-token`,
      { secretId: this.tokenSecret.id, secretString: pulumi.secret(randomBytes(32).toString("base64url")) },
      { ...child, ignoreChanges: ["secretString"] },
    );

    const cloudfront = aws.ec2.getManagedPrefixListOutput({ name: "com.amazonaws.global.cloudfront.origin-facing" }, { parent: this });
    const lbGroup = new aws.ec2.SecurityGroup(
      `${name}-lb`,
      {
        vpcId: args.vpcId,
        description: "Photo API load balancer: HTTPS from CloudFront and the GPU workers",
        ingress: [
          { protocol: "tcp", fromPort: 443, toPort: 443, prefixListIds: [cloudfront.id], description: "CloudFront origin-facing" },
          { protocol: "tcp", fromPort: 443, toPort: 443, securityGroups: args.internalClientSecurityGroupIds, description: "GPU workers" },
        ],
      },
      child,
    );
    const taskGroup = new aws.ec2.SecurityGroup(
      `${name}-tasks`,
      {
        vpcId: args.vpcId,
        description: "Photo API tasks: only from the load balancer",
        ingress: [{ protocol: "tcp", fromPort: PORT, toPort: PORT, securityGroups: [lbGroup.id], description: "load balancer" }],
        egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "HTTPS to AWS APIs" }],
      },
      child,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-lb-to-tasks`,
      { securityGroupId: lbGroup.id, ipProtocol: "tcp", fromPort: PORT, toPort: PORT, referencedSecurityGroupId: taskGroup.id },
      child,
    );
    this.loadBalancer = new aws.lb.LoadBalancer(
      name,
      { loadBalancerType: "application", subnets: args.publicSubnetIds, securityGroups: [lbGroup.id], dropInvalidHeaderFields: true },
      child,
    );
    const targets = new aws.lb.TargetGroup(
      name,
      { vpcId: args.vpcId, port: PORT, protocol: "HTTP", targetType: "ip", healthCheck: { path: "/healthz", matcher: "200" }, deregistrationDelay: 30 },
      child,
    );
    new aws.lb.Listener(
      `${name}-https`,
      {
        loadBalancerArn: this.loadBalancer.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificateArn: args.certificateArn,
        defaultActions: [{ type: "forward", targetGroupArn: targets.arn }],
      },
      child,
    );

    const logs = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: args.logRetentionDays }, child);
    const role = taskRole(
      name,
      pulumi
        .all([args.uploadBucketArn, this.table.arn])
        .apply(([uploadBucketArn, tableArn]) => JSON.stringify(apiTaskPolicy({ uploadBucketArn, uploadPrefix: args.uploadPrefix, tableArn }))),
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
        containerDefinitions: pulumi.all([args.uploadBucketName, this.table.name, this.tokenSecret.arn, logs.name]).apply(([bucket, table, tokenArn, logGroup]) =>
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
              environment: [
                { name: "PORT", value: String(PORT) },
                { name: "TABLE_NAME", value: table },
                { name: "UPLOAD_BUCKET", value: bucket },
                { name: "UPLOAD_PREFIX", value: args.uploadPrefix },
                { name: "MAX_UPLOAD_BYTES", value: String(args.maxUploadBytes) },
                { name: "UPLOAD_URL_EXPIRY_SECONDS", value: String(args.uploadUrlExpirySeconds) },
              ],
              secrets: [{ name: "WORKER_TOKEN", valueFrom: tokenArn }],
              logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": logGroup, "awslogs-region": args.region, "awslogs-stream-prefix": "api" } },
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
        cluster: pulumi.output(new aws.ecs.Cluster(`${name}-cluster`, { settings: [{ name: "containerInsights", value: "enabled" }] }, child).arn),
        taskDefinition: taskDefinition.arn,
        desiredCount: args.desiredCount,
        networkConfiguration: { subnets: args.privateSubnetIds, securityGroups: [taskGroup.id], assignPublicIp: false },
        loadBalancers: [{ targetGroupArn: targets.arn, containerName: "api", containerPort: PORT }],
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
      child,
    );
    this.registerOutputs({ tableName: this.table.name, dnsName: this.loadBalancer.dnsName });
  }
}

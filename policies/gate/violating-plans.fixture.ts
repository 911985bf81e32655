/**
 * One small violating plan per class of risk the pack must catch, built with the test helpers:
 * `violating-plans.test.ts` writes them as `<stack>.json` files and runs `npm run policy` over
 * them (exit 1, each stack's policies named), and evaluates each alone (exactly its policies fire,
 * mandatory). A class the pack stops catching fails that test by name.
 */
import { K8S, TAG } from "../../workloads/shared/conventions";
import { bucketGuards, iamRole, k8sContainer, mfaTrust } from "../rules/compliant.testing";
import type { PlanResource } from "./plan-files";
import { doc, provider, res } from "./testing";

export interface ViolatingPlan {
  /** Stack name: the class of risk and the one thing wrong. */
  stack: string;
  resources: PlanResource[];
  /** Mandatory policies that must fire, and no other. */
  policies: string[];
}

const FOREIGN = "arn:aws:iam::999999999999:root";
const SOURCE = "iam-service-trust-source-condition";
const CREDS = "iam-no-user-long-lived-credentials";
const budget = (stack: string) =>
  res(
    "aws:budgets/budget:Budget",
    "b",
    { budgetType: "COST", limitAmount: "10", limitUnit: "USD", timeUnit: "MONTHLY" },
    { stack },
  );

type Make = (stack: string) => PlanResource[];

const role =
  (inputs: Record<string, unknown>): Make =>
  (stack) => [iamRole("r", inputs, { stack })];
const inline = (policy: string): Make => role({ inlinePolicies: [{ name: "p", policy }] });
const one =
  (type: string, inputs: Record<string, unknown>): Make =>
  (stack) => [res(type, "x", inputs, { stack })];
const trust = (statement: object): Make =>
  role({ assumeRolePolicy: doc({ Effect: "Allow", Action: "sts:AssumeRole", ...statement }) });
const grant = (Principal: unknown) => doc({ Effect: "Allow", Principal, Action: "*", Resource: "*" });

const workload =
  (
    type: string,
    pod: Record<string, unknown>,
    wrap: (spec: object) => object = (spec) => ({ template: { spec } }),
  ): Make =>
  (stack) => [
    res(
      type,
      "w",
      { metadata: { namespace: "apps" }, spec: wrap({ containers: [k8sContainer()], ...pod }) },
      { stack },
    ),
  ];
const ecsTask = (inputs: Record<string, unknown>, container: Record<string, unknown> = {}): Make =>
  one("aws:ecs/taskDefinition:TaskDefinition", {
    family: "t",
    networkMode: "awsvpc",
    containerDefinitions: JSON.stringify([{ name: "c", image: "c:1", user: "10001", ...container }]),
    ...inputs,
  });
const trail =
  (inputs: Record<string, unknown>): Make =>
  (stack) => [
    res(
      "aws:cloudtrail/trail:Trail",
      "t",
      { isMultiRegionTrail: true, enableLogFileValidation: true, kmsKeyId: "arn:aws:kms:us-east-1:1:key/k", ...inputs },
      { stack },
    ),
    budget(stack),
  ];

const table: [string, Make, string[]][] = [
  // IAM meaning
  [
    "iam-notaction-allow",
    inline(doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" })),
    ["iam-no-effective-admin"],
  ],
  ["iam-star-of-iam", inline(doc({ Effect: "Allow", Action: "iam:*", Resource: "*" })), ["iam-no-effective-admin"]],
  [
    "iam-passrole-star",
    inline(doc({ Effect: "Allow", Action: "iam:PassRole", Resource: "*" })),
    ["iam-no-effective-admin"],
  ],
  [
    "iam-forged-research-admin",
    (stack) => [
      res(
        "aws:iam/role:Role",
        "research-admin",
        {
          name: "research-admin",
          assumeRolePolicy: mfaTrust(),
          tags: { [TAG.policyExemption]: "research-admin" },
          inlinePolicies: [{ name: "all", policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) }],
        },
        { stack, components: ["ml-platform:classification:PhotoApi"] },
      ),
    ],
    ["iam-no-effective-admin", "policy-exemption-claims"],
  ],
  [
    "iam-misspelt-action",
    inline(doc({ Effect: "Allow", Action: "s3:GetObjekt", Resource: "arn:aws:s3:::d/*" })),
    ["iam-actions-known"],
  ],
  [
    "trust-null-mfa",
    trust({ Principal: { AWS: FOREIGN }, Condition: { Null: { "aws:MultiFactorAuthPresent": "true" } } }),
    ["iam-trust-policy-conditions"],
  ],
  ["trust-principal-star", trust({ Principal: "*" }), ["iam-trust-policy-conditions"]],
  [
    "trust-oidc-without-sub",
    role({
      assumeRolePolicy: doc({
        Effect: "Allow",
        Principal: { Federated: "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com" },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } },
      }),
    }),
    ["iam-trust-policy-conditions"],
  ],
  // Service trust: the confused-deputy guard, and the reviewed list not stretched to another service
  ["trust-lambda-without-source", trust({ Principal: { Service: "lambda.amazonaws.com" } }), [SOURCE]],
  [
    "trust-ecs-and-ec2-without-source",
    trust({ Principal: { Service: ["ec2.amazonaws.com", "ecs-tasks.amazonaws.com"] } }),
    [SOURCE],
  ],
  [
    "trust-config-source-if-exists",
    trust({
      Principal: { Service: "config.amazonaws.com" },
      Condition: { StringEqualsIfExists: { "aws:SourceAccount": "111111111111" } },
    }),
    [SOURCE],
  ],
  // Long-lived credentials on IAM users
  ["iam-user-access-key", one("aws:iam/accessKey:AccessKey", { user: "ci" }), [CREDS]],
  ["iam-user-login-profile", one("aws:iam/userLoginProfile:UserLoginProfile", { user: "ops" }), [CREDS]],
  [
    "iam-user-service-credential",
    one("aws:iam/serviceSpecificCredential:ServiceSpecificCredential", {
      userName: "git",
      serviceName: "codecommit.amazonaws.com",
    }),
    [CREDS],
  ],
  // Remote shells open to every address
  [
    "eks-node-group-ssh-open",
    one("aws:eks/nodeGroup:NodeGroup", {
      clusterName: "c",
      nodeRoleArn: "arn:aws:iam::111111111111:role/n",
      subnetIds: ["subnet-1"],
      scalingConfig: { desiredSize: 1, minSize: 1, maxSize: 1 },
      remoteAccess: { ec2SshKey: "ops" },
    }),
    ["remote-access-restricted"],
  ],
  [
    "eks-managed-node-group-ssh-open",
    one("eks:index:ManagedNodeGroup", { cluster: "c", remoteAccess: { ec2SshKey: "ops", sourceSecurityGroupIds: [] } }),
    ["remote-access-restricted"],
  ],
  [
    "lightsail-ssh-default-open",
    one("aws:lightsail/instancePublicPorts:InstancePublicPorts", {
      instanceName: "box",
      portInfos: [{ fromPort: 22, toPort: 22, protocol: "tcp" }],
    }),
    ["remote-access-restricted"],
  ],
  [
    "network-default-sg-ssh-open",
    one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", {
      ingress: [{ fromPort: 22, toPort: 22, protocol: "tcp", ipv6CidrBlocks: ["::/0"] }],
    }),
    ["security-group-no-public-ingress"],
  ],
  // Managed databases public or unencrypted
  [
    "db-rds-public",
    one("aws:rds/instance:Instance", { engine: "postgres", storageEncrypted: true, publiclyAccessible: true }),
    ["database-not-public"],
  ],
  ["db-aurora-unencrypted", one("aws:rds/cluster:Cluster", { engine: "aurora-mysql" }), ["database-encrypted"]],
  ["db-docdb-unencrypted", one("aws:docdb/cluster:Cluster", { storageEncrypted: false }), ["database-encrypted"]],
  ["db-redshift-public", one("aws:redshift/cluster:Cluster", { publiclyAccessible: true }), ["database-not-public"]],
  [
    "db-elasticache-plaintext",
    one("aws:elasticache/replicationGroup:ReplicationGroup", { description: "c", atRestEncryptionEnabled: true }),
    ["database-encrypted"],
  ],
  [
    "db-opensearch-public",
    one("aws:opensearch/domain:Domain", {
      encryptAtRest: { enabled: true },
      nodeToNodeEncryption: { enabled: true },
      domainEndpointOptions: { enforceHttps: true },
    }),
    ["database-not-public"],
  ],
  // Network meaning
  [
    "network-sg-split-halves",
    one("aws:ec2/securityGroup:SecurityGroup", {
      ingress: [
        { fromPort: 22, toPort: 22, protocol: "tcp", cidrBlocks: ["0.0.0.0/1"] },
        { fromPort: 22, toPort: 22, protocol: "tcp", cidrBlocks: ["128.0.0.0/1"] },
      ],
    }),
    ["security-group-no-public-ingress"],
  ],
  [
    "network-sg-rules-adding-up",
    (stack) => {
      const g = res("aws:ec2/securityGroup:SecurityGroup", "g", {}, { stack });
      const rule = (name: string, cidrIpv4: string) =>
        res(
          "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
          name,
          { securityGroupId: "sg-1", fromPort: 5432, toPort: 5432, ipProtocol: "tcp", cidrIpv4 },
          { stack, dependencies: [g.urn] },
        );
      return [g, rule("a", "198.51.100.0/24"), rule("b", "198.51.101.0/24")];
    },
    ["security-group-no-public-ingress"],
  ],
  [
    "network-acl-public-slash-4",
    one("aws:ec2/networkAclRule:NetworkAclRule", {
      networkAclId: "acl-1",
      ruleNumber: 100,
      egress: false,
      protocol: "-1",
      ruleAction: "allow",
      cidrBlock: "16.0.0.0/4",
    }),
    ["network-acl-no-public-ingress"],
  ],
  // Resource policies
  ["resource-kms-star", one("aws:kms/key:Key", { policy: grant("*") }), ["resource-policy-no-public-principal"]],
  [
    "resource-sns-foreign",
    one("aws:sns/topicPolicy:TopicPolicy", {
      arn: "arn:aws:sns:us-east-1:111111111111:t",
      policy: grant({ AWS: FOREIGN }),
    }),
    ["resource-policy-no-public-principal"],
  ],
  [
    "resource-sqs-star",
    one("aws:sqs/queuePolicy:QueuePolicy", { queueUrl: "https://q", policy: grant({ AWS: "*" }) }),
    ["resource-policy-no-public-principal"],
  ],
  [
    "resource-secret-foreign",
    one("aws:secretsmanager/secretPolicy:SecretPolicy", { secretArn: "arn:s", policy: grant({ AWS: "999999999999" }) }),
    ["resource-policy-no-public-principal"],
  ],
  [
    "resource-ecr-star",
    one("aws:ecr/repositoryPolicy:RepositoryPolicy", { repository: "r", policy: grant("*") }),
    ["resource-policy-no-public-principal"],
  ],
  [
    "resource-s3-star",
    (stack) => [
      res(
        "aws:s3/bucketPolicy:BucketPolicy",
        "p",
        {
          bucket: "b",
          policy: doc({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }),
        },
        { stack },
      ),
    ],
    ["resource-policy-no-public-principal"],
  ],
  [
    "resource-lambda-permission-star",
    one("aws:lambda/permission:Permission", { action: "lambda:InvokeFunction", function: "f", principal: "*" }),
    ["resource-policy-no-public-principal"],
  ],
  // Function URLs
  [
    "lambda-url-auth-none",
    (stack) => [
      res("aws:lambda/function:Function", "f", { name: "f", tags: {} }, { stack }),
      res("aws:lambda/functionUrl:FunctionUrl", "u", { functionName: "f", authorizationType: "NONE" }, { stack }),
    ],
    ["lambda-function-url-auth"],
  ],
  // Containers
  [
    "ecs-docker-socket",
    ecsTask({ volumes: [{ name: "d", hostPath: "/var/run/docker.sock" }] }),
    ["ecs-container-hardening"],
  ],
  ["ecs-uid-zero", ecsTask({}, { user: "0:0" }), ["ecs-container-hardening"]],
  [
    "ecs-added-capability",
    ecsTask({}, { linuxParameters: { capabilities: { add: ["SYS_ADMIN"] } } }),
    ["ecs-container-hardening"],
  ],
  ["ecs-host-pid", ecsTask({ pidMode: "host" }), ["ecs-container-hardening"]],
  [
    "k8s-daemonset-privileged",
    workload("kubernetes:apps/v1:DaemonSet", {
      containers: [k8sContainer({}, { privileged: true })],
    }),
    ["k8s-pod-security"],
  ],
  [
    "k8s-deployment-host-network",
    workload("kubernetes:apps/v1:Deployment", { hostNetwork: true }),
    ["k8s-pod-security"],
  ],
  [
    "k8s-statefulset-hostpath",
    workload("kubernetes:apps/v1:StatefulSet", {
      volumes: [{ name: "h", hostPath: { path: "/var/lib/kubelet/device-plugins" } }],
    }),
    ["k8s-no-host-path"],
  ],
  [
    "k8s-cronjob-root",
    workload("kubernetes:batch/v1:CronJob", { securityContext: { runAsUser: 0 } }, (spec) => ({
      schedule: "@hourly",
      jobTemplate: { spec: { template: { spec } } },
    })),
    ["k8s-run-as-non-root"],
  ],
  [
    "k8s-job-unbounded",
    workload("kubernetes:batch/v1:Job", { containers: [k8sContainer({ resources: {} })] }),
    ["k8s-resources-bounded"],
  ],
  [
    "k8s-pod-latest",
    workload("kubernetes:core/v1:Pod", { containers: [k8sContainer({ image: "app:latest" })] }, (spec) => spec),
    ["k8s-image-pinned"],
  ],
  [
    "k8s-forged-device-plugin",
    (stack) => [
      res(
        "kubernetes:apps/v1:DaemonSet",
        "nvidia-device-plugin",
        {
          metadata: { namespace: "kube-system", annotations: { [K8S.policyExemption]: "nvidia-device-plugin" } },
          spec: {
            template: { spec: { containers: [k8sContainer()], volumes: [{ name: "root", hostPath: { path: "/" } }] } },
          },
        },
        { stack },
      ),
    ],
    ["k8s-no-host-path", "policy-exemption-claims"],
  ],
  // Trails and Config
  ["trail-logging-off", trail({ enableLogging: false }), ["cloudtrail-logging-complete"]],
  [
    "trail-management-excluded",
    trail({ eventSelectors: [{ includeManagementEvents: false, readWriteType: "All" }] }),
    ["cloudtrail-logging-complete"],
  ],
  [
    "config-partial-recorder",
    (stack) => [
      res(
        "aws:cfg/recorder:Recorder",
        "r",
        {
          name: "default",
          roleArn: "arn:r",
          recordingGroup: { allSupported: false, resourceTypes: ["AWS::EC2::Instance"] },
        },
        { stack },
      ),
      res("aws:cfg/recorderStatus:RecorderStatus", "s", { name: "default", isEnabled: true }, { stack }),
      budget(stack),
    ],
    ["config-records-all-resources"],
  ],
  [
    "config-recording-stopped",
    (stack) => [
      res("aws:cfg/recorder:Recorder", "r", { name: "default", roleArn: "arn:r" }, { stack }),
      res("aws:cfg/recorderStatus:RecorderStatus", "s", { name: "default", isEnabled: false }, { stack }),
      budget(stack),
    ],
    ["config-recording-enabled"],
  ],
  // EC2 and images
  [
    "ec2-instance-public-ip",
    one("aws:ec2/instance:Instance", {
      instanceType: "t3.micro",
      associatePublicIpAddress: true,
      metadataOptions: { httpTokens: "required" },
      rootBlockDevice: { encrypted: true },
    }),
    ["ec2-no-public-ip"],
  ],
  [
    "ec2-template-public-ip",
    one("aws:ec2/launchTemplate:LaunchTemplate", {
      metadataOptions: { httpTokens: "required" },
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: true } }],
      networkInterfaces: [{ associatePublicIpAddress: "true" }],
    }),
    ["ec2-no-public-ip"],
  ],
  [
    "ec2-unencrypted-volume",
    one("aws:ebs/volume:Volume", { availabilityZone: "us-east-1a", size: 8 }),
    ["ec2-ebs-encrypted"],
  ],
  [
    "ec2-public-ami",
    one("aws:ec2/amiLaunchPermission:AmiLaunchPermission", { imageId: "ami-1", group: "all" }),
    ["ec2-image-sharing"],
  ],
  [
    "ec2-foreign-snapshot",
    one("aws:ec2/snapshotCreateVolumePermission:SnapshotCreateVolumePermission", {
      snapshotId: "snap-1",
      accountId: "999999999999",
    }),
    ["ec2-image-sharing"],
  ],
  [
    "ec2-asg-gpu-override",
    one("aws:autoscaling/group:Group", {
      maxSize: 1,
      minSize: 0,
      mixedInstancesPolicy: {
        launchTemplate: {
          launchTemplateSpecification: { launchTemplateId: "lt-1" },
          overrides: [{ instanceType: "p5.48xlarge" }],
        },
      },
    }),
    ["ec2-gpu-instance-allow-list"],
  ],
  [
    "ec2-sagemaker-notebook-gpu",
    one("aws:sagemaker/notebookInstance:NotebookInstance", { instanceType: "ml.p4d.24xlarge", roleArn: "arn:r" }),
    ["ec2-gpu-instance-allow-list"],
  ],
  // Companions named by what they really name
  [
    "s3-companions-name-another-bucket",
    (stack) => [res("aws:s3/bucketV2:BucketV2", "data", {}, { stack }), ...bucketGuards("data", { stack })],
    ["s3-public-access-block", "s3-server-side-encryption", "s3-tls-only"],
  ],
];

export const VIOLATING_PLANS: ViolatingPlan[] = table.map(([stack, make, policies]) => ({
  stack,
  resources: [provider(stack), ...make(stack)],
  policies: [...policies].sort(),
}));

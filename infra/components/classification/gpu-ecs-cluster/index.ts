/**
 * An ECS cluster whose capacity is GPU instances from the platform's own AMI: a launch template
 * (IMDSv2 only, encrypted disks, GPU support on in the agent) behind an Auto Scaling group that
 * an EC2 capacity provider grows and shrinks with the tasks placed on it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { instanceRole } from "../../blocks/instance-role";

export interface GpuEcsClusterArgs {
  vpcId: string;
  subnetIds: string[];
  /** AMI resolved from a Packer combination (infra/components/shared/gpu-ami). */
  amiId: pulumi.Input<string>;
  instanceType: string;
  minInstances: number;
  maxInstances: number;
  rootVolumeGb: number;
}

export class GpuEcsCluster extends pulumi.ComponentResource {
  readonly cluster: aws.ecs.Cluster;
  readonly capacityProvider: aws.ecs.CapacityProvider;
  readonly launchTemplate: aws.ec2.LaunchTemplate;
  readonly instanceSecurityGroup: aws.ec2.SecurityGroup;

  constructor(name: string, args: GpuEcsClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:classification:GpuEcsCluster", name, {}, opts);
    const child = { parent: this };
    this.cluster = new aws.ecs.Cluster(name, { settings: [{ name: "containerInsights", value: "enabled" }] }, child);

    const { profile } = instanceRole(
      `${name}-instance`,
      {
        description: `${name}: the GPU container instances (ECS agent, SSM, CloudWatch agent)`,
        // The agent's managed policy (register, poll, report) and SSM for shell access without SSH.
        managedPolicies: {
          ecs: "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
          ssm: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
          "cloudwatch-agent": "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
        },
      },
      this,
    );

    this.instanceSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-instances`,
      {
        vpcId: args.vpcId,
        description: "GPU workers: no inbound; outbound to AWS APIs and the photo API",
        egress: [
          {
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrBlocks: ["0.0.0.0/0"],
            description: "HTTPS to AWS APIs and the photo API",
          },
        ],
      },
      child,
    );

    const userData = this.cluster.name.apply((cluster) =>
      Buffer.from(
        [
          "#!/bin/bash",
          "set -euo pipefail",
          `cat >>/etc/ecs/ecs.config <<'CFG'`,
          `ECS_CLUSTER=${cluster}`,
          "ECS_ENABLE_GPU_SUPPORT=true",
          // Tasks get credentials from the agent, never the instance role through IMDS.
          "ECS_AWSVPC_BLOCK_IMDS=true",
          "ECS_ENABLE_TASK_IAM_ROLE=true",
          "CFG",
        ].join("\n"),
      ).toString("base64"),
    );
    this.launchTemplate = new aws.ec2.LaunchTemplate(
      `${name}-gpu`,
      {
        imageId: args.amiId,
        instanceType: args.instanceType,
        iamInstanceProfile: { arn: profile.arn },
        vpcSecurityGroupIds: [this.instanceSecurityGroup.id],
        userData,
        metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1 },
        blockDeviceMappings: [
          {
            deviceName: "/dev/xvda",
            ebs: { volumeSize: args.rootVolumeGb, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
          },
        ],
        monitoring: { enabled: true },
      },
      child,
    );
    const group = new aws.autoscaling.Group(
      `${name}-gpu`,
      {
        vpcZoneIdentifiers: args.subnetIds,
        minSize: args.minInstances,
        maxSize: args.maxInstances,
        launchTemplate: { id: this.launchTemplate.id, version: "$Latest" },
        // The capacity provider decides which instances may go; the group must not pick on its own.
        protectFromScaleIn: true,
        tags: [{ key: "AmazonECSManaged", value: "true", propagateAtLaunch: true }],
      },
      { ...child, ignoreChanges: ["desiredCapacity"] },
    );
    this.capacityProvider = new aws.ecs.CapacityProvider(
      `${name}-gpu`,
      {
        autoScalingGroupProvider: {
          autoScalingGroupArn: group.arn,
          managedTerminationProtection: "ENABLED",
          managedScaling: {
            status: "ENABLED",
            targetCapacity: 100,
            minimumScalingStepSize: 1,
            maximumScalingStepSize: 2,
          },
        },
      },
      child,
    );
    new aws.ecs.ClusterCapacityProviders(
      `${name}-providers`,
      {
        clusterName: this.cluster.name,
        capacityProviders: [this.capacityProvider.name],
        defaultCapacityProviderStrategies: [{ capacityProvider: this.capacityProvider.name, weight: 1 }],
      },
      child,
    );
    this.registerOutputs({ clusterArn: this.cluster.arn, capacityProvider: this.capacityProvider.name });
  }
}

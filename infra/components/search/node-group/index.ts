/**
 * One EKS managed node group on a launch template declared here, so guardrails see what the nodes
 * run with: IMDSv2 only with a hop limit that keeps pods off the node role, an encrypted gp3 root
 * volume, the node security groups, and either an EKS-managed Amazon Linux 2023 image or the
 * platform's own (Packer) AMI joined through nodeadm user data.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { nodeadmUserData, type NodeTaint } from "./user-data";

export type { NodeTaint } from "./user-data";

/** What a node group needs from its cluster. */
export interface NodeGroupCluster {
  name: string;
  endpoint: pulumi.Input<string>;
  certificateAuthority: pulumi.Input<string>;
  serviceCidr: pulumi.Input<string>;
  /** For dependsOn: the group is created once the control plane is. */
  resource: pulumi.Resource;
}

/** The image: an EKS AMI type (EKS writes the bootstrap), or our AMI (we write nodeadm's config). */
export type NodeImage = { amiType: "AL2023_x86_64_STANDARD" } | { amiId: pulumi.Input<string> };

export interface EksNodeGroupArgs {
  cluster: NodeGroupCluster;
  nodeRoleArn: pulumi.Input<string>;
  /** Security groups of the nodes (the cluster's EKS-created group among them). */
  securityGroupIds: pulumi.Input<string>[];
  subnetIds: string[];
  image: NodeImage;
  /** Instance types; GPU types must be on the policy pack's allow-list. */
  instanceTypes: string[];
  minSize: number;
  maxSize: number;
  desiredSize: number;
  /** GiB of the encrypted gp3 root volume (images and the containerd cache live there). */
  rootVolumeGb: number;
  /**
   * IMDS hop limit: 1 keeps IMDS (and the node role's credentials) out of reach of pods, which get
   * theirs from Pod Identity; 2 only for an add-on that must read IMDS from a pod network.
   */
  imdsHopLimit: 1 | 2;
  /** Kubernetes labels of the nodes. */
  labels: Record<string, string>;
  /** Taints of the nodes. Default: none. */
  taints?: NodeTaint[];
}

export class EksNodeGroup extends pulumi.ComponentResource {
  readonly launchTemplate: aws.ec2.LaunchTemplate;
  readonly nodeGroup: aws.eks.NodeGroup;

  constructor(name: string, args: EksNodeGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:search:EksNodeGroup", name, {}, opts);
    if (args.minSize > args.desiredSize || args.desiredSize > args.maxSize)
      throw new Error(`EksNodeGroup ${name}: expected minSize <= desiredSize <= maxSize`);
    const child = { parent: this };
    const taints = args.taints ?? [];
    const custom = "amiId" in args.image;

    const userData = custom
      ? pulumi
          .all([args.cluster.endpoint, args.cluster.certificateAuthority, args.cluster.serviceCidr])
          .apply(([endpoint, certificateAuthority, serviceCidr]) =>
            Buffer.from(
              nodeadmUserData(
                { name: args.cluster.name, endpoint, certificateAuthority, serviceCidr },
                args.labels,
                taints,
              ),
            ).toString("base64"),
          )
      : undefined;
    this.launchTemplate = new aws.ec2.LaunchTemplate(
      name,
      {
        description: `EKS ${args.cluster.name} node group ${name}`,
        imageId: "amiId" in args.image ? args.image.amiId : undefined,
        userData,
        vpcSecurityGroupIds: args.securityGroupIds,
        metadataOptions: {
          httpTokens: "required",
          httpEndpoint: "enabled",
          httpPutResponseHopLimit: args.imdsHopLimit,
        },
        blockDeviceMappings: [
          {
            deviceName: "/dev/xvda",
            ebs: { volumeSize: args.rootVolumeGb, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
          },
        ],
        monitoring: { enabled: true },
        updateDefaultVersion: true,
      },
      child,
    );
    this.nodeGroup = new aws.eks.NodeGroup(
      name,
      {
        clusterName: args.cluster.name,
        nodeRoleArn: args.nodeRoleArn,
        subnetIds: args.subnetIds,
        // With our own AMI the type is CUSTOM, which EKS infers from the launch template's image.
        amiType: "amiType" in args.image ? args.image.amiType : undefined,
        instanceTypes: args.instanceTypes,
        capacityType: "ON_DEMAND",
        launchTemplate: { id: this.launchTemplate.id, version: this.launchTemplate.latestVersion.apply(String) },
        scalingConfig: { minSize: args.minSize, maxSize: args.maxSize, desiredSize: args.desiredSize },
        updateConfig: { maxUnavailable: 1 },
        labels: args.labels,
        taints: taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
      },
      // The cluster autoscaler (or a person) moves desiredSize; a deploy must not reset it.
      { ...child, dependsOn: [args.cluster.resource], ignoreChanges: ["scalingConfig.desiredSize"] },
    );
    this.registerOutputs({ nodeGroup: this.nodeGroup.nodeGroupName });
  }
}

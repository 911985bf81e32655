/**
 * The search layer's EKS control plane: @pulumi/eks for the cluster itself (API authentication
 * through access entries, secrets envelope-encrypted with a KMS key, all control-plane logs, no
 * default node group or security groups), and with @pulumi/aws everything a guardrail must see
 * (roles, security groups, access entries, the Pod Identity add-on), which @pulumi/eks would otherwise create
 * out of sight of the offline plan.
 */
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import { ServiceRole } from "../../blocks/service-role";
import { clusterSecurityGroups } from "./security-groups";

export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

export interface SearchClusterArgs {
  /** The EKS cluster's name (also in its log group and the nodes' user data). */
  clusterName: string;
  /** Kubernetes minor, such as "1.33"; the GPU AMI's combination must be built for the same one. */
  kubernetesVersion: string;
  vpcId: string;
  /** Private subnets (two AZs at least) for the control plane's ENIs and the nodes. */
  subnetIds: string[];
  /** CIDRs that may reach the public API endpoint; empty: the endpoint is private only. */
  publicAccessCidrs: string[];
  /** Roles given cluster-admin through access entries (the platform team; not the deployer, whom EKS makes admin). */
  adminRoleArns: string[];
  /** Days the control-plane log group keeps logs. */
  logRetentionDays: number;
}

/** What node groups and workloads need from the cluster: a narrow handle, not the component. */
export interface EksClusterHandle {
  name: string;
  endpoint: pulumi.Output<string>;
  /** Base64 PEM of the cluster CA, as nodeadm and kubeconfigs take it. */
  certificateAuthority: pulumi.Output<string>;
  /** The Service CIDR (nodeadm needs it for the cluster DNS address). */
  serviceCidr: pulumi.Output<string>;
  /** The security group EKS creates and attaches to the control plane; nodes need it too. */
  eksSecurityGroupId: pulumi.Output<string>;
  /** The component, for dependsOn: node groups and Kubernetes objects wait for it. */
  resource: pulumi.Resource;
}

export class SearchCluster extends pulumi.ComponentResource {
  readonly handle: EksClusterHandle;
  readonly cluster: eks.Cluster;
  readonly nodeRole: aws.iam.Role;
  readonly nodeSecurityGroup: aws.ec2.SecurityGroup;
  readonly secretsKey: aws.kms.Key;
  /** Admin kubeconfig (exec `aws eks get-token`), for the Kubernetes provider. */
  readonly kubeconfig: pulumi.Output<string>;

  constructor(name: string, args: SearchClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:search:SearchCluster", name, {}, opts);
    if (args.subnetIds.length < 2) throw new Error("SearchCluster subnetIds: EKS needs subnets in at least two AZs");
    const child = { parent: this };

    this.secretsKey = new aws.kms.Key(
      `${name}-secrets`,
      { description: `EKS ${args.clusterName}: envelope encryption of Kubernetes secrets`, enableKeyRotation: true },
      child,
    );
    // EKS creates this group itself with no expiry; declared first, it keeps the chosen retention.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-control-plane`,
      { name: `/aws/eks/${args.clusterName}/cluster`, retentionInDays: args.logRetentionDays },
      child,
    );
    const serviceRole = new ServiceRole(
      `${name}-control-plane`,
      {
        description: `EKS ${args.clusterName}: the control plane's service role`,
        services: ["eks.amazonaws.com"],
        // EKS documents source conditions on the cluster role: only this cluster's control plane.
        sourceArn: (w) => `arn:${w.partition}:eks:${w.region}:${w.account}:cluster/${args.clusterName}`,
        managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"],
        // The managed policy has no KMS rights: envelope encryption uses this one key, nothing else.
        statements: [
          {
            Sid: "SecretsEnvelopeEncryption",
            Effect: "Allow",
            Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:ListGrants", "kms:CreateGrant"],
            Resource: [this.secretsKey.arn],
          },
        ],
      },
      child,
    );
    const groups = clusterSecurityGroups(name, args.vpcId, child);
    this.nodeSecurityGroup = groups.nodes;

    this.cluster = new eks.Cluster(
      name,
      {
        name: args.clusterName,
        version: args.kubernetesVersion,
        vpcId: args.vpcId,
        subnetIds: args.subnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: args.publicAccessCidrs.length > 0,
        publicAccessCidrs: args.publicAccessCidrs.length > 0 ? args.publicAccessCidrs : undefined,
        authenticationMode: eks.AuthenticationMode.Api,
        encryptionConfigKeyArn: this.secretsKey.arn,
        enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
        serviceRole: serviceRole.role,
        skipDefaultNodeGroup: true,
        skipDefaultSecurityGroups: true,
        clusterSecurityGroup: groups.controlPlane,
        // Pod Identity, not IRSA: no OIDC provider to keep, and the trust names the service only.
        createOidcProvider: false,
        nodeAssociatePublicIpAddress: false,
      },
      { ...child, dependsOn: [logGroup] },
    );
    this.kubeconfig = this.cluster.kubeconfigJson;

    const described = aws.eks.getClusterOutput({ name: args.clusterName }, { parent: this, dependsOn: [this.cluster] });
    this.handle = {
      name: args.clusterName,
      endpoint: described.endpoint,
      certificateAuthority: described.certificateAuthorities.apply((c) => c[0].data),
      serviceCidr: described.kubernetesNetworkConfigs.apply((c) => c[0].serviceIpv4Cidr),
      eksSecurityGroupId: described.vpcConfig.apply((v) => v.clusterSecurityGroupId),
      resource: this.cluster,
    };

    this.nodeRole = new ServiceRole(
      `${name}-node`,
      {
        description: `EKS ${args.clusterName}: nodes (kubelet, image pulls, VPC CNI, SSM shell)`,
        services: ["ec2.amazonaws.com"],
        managedPolicyArns: [
          "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
          "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
          "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
          "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        ],
      },
      child,
    ).role;

    args.adminRoleArns.forEach((principalArn, i) => {
      const entry = new aws.eks.AccessEntry(
        `${name}-admin-${i}`,
        { clusterName: args.clusterName, principalArn, type: "STANDARD" },
        { ...child, dependsOn: [this.cluster] },
      );
      new aws.eks.AccessPolicyAssociation(
        `${name}-admin-${i}`,
        {
          clusterName: args.clusterName,
          principalArn,
          policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
          accessScope: { type: "cluster" },
        },
        { ...child, dependsOn: [entry] },
      );
    });

    // Pod Identity: the agent on every node hands pods the credentials of their association.
    new aws.eks.Addon(
      `${name}-pod-identity`,
      { clusterName: args.clusterName, addonName: "eks-pod-identity-agent" },
      { ...child, dependsOn: [this.cluster] },
    );
    this.registerOutputs({ clusterName: args.clusterName, endpoint: this.handle.endpoint });
  }
}

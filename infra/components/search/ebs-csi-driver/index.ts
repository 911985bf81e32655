/**
 * The EBS CSI driver as an EKS add-on, its controller credentialed through Pod Identity: what the
 * image cache's PersistentVolumeClaims need. Created after a node group exists: the add-on is
 * only ACTIVE once its controller runs, and creating it on a cluster without nodes times out.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ServiceRole } from "../../blocks/service-role";

export interface EbsCsiDriverArgs {
  clusterName: string;
  /** The cluster's account: scopes the controller role's trust (aws:SourceAccount). */
  accountId: string;
}

export class EbsCsiDriver extends pulumi.ComponentResource {
  readonly addon: aws.eks.Addon;

  constructor(name: string, args: EbsCsiDriverArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:search:EbsCsiDriver", name, {}, opts);
    const child = { parent: this };
    const role = new ServiceRole(
      name,
      {
        description: `EKS ${args.clusterName}: the EBS CSI driver's controller (creates and attaches volumes)`,
        services: ["pods.eks.amazonaws.com"],
        extraTrustActions: ["sts:TagSession"],
        sourceAccount: args.accountId,
        managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"],
      },
      child,
    );
    this.addon = new aws.eks.Addon(
      name,
      {
        clusterName: args.clusterName,
        addonName: "aws-ebs-csi-driver",
        podIdentityAssociations: [{ roleArn: role.role.arn, serviceAccount: "ebs-csi-controller-sa" }],
      },
      child,
    );
    this.registerOutputs({ addon: this.addon.addonName });
  }
}

/**
 * A Kubernetes service account with AWS credentials through EKS Pod Identity: the account, a role
 * only `pods.eks.amazonaws.com` may assume for this account, and the association between them.
 * Pods that run as the account get exactly the role's statements.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ServiceRole, type RoleStatement } from "./service-role";

export interface PodIdentityArgs {
  clusterName: string;
  /** The cluster's account (aws:SourceAccount in the role's trust). */
  accountId: string;
  namespace: string;
  /** The service account's name. */
  serviceAccount: string;
  /** What the pods may do in AWS. */
  statements: RoleStatement[];
  description: string;
  /** Labels of the service account. Default: none. */
  labels?: Record<string, string>;
}

export class PodIdentity extends pulumi.ComponentResource {
  readonly serviceAccount: k8s.core.v1.ServiceAccount;
  readonly role: aws.iam.Role;

  constructor(name: string, args: PodIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:blocks:PodIdentity", name, {}, opts);
    const child = { parent: this };
    this.serviceAccount = new k8s.core.v1.ServiceAccount(
      name,
      {
        metadata: { name: args.serviceAccount, namespace: args.namespace, labels: args.labels },
        // Only pods that talk to the Kubernetes API mount a token; they opt in per pod.
        automountServiceAccountToken: false,
      },
      child,
    );
    this.role = new ServiceRole(
      name,
      {
        description: args.description,
        services: ["pods.eks.amazonaws.com"],
        extraTrustActions: ["sts:TagSession"],
        sourceAccount: args.accountId,
        statements: args.statements,
      },
      child,
    ).role;
    new aws.eks.PodIdentityAssociation(
      name,
      {
        clusterName: args.clusterName,
        namespace: args.namespace,
        serviceAccount: args.serviceAccount,
        roleArn: this.role.arn,
      },
      child,
    );
    this.registerOutputs({ roleArn: this.role.arn });
  }
}

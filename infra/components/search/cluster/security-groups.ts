/**
 * The two security groups the cluster's traffic needs, with every rule its own resource (@pulumi/eks
 * takes the control-plane group only without inline rules): the control plane accepts the API port
 * from nodes only; nodes accept each other, and the control plane on the kubelet and webhook ports.
 * Nothing is reachable from outside the VPC.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

export interface ClusterSecurityGroups {
  controlPlane: aws.ec2.SecurityGroup;
  nodes: aws.ec2.SecurityGroup;
}

export function clusterSecurityGroups(
  name: string,
  vpcId: string,
  opts: pulumi.CustomResourceOptions,
): ClusterSecurityGroups {
  const controlPlane = new aws.ec2.SecurityGroup(
    `${name}-control-plane`,
    { vpcId, description: "EKS control plane (additional): the API from the cluster's nodes only" },
    opts,
  );
  const nodes = new aws.ec2.SecurityGroup(
    `${name}-nodes`,
    { vpcId, description: "EKS nodes: each other and the control plane; no other inbound" },
    opts,
  );
  const ingress = (suffix: string, args: aws.vpc.SecurityGroupIngressRuleArgs) =>
    new aws.vpc.SecurityGroupIngressRule(`${name}-${suffix}`, args, opts);
  ingress("api-from-nodes", {
    securityGroupId: controlPlane.id,
    referencedSecurityGroupId: nodes.id,
    ipProtocol: "tcp",
    fromPort: 443,
    toPort: 443,
    description: "Kubernetes API from nodes",
  });
  ingress("nodes-from-nodes", {
    securityGroupId: nodes.id,
    referencedSecurityGroupId: nodes.id,
    ipProtocol: "-1",
    description: "Pod and node traffic inside the cluster (NetworkPolicies narrow it per pod)",
  });
  ingress("kubelet-from-control-plane", {
    securityGroupId: nodes.id,
    referencedSecurityGroupId: controlPlane.id,
    ipProtocol: "tcp",
    fromPort: 10250,
    toPort: 10250,
    description: "kubelet API (logs, exec, metrics) from the control plane",
  });
  ingress("webhooks-from-control-plane", {
    securityGroupId: nodes.id,
    referencedSecurityGroupId: controlPlane.id,
    ipProtocol: "tcp",
    fromPort: 443,
    toPort: 443,
    description: "Admission webhooks and the metrics API served by pods",
  });
  new aws.vpc.SecurityGroupEgressRule(
    `${name}-control-plane-to-nodes`,
    {
      securityGroupId: controlPlane.id,
      referencedSecurityGroupId: nodes.id,
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 10250,
      description: "Control plane to kubelets and webhooks",
    },
    opts,
  );
  // Nodes pull images and reach AWS APIs (S3, ECR, STS, EKS) over HTTPS; DNS and NTP go to the VPC resolver.
  new aws.vpc.SecurityGroupEgressRule(
    `${name}-nodes-https`,
    {
      securityGroupId: nodes.id,
      cidrIpv4: "0.0.0.0/0",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      description: "HTTPS to AWS APIs and registries",
    },
    opts,
  );
  new aws.vpc.SecurityGroupEgressRule(
    `${name}-nodes-to-nodes`,
    {
      securityGroupId: nodes.id,
      referencedSecurityGroupId: nodes.id,
      ipProtocol: "-1",
      description: "Pod and node traffic inside the cluster",
    },
    opts,
  );
  new aws.vpc.SecurityGroupEgressRule(
    `${name}-nodes-to-api`,
    {
      securityGroupId: nodes.id,
      referencedSecurityGroupId: controlPlane.id,
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      description: "Kubernetes API",
    },
    opts,
  );
  return { controlPlane, nodes };
}

/**
 * What EKS would report for a cluster in the offline plan: the @pulumi/eks component's outputs
 * (one registration under mocks, no children) and the `aws.eks.getCluster` answer that node
 * groups read (endpoint, CA, Service CIDR, the EKS-created security group, OIDC issuer). Both are
 * derived from the cluster's name, so they agree with each other.
 */
import { digest, hexId } from "./identifiers";

export interface EksClusterFacts {
  name: string;
  endpoint: string;
  certificateAuthority: string;
  serviceCidr: string;
  clusterSecurityGroupId: string;
  oidcIssuer: string;
  arn: string;
}

export function eksClusterFacts(name: string, account: string, region: string): EksClusterFacts {
  const id = digest("eks", account, region, name).slice(0, 32).toUpperCase();
  return {
    name,
    endpoint: `https://${id}.gr7.${region}.eks.amazonaws.com`,
    // Not a real certificate: a base64 PEM-shaped string, which is all user data and kubeconfigs carry.
    certificateAuthority: Buffer.from(`-----BEGIN CERTIFICATE-----\nPLAN${id}\n-----END CERTIFICATE-----\n`).toString(
      "base64",
    ),
    serviceCidr: "172.20.0.0/16",
    clusterSecurityGroupId: hexId("sg", `eks-cluster-sg/${account}/${region}/${name}`),
    oidcIssuer: `https://oidc.eks.${region}.amazonaws.com/id/${id}`,
    arn: `arn:aws:eks:${region}:${account}:cluster/${name}`,
  };
}

/** An exec-based kubeconfig, as @pulumi/eks writes it (credentials from `aws eks get-token`). */
export function kubeconfigFor(f: EksClusterFacts, region: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: f.name, cluster: { server: f.endpoint, "certificate-authority-data": f.certificateAuthority } }],
    contexts: [{ name: f.name, context: { cluster: f.name, user: f.name } }],
    "current-context": f.name,
    users: [
      {
        name: f.name,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", f.name, "--region", region, "--output", "json"],
          },
        },
      },
    ],
  });
}

/** State of an `eks:index:Cluster` registration. */
export function eksComponentState(f: EksClusterFacts, region: string): Record<string, unknown> {
  return {
    kubeconfigJson: kubeconfigFor(f, region),
    kubeconfig: JSON.parse(kubeconfigFor(f, region)),
    clusterSecurityGroupId: f.clusterSecurityGroupId,
    oidcIssuer: f.oidcIssuer.replace(/^https:\/\//, ""),
    oidcProviderUrl: f.oidcIssuer,
  };
}

/** Answer of `aws:eks/getCluster:getCluster`. */
export function getClusterResult(f: EksClusterFacts): Record<string, unknown> {
  return {
    id: f.name,
    name: f.name,
    arn: f.arn,
    endpoint: f.endpoint,
    status: "ACTIVE",
    certificateAuthorities: [{ data: f.certificateAuthority }],
    kubernetesNetworkConfigs: [{ ipFamily: "ipv4", serviceIpv4Cidr: f.serviceCidr, serviceIpv6Cidr: "" }],
    vpcConfig: { clusterSecurityGroupId: f.clusterSecurityGroupId, endpointPrivateAccess: true },
    identities: [{ oidcs: [{ issuer: f.oidcIssuer }] }],
    accessConfigs: [{ authenticationMode: "API" }],
  };
}

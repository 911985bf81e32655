import { expect } from "chai";
import { eksClusterFacts, eksComponentState, getClusterResult } from "./eks";

describe("offline plan: EKS answers", () => {
  const facts = eksClusterFacts("search", "111111111111", "us-east-1");

  it("gives the component's kubeconfig and getCluster the same endpoint, CA and security group", () => {
    const state = eksComponentState(facts, "us-east-1");
    const kubeconfig = JSON.parse(String(state.kubeconfigJson)) as {
      clusters: Array<{ cluster: { server: string; "certificate-authority-data": string } }>;
      users: Array<{ user: { exec: { command: string; args: string[] } } }>;
    };
    const described = getClusterResult(facts) as {
      endpoint: string;
      certificateAuthorities: Array<{ data: string }>;
      vpcConfig: { clusterSecurityGroupId: string };
    };
    expect(kubeconfig.clusters[0].cluster.server).to.equal(described.endpoint);
    expect(kubeconfig.clusters[0].cluster["certificate-authority-data"]).to.equal(
      described.certificateAuthorities[0].data,
    );
    expect(state.clusterSecurityGroupId).to.equal(described.vpcConfig.clusterSecurityGroupId);
    // Credentials come from `aws eks get-token` at use: no token in the kubeconfig.
    expect(kubeconfig.users[0].user.exec.command).to.equal("aws");
    expect(kubeconfig.users[0].user.exec.args).to.include.members(["get-token", "--cluster-name", "search"]);
  });

  it("answers like EKS: an https endpoint in the region, a base64 PEM CA, an sg- id; other clusters differ", () => {
    expect(facts.endpoint).to.match(/^https:\/\/[0-9A-F]{32}\.gr7\.us-east-1\.eks\.amazonaws\.com$/);
    expect(Buffer.from(facts.certificateAuthority, "base64").toString()).to.match(/^-----BEGIN CERTIFICATE-----\n/);
    expect(facts.clusterSecurityGroupId).to.match(/^sg-[0-9a-f]{17}$/);
    expect(facts.arn).to.equal("arn:aws:eks:us-east-1:111111111111:cluster/search");
    expect(eksClusterFacts("other", "111111111111", "us-east-1").endpoint).to.not.equal(facts.endpoint);
    expect(eksClusterFacts("search", "222222222222", "us-east-1").endpoint).to.not.equal(facts.endpoint);
  });
});

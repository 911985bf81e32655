import { expect } from "chai";
import { parse } from "yaml";
import { nodeadmUserData } from "./user-data";

const cluster = {
  name: "search",
  endpoint: "https://ABC.gr7.us-east-1.eks.amazonaws.com",
  certificateAuthority: "Q0E=",
  serviceCidr: "172.20.0.0/16",
};

/** The NodeConfig document inside the MIME part nodeadm reads. */
function nodeConfig(userData: string): Record<string, unknown> {
  const part = userData.split("Content-Type: application/node.eks.aws\n\n")[1];
  expect(part, "a node.eks.aws part").to.be.a("string");
  return parse(part.split("\n--ml-platform-nodeadm--")[0]) as Record<string, unknown>;
}

describe("nodeadm user data", () => {
  it("joins the cluster from the given facts and registers the node labelled and tainted", () => {
    const text = nodeadmUserData(cluster, { "ml-platform.io/gpu": "true" }, [
      { key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" },
    ]);
    expect(
      text.startsWith('MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="ml-platform-nodeadm"'),
    ).to.equal(true);
    expect(nodeConfig(text)).to.deep.equal({
      apiVersion: "node.eks.aws/v1alpha1",
      kind: "NodeConfig",
      spec: {
        cluster: {
          name: "search",
          apiServerEndpoint: cluster.endpoint,
          certificateAuthority: "Q0E=",
          cidr: "172.20.0.0/16",
        },
        kubelet: {
          flags: ["--node-labels=ml-platform.io/gpu=true", "--register-with-taints=nvidia.com/gpu=true:NoSchedule"],
        },
      },
    });
  });

  it("writes no kubelet flags for a node without labels or taints", () => {
    expect((nodeConfig(nodeadmUserData(cluster, {}, [])).spec as { kubelet: unknown }).kubelet).to.deep.equal({
      flags: [],
    });
  });
});

import { expect } from "chai";
import { res, violations } from "../gate/testing";

const key = "arn:aws:kms:eu-west-1:111111111111:key/k";
const awsCluster = (inputs: Record<string, unknown>) =>
  res("aws:eks/cluster:Cluster", "eks", { roleArn: "arn", ...inputs });
const component = (inputs: Record<string, unknown>) => res("eks:index:Cluster", "gpu", inputs);

describe("policy eks-no-public-endpoint", () => {
  const P = "eks-no-public-endpoint";
  it("flags an open or unrestricted public endpoint (AWS defaults to open)", async () => {
    const v = await violations(
      [
        awsCluster({ vpcConfig: { subnetIds: ["s"] } }),
        awsCluster({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } }),
        component({ endpointPublicAccess: true }),
      ],
      P,
    );
    expect(v).to.have.length(3);
    expect(v[2].urn).to.equal("urn:pulumi:test::ml-platform::eks:index:Cluster::gpu");
  });
  it("passes private endpoints and restricted CIDRs", async () => {
    expect(
      await violations(
        [
          awsCluster({ vpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true } }),
          awsCluster({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } }),
          component({ endpointPublicAccess: false, endpointPrivateAccess: true }),
        ],
        P,
      ),
    ).to.deep.equal([]);
  });
});

describe("policy eks-secrets-encrypted", () => {
  const P = "eks-secrets-encrypted";
  it("flags clusters without KMS secrets encryption", async () => {
    const v = await violations(
      [awsCluster({ encryptionConfig: { resources: ["secrets"], provider: {} } }), component({})],
      P,
    );
    expect(v.map((x) => String(x.urn).split("::").pop())).to.deep.equal(["eks", "gpu"]);
  });
  it("passes clusters encrypting secrets with a key", async () => {
    expect(
      await violations(
        [
          awsCluster({ encryptionConfig: { resources: ["secrets"], provider: { keyArn: key } } }),
          component({ encryptionConfigKeyArn: key }),
        ],
        P,
      ),
    ).to.deep.equal([]);
  });
});

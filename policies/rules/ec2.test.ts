import { expect } from "chai";
import { res, violations } from "../gate/testing";

const good = {
  instanceType: "t3.micro",
  metadataOptions: { httpTokens: "required" },
  rootBlockDevice: { encrypted: true },
};
const instance = (inputs: Record<string, unknown>) => res("aws:ec2/instance:Instance", "box", inputs);
const template = (inputs: Record<string, unknown>) => res("aws:ec2/launchTemplate:LaunchTemplate", "lt", inputs);

describe("policy ec2-imdsv2-required", () => {
  const P = "ec2-imdsv2-required";
  it("flags instances and launch templates without httpTokens required", async () => {
    const v = await violations([instance({ ...good, metadataOptions: { httpTokens: "optional" } }), template({})], P);
    expect(v.map((x) => String(x.urn).split("::").pop())).to.deep.equal(["box", "lt"]);
  });
  it("passes IMDSv2-only", async () => {
    expect(
      await violations([instance(good), template({ metadataOptions: { httpTokens: "required" } })], P),
    ).to.deep.equal([]);
  });
});

describe("policy ec2-ebs-encrypted", () => {
  const P = "ec2-ebs-encrypted";
  it("flags an unencrypted or undeclared root and unencrypted data volumes", async () => {
    const v = await violations(
      [
        instance({
          ...good,
          rootBlockDevice: undefined,
          ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: false }],
        }),
      ],
      P,
    );
    expect(v.map((x) => x.message)).to.deep.equal([
      "rootBlockDevice.encrypted must be true",
      "ebsBlockDevices[0] (/dev/sdf) must be encrypted",
    ]);
  });
  it("flags launch templates without encrypted mappings", async () => {
    expect(await violations([template({})], P)).to.have.length(1);
    expect(
      await violations(
        [template({ blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] })],
        P,
      ),
    ).to.have.length(1);
  });
  it("passes encrypted volumes (boolean or the launch template's string form)", async () => {
    expect(
      await violations([instance({ ...good, ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: true }] })], P),
    ).to.deep.equal([]);
    expect(
      await violations(
        [template({ blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 100 } }] })],
        P,
      ),
    ).to.deep.equal([]);
  });
});

describe("policy ec2-gpu-instance-allow-list", () => {
  const P = "ec2-gpu-instance-allow-list";
  it("flags GPU and accelerator types off the allow-list", async () => {
    const v = await violations(
      [
        instance({ ...good, instanceType: "p4d.24xlarge" }),
        template({ instanceType: "trn1.32xlarge" }),
        res("aws:eks/nodeGroup:NodeGroup", "gpu-nodes", { instanceTypes: ["g5.xlarge", "p5.48xlarge"] }),
        res("eks:index:ManagedNodeGroup", "mng", { instanceTypes: ["g6e.12xlarge"] }),
      ],
      P,
    );
    expect(v.map((x) => x.message.split(" ").slice(0, 4).join(" "))).to.deep.equal([
      "GPU instance type p4d.24xlarge",
      "GPU instance type trn1.32xlarge",
      "GPU instance type p5.48xlarge",
      "GPU instance type g6e.12xlarge",
    ]);
  });
  it("passes allow-listed GPU types and CPU types", async () => {
    expect(
      await violations(
        [
          instance({ ...good, instanceType: "g5.2xlarge" }),
          template({ instanceType: "p3.2xlarge" }),
          template({ instanceType: "m7i.large" }),
        ],
        P,
      ),
    ).to.deep.equal([]);
  });
  it("takes the allow-list from config", async () => {
    const config = { [P]: { allowedGpuInstanceTypes: ["p4d.24xlarge"] } };
    expect(await violations([instance({ ...good, instanceType: "p4d.24xlarge" })], P, config)).to.deep.equal([]);
    expect(await violations([instance({ ...good, instanceType: "g5.xlarge" })], P, config)).to.have.length(1);
  });
});

import { expect } from "chai";
import { fired, res, violations, type Case } from "../gate/testing";

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

describe("EC2 and images: public IPs, volumes, sharing, GPU types wherever they are chosen", () => {
  const PUBLIC_IP = "ec2-no-public-ip";
  const EBS = "ec2-ebs-encrypted";
  const SHARING = "ec2-image-sharing";
  const GPU = "ec2-gpu-instance-allow-list";
  const lt = (inputs: Record<string, unknown> = {}) =>
    template({
      instanceType: "g5.xlarge",
      metadataOptions: { httpTokens: "required" },
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: true } }],
      ...inputs,
    });
  const asg = (overrides: object[]) =>
    res("aws:autoscaling/group:Group", "gpus", {
      maxSize: 2,
      minSize: 0,
      mixedInstancesPolicy: {
        launchTemplate: { launchTemplateSpecification: { launchTemplateId: "lt-1" }, overrides },
      },
    });
  const cases: Case[] = [
    ["an instance with a public IP", [instance({ ...good, associatePublicIpAddress: true })], [PUBLIC_IP]],
    [
      "a launch template whose interface takes a public IP",
      [lt({ networkInterfaces: [{ associatePublicIpAddress: "true" }] })],
      [PUBLIC_IP],
    ],
    [
      "a launch template with a private interface",
      [lt({ networkInterfaces: [{ associatePublicIpAddress: "false" }] })],
      [],
    ],
    [
      "an unencrypted EBS volume",
      [res("aws:ebs/volume:Volume", "v", { availabilityZone: "us-east-1a", size: 10 })],
      [EBS],
    ],
    [
      "an encrypted EBS volume",
      [res("aws:ebs/volume:Volume", "v", { availabilityZone: "us-east-1a", size: 10, encrypted: true })],
      [],
    ],
    [
      "a public AMI",
      [res("aws:ec2/amiLaunchPermission:AmiLaunchPermission", "p", { imageId: "ami-1", group: "all" })],
      [SHARING],
    ],
    [
      "an AMI shared with a foreign account",
      [res("aws:ec2/amiLaunchPermission:AmiLaunchPermission", "p", { imageId: "ami-1", accountId: "999999999999" })],
      [SHARING],
    ],
    [
      "an AMI shared within the stack's account",
      [res("aws:ec2/amiLaunchPermission:AmiLaunchPermission", "p", { imageId: "ami-1", accountId: "111111111111" })],
      [],
    ],
    [
      "an AMI shared with the organization",
      [
        res("aws:ec2/amiLaunchPermission:AmiLaunchPermission", "p", {
          imageId: "ami-1",
          organizationArn: "arn:aws:organizations::111111111111:organization/o-abc",
        }),
      ],
      [],
    ],
    [
      "a snapshot shared with a foreign account",
      [
        res("aws:ec2/snapshotCreateVolumePermission:SnapshotCreateVolumePermission", "p", {
          snapshotId: "snap-1",
          accountId: "999999999999",
        }),
      ],
      [SHARING],
    ],
    [
      "a snapshot shared within the stack's account",
      [
        res("aws:ec2/snapshotCreateVolumePermission:SnapshotCreateVolumePermission", "p", {
          snapshotId: "snap-1",
          accountId: "111111111111",
        }),
      ],
      [],
    ],
    [
      "an Auto Scaling override to p5.48xlarge",
      [asg([{ instanceType: "g5.xlarge" }, { instanceType: "p5.48xlarge" }])],
      [GPU],
    ],
    [
      "Auto Scaling overrides on the allow-list",
      [asg([{ instanceType: "g5.xlarge" }, { instanceType: "g6.2xlarge" }])],
      [],
    ],
    [
      "a SageMaker notebook on ml.p4d.24xlarge",
      [
        res("aws:sagemaker/notebookInstance:NotebookInstance", "nb", {
          instanceType: "ml.p4d.24xlarge",
          roleArn: "arn:r",
        }),
      ],
      [GPU],
    ],
    [
      "a SageMaker notebook on ml.g5.xlarge",
      [
        res("aws:sagemaker/notebookInstance:NotebookInstance", "nb", {
          instanceType: "ml.g5.xlarge",
          roleArn: "arn:r",
        }),
      ],
      [],
    ],
    [
      "a SageMaker endpoint variant on ml.p5.48xlarge",
      [
        res("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "ep", {
          productionVariants: [{ variantName: "a", modelName: "m", instanceType: "ml.p5.48xlarge" }],
        }),
      ],
      [GPU],
    ],
    [
      "a SageMaker training job on ml.trn1.32xlarge",
      [
        res("aws:sagemaker/trainingJob:TrainingJob", "tj", {
          resourceConfig: { instanceType: "ml.trn1.32xlarge", instanceCount: 1 },
        }),
      ],
      [GPU],
    ],
  ];
  for (const [what, resources, expected] of cases) {
    it(`${expected.length ? "flags" : "passes"}: ${what}`, async () => {
      expect(await fired(resources)).to.deep.equal(expected);
    });
  }
});

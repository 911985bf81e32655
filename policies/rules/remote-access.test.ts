import { expect } from "chai";
import { compliant, fired, res, violations, type Case } from "../gate/testing";

const P = "remote-access-restricted";
const SG = "security-group-no-public-ingress";

const nodeGroup = compliant("aws:eks/nodeGroup:NodeGroup", "gpu", {
  clusterName: "search",
  nodeRoleArn: "arn:aws:iam::111111111111:role/node",
  subnetIds: ["subnet-1"],
  scalingConfig: { desiredSize: 1, minSize: 0, maxSize: 2 },
});
const managed = compliant("eks:index:ManagedNodeGroup", "gpu", { cluster: "search" });
const ports = (...portInfos: object[]) =>
  res("aws:lightsail/instancePublicPorts:InstancePublicPorts", "box", { instanceName: "box", portInfos });
const ssh = { ec2SshKey: "ops" };

describe("policy remote-access-restricted (remote shells open to every address)", () => {
  const cases: Case[] = [
    ["a node group's remoteAccess without source groups", [nodeGroup({ remoteAccess: ssh })], [P]],
    [
      "a node group's remoteAccess with an empty source group list",
      [nodeGroup({ remoteAccess: { ...ssh, sourceSecurityGroupIds: [] } })],
      [P],
    ],
    ["the @pulumi/eks managed node group's remoteAccess", [managed({ remoteAccess: ssh })], [P]],
    [
      "Lightsail SSH naming no CIDRs (Lightsail admits everyone)",
      [ports({ fromPort: 22, toPort: 22, protocol: "tcp" })],
      [P],
    ],
    ["Lightsail RDP from ::/0", [ports({ fromPort: 3389, toPort: 3389, protocol: "tcp", ipv6Cidrs: ["::/0"] })], [P]],
    [
      "Lightsail all protocols from 0.0.0.0/0",
      [ports({ fromPort: 0, toPort: 65535, protocol: "all", cidrs: ["0.0.0.0/0"] })],
      [P],
    ],
    [
      "Lightsail a range covering 22 from two halves of the internet",
      [ports({ fromPort: 20, toPort: 25, protocol: "tcp", cidrs: ["0.0.0.0/1", "128.0.0.0/1"] })],
      [P],
    ],
    [
      "a launch template's SSH through its security group (judged by the group)",
      [
        res("aws:ec2/securityGroup:SecurityGroup", "nodes", {
          ingress: [{ fromPort: 22, toPort: 22, protocol: "tcp", ipv6CidrBlocks: ["::/0"] }],
        }),
      ],
      [SG],
    ],
    [
      "a node group's remoteAccess from a named source group",
      [nodeGroup({ remoteAccess: { ...ssh, sourceSecurityGroupIds: ["sg-bastion"] } })],
      [],
    ],
    ["a node group without remoteAccess (SSM instead)", [nodeGroup()], []],
    ["the managed node group without remoteAccess", [managed()], []],
    [
      "Lightsail SSH from one office /28",
      [ports({ fromPort: 22, toPort: 22, protocol: "tcp", cidrs: ["203.0.113.0/28"] })],
      [],
    ],
    [
      "Lightsail SSH from the Lightsail browser console alias only",
      [ports({ fromPort: 22, toPort: 22, protocol: "tcp", cidrListAliases: ["lightsail-connect"] })],
      [],
    ],
    [
      "Lightsail HTTPS open to everyone (not a remote shell)",
      [ports({ fromPort: 443, toPort: 443, protocol: "tcp", cidrs: ["0.0.0.0/0"] })],
      [],
    ],
  ];
  for (const [what, resources, expected] of cases) {
    it(`${expected.length ? "flags" : "passes"}: ${what}`, async () => {
      expect(await fired(resources)).to.deep.equal(expected);
    });
  }

  it("says which ports a Lightsail entry opens", async () => {
    const v = await violations([ports({ fromPort: 0, toPort: 65535, protocol: "all", cidrs: ["0.0.0.0/0"] })], P);
    expect(v.map((x) => x.message)).to.deep.equal(["portInfos[0] opens port(s) 22, 3389 to 0.0.0.0/0"]);
  });
});

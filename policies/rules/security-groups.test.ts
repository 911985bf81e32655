import { expect } from "chai";
import { fired, res, violations, type Case } from "../gate/testing";

const P = "security-group-no-public-ingress";
const sg = (ingress: unknown[]) => res("aws:ec2/securityGroup:SecurityGroup", "web", { ingress });

describe("policy security-group-no-public-ingress", () => {
  it("flags inline ingress from 0.0.0.0/0 and from ::/0", async () => {
    const v = await violations(
      [
        sg([{ fromPort: 22, toPort: 22, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] }]),
        res("aws:ec2/securityGroup:SecurityGroup", "v6", {
          ingress: [{ fromPort: 80, toPort: 80, protocol: "tcp", ipv6CidrBlocks: ["::/0"] }],
        }),
      ],
      P,
    );
    expect(v.map((x) => x.urn)).to.deep.equal([
      "urn:pulumi:test::ml-platform::aws:ec2/securityGroup:SecurityGroup::web",
      "urn:pulumi:test::ml-platform::aws:ec2/securityGroup:SecurityGroup::v6",
    ]);
    expect(v[0].message).to.contain("port 22");
    expect(v[0].enforcementLevel).to.equal("mandatory");
  });

  it("passes ingress from private ranges", async () => {
    expect(
      await violations([sg([{ fromPort: 22, toPort: 22, protocol: "tcp", cidrBlocks: ["10.0.0.0/8"] }])], P),
    ).to.deep.equal([]);
  });

  it("allows configured ports only, and never 'all protocols'", async () => {
    const config = { [P]: { allowedPorts: [443] } };
    expect(
      await violations([sg([{ fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] }])], P, config),
    ).to.deep.equal([]);
    expect(
      await violations([sg([{ fromPort: 443, toPort: 444, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] }])], P, config),
    ).to.have.length(1);
    expect(
      await violations([sg([{ fromPort: 0, toPort: 0, protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }])], P, config),
    ).to.have.length(1);
  });

  it("checks SecurityGroupRule ingress but not egress", async () => {
    const rule = (type: string) =>
      res("aws:ec2/securityGroupRule:SecurityGroupRule", `r-${type}`, {
        type,
        fromPort: 0,
        toPort: 65535,
        protocol: "tcp",
        cidrBlocks: ["0.0.0.0/0"],
      });
    const v = await violations([rule("ingress"), rule("egress")], P);
    expect(v.map((x) => x.urn)).to.deep.equal([
      "urn:pulumi:test::ml-platform::aws:ec2/securityGroupRule:SecurityGroupRule::r-ingress",
    ]);
  });

  it("checks vpc SecurityGroupIngressRule cidrIpv4 and cidrIpv6", async () => {
    const rule = (name: string, inputs: Record<string, unknown>) =>
      res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name, {
        fromPort: 5432,
        toPort: 5432,
        ipProtocol: "tcp",
        ...inputs,
      });
    const v = await violations(
      [
        rule("v4", { cidrIpv4: "0.0.0.0/0" }),
        rule("v6", { cidrIpv6: "::/0" }),
        rule("ok", { cidrIpv4: "10.1.0.0/16" }),
      ],
      P,
    );
    expect(v.map((x) => String(x.urn).split("::").pop())).to.deep.equal(["v4", "v6"]);
  });
});

describe("network meaning: CIDRs that add up to the internet", () => {
  const NACL = "network-acl-no-public-ingress";
  const ssh = (cidrBlocks: string[], ipv6CidrBlocks: string[] = []) => ({
    fromPort: 22,
    toPort: 22,
    protocol: "tcp",
    cidrBlocks,
    ipv6CidrBlocks,
  });
  const group = res("aws:ec2/securityGroup:SecurityGroup", "g", { ingress: [] });
  const ingressRule = (name: string, cidrIpv4: string, fromPort = 22) =>
    res(
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      name,
      { securityGroupId: "sg-1", fromPort, toPort: fromPort, ipProtocol: "tcp", cidrIpv4 },
      { dependencies: [group.urn] },
    );
  const acl = (ingress: object[]) => res("aws:ec2/networkAcl:NetworkAcl", "acl", { vpcId: "vpc-1", ingress });
  const aclEntry = (cidrBlock: string, ruleAction = "allow", fromPort = 22) => ({
    protocol: "tcp",
    ruleNo: 100,
    action: ruleAction,
    cidrBlock,
    fromPort,
    toPort: fromPort,
  });
  const cases: Case[] = [
    ["0.0.0.0/1 + 128.0.0.0/1 in one rule", [sg([ssh(["0.0.0.0/1", "128.0.0.0/1"])])], [P]],
    ["0.0.0.0/1 and 128.0.0.0/1 in two rules of one group", [sg([ssh(["0.0.0.0/1"]), ssh(["128.0.0.0/1"])])], [P]],
    [
      "two public /24s making a /23 in one group's separate ingress rule resources",
      [group, ingressRule("a", "198.51.100.0/24"), ingressRule("b", "198.51.101.0/24")],
      [P],
    ],
    [
      "two public /24s making a /23 in two inline rules",
      [sg([ssh(["198.51.100.0/24"]), ssh(["198.51.101.0/24"])])],
      [P],
    ],
    ["a public /8", [sg([ssh(["11.0.0.0/8"])])], [P]],
    ["a public IPv6 /16", [sg([ssh([], ["2001::/16"])])], [P]],
    [
      "two public /24s of a /23 on different ports of one group",
      [sg([ssh(["198.51.100.0/24"]), { ...ssh(["198.51.101.0/24"]), fromPort: 80, toPort: 80 }])],
      [],
    ],
    ["one public /24", [sg([ssh(["198.51.100.0/24"])])], []],
    [
      "all private ranges together",
      [sg([ssh(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"])])],
      [],
    ],
    ["one public /28", [sg([ssh(["203.0.113.16/28"])])], []],
    [
      "separate rules of different groups",
      [
        ingressRule("a", "198.51.100.0/24"),
        {
          ...ingressRule("b", "198.51.101.0/24"),
          dependencies: [],
          inputs: { securityGroupId: "sg-2", fromPort: 22, toPort: 22, ipProtocol: "tcp", cidrIpv4: "198.51.101.0/24" },
        },
      ],
      [],
    ],
    ["a network ACL allowing 0.0.0.0/0", [acl([aclEntry("0.0.0.0/0")])], [NACL]],
    ["a network ACL allowing the two halves", [acl([aclEntry("0.0.0.0/1"), aclEntry("128.0.0.0/1")])], [NACL]],
    [
      "a network ACL rule resource allowing a public /4",
      [
        res("aws:ec2/networkAclRule:NetworkAclRule", "r", {
          networkAclId: "acl-1",
          ruleNumber: 100,
          egress: false,
          protocol: "tcp",
          ruleAction: "allow",
          cidrBlock: "16.0.0.0/4",
          fromPort: 22,
          toPort: 22,
        }),
      ],
      [NACL],
    ],
    [
      "a network ACL denying 0.0.0.0/0, allowing the VPC",
      [acl([aclEntry("0.0.0.0/0", "deny"), aclEntry("10.0.0.0/16")])],
      [],
    ],
  ];
  for (const [what, resources, expected] of cases) {
    it(`${expected.length ? "flags" : "passes"}: ${what}`, async () => {
      expect(await fired(resources)).to.deep.equal(expected);
    });
  }

  it("takes the broadness limit from config", async () => {
    const office = [sg([ssh(["198.51.100.0/22"])])];
    expect(await fired(office)).to.deep.equal([P]);
    expect(await fired(office, { [P]: { ipv4Prefix: 22 } })).to.deep.equal([]);
  });
});

describe("policy security-group-no-public-ingress on a VPC's default security group", () => {
  const def = (ingress: unknown[]) => res("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "default", { ingress });
  const cases: Case[] = [
    [
      "inline SSH from 0.0.0.0/0",
      [def([{ fromPort: 22, toPort: 22, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] }])],
      [P],
    ],
    [
      "inline all protocols from ::/0",
      [def([{ fromPort: 0, toPort: 0, protocol: "-1", ipv6CidrBlocks: ["::/0"] }])],
      [P],
    ],
    [
      "a rule adding a half to the group's inline half",
      (() => {
        const g = def([{ fromPort: 22, toPort: 22, protocol: "tcp", cidrBlocks: ["0.0.0.0/1"] }]);
        const rule = res(
          "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
          "half",
          { securityGroupId: "sg-default", fromPort: 22, toPort: 22, ipProtocol: "tcp", cidrIpv4: "128.0.0.0/1" },
          { dependencies: [g.urn] },
        );
        return [g, rule];
      })(),
      [P],
    ],
    ["no ingress (the hardened default)", [def([])], []],
    [
      "SSH from a private range",
      [def([{ fromPort: 22, toPort: 22, protocol: "tcp", cidrBlocks: ["10.0.0.0/8"] }])],
      [],
    ],
  ];
  for (const [what, resources, expected] of cases) {
    it(`${expected.length ? "flags" : "passes"}: ${what}`, async () => {
      expect(await fired(resources)).to.deep.equal(expected);
    });
  }
});

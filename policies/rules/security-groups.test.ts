import { expect } from "chai";
import { res, violations } from "../gate/testing";

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

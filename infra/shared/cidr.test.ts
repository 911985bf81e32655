import { expect } from "chai";
import { assertDisjoint, overlaps, parseCidr, reverseZone, subnet } from "./cidr";

describe("CIDR planning", () => {
  it("detects overlap and disjointness", () => {
    expect(overlaps(parseCidr("10.20.0.0/16"), parseCidr("10.20.128.0/24"))).to.equal(true);
    expect(overlaps(parseCidr("10.20.0.0/16"), parseCidr("10.21.0.0/16"))).to.equal(false);
    expect(overlaps(parseCidr("10.0.0.0/8"), parseCidr("10.255.255.0/24"))).to.equal(true);
  });

  it("refuses overlapping networks, naming both ranges", () => {
    expect(() => assertDisjoint({ "research VPC": "10.20.0.0/16", "bastion VPC": "10.20.64.0/20" })).to.throw(
      "research VPC 10.20.0.0/16 overlaps bastion VPC 10.20.64.0/20",
    );
    expect(() => assertDisjoint({ a: "10.20.0.0/16", b: "10.30.0.0/16" })).not.to.throw();
  });

  it("rejects malformed blocks with the value in the message", () => {
    expect(() => parseCidr("10.20.0.0/33")).to.throw('"10.20.0.0/33" is not an IPv4 CIDR block');
    expect(() => parseCidr("10.20.1.0/16")).to.throw("host bits set (network address is 10.20.0.0/16)");
  });

  it("cuts subnets in order and refuses one past the end", () => {
    expect(subnet("10.20.0.0/16", 20, 0)).to.equal("10.20.0.0/20");
    expect(subnet("10.20.0.0/16", 20, 3)).to.equal("10.20.48.0/20");
    expect(() => subnet("10.20.0.0/16", 17, 2)).to.throw("holds only 2 /17 subnets");
  });

  it("names the reverse zone covering a VPC", () => {
    expect(reverseZone("10.20.0.0/16")).to.equal("20.10.in-addr.arpa");
    expect(reverseZone("172.16.8.0/24")).to.equal("8.16.172.in-addr.arpa");
  });
});

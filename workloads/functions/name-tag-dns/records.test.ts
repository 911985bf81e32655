import { expect } from "chai";
import { collisionLabel, dnsLabel, fqdn, ownerOf, ownerValue, parseEvent, ptrName } from "./records";

describe("Name-tag DNS naming", () => {
  it("turns Name tags into DNS labels, or nothing when no label is left", () => {
    expect(dnsLabel("Jane's GPU box #2")).to.equal("jane-s-gpu-box-2");
    expect(dnsLabel("  --Train_Run--  ")).to.equal("train-run");
    expect(dnsLabel("x".repeat(100))).to.have.length(63);
    expect(dnsLabel("***")).to.equal(undefined);
    expect(dnsLabel("")).to.equal(undefined);
    expect(dnsLabel(undefined)).to.equal(undefined);
  });

  it("builds forward and reverse names", () => {
    expect(fqdn("gpu-1", "research.internal")).to.equal("gpu-1.research.internal.");
    expect(ptrName("10.20.3.4")).to.equal("4.3.20.10.in-addr.arpa.");
  });

  it("round-trips ownership and appends the instance id on collision", () => {
    expect(ownerOf(ownerValue("i-0abc123"))).to.equal("i-0abc123");
    expect(ownerOf('"something else"')).to.equal(undefined);
    expect(collisionLabel("gpu", "i-0abc")).to.equal("gpu-i-0abc");
    expect(collisionLabel("g".repeat(63), "i-0abc")).to.have.length(63);
  });

  it("parses state and tag events and ignores the rest with a reason", () => {
    expect(
      parseEvent({
        source: "aws.ec2",
        "detail-type": "EC2 Instance State-change Notification",
        detail: { "instance-id": "i-1", state: "running" },
      }),
    ).to.deep.equal({
      kind: "state",
      instanceId: "i-1",
      state: "running",
    });
    expect(
      parseEvent({
        source: "aws.tag",
        "detail-type": "Tag Change on Resource",
        resources: ["arn:aws:ec2:us-east-1:1:instance/i-2"],
        detail: { "changed-tag-keys": ["Name"] },
      }),
    ).to.deep.equal({ kind: "tags", instanceId: "i-2" });
    expect(
      parseEvent({
        source: "aws.tag",
        "detail-type": "Tag Change on Resource",
        resources: ["arn:aws:ec2:us-east-1:1:instance/i-2"],
        detail: { "changed-tag-keys": ["Owner"] },
      }).kind,
    ).to.equal("ignored");
    expect(parseEvent({ hello: "world" })).to.deep.include({ kind: "ignored" });
    expect(parseEvent(null).kind).to.equal("ignored");
  });
});

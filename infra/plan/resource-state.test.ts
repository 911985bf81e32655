import { expect } from "chai";
import { synthesise, SYNTHESISED_TYPES } from "./resource-state";

const ARN = /^arn:aws:[a-z0-9-]+:([a-z]{2}-[a-z]+-\d)?:(\d{12})?:.+$/;

describe("synthesised resource state", () => {
  const base = { name: "thing", inputs: {}, account: "123456789012", region: "eu-west-1", seed: "seed" };

  it("gives every known type a non-empty id, and a well-formed ARN where it has one", () => {
    for (const type of SYNTHESISED_TYPES) {
      const { id, state } = synthesise({ ...base, type });
      expect(id, type).to.be.a("string").and.not.equal("");
      if (state.arn !== undefined) expect(state.arn, type).to.match(ARN);
    }
  });

  it("uses the account and region it is given", () => {
    const role = synthesise({ ...base, type: "aws:iam/role:Role", inputs: { name: "ops" } });
    expect(role.state.arn).to.equal("arn:aws:iam::123456789012:role/ops");
    const queue = synthesise({ ...base, type: "aws:sqs/queue:Queue", inputs: { name: "jobs" } });
    expect(queue.id).to.equal("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs");
    expect(queue.state.arn).to.equal("arn:aws:sqs:eu-west-1:123456789012:jobs");
  });

  it("auto-names like Pulumi when no physical name is given, stably per seed", () => {
    const a = synthesise({ ...base, type: "aws:s3/bucket:Bucket" });
    const b = synthesise({ ...base, type: "aws:s3/bucket:Bucket" });
    const c = synthesise({ ...base, type: "aws:s3/bucket:Bucket", seed: "other" });
    expect(a.id).to.match(/^thing-[0-9a-f]{7}$/);
    expect(a.id).to.equal(b.id);
    expect(a.id).not.to.equal(c.id);
  });

  it("uses AWS's id shapes for EC2 and Route 53", () => {
    expect(synthesise({ ...base, type: "aws:ec2/vpc:Vpc" }).id).to.match(/^vpc-[0-9a-f]{17}$/);
    expect(synthesise({ ...base, type: "aws:ec2/securityGroup:SecurityGroup" }).id).to.match(/^sg-[0-9a-f]{17}$/);
    expect(synthesise({ ...base, type: "aws:route53/zone:Zone" }).id).to.match(/^Z[A-Z0-9]{20}$/);
    expect(synthesise({ ...base, type: "aws:organizations/account:Account", inputs: { email: "a@b.c" } }).id).to.match(
      /^\d{12}$/,
    );
  });
});

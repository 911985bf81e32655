import { expect } from "chai";
import { res, violations } from "../gate/testing";

const P = "account-stack-has-budget";
const trail = res("aws:cloudtrail/trail:Trail", "trail", {});

describe("policy account-stack-has-budget", () => {
  it("flags an account stack without a budget", async () => {
    const v = await violations([trail, res("aws:cfg/recorder:Recorder", "recorder", {})], P);
    expect(v).to.have.length(1);
    expect(v[0].urn).to.equal(trail.urn);
    expect(v[0].message).to.contain("no aws:budgets/budget:Budget");
  });

  it("flags an Organizations account stack without a budget", async () => {
    expect(await violations([res("aws:organizations/account:Account", "research", {})], P)).to.have.length(1);
  });

  it("passes an account stack with a budget, and ignores workload stacks", async () => {
    expect(
      await violations([trail, res("aws:budgets/budget:Budget", "monthly", { limitAmount: "100" })], P),
    ).to.deep.equal([]);
    expect(await violations([res("aws:sqs/queue:Queue", "jobs", {})], P)).to.deep.equal([]);
  });
});

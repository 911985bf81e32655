import { expect } from "chai";
import { z } from "zod";
import { checkOutput, StackOutputError } from "./stack-reference";

const shape = {
  vpcId: z.string().regex(/^vpc-/, "expected a VPC id"),
  subnetIds: z.array(z.string().min(1)).min(1),
  accounts: z.record(z.string(), z.string().regex(/^\d{12}$/, "expected an account id")),
};

describe("typed stack outputs", () => {
  it("hands out a value that matches its schema", () => {
    expect(checkOutput("org/p/network", shape, "vpcId", "vpc-0abc")).to.equal("vpc-0abc");
    expect(checkOutput("org/p/network", shape, "subnetIds", ["subnet-1"])).to.deep.equal(["subnet-1"]);
  });

  it("names the stack and the output when the output is missing", () => {
    expect(() => checkOutput("org/p/network", shape, "vpcId", undefined))
      .to.throw(StackOutputError)
      .with.property("message", 'stack org/p/network: output "vpcId" is missing');
  });

  it("names the stack, the output and where inside it when the output is mistyped, without the value", () => {
    let err: StackOutputError | undefined;
    try {
      checkOutput("org/p/network", shape, "accounts", { alpha: "secret-ish-value" });
    } catch (e) {
      err = e as StackOutputError;
    }
    expect(err).to.be.instanceOf(StackOutputError);
    expect(err?.stackName).to.equal("org/p/network");
    expect(err?.key).to.equal("accounts");
    expect(err?.message).to.equal(
      'stack org/p/network: output "accounts" is not what this layer expects at alpha: expected an account id',
    );
    expect(err?.message).not.to.contain("secret-ish-value");
    expect(() => checkOutput("org/p/network", shape, "subnetIds", 42)).to.throw(
      /output "subnetIds" is not what .*array/,
    );
  });
});

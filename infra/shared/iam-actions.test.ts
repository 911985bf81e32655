import { expect } from "chai";
import { actionMatchesPattern, expandActions, serviceExists, wildcard } from "./iam-actions";

describe("IAM action patterns", () => {
  it("matches IAM's wildcards case-insensitively, and nothing else as a wildcard", () => {
    expect(actionMatchesPattern("s3:GetObject", "s3:get*")).to.equal(true);
    expect(actionMatchesPattern("iam:AttachRolePolicy", "iam:Attach?olePolicy")).to.equal(true);
    expect(actionMatchesPattern("iam:AttachRolePolicy", "iam:Attach?Policy")).to.equal(false);
    // Regular-expression characters are literal in IAM.
    expect(wildcard("s3:Get.bject").test("s3:GetObject")).to.equal(false);
    expect(wildcard("ec2:Describe(.*)").test("ec2:DescribeInstances")).to.equal(false);
  });

  it("expands a pattern to the actions AWS publishes, spelt as AWS spells them", async () => {
    expect(await expandActions("iam:attachrolepolicy")).to.deep.equal(["iam:AttachRolePolicy"]);
    const gets = await expandActions("s3:GetObject*");
    expect(gets).to.include.members(["s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectVersion"]);
    expect(gets.every((a) => a.startsWith("s3:GetObject"))).to.equal(true);
    expect((await expandActions("iam:*")).length).to.be.above(100);
  });

  it("expands a wildcard in the service part over every matching service", async () => {
    const found = await expandActions("*:GetObject");
    expect(found).to.include.members(["s3:GetObject", "s3-object-lambda:GetObject"]);
  });

  it("names nothing for a misspelt action, an unknown service or a malformed string", async () => {
    expect(await expandActions("iam:AttachRolePolicies")).to.deep.equal([]);
    expect(await expandActions("nosuch:Get*")).to.deep.equal([]);
    expect(await expandActions("iam")).to.deep.equal([]);
    expect(await expandActions("iam:")).to.deep.equal([]);
    expect(await serviceExists("IAM")).to.equal(true);
    expect(await serviceExists("nosuch")).to.equal(false);
  });
});

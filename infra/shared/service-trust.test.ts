import { expect } from "chai";
import { SERVICES_WITHOUT_SOURCE_CONTEXT, sendsNoSourceContext, serviceTrustPolicy } from "./service-trust";

const where = { partition: "aws", region: "eu-west-1", account: "123456789012" };
const ACTIONS = ["sts:AssumeRole"];

describe("service trust: source conditions per service principal", () => {
  it("conditions a service on the role's own account", () => {
    expect(serviceTrustPolicy(["lambda.amazonaws.com"], ACTIONS, where).Statement).to.deep.equal([
      {
        Effect: "Allow",
        Principal: { Service: ["lambda.amazonaws.com"] },
        Action: ACTIONS,
        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
      },
    ]);
  });

  it("adds the account-scoped ARN pattern AWS documents for ECS tasks", () => {
    const [s] = serviceTrustPolicy(["ecs-tasks.amazonaws.com"], ACTIONS, where).Statement as {
      Condition: object;
    }[];
    expect(s.Condition).to.deep.equal({
      StringEquals: { "aws:SourceAccount": "123456789012" },
      ArnLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:123456789012:*" },
    });
  });

  it("uses the caller's exact ARN when the builder knows it", () => {
    const arn = "arn:aws:eks:eu-west-1:123456789012:cluster/search";
    const [s] = serviceTrustPolicy(["eks.amazonaws.com"], ACTIONS, where, arn).Statement as { Condition: object }[];
    expect(s.Condition).to.deep.equal({
      StringEquals: { "aws:SourceAccount": "123456789012" },
      ArnLike: { "aws:SourceArn": arn },
    });
  });

  it("leaves the reviewed services unconditioned, in a statement of their own", () => {
    const doc = serviceTrustPolicy(["ec2.amazonaws.com", "config.amazonaws.com"], ACTIONS, where);
    expect(doc.Statement).to.have.length(2);
    expect(doc.Statement[1]).to.deep.equal({
      Effect: "Allow",
      Principal: { Service: ["ec2.amazonaws.com"] },
      Action: ACTIONS,
    });
    expect(doc.Statement[0]).to.have.property("Condition");
  });

  it("refuses a source ARN that would bind no service, or two", () => {
    expect(() => serviceTrustPolicy(["ec2.amazonaws.com"], ACTIONS, where, "arn:x")).to.throw(/exactly one service/);
    expect(() =>
      serviceTrustPolicy(["lambda.amazonaws.com", "config.amazonaws.com"], ACTIONS, where, "arn:x"),
    ).to.throw(/exactly one service/);
  });

  it("gives a reason for every reviewed service, and matches it case-insensitively", () => {
    for (const [service, reason] of Object.entries(SERVICES_WITHOUT_SOURCE_CONTEXT)) {
      expect(reason.length, service).to.be.greaterThan(40);
      expect(sendsNoSourceContext(service.toUpperCase())).to.equal(true);
    }
    expect(sendsNoSourceContext("lambda.amazonaws.com")).to.equal(false);
  });
});

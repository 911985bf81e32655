import { expect } from "chai";
import { planStack } from "../../../plan";
import { jsonInput, one, ofType } from "../../../plan/query";
import type { StackPlan } from "../../../plan/types";

describe("photo API load balancers (offline graph)", () => {
  let plan: StackPlan;
  before(async () => {
    plan = await planStack("classification");
  });

  it("both have deletion protection and write access logs to the API's log bucket", () => {
    const balancers = ofType(plan, "aws:lb/loadBalancer:LoadBalancer");
    expect(balancers).to.have.length(2);
    const bucket = one(plan, "aws:s3/bucket:Bucket", "photo-api-lb-logs");
    const policy = one(plan, "aws:s3/bucketPolicy:BucketPolicy", "photo-api-lb-logs-policy");
    for (const lb of balancers) {
      expect(lb.inputs.enableDeletionProtection, lb.name).to.equal(true);
      const logs = lb.inputs.accessLogs as { bucket: string; enabled: boolean; prefix: string };
      expect(logs.enabled, lb.name).to.equal(true);
      expect(logs.prefix).to.match(/^load-balancers\//);
      expect(lb.dependencies).to.include.members([bucket.urn, policy.urn]);
    }
    const grant = jsonInput<{ Statement: Array<{ Principal: unknown; Resource: string }> }>(policy, "policy").Statement;
    // us-east-1 predates the log-delivery service principal: Elastic Load Balancing's account writes there.
    expect(JSON.stringify(grant)).to.contain("arn:aws:iam::127311923021:root");
  });
});

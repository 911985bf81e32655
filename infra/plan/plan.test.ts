import { expect } from "chai";
import * as path from "node:path";
import { planStack, PlanError } from "./index";
import { jsonInput, one } from "./query";
import type { StackPlan } from "./types";

const fixtures = path.join(__dirname, "fixtures");
const program = path.join(fixtures, "program.ts");
const upstream = { network: { vpcId: "vpc-0123456789abcdef0" } };

describe("offline plan (fixture program under mocks)", () => {
  let plan: StackPlan;
  before(async () => {
    plan = await planStack("fixture", { root: fixtures, program, stackOutputs: upstream });
  });

  it("records every registration with type, URN and parent", () => {
    const store = one(plan, "fixture:index:Store", "store");
    const bucket = one(plan, "aws:s3/bucket:Bucket", "store-data");
    expect(store.parent).to.equal(null);
    expect(bucket.parent).to.equal(store.urn);
    expect(bucket.urn).to.equal(
      "urn:pulumi:fixture::ml-platform::fixture:index:Store$aws:s3/bucket:Bucket::store-data",
    );
  });

  it("resolves inputs that depend on other resources' outputs, and records the dependency", () => {
    const policy = one(plan, "aws:iam/rolePolicy:RolePolicy", "reader-read");
    const doc = jsonInput<{ Statement: Array<{ Resource: string }> }>(policy, "policy");
    const bucketArn = plan.outputs.bucketArn as string;
    expect(bucketArn).to.match(/^arn:aws:s3:::store-data-[0-9a-f]{7}$/);
    expect(doc.Statement[0].Resource).to.equal(`${bucketArn}/*`);
    const role = one(plan, "aws:iam/role:Role", "reader");
    const bucket = one(plan, "aws:s3/bucket:Bucket", "store-data");
    expect(policy.dependencies).to.include.members([role.urn, bucket.urn]);
  });

  it("puts resources in the account and region of their provider", () => {
    expect(plan.outputs.roleArn).to.match(/^arn:aws:iam::444444444444:role\/reader-[0-9a-f]{7}$/);
    expect(plan.outputs.queueUrl).to.match(
      /^https:\/\/sqs\.eu-west-1\.amazonaws\.com\/444444444444\/jobs-[0-9a-f]{7}$/,
    );
  });

  it("records which explicit provider each resource uses, inherited by component children", () => {
    const provider = one(plan, "pulumi:providers:aws", "member");
    expect(one(plan, "aws:iam/role:Role", "reader").provider).to.equal(provider.urn);
    expect(one(plan, "aws:s3/bucket:Bucket", "store-data").provider).to.equal(provider.urn);
    expect(one(plan, "aws:ssm/parameter:Parameter", "token").provider).to.equal(null);
  });

  it("decodes provider inputs and passes typed config through", () => {
    const provider = one(plan, "pulumi:providers:aws", "member");
    expect(provider.inputs.assumeRoles).to.deep.equal([
      { roleArn: "arn:aws:iam::444444444444:role/OrganizationAccountAccessRole" },
    ]);
    expect(one(plan, "aws:sqs/queue:Queue", "jobs").inputs.messageRetentionSeconds).to.equal(4 * 86400);
  });

  it("masks secrets", () => {
    const token = one(plan, "aws:ssm/parameter:Parameter", "token");
    expect(token.inputs.value).to.equal("[secret]");
    expect(JSON.stringify(plan)).not.to.contain("not-really-secret");
  });

  it("feeds StackReferences from earlier stacks and answers data sources plausibly", () => {
    expect(plan.outputs.upstreamVpcId).to.equal("vpc-0123456789abcdef0");
    expect(plan.outputs.zoneNames).to.deep.equal(["us-east-1a", "us-east-1b", "us-east-1c"]);
  });

  it("is deterministic: the same program plans to the same graph", async () => {
    const again = await planStack("fixture", { root: fixtures, program, stackOutputs: upstream });
    expect(again).to.deep.equal(plan);
  });
});

describe("offline plan failures", () => {
  it("names the stack and the key when config is malformed", async () => {
    const err = await planStack("fixture", {
      root: fixtures,
      program,
      stackOutputs: upstream,
      config: { "ml-platform:retentionDays": "four" },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(PlanError);
    expect((err as PlanError).stack).to.equal("fixture");
    expect((err as Error).message).to.contain("ml-platform:retentionDays");
  });

  it("names a missing key", async () => {
    const err = await planStack("fixture", {
      root: fixtures,
      program,
      stackOutputs: upstream,
      config: { "ml-platform:memberAccountId": null },
    }).catch((e: Error) => e);
    expect((err as Error).message).to.match(/ml-platform:memberAccountId: .*expected string/i);
  });

  it("fails when a referenced stack was not planned", async () => {
    const err = await planStack("fixture", { root: fixtures, program }).catch((e: Error) => e);
    expect((err as Error).message).to.contain('stack reference "acme/ml-platform/network"');
  });

  describe("when a typed StackReference reader refuses an output", () => {
    const readerProgram = path.join(fixtures, "reader-program.ts");
    const planWith = (network: Record<string, unknown>) =>
      planStack("fixture", { root: fixtures, program: readerProgram, stackOutputs: { network } });

    it("plans every resource when the output is there", async () => {
      const plan = await planWith({ vpcId: "vpc-0123456789abcdef0" });
      expect(plan.resources.map((r) => r.name)).to.include.members(["before", "group", "group-egress", "after"]);
      expect(one(plan, "aws:ec2/securityGroup:SecurityGroup", "group").inputs.vpcId).to.equal("vpc-0123456789abcdef0");
    });

    // Without the check, the resources that take the output are simply never registered and the
    // plan comes back with the others only.
    it("fails naming the stack, the output and the resource when the output is missing", async () => {
      const err = await planWith({ subnetIds: [] }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(PlanError);
      expect((err as Error).message).to.contain('stack acme/ml-platform/network: output "vpcId" is missing');
      expect((err as Error).message).to.contain('aws:ec2/securityGroup:SecurityGroup "group" was not registered');
    });

    it("fails naming the stack and the output when the output has the wrong type", async () => {
      const err = await planWith({ vpcId: 42 }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(PlanError);
      expect((err as Error).message).to.match(/stack acme\/ml-platform\/network: output "vpcId" is not what .*string/);
    });
  });
});

import { expect } from "chai";
import { planAll, planStack } from "../plan";
import { jsonInput, one, ofType } from "../plan/query";
import type { StackPlan } from "../plan/types";
import { AUDIT_TAMPER_ACTIONS, BUDGET_TAMPER_ACTIONS } from "../shared/guardrails";

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action?: string | string[];
  NotAction?: string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}
const statements = (doc: { Statement: Statement[] }) => doc.Statement;
const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

describe("management stack (offline graph)", () => {
  let plan: StackPlan;
  let members: string[];
  before(async () => {
    const { plans, failures } = await planAll();
    expect(failures).to.deep.equal([]);
    plan = plans.get("management") as StackPlan;
    const out = plan.outputs as {
      researchAccountIds: Record<string, string>;
      sandboxAccountIds: Record<string, string>;
    };
    members = [...Object.values(out.researchAccountIds), ...Object.values(out.sandboxAccountIds)];
  });

  describe("audit bucket", () => {
    let policy: Statement[];
    before(() => {
      policy = statements(jsonInput(one(plan, "aws:s3/bucketPolicy:BucketPolicy"), "policy"));
    });

    it("denies every deletion to everyone", () => {
      const deny = policy.find(
        (s) => s.Effect === "Deny" && s.Principal === "*" && list(s.Action).includes("s3:DeleteObjectVersion"),
      );
      expect(deny, "a Deny of deletes for Principal *").to.not.equal(undefined);
      expect(list(deny?.Action)).to.include.members(["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:DeleteBucket"]);
      expect(deny?.Condition).to.equal(undefined);
    });

    it("denies any access without TLS", () => {
      const deny = policy.find((s) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false");
      expect(list(deny?.Action)).to.include("s3:*");
      expect(deny?.Principal).to.equal("*");
    });

    it("admits CloudTrail and Config writes only for the listed accounts, under their own prefixes", () => {
      const writes = policy.filter((s) => s.Effect === "Allow" && list(s.Action).includes("s3:PutObject"));
      expect(writes).to.have.length(2);
      for (const w of writes) {
        expect(w.Condition?.StringEquals?.["aws:SourceAccount"]).to.have.members(members);
        expect(list(w.Resource)).to.have.length(members.length);
        for (const r of list(w.Resource))
          expect(
            members.some((m) => r.includes(`/AWSLogs/${m}/`)),
            r,
          ).to.equal(true);
      }
      const allows = policy.filter((s) => s.Effect === "Allow");
      for (const a of allows)
        expect(JSON.stringify(a.Principal)).to.match(/cloudtrail\.amazonaws\.com|config\.amazonaws\.com/);
    });

    it("denies member-account principals outright", () => {
      const deny = policy.find((s) => s.Sid === "DenyMemberAccountPrincipals");
      expect((deny?.Principal as { AWS: string[] }).AWS).to.have.members(members.map((m) => `arn:aws:iam::${m}:root`));
    });

    it("is versioned, object-locked, KMS-encrypted, private, and moves to colder storage", () => {
      const bucket = one(plan, "aws:s3/bucket:Bucket");
      expect(bucket.inputs.objectLockEnabled).to.equal(true);
      expect((bucket.inputs.tags as Record<string, string>)["ml-platform:purpose"]).to.equal("audit");
      expect(one(plan, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration).to.deep.equal({
        status: "Enabled",
      });
      expect(one(plan, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").inputs.rule).to.deep.equal(
        {
          defaultRetention: { mode: "GOVERNANCE", days: 365 },
        },
      );
      const sse = one(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
        .inputs.rules as Array<{
        applyServerSideEncryptionByDefault: { sseAlgorithm: string };
      }>;
      expect(sse[0].applyServerSideEncryptionByDefault.sseAlgorithm).to.equal("aws:kms");
      const pab = one(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs;
      expect([
        pab.blockPublicAcls,
        pab.blockPublicPolicy,
        pab.ignorePublicAcls,
        pab.restrictPublicBuckets,
      ]).to.deep.equal([true, true, true, true]);
      const rules = one(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs
        .rules as Array<{ transitions: Array<{ days: number }> }>;
      expect(rules[0].transitions[0].days).to.equal(90);
    });

    it("has a key that services use for the listed accounts and member accounts can never decrypt", () => {
      const key = statements(jsonInput(one(plan, "aws:kms/key:Key"), "policy"));
      const deny = key.find((s) => s.Effect === "Deny");
      expect(list(deny?.Action)).to.include.members(["kms:Decrypt", "kms:ScheduleKeyDeletion"]);
      expect((deny?.Principal as { AWS: string[] }).AWS).to.have.members(members.map((m) => `arn:aws:iam::${m}:root`));
      const trail = key.find((s) => JSON.stringify(s.Principal).includes("cloudtrail"));
      expect(trail?.Condition?.StringEquals?.["aws:SourceAccount"]).to.have.members(members);
      expect(list(trail?.Action)).not.to.include("kms:Decrypt");
    });
  });

  describe("research guardrail policy (SCP)", () => {
    let scp: Statement[];
    before(() => {
      scp = statements(jsonInput(one(plan, "aws:organizations/policy:Policy"), "content"));
    });

    it("denies stopping, deleting or changing the trail, recorder and delivery channel", () => {
      const denied = scp.filter((s) => s.Effect === "Deny").flatMap((s) => list(s.Action));
      expect(denied).to.include.members([
        ...AUDIT_TAMPER_ACTIONS,
        ...BUDGET_TAMPER_ACTIONS,
        "organizations:LeaveOrganization",
      ]);
      expect(denied).to.include.members([
        "cloudtrail:StopLogging",
        "cloudtrail:DeleteTrail",
        "config:StopConfigurationRecorder",
        "config:DeleteDeliveryChannel",
      ]);
    });

    it("protects the guardrail roles and the research admin role", () => {
      const roles = scp.find((s) => s.Sid === "ProtectGuardrailRoles");
      expect(list(roles?.Resource)).to.include.members([
        "arn:aws:iam::*:role/research-admin",
        "arn:aws:iam::*:role/guardrails/*",
      ]);
      expect(list(roles?.Action)).to.include.members([
        "iam:DeleteRole",
        "iam:PutRolePolicy",
        "iam:UpdateAssumeRolePolicy",
      ]);
    });

    it("restricts regions as configured, and only when configured", async () => {
      const region = scp.find((s) => s.Sid === "AllowedRegionsOnly");
      expect(region?.Condition?.StringNotEquals?.["aws:RequestedRegion"]).to.deep.equal(["us-east-1", "us-west-2"]);
      const open = await planStack("management", { config: { "ml-platform:guardrails": {} } });
      const openScp = statements(jsonInput(one(open, "aws:organizations/policy:Policy"), "content"));
      expect(openScp.map((s) => s.Sid)).not.to.include("AllowedRegionsOnly");
    });

    it("is attached to the research OU", () => {
      const ou = ofType(plan, "aws:organizations/organizationalUnit:OrganizationalUnit").find(
        (r) => r.inputs.name === "research",
      );
      const attachment = one(plan, "aws:organizations/policyAttachment:PolicyAttachment");
      expect(attachment.dependencies).to.include(ou?.urn);
    });
  });

  it("lets the named production groups assume the research admin role only with MFA", () => {
    const policy = statements(jsonInput(one(plan, "aws:iam/policy:Policy"), "policy"));
    expect(policy[0].Condition?.Bool?.["aws:MultiFactorAuthPresent"]).to.equal("true");
    const research = Object.values((plan.outputs as { researchAccountIds: Record<string, string> }).researchAccountIds);
    expect(list(policy[0].Resource)).to.deep.equal(research.map((id) => `arn:aws:iam::${id}:role/research-admin`));
    expect(one(plan, "aws:iam/groupPolicyAttachment:GroupPolicyAttachment").inputs.group).to.equal("ml-researchers");
  });

  it("protects member accounts from deletion and never closes them", () => {
    const accounts = ofType(plan, "aws:organizations/account:Account");
    expect(accounts).to.have.length(2);
    for (const a of accounts) expect(a.inputs.closeOnDeletion).to.equal(false);
  });
});

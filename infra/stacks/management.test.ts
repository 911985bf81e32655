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
      policy = statements(jsonInput(one(plan, "aws:s3/bucketPolicy:BucketPolicy", "audit-policy"), "policy"));
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

    it("admits each account's own trail (by name) and own Config, each under that account's prefix only", () => {
      const config = statements(
        jsonInput(one(plan, "aws:s3/bucketPolicy:BucketPolicy", "audit-config-policy"), "policy"),
      );
      for (const [doc, service] of [
        [policy, "cloudtrail"],
        [config, "config"],
      ] as const) {
        const writes = doc.filter((s) => s.Effect === "Allow" && list(s.Action).includes("s3:PutObject"));
        expect(writes).to.have.length(members.length);
        for (const w of writes) {
          expect(JSON.stringify(w.Principal)).to.contain(`${service}.amazonaws.com`);
          const account = w.Condition?.StringEquals?.["aws:SourceAccount"] as string;
          expect(members).to.include(account);
          expect(list(w.Resource)).to.have.length(1);
          expect(list(w.Resource)[0]).to.contain(`/AWSLogs/${account}/`);
          if (service === "cloudtrail")
            expect(w.Condition?.ArnLike?.["aws:SourceArn"]).to.equal(
              `arn:aws:cloudtrail:*:${account}:trail/ml-platform-audit`,
            );
        }
        for (const a of doc.filter((s) => s.Effect === "Allow"))
          expect(JSON.stringify(a.Principal)).to.contain(`${service}.amazonaws.com`);
        // The same protections on both buckets.
        expect(doc.map((s) => s.Sid)).to.include.members([
          "DenyInsecureTransport",
          "DenyDeletion",
          "DenyMemberAccountPrincipals",
        ]);
      }
    });

    it("sends Config to a bucket without object lock (Config does not deliver to one), versioned and KMS-encrypted", () => {
      const bucket = one(plan, "aws:s3/bucket:Bucket", "audit-config");
      expect(bucket.inputs.objectLockEnabled).to.equal(false);
      expect(plan.outputs.configBucketName).to.be.a("string");
      expect(
        one(plan, "aws:s3/bucketVersioning:BucketVersioning", "audit-config-versioning").inputs.versioningConfiguration,
      ).to.deep.equal({ status: "Enabled" });
    });

    it("logs both delivery buckets' access to a separate bucket (CIS)", () => {
      const logs = one(plan, "aws:s3/bucket:Bucket", "audit-access-logs");
      const logged = ofType(plan, "aws:s3/bucketLogging:BucketLogging");
      expect(logged).to.have.length(2);
      for (const name of ["audit", "audit-config"]) {
        const source = one(plan, "aws:s3/bucket:Bucket", name);
        expect(
          logged.some((l) => l.dependencies.includes(source.urn) && l.dependencies.includes(logs.urn)),
          name,
        ).to.equal(true);
      }
      const grant = statements(
        jsonInput(one(plan, "aws:s3/bucketPolicy:BucketPolicy", "audit-access-logs-policy"), "policy"),
      );
      expect(JSON.stringify(grant)).to.contain("logging.s3.amazonaws.com");
    });

    it("denies member-account principals outright", () => {
      const deny = policy.find((s) => s.Sid === "DenyMemberAccountPrincipals");
      expect((deny?.Principal as { AWS: string[] }).AWS).to.have.members(members.map((m) => `arn:aws:iam::${m}:root`));
    });

    it("is versioned, object-locked, KMS-encrypted, private, and moves to colder storage", () => {
      const bucket = one(plan, "aws:s3/bucket:Bucket", "audit");
      expect(bucket.inputs.objectLockEnabled).to.equal(true);
      expect((bucket.inputs.tags as Record<string, string>)["ml-platform:purpose"]).to.equal("audit");
      expect(
        one(plan, "aws:s3/bucketVersioning:BucketVersioning", "audit-versioning").inputs.versioningConfiguration,
      ).to.deep.equal({
        status: "Enabled",
      });
      expect(one(plan, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").inputs.rule).to.deep.equal(
        {
          defaultRetention: { mode: "GOVERNANCE", days: 365 },
        },
      );
      const sse = one(
        plan,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "audit-encryption",
      ).inputs.rules as Array<{
        applyServerSideEncryptionByDefault: { sseAlgorithm: string };
      }>;
      expect(sse[0].applyServerSideEncryptionByDefault.sseAlgorithm).to.equal("aws:kms");
      const pab = one(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "audit-public-access").inputs;
      expect([
        pab.blockPublicAcls,
        pab.blockPublicPolicy,
        pab.ignorePublicAcls,
        pab.restrictPublicBuckets,
      ]).to.deep.equal([true, true, true, true]);
      const rules = one(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "audit-lifecycle")
        .inputs.rules as Array<{ transitions: Array<{ days: number }> }>;
      expect(rules[0].transitions[0].days).to.equal(90);
    });

    it("has a key that services use for the listed accounts and member accounts can never decrypt", () => {
      const key = statements(jsonInput(one(plan, "aws:kms/key:Key"), "policy"));
      const deny = key.find((s) => s.Effect === "Deny");
      expect(list(deny?.Action)).to.include.members(["kms:Decrypt", "kms:ScheduleKeyDeletion"]);
      expect((deny?.Principal as { AWS: string[] }).AWS).to.have.members(members.map((m) => `arn:aws:iam::${m}:root`));
      const trail = key.filter((s) => JSON.stringify(s.Principal).includes("cloudtrail"));
      const trails = members.map((m) => `arn:aws:cloudtrail:*:${m}:trail/ml-platform-audit`);
      for (const s of trail) expect(s.Condition?.ArnLike?.["aws:SourceArn"]).to.have.members(trails);
      const generate = trail.find((s) => list(s.Action).includes("kms:GenerateDataKey*"));
      expect(generate?.Condition?.StringLike?.["kms:EncryptionContext:aws:cloudtrail:arn"]).to.have.length(
        members.length,
      );
      // DescribeKey carries no encryption context: a statement of its own, without that condition (AWS documents it so).
      const describe = trail.find((s) => list(s.Action).includes("kms:DescribeKey"));
      expect(list(describe?.Action)).to.deep.equal(["kms:DescribeKey"]);
      expect(JSON.stringify(describe?.Condition)).not.to.contain("EncryptionContext");
      // The bucket uses S3 Bucket Keys: CloudTrail needs Decrypt to create or update the trail.
      expect(trail.some((s) => list(s.Action).includes("kms:Decrypt"))).to.equal(true);
    });
  });

  describe("research guardrail policy (SCP)", () => {
    let scp: Statement[];
    before(() => {
      scp = ofType(plan, "aws:organizations/policy:Policy").flatMap((p) => statements(jsonInput(p, "content")));
    });

    it("fits AWS's SCP size limit, each part", () => {
      for (const p of ofType(plan, "aws:organizations/policy:Policy"))
        expect((p.inputs.content as string).length, p.name).to.be.at.most(5120);
    });

    it("denies the member root user everything and protects the deploy role from every principal", () => {
      const root = scp.find((s) => s.Sid === "DenyMemberRootUser");
      expect(root?.Action).to.equal("*");
      expect(root?.Condition?.ArnLike?.["aws:PrincipalArn"]).to.equal("arn:aws:iam::*:root");
      const deploy = scp.find((s) => s.Sid === "ProtectDeployRole");
      expect(deploy?.Resource).to.equal("arn:aws:iam::*:role/OrganizationAccountAccessRole");
      expect(deploy?.Condition).to.equal(undefined);
      expect(list(deploy?.Action)).to.include.members([
        "iam:UpdateAssumeRolePolicy",
        "iam:DeleteRole",
        "iam:CreateRole",
      ]);
    });

    it("requires the platform's boundary on every created role and user, and protects tagged resources and the tag", () => {
      const boundary = scp.find((s) => s.Sid === "RequirePlatformBoundary");
      expect(list(boundary?.Action)).to.include.members(["iam:CreateRole", "iam:CreateUser"]);
      expect(boundary?.Condition?.StringNotEquals?.["iam:PermissionsBoundary"]).to.match(
        /policy\/guardrails\/ml-platform-research-boundary$/,
      );
      const tagged = scp.find((s) => s.Sid === "ProtectTaggedPlatformResources");
      expect(tagged?.Condition?.StringEquals?.["aws:ResourceTag/ml-platform:guardrail"]).to.equal("protected");
      const tag = scp.find((s) => s.Sid === "ProtectGuardrailTag");
      expect(tag?.Condition?.["ForAnyValue:StringEquals"]?.["aws:TagKeys"]).to.deep.equal(["ml-platform:guardrail"]);
      const audit = scp.find((s) => s.Sid === "ProtectAuditTrailAndConfig");
      expect(list(audit?.Action)).to.include.members(["config:Put*", "config:Delete*", "cloudtrail:CreateTrail"]);
    });

    it("denies stopping, deleting or changing the trail, recorder and delivery channel", () => {
      const denied = scp.filter((s) => s.Effect === "Deny").flatMap((s) => list(s.Action));
      // Wildcards as IAM reads them: `config:Delete*` covers DeleteDeliveryChannel.
      const covered = (action: string) =>
        denied.some((d) => new RegExp(`^${d.replace(/\*/g, ".*")}$`, "i").test(action));
      for (const action of [
        ...AUDIT_TAMPER_ACTIONS,
        ...BUDGET_TAMPER_ACTIONS,
        "organizations:LeaveOrganization",
        "cloudtrail:StopLogging",
        "cloudtrail:DeleteTrail",
        "config:StopConfigurationRecorder",
        "config:DeleteDeliveryChannel",
        "config:PutRetentionConfiguration",
        "config:PutConformancePack",
        "config:PutRemediationConfigurations",
      ])
        expect(covered(action), action).to.equal(true);
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
      const openScp = ofType(open, "aws:organizations/policy:Policy").flatMap((p) =>
        statements(jsonInput(p, "content")),
      );
      expect(openScp.map((s) => s.Sid)).not.to.include("AllowedRegionsOnly");
    });

    it("is attached to the research OU", () => {
      const ou = ofType(plan, "aws:organizations/organizationalUnit:OrganizationalUnit").find(
        (r) => r.inputs.name === "research",
      );
      const attachments = ofType(plan, "aws:organizations/policyAttachment:PolicyAttachment");
      expect(attachments).to.have.length(2);
      for (const a of attachments) expect(a.dependencies).to.include(ou?.urn);
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

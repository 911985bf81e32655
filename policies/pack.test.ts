/**
 * The pack as a whole over an account stack shaped like the platform's: fully compliant, it
 * yields no violation at all (advisory included); each guard rail removed makes exactly its own
 * policy fire. Doubles as the worked example of what a stack must declare to pass.
 */
import { expect } from "chai";
import { resolvePolicyConfig } from "./gate/config";
import { doc, ourPack, res, violations } from "./gate/testing";
import type { PlanResource } from "./gate/plan-files";
import { mfaTrust, tlsOnlyPolicy } from "./rules/compliant.testing";
import { TAG } from "../workloads/shared/conventions";

const key = "arn:aws:kms:us-east-1:222222222222:key/1234";
const tags = { Owner: "platform-team", Project: "ml-platform" };

function accountStack(): PlanResource[] {
  const provider = res("pulumi:providers:aws", "research", { region: "us-east-1", defaultTags: { tags } });
  const audit = res("aws:s3/bucketV2:BucketV2", "audit-logs", {
    bucket: "research-audit-logs",
    objectLockEnabled: true,
    tags: { "ml-platform:purpose": "audit" },
  });
  const b = "research-audit-logs";
  const dlq = res("aws:sqs/queue:Queue", "jobs-dlq", { name: "jobs-dlq", sqsManagedSseEnabled: true });
  const admin = res(
    "aws:iam/role:Role",
    "research-admin",
    { name: "research-admin", assumeRolePolicy: mfaTrust(), tags: { [TAG.policyExemption]: "research-admin" } },
    { components: ["ml-platform:research:ResearchAdminRole"] },
  );
  const auditor = res("aws:iam/role:Role", "auditor", { name: "auditor", assumeRolePolicy: mfaTrust() });
  return [
    provider,
    audit,
    auditor,
    res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "audit-logs-pab", {
      bucket: b,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }),
    res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "audit-logs-sse", {
      bucket: b,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key } }],
    }),
    res("aws:s3/bucketPolicy:BucketPolicy", "audit-logs-policy", {
      bucket: b,
      policy: tlsOnlyPolicy(b),
    }),
    res("aws:s3/bucketVersioning:BucketVersioning", "audit-logs-versioning", {
      bucket: b,
      versioningConfiguration: { status: "Enabled" },
    }),
    res("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "audit-logs-lock", {
      bucket: b,
      rule: { defaultRetention: { mode: "GOVERNANCE", days: 365 } },
    }),
    res("aws:cloudtrail/trail:Trail", "trail", {
      s3BucketName: b,
      isMultiRegionTrail: true,
      enableLogFileValidation: true,
      kmsKeyId: key,
    }),
    res("aws:budgets/budget:Budget", "monthly", {
      budgetType: "COST",
      limitAmount: "1000",
      limitUnit: "USD",
      timeUnit: "MONTHLY",
    }),
    admin,
    res(
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      "research-admin-access",
      { role: "research-admin", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
      { dependencies: [admin.urn] },
    ),
    res("aws:ec2/securityGroup:SecurityGroup", "workers", {
      vpcId: "vpc-1",
      ingress: [{ fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: ["10.0.0.0/16"] }],
      egress: [{ fromPort: 0, toPort: 0, protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }],
    }),
    res("aws:ec2/launchTemplate:LaunchTemplate", "gpu-workers", {
      instanceType: "g5.xlarge",
      metadataOptions: { httpTokens: "required", httpEndpoint: "enabled" },
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 200 } }],
    }),
    res("aws:ecs/taskDefinition:TaskDefinition", "classifier", {
      family: "classifier",
      containerDefinitions: JSON.stringify([
        { name: "classifier", image: "classifier:1", user: "10001:10001", readonlyRootFilesystem: true },
      ]),
    }),
    res("aws:sqs/queue:Queue", "jobs", {
      name: "jobs",
      sqsManagedSseEnabled: true,
      redrivePolicy: JSON.stringify({
        deadLetterTargetArn: "arn:aws:sqs:us-east-1:222222222222:jobs-dlq",
        maxReceiveCount: 5,
      }),
    }),
    dlq,
  ];
}

function without(resources: PlanResource[], name: string): PlanResource[] {
  return resources.filter((r) => r.name !== name);
}

function patch(resources: PlanResource[], name: string, inputs: Record<string, unknown>): PlanResource[] {
  return resources.map((r) => (r.name === name ? { ...r, inputs: { ...r.inputs, ...inputs } } : r));
}

describe("ml-platform pack over a whole account stack", () => {
  it("is mandatory but for required-tags: the pack's default level, which only an exception overrides", async () => {
    const pack = await ourPack();
    const levels = pack.policies.map((p) => [p.name, resolvePolicyConfig(pack, p, {}).enforcementLevel]);
    expect(levels.filter(([, level]) => level !== "mandatory")).to.deep.equal([["required-tags", "advisory"]]);
  });

  it("finds nothing in a compliant account stack", async () => {
    expect(await violations(accountStack())).to.deep.equal([]);
  });

  const cases: [string, (r: PlanResource[]) => PlanResource[], string][] = [
    ["no budget", (r) => without(r, "monthly"), "account-stack-has-budget"],
    ["public access block missing", (r) => without(r, "audit-logs-pab"), "s3-public-access-block"],
    ["versioning missing", (r) => without(r, "audit-logs-versioning"), "s3-audit-versioning"],
    [
      "admin attached to a non-exempt role",
      (r) =>
        patch(r, "research-admin-access", { role: "worker" }).map((x) =>
          x.name === "research-admin-access" ? { ...x, dependencies: [] } : x,
        ),
      "iam-no-effective-admin",
    ],
    [
      "MFA condition dropped",
      (r) =>
        patch(r, "auditor", {
          assumeRolePolicy: doc({ Effect: "Allow", Principal: { AWS: "111111111111" }, Action: "sts:AssumeRole" }),
        }),
      "iam-trust-policy-conditions",
    ],
    [
      "IMDSv1 allowed",
      (r) => patch(r, "gpu-workers", { metadataOptions: { httpTokens: "optional" } }),
      "ec2-imdsv2-required",
    ],
    [
      "root container",
      (r) => patch(r, "classifier", { containerDefinitions: JSON.stringify([{ name: "c", image: "i" }]) }),
      "ecs-container-hardening",
    ],
    ["no DLQ", (r) => patch(r, "jobs", { redrivePolicy: undefined }), "sqs-dead-letter-queue"],
    ["untagged provider", (r) => patch(r, "research", { defaultTags: undefined }), "required-tags"],
  ];
  for (const [what, mutate, policy] of cases) {
    it(`fires only ${policy} when: ${what}`, async () => {
      const v = await violations(mutate(accountStack()));
      expect([...new Set(v.map((x) => x.policy))]).to.deep.equal([policy]);
    });
  }
});

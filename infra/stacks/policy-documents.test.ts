/**
 * Every policy document any stack emits — IAM, bucket, key, SCP, topic and queue policies — is
 * valid policy JSON. Runs over the whole offline plan, so a new stack is covered by existing here.
 */
import { expect } from "chai";
import { planAll } from "../plan";
import type { PlannedResource, StackPlan } from "../plan/types";
import { checkPolicyDocument, type CheckOptions } from "../shared/policy-document-check";

const resourcePolicy: CheckOptions = { principal: "required", resource: "required" };
const identityPolicy: CheckOptions = { principal: "forbidden", resource: "required" };
const trustPolicy: CheckOptions = { principal: "required", resource: "forbidden" };

/** Which input of which resource type holds a policy document, and what kind it is. */
const DOCUMENTS: Record<string, Array<[string, CheckOptions]>> = {
  "aws:iam/role:Role": [["assumeRolePolicy", trustPolicy]],
  "aws:iam/rolePolicy:RolePolicy": [["policy", identityPolicy]],
  "aws:iam/policy:Policy": [["policy", identityPolicy]],
  "aws:iam/userPolicy:UserPolicy": [["policy", identityPolicy]],
  "aws:iam/groupPolicy:GroupPolicy": [["policy", identityPolicy]],
  "aws:s3/bucketPolicy:BucketPolicy": [["policy", resourcePolicy]],
  "aws:kms/key:Key": [["policy", resourcePolicy]],
  "aws:organizations/policy:Policy": [["content", identityPolicy]],
  "aws:sns/topicPolicy:TopicPolicy": [["policy", resourcePolicy]],
  "aws:sqs/queuePolicy:QueuePolicy": [["policy", resourcePolicy]],
  "aws:ecr/repositoryPolicy:RepositoryPolicy": [["policy", { principal: "required", resource: "optional" }]],
  "aws:secretsmanager/secretPolicy:SecretPolicy": [["policy", resourcePolicy]],
};

function documentsOf(r: PlannedResource): Array<{ key: string; text: unknown; options: CheckOptions }> {
  const found = (DOCUMENTS[r.type] ?? []).map(([key, options]) => ({ key, text: r.inputs[key], options }));
  // Inline role policies are documents too.
  if (r.type === "aws:iam/role:Role" && Array.isArray(r.inputs.inlinePolicies)) {
    (r.inputs.inlinePolicies as Array<{ policy?: unknown }>).forEach((p, i) =>
      found.push({ key: `inlinePolicies[${i}]`, text: p.policy, options: identityPolicy }),
    );
  }
  return found.filter((d) => d.text !== undefined);
}

describe("policy documents in every stack's plan", () => {
  let plans: Map<string, StackPlan>;
  before(async () => {
    const all = await planAll();
    expect(all.failures).to.deep.equal([]);
    plans = all.plans;
  });

  it("are valid policy JSON (version, effects, service:Action, ARNs, principals)", () => {
    let checked = 0;
    const problems: string[] = [];
    for (const plan of plans.values()) {
      for (const r of plan.resources) {
        for (const doc of documentsOf(r)) {
          checked++;
          let parsed: unknown;
          try {
            parsed = typeof doc.text === "string" ? JSON.parse(doc.text) : doc.text;
          } catch {
            problems.push(`${r.urn} ${doc.key}: not JSON`);
            continue;
          }
          for (const p of checkPolicyDocument(parsed, doc.options)) problems.push(`${r.urn} ${doc.key}: ${p}`);
        }
      }
    }
    expect(problems).to.deep.equal([]);
    // The research environment alone emits well over a dozen; an empty walk would prove nothing.
    expect(checked).to.be.greaterThan(10);
  });
});

/**
 * Where the policy documents of a plan are: which input of which resource type holds one, and
 * what kind it is (identity, resource, trust, SCP). The structural check, the IAM linter run and
 * anything else that walks every document of every stack read this one map.
 */
import type { CheckOptions } from "../shared/policy-document-check";
import type { PlannedResource } from "./types";

export type DocumentKind = "identity" | "resource" | "trust" | "scp";

const CHECKS: Record<DocumentKind, CheckOptions> = {
  resource: { principal: "required", resource: "required" },
  identity: { principal: "forbidden", resource: "required" },
  scp: { principal: "forbidden", resource: "required" },
  trust: { principal: "required", resource: "forbidden" },
};

const DOCUMENTS: Record<string, Array<[string, DocumentKind]>> = {
  "aws:iam/role:Role": [["assumeRolePolicy", "trust"]],
  "aws:iam/rolePolicy:RolePolicy": [["policy", "identity"]],
  "aws:iam/policy:Policy": [["policy", "identity"]],
  "aws:iam/userPolicy:UserPolicy": [["policy", "identity"]],
  "aws:iam/groupPolicy:GroupPolicy": [["policy", "identity"]],
  "aws:s3/bucketPolicy:BucketPolicy": [["policy", "resource"]],
  "aws:kms/key:Key": [["policy", "resource"]],
  "aws:organizations/policy:Policy": [["content", "scp"]],
  "aws:sns/topicPolicy:TopicPolicy": [["policy", "resource"]],
  "aws:sqs/queuePolicy:QueuePolicy": [["policy", "resource"]],
  "aws:ecr/repositoryPolicy:RepositoryPolicy": [["policy", "resource"]],
  "aws:secretsmanager/secretPolicy:SecretPolicy": [["policy", "resource"]],
};

export interface PlannedDocument {
  key: string;
  kind: DocumentKind;
  text: unknown;
  options: CheckOptions;
}

export function documentsOf(r: PlannedResource): PlannedDocument[] {
  const found = (DOCUMENTS[r.type] ?? []).map(([key, kind]) => ({ key, kind, text: r.inputs[key] }));
  // Inline role policies are documents too.
  if (r.type === "aws:iam/role:Role" && Array.isArray(r.inputs.inlinePolicies)) {
    (r.inputs.inlinePolicies as Array<{ policy?: unknown }>).forEach((p, i) =>
      found.push({ key: `inlinePolicies[${i}]`, kind: "identity", text: p.policy }),
    );
  }
  return found
    .filter((d) => d.text !== undefined)
    .map((d) => ({
      ...d,
      // ECR repository policies may leave Resource out (the repository is implied).
      options:
        r.type === "aws:ecr/repositoryPolicy:RepositoryPolicy"
          ? { ...CHECKS[d.kind], resource: "optional" }
          : CHECKS[d.kind],
    }));
}

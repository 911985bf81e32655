/**
 * IAM evaluation of the research guardrails over the offline plan: pulls the SCPs, the admin's
 * policy, the permissions boundary and the audit bucket's and key's policies out of the plans,
 * and asks an IAM policy simulator (@cloud-copilot/iam-simulate: identity policies, resource
 * policies, SCPs and boundaries together) what a member principal's request comes to.
 */
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { jsonInput, one, ofType } from "../plan/query";
import type { StackPlan } from "../plan/types";

export type PolicyDocument = { Version: string; Statement: Array<Record<string, unknown>> };
export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** What AWS attaches at every level unless told otherwise; an SCP denies only next to an Allow. */
const FULL_AWS_ACCESS: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
};
/** What the root user, or a principal with AdministratorAccess, holds before SCPs and boundaries. */
export const ALLOW_ALL: PolicyDocument = FULL_AWS_ACCESS;

export interface Guardrails {
  researchAccountId: string;
  productionAccountId: string;
  scps: PolicyDocument[];
  adminPolicy: PolicyDocument;
  boundary: PolicyDocument;
  boundaryArn: string;
  auditBucketName: string;
  auditBucketPolicy: PolicyDocument;
  configBucketName: string;
  configBucketPolicy: PolicyDocument;
  auditKeyArn: string;
  auditKeyPolicy: PolicyDocument;
  /** Tags the plan gives each named platform resource type, for `aws:ResourceTag/...` context. */
  platformTags: Record<string, string>;
}

export function guardrailsFromPlans(management: StackPlan, research: StackPlan): Guardrails {
  const researchAccountId = (management.outputs.researchAccountIds as Record<string, string>).alpha;
  const boundaryResource = one(research, "aws:iam/policy:Policy");
  const fn = one(research, "aws:lambda/function:Function");
  return {
    researchAccountId,
    productionAccountId: management.outputs.productionAccountId as string,
    scps: ofType(management, "aws:organizations/policy:Policy").map((p) => jsonInput<PolicyDocument>(p, "content")),
    adminPolicy: jsonInput<PolicyDocument>(one(research, "aws:iam/rolePolicy:RolePolicy", "admin-policy"), "policy"),
    boundary: jsonInput<PolicyDocument>(boundaryResource, "policy"),
    boundaryArn: `arn:aws:iam::${researchAccountId}:policy${boundaryResource.inputs.path as string}${boundaryResource.inputs.name as string}`,
    auditBucketName: management.outputs.auditBucketName as string,
    auditBucketPolicy: jsonInput<PolicyDocument>(
      one(management, "aws:s3/bucketPolicy:BucketPolicy", "audit-policy"),
      "policy",
    ),
    configBucketName: management.outputs.configBucketName as string,
    configBucketPolicy: jsonInput<PolicyDocument>(
      one(management, "aws:s3/bucketPolicy:BucketPolicy", "audit-config-policy"),
      "policy",
    ),
    auditKeyArn: management.outputs.auditKeyArn as string,
    auditKeyPolicy: jsonInput<PolicyDocument>(one(management, "aws:kms/key:Key"), "policy"),
    platformTags: fn.inputs.tags as Record<string, string>,
  };
}

export interface Request {
  /** The caller: a role ARN, or `arn:aws:iam::<account>:root`. */
  principal: string;
  action: string;
  resource: string;
  /** The resource's account (default: the caller's). */
  resourceAccount?: string;
  context?: Record<string, string | string[]>;
  identityPolicies: PolicyDocument[];
  boundary?: PolicyDocument;
  resourcePolicy?: PolicyDocument;
  scps: PolicyDocument[];
}

const accountOf = (arn: string) => arn.split(":")[4];

/** The simulator's decision; a request it cannot evaluate (unknown action, wrong resource) throws. */
export async function decide(r: Request): Promise<Decision> {
  const account = accountOf(r.principal);
  const simulation: Simulation = {
    request: {
      principal: r.principal,
      action: r.action,
      resource: { resource: r.resource, accountId: r.resourceAccount ?? account },
      // The simulator does not derive these from the principal: the SCP's conditions read them.
      contextVariables: {
        "aws:PrincipalArn": r.principal,
        "aws:PrincipalAccount": account,
        "aws:RequestedRegion": "us-east-1",
        ...(r.context ?? {}),
      },
    },
    identityPolicies: r.identityPolicies.map((policy, i) => ({ name: `identity-${i}`, policy })),
    permissionBoundaryPolicies: r.boundary ? [{ name: "boundary", policy: r.boundary }] : undefined,
    resourcePolicy: r.resourcePolicy,
    serviceControlPolicies: [
      { orgIdentifier: "r-root", policies: [{ name: "FullAWSAccess", policy: FULL_AWS_ACCESS }] },
      {
        orgIdentifier: "ou-research",
        policies: [
          { name: "FullAWSAccess", policy: FULL_AWS_ACCESS },
          ...r.scps.map((policy, i) => ({ name: `research-${i}`, policy })),
        ],
      },
    ],
    resourceControlPolicies: [],
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === "error")
    throw new Error(`simulation of ${r.action} on ${r.resource} failed: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}

/** A copy of the SCPs without the statement of this Sid (to show the test notices a weakened guardrail). */
export function withoutStatement(scps: PolicyDocument[], sid: string): PolicyDocument[] {
  return scps.map((d) => ({ ...d, Statement: d.Statement.filter((s) => s.Sid !== sid) }));
}

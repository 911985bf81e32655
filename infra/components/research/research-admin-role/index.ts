/**
 * The research team's admin role in its own account.
 *
 * DELIBERATE EXCEPTION TO LEAST PRIVILEGE: researchers get broad admin on the services they use,
 * because the account is theirs to experiment in. What keeps it safe is around the role, not in
 * it: the OU's SCPs; explicit denies here on the audit trail, Config, the audit bucket and key,
 * the budget and the guardrail roles; no free-form IAM (`iam`, `organizations`, `account`, `sts`
 * and the audit services are refused as services) but narrow IAM that creates roles only under
 * the research path and only with the platform's permissions boundary; MFA from production and a
 * bounded session to enter it. The role carries the policy-exemption tag `research-admin`, which
 * the policy pack honours only together with this component's type and an MFA-only trust.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GUARDRAIL_VALUE, PLATFORM_NAMES, TAG } from "../../../../workloads/shared/conventions";
import {
  AUDIT_TAMPER_ACTIONS,
  BUDGET_TAMPER_ACTIONS,
  PLATFORM_ARNS,
  ROLE_TAMPER_ACTIONS,
  boundaryArn,
} from "../../../shared/guardrails";

/** Services the admin may not get as `service:*`: IAM comes narrow and boundary-bound, the rest never. */
export const RESERVED_SERVICES = ["iam", "organizations", "account", "sts", "cloudtrail", "config", "budgets"] as const;

export interface ResearchAdminRoleArgs {
  /** The research account the role lives in. */
  accountId: string;
  /** The production account whose (MFA-authenticated) principals may assume the role. */
  productionAccountId: string;
  /** Hours, 1 to 12. */
  maxSessionHours: number;
  /** Service prefixes the team administers, e.g. ["ec2", "s3", "sagemaker"]; none of RESERVED_SERVICES. */
  services: string[];
  /** The production buckets the trail and Config deliver to. */
  auditBucketArns: pulumi.Input<string>[];
  auditKeyArn: pulumi.Input<string>;
}

export interface AdminPolicyInput {
  accountId: string;
  services: string[];
  auditBucketArns: string[];
  auditKeyArn: string;
}

/** The first reserved service in `services`, if any. */
export function reservedServiceIn(services: string[]): string | undefined {
  return services.find((s) => (RESERVED_SERVICES as readonly string[]).includes(s));
}

export function adminTrustPolicy(productionAccountId: string): aws.iam.PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${productionAccountId}:root` },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          Bool: { "aws:MultiFactorAuthPresent": "true" },
          NumericLessThan: { "aws:MultiFactorAuthAge": "43200" },
        },
      },
    ],
  };
}

export function adminPolicy(p: AdminPolicyInput): aws.iam.PolicyDocument {
  const reserved = reservedServiceIn(p.services);
  if (reserved !== undefined)
    throw new Error(
      `ResearchAdminRole: services must not include "${reserved}" (reserved: ${RESERVED_SERVICES.join(", ")})`,
    );
  const researchPath = PLATFORM_NAMES.researchPath.replace(/^\/|\/$/g, "");
  const researchRoles = `arn:aws:iam::${p.accountId}:role/${researchPath}/*`;
  const withBoundary = { StringEquals: { "iam:PermissionsBoundary": boundaryArn(p.accountId) } };
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "AdministerResearchServices", Effect: "Allow", Action: p.services.map((s) => `${s}:*`), Resource: "*" },
      { Sid: "ReadIam", Effect: "Allow", Action: ["iam:Get*", "iam:List*"], Resource: "*" },
      {
        // The condition holds for a role being created and for an existing role's boundary alike.
        Sid: "WriteResearchRolesWithBoundary",
        Effect: "Allow",
        Action: [
          "iam:AttachRolePolicy",
          "iam:CreateRole",
          "iam:DeleteRolePolicy",
          "iam:DetachRolePolicy",
          "iam:PutRolePermissionsBoundary",
          "iam:PutRolePolicy",
        ],
        Resource: researchRoles,
        Condition: withBoundary,
      },
      {
        Sid: "ManageResearchRoles",
        Effect: "Allow",
        Action: [
          "iam:AddRoleToInstanceProfile",
          "iam:CreateInstanceProfile",
          "iam:DeleteInstanceProfile",
          "iam:DeleteRole",
          "iam:PassRole",
          "iam:RemoveRoleFromInstanceProfile",
          "iam:TagInstanceProfile",
          "iam:TagRole",
          "iam:UntagInstanceProfile",
          "iam:UntagRole",
          "iam:UpdateAssumeRolePolicy",
          "iam:UpdateRole",
          "iam:UpdateRoleDescription",
        ],
        Resource: [researchRoles, `arn:aws:iam::${p.accountId}:instance-profile/${researchPath}/*`],
      },
      {
        Sid: "ServiceLinkedRoles",
        Effect: "Allow",
        Action: "iam:CreateServiceLinkedRole",
        Resource: `arn:aws:iam::${p.accountId}:role/aws-service-role/*`,
      },
      { Sid: "NoAuditTampering", Effect: "Deny", Action: [...AUDIT_TAMPER_ACTIONS], Resource: "*" },
      {
        Sid: "NoAuditBucketWrites",
        Effect: "Deny",
        Action: ["s3:Put*", "s3:Delete*", "s3:Replicate*", "s3:Restore*", "s3:Bypass*"],
        Resource: p.auditBucketArns.flatMap((arn) => [arn, `${arn}/*`]),
      },
      { Sid: "NoAuditKeyUse", Effect: "Deny", Action: "kms:*", Resource: p.auditKeyArn },
      { Sid: "NoBudgetTampering", Effect: "Deny", Action: [...BUDGET_TAMPER_ACTIONS], Resource: "*" },
      {
        Sid: "NoChangesToSelfOrGuardrailRoles",
        Effect: "Deny",
        Action: [...ROLE_TAMPER_ACTIONS],
        Resource: PLATFORM_ARNS.roles.map((arn) => arn.replace("::*:", `::${p.accountId}:`)),
      },
    ],
  };
}

export class ResearchAdminRole extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;

  constructor(name: string, args: ResearchAdminRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:research:ResearchAdminRole", name, {}, opts);
    const reserved = reservedServiceIn(args.services);
    if (reserved !== undefined)
      throw new Error(
        `ResearchAdminRole: services must not include "${reserved}" (reserved: ${RESERVED_SERVICES.join(", ")})`,
      );
    // The logical name is fixed: the role's ARN is what production's access policy names.
    this.role = new aws.iam.Role(
      PLATFORM_NAMES.researchAdminRole,
      {
        name: PLATFORM_NAMES.researchAdminRole,
        description: "Research team admin (deliberate least-privilege exception; see code)",
        maxSessionDuration: args.maxSessionHours * 3600,
        assumeRolePolicy: JSON.stringify(adminTrustPolicy(args.productionAccountId)),
        tags: { [TAG.policyExemption]: "research-admin", [TAG.guardrail]: GUARDRAIL_VALUE },
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: this.role.name,
        policy: pulumi.all([pulumi.all(args.auditBucketArns), args.auditKeyArn]).apply(([buckets, key]) =>
          JSON.stringify(
            adminPolicy({
              accountId: args.accountId,
              services: args.services,
              auditBucketArns: buckets,
              auditKeyArn: key,
            }),
          ),
        ),
      },
      { parent: this },
    );
    this.registerOutputs({ roleArn: this.role.arn });
  }
}

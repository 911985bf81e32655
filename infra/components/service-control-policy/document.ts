/**
 * The research OU's service control policy. Research accounts hold broad admin rights; the SCP
 * is what keeps the audit trail, Config, the guardrail roles and the budget out of their reach.
 * Only the organization access role (what the platform's stacks deploy with) is exempt.
 */
import type * as aws from "@pulumi/aws";

/** Actions that stop, delete or change the trail, the Config recorder and delivery channel. */
export const AUDIT_TAMPER_ACTIONS = [
  "cloudtrail:StopLogging",
  "cloudtrail:DeleteTrail",
  "cloudtrail:UpdateTrail",
  "cloudtrail:PutEventSelectors",
  "cloudtrail:PutInsightSelectors",
  "config:StopConfigurationRecorder",
  "config:DeleteConfigurationRecorder",
  "config:PutConfigurationRecorder",
  "config:DeleteDeliveryChannel",
  "config:PutDeliveryChannel",
  "config:DeleteConfigRule",
  "config:PutConfigRule",
  "config:DeleteEvaluationResults",
] as const;

export const GUARDRAIL_ROLE_ACTIONS = [
  "iam:AttachRolePolicy",
  "iam:DeleteRole",
  "iam:DeleteRolePermissionsBoundary",
  "iam:DeleteRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:PutRolePolicy",
  "iam:UpdateAssumeRolePolicy",
  "iam:UpdateRole",
  "iam:UpdateRoleDescription",
] as const;

export const BUDGET_TAMPER_ACTIONS = [
  "budgets:ModifyBudget",
  "budgets:DeleteBudgetAction",
  "budgets:UpdateBudgetAction",
] as const;

/** Services that are global (served from us-east-1) and must stay usable under a region restriction. */
const GLOBAL_SERVICES = [
  "iam:*",
  "organizations:*",
  "route53:*",
  "budgets:*",
  "cloudfront:*",
  "sts:*",
  "support:*",
  "health:*",
  "ce:*",
  "account:*",
];

export interface ResearchScpInput {
  /** Roles the research side must not change, as IAM ARN patterns. */
  guardrailRoleArns: string[];
  /** The role the platform deploys with, exempt from the denies. */
  deployRoleName: string;
  /** When set, every regional action outside these regions is denied. */
  allowedRegions?: string[];
}

export function researchScp(p: ResearchScpInput): aws.iam.PolicyDocument {
  const exemptDeployer = { ArnNotLike: { "aws:PrincipalArn": `arn:aws:iam::*:role/${p.deployRoleName}` } };
  const statements: aws.iam.PolicyStatement[] = [
    {
      Sid: "ProtectAuditTrailAndConfig",
      Effect: "Deny",
      Action: [...AUDIT_TAMPER_ACTIONS],
      Resource: "*",
      Condition: exemptDeployer,
    },
    {
      Sid: "ProtectGuardrailRoles",
      Effect: "Deny",
      Action: [...GUARDRAIL_ROLE_ACTIONS],
      Resource: p.guardrailRoleArns,
      Condition: exemptDeployer,
    },
    {
      Sid: "ProtectBudget",
      Effect: "Deny",
      Action: [...BUDGET_TAMPER_ACTIONS],
      Resource: "*",
      Condition: exemptDeployer,
    },
    { Sid: "StayInOrganization", Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" },
  ];
  if (p.allowedRegions && p.allowedRegions.length > 0) {
    statements.push({
      Sid: "AllowedRegionsOnly",
      Effect: "Deny",
      NotAction: GLOBAL_SERVICES,
      Resource: "*",
      Condition: { StringNotEquals: { "aws:RequestedRegion": p.allowedRegions } },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

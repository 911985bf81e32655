/**
 * What a research account's own principals must never do, as IAM statements. One list feeds the
 * research OU's SCP (management layer), the permissions boundary every created role carries and
 * the research admin's own denies (research layer), so the three cannot drift apart.
 */
import type * as aws from "@pulumi/aws";
import { GUARDRAIL_VALUE, PLATFORM_NAMES, TAG } from "../../workloads/shared/conventions";

/** Trail changes: stop, delete, re-point, and extra trails (which could write into the audit prefix). */
export const TRAIL_TAMPER_ACTIONS = [
  "cloudtrail:AddTags",
  "cloudtrail:CreateTrail",
  "cloudtrail:DeleteTrail",
  "cloudtrail:PutEventSelectors",
  "cloudtrail:PutInsightSelectors",
  "cloudtrail:RemoveTags",
  "cloudtrail:StopLogging",
  "cloudtrail:UpdateTrail",
] as const;

/**
 * Every Config write: recorder, delivery channel, rules, retention, conformance packs,
 * remediation, aggregators and tags (`Put*` / `Delete*` cover each of these families).
 */
export const CONFIG_TAMPER_ACTIONS = [
  "config:Delete*",
  "config:Put*",
  "config:StopConfigurationRecorder",
  "config:StartRemediationExecution",
  "config:TagResource",
  "config:UntagResource",
] as const;

export const AUDIT_TAMPER_ACTIONS = [...TRAIL_TAMPER_ACTIONS, ...CONFIG_TAMPER_ACTIONS] as const;

/** `ModifyBudget` covers creating, changing and deleting budgets, notifications and subscribers. */
export const BUDGET_TAMPER_ACTIONS = [
  "budgets:ModifyBudget",
  "budgets:CreateBudgetAction",
  "budgets:DeleteBudgetAction",
  "budgets:UpdateBudgetAction",
  "budgets:ExecuteBudgetAction",
  "budgets:TagResource",
  "budgets:UntagResource",
] as const;

/** Changing, replacing, re-tagging or handing out a role the platform relies on. */
export const ROLE_TAMPER_ACTIONS = [
  "iam:AttachRolePolicy",
  "iam:CreateRole",
  "iam:DeleteRole",
  "iam:DeleteRolePermissionsBoundary",
  "iam:DeleteRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PassRole",
  "iam:PutRolePermissionsBoundary",
  "iam:PutRolePolicy",
  "iam:TagRole",
  "iam:UntagRole",
  "iam:UpdateAssumeRolePolicy",
  "iam:UpdateRole",
  "iam:UpdateRoleDescription",
] as const;

/** Changing the platform's topic, function, rules and log groups in the member account. */
export const PLATFORM_TAMPER_ACTIONS = [
  "sns:AddPermission",
  "sns:DeleteTopic",
  "sns:Publish",
  "sns:RemovePermission",
  "sns:SetSubscriptionAttributes",
  "sns:SetTopicAttributes",
  "sns:Subscribe",
  "lambda:AddPermission",
  "lambda:Delete*",
  "lambda:InvokeFunction",
  "lambda:Put*",
  "lambda:RemovePermission",
  "lambda:Update*",
  "events:DeleteRule",
  "events:DisableRule",
  "events:PutRule",
  "events:PutTargets",
  "events:RemoveTargets",
  "logs:AssociateKmsKey",
  "logs:Delete*",
  "logs:DisassociateKmsKey",
  "logs:PutRetentionPolicy",
  "logs:PutSubscriptionFilter",
] as const;

/** Every way to add, change or remove a tag on what the platform deploys (and so its protection). */
export const TAG_ACTIONS = [
  "sns:TagResource",
  "sns:UntagResource",
  "lambda:TagResource",
  "lambda:UntagResource",
  "events:TagResource",
  "events:UntagResource",
  "logs:TagResource",
  "logs:UntagResource",
  "logs:TagLogGroup",
  "logs:UntagLogGroup",
  "iam:TagRole",
  "iam:UntagRole",
  "iam:TagPolicy",
  "iam:UntagPolicy",
  "cloudtrail:AddTags",
  "cloudtrail:RemoveTags",
  "config:TagResource",
  "config:UntagResource",
  "budgets:TagResource",
  "budgets:UntagResource",
  "tag:TagResources",
  "tag:UntagResources",
] as const;

/** Removing a boundary, or setting one that is not the platform's. */
export const BOUNDARY_TAMPER_ACTIONS = [
  "iam:DeleteRolePermissionsBoundary",
  "iam:DeleteUserPermissionsBoundary",
] as const;

/** Identities that must be created with the platform's boundary, and the calls that set one. */
export const BOUNDARY_REQUIRED_ACTIONS = [
  "iam:CreateRole",
  "iam:CreateUser",
  "iam:PutRolePermissionsBoundary",
  "iam:PutUserPermissionsBoundary",
] as const;

/** Changing the platform's own managed policies (the boundary among them). */
export const POLICY_TAMPER_ACTIONS = [
  "iam:CreatePolicy",
  "iam:CreatePolicyVersion",
  "iam:DeletePolicy",
  "iam:DeletePolicyVersion",
  "iam:SetDefaultPolicyVersion",
  "iam:TagPolicy",
  "iam:UntagPolicy",
] as const;

const guardrailPath = PLATFORM_NAMES.guardrailPath.replace(/^\/|\/$/g, "");

/** ARN patterns (any account) of what the platform names in a member account. */
export const PLATFORM_ARNS = {
  roles: [`arn:aws:iam::*:role/${PLATFORM_NAMES.researchAdminRole}`, `arn:aws:iam::*:role/${guardrailPath}/*`],
  policies: `arn:aws:iam::*:policy/${guardrailPath}/*`,
  named: [
    `arn:aws:sns:*:*:${PLATFORM_NAMES.prefix}*`,
    `arn:aws:lambda:*:*:function:${PLATFORM_NAMES.prefix}*`,
    `arn:aws:events:*:*:rule/${PLATFORM_NAMES.prefix}*`,
    `arn:aws:logs:*:*:log-group:${PLATFORM_NAMES.logGroupPrefix}*`,
  ],
} as const;

/** The boundary's ARN in the calling principal's own account (a policy variable, so one SCP fits every account). */
export const BOUNDARY_ARN_OF_CALLER = `arn:aws:iam::\${aws:PrincipalAccount}:policy/${guardrailPath}/${PLATFORM_NAMES.boundaryPolicy}`;

export function boundaryArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:policy/${guardrailPath}/${PLATFORM_NAMES.boundaryPolicy}`;
}

type Condition = Record<string, Record<string, string | string[]>>;

const withCondition = (s: aws.iam.PolicyStatement, extra: Condition | undefined): aws.iam.PolicyStatement => {
  if (extra === undefined) return s;
  const merged: Condition = { ...((s.Condition as Condition | undefined) ?? {}) };
  for (const [op, keys] of Object.entries(extra)) merged[op] = { ...(merged[op] ?? {}), ...keys };
  return { ...s, Condition: merged };
};

/**
 * The denies that protect the platform's resources in a member account. `exempt`, when given, is
 * merged into every statement's Condition (the SCP exempts the deploy role; the boundary does not).
 */
export function guardrailDenies(exempt?: Condition): {
  audit: aws.iam.PolicyStatement[];
  platform: aws.iam.PolicyStatement[];
} {
  const tagged = { StringEquals: { [`aws:ResourceTag/${TAG.guardrail}`]: GUARDRAIL_VALUE } };
  const deny = (Sid: string, Action: readonly string[], Resource: string | readonly string[], Condition?: Condition) =>
    withCondition(
      {
        Sid,
        Effect: "Deny",
        Action: [...Action],
        Resource: typeof Resource === "string" ? Resource : [...Resource],
        Condition,
      },
      exempt,
    );
  return {
    audit: [
      deny("ProtectAuditTrailAndConfig", AUDIT_TAMPER_ACTIONS, "*"),
      deny("ProtectBudget", BUDGET_TAMPER_ACTIONS, "*"),
      deny("ProtectGuardrailRoles", ROLE_TAMPER_ACTIONS, PLATFORM_ARNS.roles),
      deny("ProtectGuardrailPolicies", POLICY_TAMPER_ACTIONS, PLATFORM_ARNS.policies),
    ],
    platform: [
      deny("ProtectTaggedPlatformResources", [...PLATFORM_TAMPER_ACTIONS, ...ROLE_TAMPER_ACTIONS], "*", tagged),
      deny("ProtectNamedPlatformResources", PLATFORM_TAMPER_ACTIONS, PLATFORM_ARNS.named),
      // Unsubscribe has no resource-level permission (IAM authorizes it on "*" only): no member
      // principal may call it, or the budget topic's subscriptions could be removed.
      deny("ProtectSubscriptions", ["sns:Unsubscribe"], "*"),
      deny("ProtectGuardrailTag", TAG_ACTIONS, "*", { "ForAnyValue:StringEquals": { "aws:TagKeys": [TAG.guardrail] } }),
      deny("RequirePlatformBoundary", BOUNDARY_REQUIRED_ACTIONS, "*", {
        StringNotEquals: { "iam:PermissionsBoundary": BOUNDARY_ARN_OF_CALLER },
      }),
      deny("KeepPermissionsBoundaries", BOUNDARY_TAMPER_ACTIONS, "*"),
    ],
  };
}

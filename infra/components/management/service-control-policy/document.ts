/**
 * The research OU's service control policies. Research accounts hold broad admin rights; the SCPs
 * keep the audit trail, Config, the budget, the platform's own resources and roles, and the
 * permissions boundary out of their reach. The organization access role (what the platform's
 * stacks deploy with) is exempt from those denies, and so is itself protected from every member
 * principal, itself included; the member account's root user is denied everything.
 */
import type * as aws from "@pulumi/aws";
import { guardrailDenies, ROLE_TAMPER_ACTIONS } from "../../../shared/guardrails";

/** AWS's limit on one SCP document, in characters. */
export const SCP_MAX_CHARS = 5120;

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
  /** The role the platform deploys with (the organization access role), exempt from the denies. */
  deployRoleName: string;
  /** When set, every regional action outside these regions is denied. */
  allowedRegions?: string[];
}

/**
 * The SCP documents by name: `audit` (root, organization, deploy role, trail, Config, budget,
 * guardrail roles, regions) and `platform` (the platform's resources by tag and name, the
 * guardrail tag, the boundary). Two documents because one would pass AWS's 5,120-character limit.
 */
export function researchScps(p: ResearchScpInput): Record<"audit" | "platform", aws.iam.PolicyDocument> {
  const deployRole = `arn:aws:iam::*:role/${p.deployRoleName}`;
  const denies = guardrailDenies({ ArnNotLike: { "aws:PrincipalArn": deployRole } });
  const audit: aws.iam.PolicyStatement[] = [
    // Whoever recovers a member account's root password gets nothing (landing-zone practice).
    {
      Sid: "DenyMemberRootUser",
      Effect: "Deny",
      Action: "*",
      Resource: "*",
      Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:root" } },
    },
    { Sid: "StayInOrganization", Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" },
    // The exemption below is only as good as this: no member principal (the role itself included)
    // may change, delete or recreate the deploy role, and so become SCP-exempt.
    { Sid: "ProtectDeployRole", Effect: "Deny", Action: [...ROLE_TAMPER_ACTIONS], Resource: deployRole },
    ...denies.audit,
  ];
  if (p.allowedRegions && p.allowedRegions.length > 0) {
    audit.push({
      Sid: "AllowedRegionsOnly",
      Effect: "Deny",
      NotAction: GLOBAL_SERVICES,
      Resource: "*",
      Condition: { StringNotEquals: { "aws:RequestedRegion": p.allowedRegions } },
    });
  }
  return {
    audit: { Version: "2012-10-17", Statement: audit },
    platform: { Version: "2012-10-17", Statement: denies.platform },
  };
}

/**
 * Management layer, in the payer / production account: member accounts, the audit bucket, the
 * research OU's guardrail policy, who may enter research accounts, and the payer's budget.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AuditBucket } from "../components/management/audit-bucket";
import { BudgetAlerts } from "../components/shared/budget-alerts";
import { MemberAccounts } from "../components/management/member-accounts";
import { ResearchAccess } from "../components/management/research-access";
import { ResearchGuardrailPolicy } from "../components/management/service-control-policy";
import { loadConfig } from "../config/load";
import { awsAccountId, awsRegion, budgetConfig, email, tags } from "../config/schema";
import { accountProvider } from "../shared/aws-provider";
import { PLATFORM_NAMES } from "../../workloads/shared/conventions";
import type { ManagementOutputs } from "./outputs";

const account = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, "expected a short lower-case name"),
  email,
});

export const managementConfig = z.object({
  layer: z.literal("management"),
  accountId: awsAccountId,
  region: awsRegion,
  tags,
  accounts: z.object({ research: z.array(account).default([]), sandbox: z.array(account).default([]) }),
  accessRoleName: z.string().default("OrganizationAccountAccessRole"),
  audit: z.object({
    objectLockMode: z.enum(["GOVERNANCE", "COMPLIANCE"]),
    retentionDays: z.number().int().min(1),
    transitionDays: z.number().int().min(30, "S3 requires at least 30 days before a transition"),
  }),
  guardrails: z.object({ allowedRegions: z.array(awsRegion).optional() }).default({}),
  researchAccess: z.object({
    groups: z.array(z.string().min(1)).default([]),
    users: z.array(z.string().min(1)).default([]),
  }),
  budget: budgetConfig,
});

export const TRAIL_PREFIX = "cloudtrail";
export const CONFIG_PREFIX = "config";

export async function management(): Promise<ManagementOutputs> {
  const cfg = loadConfig(managementConfig);
  const provider = accountProvider("management", { region: cfg.region, accountId: cfg.accountId, tags: cfg.tags });
  const org = aws.organizations.getOrganizationOutput({}, { provider });

  const accounts = new MemberAccounts(
    "members",
    {
      rootId: org.roots.apply((r) => r[0].id),
      research: cfg.accounts.research,
      sandbox: cfg.accounts.sandbox,
      accessRoleName: cfg.accessRoleName,
    },
    { provider },
  );
  const memberIds = pulumi
    .all([accounts.researchAccountIds, accounts.sandboxAccountIds])
    .apply(([r, s]) => [...Object.values(r), ...Object.values(s)].sort());
  const audit = new AuditBucket(
    "audit",
    {
      ownerAccountId: cfg.accountId,
      memberAccountIds: memberIds,
      objectLock: { mode: cfg.audit.objectLockMode, retentionDays: cfg.audit.retentionDays },
      transitionDays: cfg.audit.transitionDays,
      trailPrefix: TRAIL_PREFIX,
      configPrefix: CONFIG_PREFIX,
      trailName: PLATFORM_NAMES.trail,
    },
    { provider },
  );
  new ResearchGuardrailPolicy(
    "research-guardrails",
    {
      targetId: accounts.researchOu.id,
      deployRoleName: cfg.accessRoleName,
      allowedRegions: cfg.guardrails.allowedRegions,
    },
    { provider },
  );
  new ResearchAccess(
    "research-access",
    { researchAccountIds: accounts.researchAccountIds, ...cfg.researchAccess },
    { provider },
  );
  new BudgetAlerts("organization-budget", { accountId: cfg.accountId, ...cfg.budget }, { provider });

  return {
    productionAccountId: cfg.accountId,
    accessRoleName: cfg.accessRoleName,
    researchAccountIds: accounts.researchAccountIds,
    sandboxAccountIds: accounts.sandboxAccountIds,
    auditBucketName: audit.bucket.bucket,
    auditBucketArn: audit.bucket.arn,
    configBucketName: audit.configBucket.bucket,
    configBucketArn: audit.configBucket.arn,
    auditKeyArn: audit.key.arn,
    trailPrefix: TRAIL_PREFIX,
    configPrefix: CONFIG_PREFIX,
    allowedRegions: cfg.guardrails.allowedRegions ?? [],
  };
}

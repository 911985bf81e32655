/**
 * Research layer, in one research member account (entered through the organization access
 * role) plus the production side of its peering: admin role and the permissions boundary of what
 * it creates, audit delivery, Config recorders and rules in every allowed region, budget, network
 * and Name-tag DNS.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AccountAudit } from "../components/research/account-audit";
import { BudgetAlerts } from "../components/shared/budget-alerts";
import { ConfigRules, defaultRules, selectRules } from "../components/research/config-rules";
import { NameDns } from "../components/research/name-dns";
import { RESERVED_SERVICES, ResearchAdminRole } from "../components/research/research-admin-role";
import { ResearchBoundary } from "../components/research/research-boundary";
import { ResearchNetwork } from "../components/research/research-network";
import { loadConfig } from "../config/load";
import { awsAccountId, awsRegion, budgetConfig, cidrBlock, stackName, tags } from "../config/schema";
import { accountProvider, organizationAccessRoleArn } from "../shared/aws-provider";
import { readManagementOutputs, type ResearchOutputs } from "./outputs";

export const researchConfig = z.object({
  layer: z.literal("research"),
  managementStack: stackName,
  /** The account's name in the management stack's `accounts.research` list. */
  account: z.string().min(1),
  /** Must match the account id the management stack created for `account` (a second check against mix-ups). */
  accountId: awsAccountId,
  region: awsRegion,
  tags,
  admin: z.object({
    maxSessionHours: z.number().int().min(1).max(12),
    /**
     * Services the admin gets as `service:*`. IAM comes narrow (research roles with the platform's
     * boundary only), so `iam` and the other reserved services are refused here.
     */
    services: z
      .array(
        z
          .string()
          .regex(/^[a-z0-9-]+$/, "expected an IAM service prefix such as ec2")
          .refine((s) => !(RESERVED_SERVICES as readonly string[]).includes(s), {
            message: `reserved service (${RESERVED_SERVICES.join(", ")}): the admin gets narrow IAM under the permissions boundary instead`,
          }),
      )
      .min(1),
  }),
  configRules: z
    .object({
      allowedPublicTcpPorts: z.array(z.number().int().min(1).max(65535)).default([]),
      /** Default rules to leave out, by name. */
      disabled: z.array(z.string()).default([]),
      /** More AWS managed rules, or parameters that replace a default rule's. */
      rules: z
        .record(
          z.string().regex(/^[a-z0-9-]+$/, "expected a rule name such as ec2-imdsv2"),
          z.object({
            identifier: z.string().regex(/^[A-Z0-9_]+$/, "expected an AWS managed rule identifier"),
            parameters: z.record(z.string(), z.string()).optional(),
          }),
        )
        .default({}),
    })
    .default({ allowedPublicTcpPorts: [], disabled: [], rules: {} }),
  /**
   * Regions AWS Config records and evaluates rules in. Default: every region the management stack's
   * SCP allows (or this stack's region when it allows all). Must include `region`, and may not
   * name a region the SCP denies.
   */
  audit: z.object({ regions: z.array(awsRegion).min(1).optional() }).default({}),
  budget: budgetConfig,
  network: z.object({
    cidr: cidrBlock.refine(
      (c) => Number(c.split("/")[1]) >= 16 && Number(c.split("/")[1]) <= 18,
      "expected a /16 to /18 block",
    ),
    azCount: z.number().int().min(2).max(4).default(2),
    natGateway: z.boolean().default(false),
  }),
  bastion: z.object({
    accountId: awsAccountId,
    region: awsRegion,
    vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, "expected a VPC id such as vpc-0123456789abcdef0"),
    cidr: cidrBlock,
    sshSourceCidrs: z.array(cidrBlock).min(1),
    routeTableIds: z.array(z.string().regex(/^rtb-[0-9a-f]{8,17}$/, "expected a route table id")).min(1),
  }),
  dns: z.object({
    zoneName: z.string().regex(/^([a-z0-9-]+\.)+[a-z]+$/, "expected a DNS zone such as research.internal"),
    logRetentionDays: z.number().int().default(90),
  }),
});

/** Config's regions: the configured ones or the SCP's, the stack's own region first (it records IAM). */
export function configRegions(region: string, configured: string[] | undefined, allowed: string[]): string[] {
  const chosen = configured ?? (allowed.length > 0 ? allowed : [region]);
  if (!chosen.includes(region))
    throw new Error(`ml-platform:audit.regions: must include the stack's region ${region} (got ${chosen.join(", ")})`);
  const denied = allowed.length > 0 ? chosen.filter((r) => !allowed.includes(r)) : [];
  if (denied.length > 0)
    throw new Error(
      `ml-platform:audit.regions: ${denied.join(", ")} not allowed by the SCP (allowed: ${allowed.join(", ")})`,
    );
  return [region, ...chosen.filter((r) => r !== region)];
}

export async function research(): Promise<ResearchOutputs> {
  const cfg = loadConfig(researchConfig);
  const mgmt = readManagementOutputs(cfg.managementStack);
  const accountId = mgmt.output("researchAccountIds").apply((ids) => {
    const id = ids[cfg.account];
    if (id === undefined)
      throw new Error(`ml-platform:account: "${cfg.account}" is not a research account of ${cfg.managementStack}`);
    if (id !== cfg.accountId)
      throw new Error(
        `ml-platform:accountId: ${cfg.accountId} does not match ${cfg.managementStack}'s account "${cfg.account}" (${id})`,
      );
    return id;
  });
  const accessRole = mgmt.output("accessRoleName");
  const provider = accountProvider("research", {
    region: cfg.region,
    accountId: cfg.accountId,
    assumeRoleArn: pulumi.all([accountId, accessRole]).apply(([id, role]) => organizationAccessRoleArn(id, role)),
    tags: cfg.tags,
  });
  const production = accountProvider("production", {
    region: cfg.bastion.region,
    accountId: cfg.bastion.accountId,
    tags: cfg.tags,
  });
  const auditBucketName = mgmt.output("auditBucketName");
  const auditKeyArn = mgmt.output("auditKeyArn");

  const auditRegions = configRegions(cfg.region, cfg.audit.regions, await mgmt.value("allowedRegions"));

  new ResearchBoundary("boundary", { accountId: cfg.accountId, services: cfg.admin.services }, { provider });
  const admin = new ResearchAdminRole(
    "admin",
    {
      accountId: cfg.accountId,
      productionAccountId: cfg.bastion.accountId,
      ...cfg.admin,
      auditBucketArns: [mgmt.output("auditBucketArn"), mgmt.output("configBucketArn")],
      auditKeyArn,
    },
    { provider },
  );
  const audit = new AccountAudit(
    "audit",
    {
      auditBucketName,
      configBucketName: mgmt.output("configBucketName"),
      auditKeyArn,
      trailPrefix: await mgmt.value("trailPrefix"),
      configPrefix: await mgmt.value("configPrefix"),
      regions: auditRegions,
    },
    { provider },
  );
  new ConfigRules(
    "rules",
    {
      rules: selectRules(defaultRules(cfg.configRules.allowedPublicTcpPorts), cfg.configRules),
      regions: auditRegions.map((region, i) => ({ region, recorder: audit.recorders[i] })),
    },
    { provider },
  );
  new BudgetAlerts("budget", { accountId: cfg.accountId, ...cfg.budget }, { provider });
  const network = new ResearchNetwork(
    "research",
    { ...cfg.network, bastion: { ...cfg.bastion }, productionProvider: production },
    { provider },
  );
  const dns = new NameDns(
    "names",
    {
      zoneName: cfg.dns.zoneName,
      vpcId: network.vpc.id,
      vpcCidr: cfg.network.cidr,
      region: cfg.region,
      bastionVpcId: cfg.bastion.vpcId,
      bastionRegion: cfg.bastion.region,
      productionProvider: production,
      logRetentionDays: cfg.dns.logRetentionDays,
    },
    { provider },
  );

  return {
    accountId,
    adminRoleArn: admin.role.arn,
    vpcId: network.vpc.id,
    privateSubnetIds: network.privateSubnets.map((s) => s.id),
    sshFromBastionSecurityGroupId: network.sshFromBastion.id,
    zoneId: dns.forwardZone.zoneId,
    zoneName: cfg.dns.zoneName,
  };
}

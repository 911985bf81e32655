/**
 * Ops layer, in one research member account (through the organization access role, like the
 * research layer) after it: researchers' personal GPU instances, the hourly idle check that warns
 * in Slack and stops, and the `/gpu` Slack bot. Everything it deploys carries the guardrail tag,
 * so the research account's SCP keeps member principals from changing it.
 */
import { z } from "zod";
import { listGpuAmiCombinations, resolveGpuAmi } from "../components/shared/gpu-ami";
import { GpuWorkstations } from "../components/ops/gpu-workstations";
import { IdleCheck } from "../components/ops/idle-check";
import { SlackBot } from "../components/ops/slack-bot";
import { loadConfig } from "../config/load";
import { awsAccountId, awsRegion, stackName, tags } from "../config/schema";
import { accountProvider, organizationAccessRoleArn } from "../shared/aws-provider";
import { GPU_METRICS_NAMESPACE, GUARDRAIL_VALUE, IDLE_POLICY, TAG } from "../../workloads/shared/conventions";
import { type OpsOutputs, readResearchOutputs } from "./outputs";

const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, "expected a Slack user id such as U012AB3CD");

/** The policy pack's default GPU allow-list (g4dn.*, g5.*, g6.*, p3.2xlarge). */
const gpuInstanceType = z
  .string()
  .regex(
    /^((g4dn|g5|g6)\.[a-z0-9]+|p3\.2xlarge)$/,
    "expected a GPU type on the allow-list: g4dn.*, g5.*, g6.*, p3.2xlarge",
  );

const researcher = z.object({
  /** The researcher's short name: the owner tag, and the instance's default name `<owner>-gpu`. */
  owner: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, "expected a short lower-case name such as jane"),
  slackUserId,
  /** Name tag and DNS label; default `<owner>-gpu`. */
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,62}$/, "expected a DNS label such as jane-gpu")
    .optional(),
  instanceType: gpuInstanceType,
  /** A combination from packer/versions/ (its AMI id is read from SSM). */
  gpuAmi: z.string().refine((c) => listGpuAmiCombinations().includes(c), {
    message: `expected a combination from packer/versions/ (${listGpuAmiCombinations().join(", ")})`,
  }),
  volumeGb: z.number().int().min(50).max(16384).default(200),
  idlePolicy: z.enum([IDLE_POLICY.stopWhenIdle, IDLE_POLICY.never]).default(IDLE_POLICY.stopWhenIdle),
});

export const opsConfig = z.object({
  layer: z.literal("ops"),
  /** The research stack whose VPC, subnets, bastion group and zone this stack uses. */
  researchStack: stackName,
  /** The research account (checked against the research stack's accountId output). */
  accountId: awsAccountId,
  region: awsRegion,
  /** The role to assume in the research account. */
  accessRoleName: z.string().min(1).default("OrganizationAccountAccessRole"),
  tags,
  researchers: z
    .array(researcher)
    .default([])
    .refine(
      (rs) => new Set(rs.map((r) => r.name ?? `${r.owner}-gpu`)).size === rs.length,
      "instance names must be unique",
    ),
  /** Slack user ids who may act on every managed instance through the bot. */
  admins: z.array(slackUserId).default([]),
  idleCheck: z
    .object({
      warnAfterHours: z.number().int().min(1).max(168).default(3),
      stopAfterHours: z.number().int().min(2).max(168).default(4),
      gpuUtilPercent: z.number().min(0).max(100).default(5),
      gpuMemoryMiB: z.number().min(0).default(1024),
      /** Whether GPU memory held at 0 % utilisation (a notebook keeping a model loaded) counts as busy. */
      gpuMemoryHeldIsBusy: z.boolean().default(true),
      cpuCorePercent: z.number().min(0).max(100).default(20),
      networkBytesPerSecond: z.number().min(0).default(100_000),
      dryRun: z.boolean().default(false),
      /** A Slack channel id for each run's summary (stops, missing metrics, Slack failures). */
      reportChannel: z.string().min(1).optional(),
    })
    .refine((c) => c.stopAfterHours > c.warnAfterHours, {
      message: "stopAfterHours must be above warnAfterHours, so the owner is warned first",
      path: ["stopAfterHours"],
    })
    .default({
      warnAfterHours: 3,
      stopAfterHours: 4,
      gpuUtilPercent: 5,
      gpuMemoryMiB: 1024,
      gpuMemoryHeldIsBusy: true,
      cpuCorePercent: 20,
      networkBytesPerSecond: 100_000,
      dryRun: false,
    }),
  slack: z
    .object({
      apiUrl: z.url().default("https://slack.com/api"),
      maxKeepHours: z.number().int().min(1).max(336).default(72),
      botFunctionName: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/)
        .default("ml-platform-gpu-bot"),
    })
    .default({ apiUrl: "https://slack.com/api", maxKeepHours: 72, botFunctionName: "ml-platform-gpu-bot" }),
  /** SSM and CloudWatch interface endpoints in the private subnets (needed without a NAT gateway). */
  interfaceEndpoints: z.boolean().default(true),
  logRetentionDays: z.number().int().default(90),
});

export async function ops(): Promise<OpsOutputs> {
  const cfg = loadConfig(opsConfig);
  const research = readResearchOutputs(cfg.researchStack);
  const accountId = research.output("accountId").apply((id) => {
    if (id !== cfg.accountId)
      throw new Error(`ml-platform:accountId: ${cfg.accountId} does not match ${cfg.researchStack}'s account (${id})`);
    return cfg.accountId;
  });
  const provider = accountProvider("ops", {
    region: cfg.region,
    accountId: cfg.accountId,
    assumeRoleArn: organizationAccessRoleArn(accountId, cfg.accessRoleName),
    tags: { ...cfg.tags, [TAG.guardrail]: GUARDRAIL_VALUE },
  });
  const opts = { provider };
  const subnets = await research.value("privateSubnetIds");

  const workstations = new GpuWorkstations(
    "gpu",
    {
      vpcId: research.output("vpcId"),
      privateSubnetIds: subnets,
      sshFromBastionSecurityGroupId: research.output("sshFromBastionSecurityGroupId"),
      interfaceEndpoints: cfg.interfaceEndpoints,
      region: cfg.region,
      workstations: cfg.researchers.map((r) => ({
        name: r.name ?? `${r.owner}-gpu`,
        owner: r.owner,
        slackUserId: r.slackUserId,
        instanceType: r.instanceType,
        amiId: resolveGpuAmi(r.gpuAmi, opts),
        volumeGb: r.volumeGb,
        idlePolicy: r.idlePolicy,
      })),
    },
    opts,
  );
  const zoneName = await research.value("zoneName");
  const bot = new SlackBot(
    "slack-bot",
    {
      settings: {
        researchers: Object.fromEntries(cfg.researchers.map((r) => [r.slackUserId, r.owner])),
        admins: cfg.admins,
        maxKeepHours: cfg.slack.maxKeepHours,
        zoneName,
      },
      functionName: cfg.slack.botFunctionName,
      region: cfg.region,
      accountId: cfg.accountId,
      logRetentionDays: cfg.logRetentionDays,
    },
    opts,
  );
  new IdleCheck(
    "idle-check",
    {
      settings: {
        ...cfg.idleCheck,
        slackApiUrl: cfg.slack.apiUrl,
        namespace: GPU_METRICS_NAMESPACE,
        thresholds: {
          gpuUtilPercent: cfg.idleCheck.gpuUtilPercent,
          gpuMemoryMiB: cfg.idleCheck.gpuMemoryMiB,
          gpuMemoryHeldIsBusy: cfg.idleCheck.gpuMemoryHeldIsBusy,
          cpuCorePercent: cfg.idleCheck.cpuCorePercent,
          networkBytesPerSecond: cfg.idleCheck.networkBytesPerSecond,
        },
      },
      slackSecret: bot.secret,
      schedule: "rate(1 hour)",
      region: cfg.region,
      accountId: cfg.accountId,
      logRetentionDays: cfg.logRetentionDays,
    },
    opts,
  );

  return {
    instanceIds: Object.fromEntries(Object.entries(workstations.instances).map(([k, v]) => [k, v.id])),
    instanceNames: Object.fromEntries(Object.keys(workstations.instances).map((k) => [k, `${k}.${zoneName}`])),
    slackCommandUrl: bot.url.functionUrl,
    slackSecretArn: bot.secret.arn,
  };
}

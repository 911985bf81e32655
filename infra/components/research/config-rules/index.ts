/**
 * AWS Config managed rules for the research account. Which rules and their parameters come from
 * config; the defaults cover internet-open security groups, public buckets, the trail, EBS
 * encryption and root MFA.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GUARDRAIL_VALUE, TAG } from "../../../../workloads/shared/conventions";

export interface ConfigRuleSpec {
  /** AWS managed rule identifier, e.g. RESTRICTED_INCOMING_TRAFFIC. */
  identifier: string;
  parameters?: Record<string, string>;
}

/** Ports (besides SSH and RDP, which have their own rules) that may be open to the internet. */
export function defaultRules(allowedPublicTcpPorts: number[]): Record<string, ConfigRuleSpec> {
  return {
    "ssh-not-open": { identifier: "INCOMING_SSH_DISABLED" },
    "rdp-not-open": { identifier: "RESTRICTED_INCOMING_TRAFFIC", parameters: { blockedPort1: "3389" } },
    "only-authorized-public-ports": {
      identifier: "VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS",
      parameters: allowedPublicTcpPorts.length > 0 ? { authorizedTcpPorts: allowedPublicTcpPorts.join(",") } : {},
    },
    "s3-no-public-read": { identifier: "S3_BUCKET_PUBLIC_READ_PROHIBITED" },
    "s3-no-public-write": { identifier: "S3_BUCKET_PUBLIC_WRITE_PROHIBITED" },
    "cloudtrail-enabled": { identifier: "CLOUD_TRAIL_ENABLED" },
    "ebs-encrypted-by-default": { identifier: "EC2_EBS_ENCRYPTION_BY_DEFAULT" },
    "root-mfa": { identifier: "ROOT_ACCOUNT_MFA_ENABLED" },
  };
}

/** Defaults minus the disabled ones, plus (or overridden by) the configured ones. */
export function selectRules(
  defaults: Record<string, ConfigRuleSpec>,
  choice: { disabled: string[]; rules: Record<string, ConfigRuleSpec> },
): Record<string, ConfigRuleSpec> {
  const unknown = choice.disabled.filter((n) => !(n in defaults));
  if (unknown.length > 0)
    throw new Error(
      `ml-platform:configRules.disabled: no default rule named ${unknown.join(", ")} (defaults: ${Object.keys(defaults).join(", ")})`,
    );
  const kept = Object.fromEntries(Object.entries(defaults).filter(([n]) => !choice.disabled.includes(n)));
  return { ...kept, ...choice.rules };
}

export interface ConfigRulesArgs {
  rules: Record<string, ConfigRuleSpec>;
  /** Every region the rules are evaluated in, with its recorder (rules need one to evaluate anything). */
  regions: Array<{ region: string; recorder: aws.cfg.Recorder }>;
}

export class ConfigRules extends pulumi.ComponentResource {
  constructor(name: string, args: ConfigRulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:research:ConfigRules", name, {}, opts);
    args.regions.forEach(({ region, recorder }, i) => {
      for (const [ruleName, spec] of Object.entries(args.rules)) {
        const params = spec.parameters ?? {};
        // The first region keeps the names the single-region version had.
        new aws.cfg.Rule(
          i === 0 ? `${name}-${ruleName}` : `${name}-${region}-${ruleName}`,
          {
            name: ruleName,
            region,
            source: { owner: "AWS", sourceIdentifier: spec.identifier },
            inputParameters: Object.keys(params).length > 0 ? JSON.stringify(params) : undefined,
            tags: { [TAG.guardrail]: GUARDRAIL_VALUE },
          },
          { parent: this, dependsOn: [recorder] },
        );
      }
    });
    this.registerOutputs({});
  }
}

/**
 * The platform's shared names: tag keys, label and annotation keys, SSM paths. Infra sets them,
 * the policy pack reads them, and workloads (functions, controllers) select by them, so each
 * name is written once, here. Add a name here before using it anywhere else.
 */

/** Tag keys the platform puts on AWS resources. */
export const TAG = {
  /** What a resource is for, where policies treat it specially (`audit`, `dead-letter`). */
  purpose: "ml-platform:purpose",
  /**
   * Marks what the platform deploys into a member account (trail, Config, budget topic, the
   * Name-tag function, its rules, role and log groups): the research account's SCP and permissions
   * boundary deny member principals every change to resources carrying it.
   */
  guardrail: "ml-platform:guardrail",
  /**
   * Claims one entry of the policy pack's exemption list (`policies/exemptions.ts`) by its id. The
   * claim holds only where the list's entry also matches the resource (type, parent component,
   * name, and the entry's own condition): a tag alone exempts nothing.
   */
  policyExemption: "ml-platform:policy-exemption",
  /** Marks EC2 instances the platform manages (research GPU instances): the idle check and the bot act on these only. */
  managed: "ml-platform:managed",
} as const;

/** Values of `TAG.purpose`. */
export const PURPOSE = { audit: "audit", deadLetter: "dead-letter" } as const;

/** Value of `TAG.guardrail` on everything the platform protects in a member account. */
export const GUARDRAIL_VALUE = "protected";

/**
 * Names of what the platform deploys into a member account. The audit bucket admits the trail by
 * its name, and the research SCP protects by name prefix where a service has no tag condition
 * (SNS subscriptions, log streams).
 */
export const PLATFORM_NAMES = {
  /** Prefix of every named platform resource in a member account: topics, functions, rules. */
  prefix: "ml-platform-",
  /** Prefix of the platform's log group names. */
  logGroupPrefix: "/ml-platform/",
  /** The member account's trail; the audit bucket and key admit this trail only. */
  trail: "ml-platform-audit",
  /** IAM path of the platform's own roles and policies in a member account (the SCP guards it). */
  guardrailPath: "/guardrails/",
  /** The permissions boundary every role and user created in a research account must carry. */
  boundaryPolicy: "ml-platform-research-boundary",
  /** IAM path of the roles and instance profiles the research admin may create. */
  researchPath: "/research/",
  /** The research team's admin role (entered from production with MFA). */
  researchAdminRole: "research-admin",
} as const;

/** Kubernetes label and annotation keys (the same claim as `TAG.policyExemption`, as an annotation). */
export const K8S = {
  policyExemption: "ml-platform.io/policy-exemption",
} as const;

/** SSM parameter paths. */
export const SSM = {
  /** `/ml-platform/gpu-ami/<combination>`: the AMI id `scripts/packer-build` publishes. */
  gpuAmi: (combination: string) => `/ml-platform/gpu-ami/${combination}`,
} as const;

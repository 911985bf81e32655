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
  /** Owner of a managed instance: the researcher's name from the ops layer's config. */
  owner: "ml-platform:owner",
  /** The owner's Slack user id, so the idle check can message them without a lookup. */
  slackUser: "ml-platform:slack-user",
  /** The idle policy a managed instance follows (`IDLE_POLICY`). */
  idlePolicy: "ml-platform:idle-policy",
  /** Consecutive idle hours the idle check has counted; on the instance so the count survives restarts. */
  idleHours: "ml-platform:idle-hours",
  /** ISO time until which the idle check leaves the instance alone (set by the Slack bot's `keep`). */
  keepUntil: "ml-platform:keep-until",
} as const;

/** Value of `TAG.managed` on instances the platform manages. */
export const MANAGED_VALUE = "true";

/** Values of `TAG.idlePolicy`: warn in Slack, then stop (`stop-when-idle`), or leave running (`never`). */
export const IDLE_POLICY = { stopWhenIdle: "stop-when-idle", never: "never" } as const;

/** CloudWatch namespace the GPU AMI's agent publishes to (packer/scripts/cloudwatch-agent.sh). */
export const GPU_METRICS_NAMESPACE = "MLPlatform/GPU";

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
  /** Kubernetes' recommended labels; the search workloads select and discover each other by them. */
  name: "app.kubernetes.io/name",
  component: "app.kubernetes.io/component",
  partOf: "app.kubernetes.io/part-of",
  /** On GPU nodes (value "true"): GPU pods select it, besides tolerating the GPU taint. */
  gpuNode: "ml-platform.io/gpu",
  /** A search build's or segment's tier (`hourly`, `daily`, `monthly`). */
  searchTier: "ml-platform.io/tier",
  /** The node group a node belongs to (`system`, `gpu`). */
  nodeGroup: "ml-platform.io/node-group",
  /** The segment's window start, UTC, by its window name (`2026-11-02T10`, `2026-11-02`, `2026-11`): label-safe. */
  segmentWindow: "ml-platform.io/segment-window",
  /** The segment's embedding version, label-safe (`embeddingVersionLabel`). */
  embeddingVersion: "ml-platform.io/embedding-version",
  /** The shard host an object belongs to (its Deployment, Service, ConfigMap and budget carry it). */
  shardHost: "ml-platform.io/shard-host",
} as const;

/** Values of `K8S.component` in the search namespace (the segment controller labels shard hosts so). */
export const SEARCH_COMPONENT = {
  build: "segment-build",
  shardHost: "shard-host",
  front: "front",
  controller: "segment-controller",
} as const;

/**
 * The recommended labels a search object carries: its component, part of `search`, and its own name where it has
 * one. The stack's objects and the hosts the controller makes alike: the namespace's network policies and the
 * workloads' selectors match on them.
 */
export function searchLabels(component: string, name?: string): Record<string, string> {
  return { ...(name === undefined ? {} : { [K8S.name]: name }), [K8S.component]: component, [K8S.partOf]: "search" };
}

/** NVIDIA's names: the device plugin's resource and the taint that keeps other pods off GPU nodes. */
export const NVIDIA = { gpuResource: "nvidia.com/gpu", taintKey: "nvidia.com/gpu" } as const;

/** The gRPC port name and number every shard host uses (Service port = container port). */
export const SEGMENT_GRPC_PORT = { name: "grpc", number: 50051 } as const;

/** SSM parameter paths. */
export const SSM = {
  /** `/ml-platform/gpu-ami/<combination>`: the AMI id `scripts/packer-build` publishes. */
  gpuAmi: (combination: string) => `/ml-platform/gpu-ami/${combination}`,
} as const;

/**
 * An embedding version as a Kubernetes label value (63 characters of [A-Za-z0-9._-]): versions name
 * model and projection hashes with `@`, `:` and `+`, which labels do not allow. Readers map a label
 * back by computing this for each version they know.
 */
export function embeddingVersionLabel(version: string): string {
  const safe = version.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
  if (safe.length <= 63 && safe === version) return safe;
  // Not the version itself: shorten and add a 32-bit hash of the original, so versions in use do not share a label.
  let h = 0x811c9dc5;
  for (const c of version) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return `${safe.slice(0, 54).replace(/[^A-Za-z0-9]+$/, "")}.${h.toString(16).padStart(8, "0")}`;
}

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

/** Kubernetes label and annotation keys (the same claim as `TAG.policyExemption`, as an annotation). */
export const K8S = {
  policyExemption: "ml-platform.io/policy-exemption",
  /** `segment-index` on each segment's Deployment, Service and (mirrored by Kubernetes) EndpointSlices. */
  role: "ml-platform.io/role",
  /** `hourly`, `daily` or `monthly`. */
  segmentTier: "ml-platform.io/segment-tier",
  /** The window's start, UTC, as `YYYY-MM-DDTHH` (label values allow no colon). */
  segmentWindow: "ml-platform.io/segment-window",
  /** The embedding version the segment's vectors were made with (a label-safe string). */
  embeddingVersion: "ml-platform.io/embedding-version",
} as const;

/** Values of `K8S.role`. */
export const K8S_ROLE = { segmentIndex: "segment-index" } as const;

/** The gRPC port name and number every index service uses (Service port = container port). */
export const SEGMENT_GRPC_PORT = { name: "grpc", number: 50051 } as const;

/** SSM parameter paths. */
export const SSM = {
  /** `/ml-platform/gpu-ami/<combination>`: the AMI id `scripts/packer-build` publishes. */
  gpuAmi: (combination: string) => `/ml-platform/gpu-ami/${combination}`,
} as const;

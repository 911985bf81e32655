/**
 * The pack's ONE exemption mechanism: a reviewed list of entries, each waiving named policies for
 * resources that match it exactly. A resource claims an entry by carrying its id in the tag
 * `TAG.policyExemption` (AWS) or the annotation `K8S.policyExemption` (Kubernetes metadata). The
 * claim holds only if the entry also matches the resource: its type, the component type above it
 * in the URN's type chain, its name when the entry names one, and the entry's own condition on
 * the resource. A name, a tag or a component alone exempts nothing, and a claim that matches no
 * entry is itself a mandatory violation (`policy-exemption-claims`), so a copy of the research
 * admin role elsewhere, or a tag pasted onto another role, stays checked.
 *
 * Adding an entry is a reviewed change to this file; its `reason` says why the risk is accepted.
 */
import { K8S, TAG } from "../workloads/shared/conventions";
import { ELB_ACCOUNTS, PURPOSE_EXEMPTION as ELB_LOG_DELIVERY } from "../infra/shared/elb-accounts";
import { principalsOf, requiresMfa } from "./rules/iam-semantics";
import { hostPathsOf, metadataOf, podSpecOf } from "./rules/k8s-pods";
import { componentTypes, linkedTargets, type Linkable, type NameInputs } from "./rules/links";
import { isRecord, known, statements, str, type Props } from "./rules/util";

export interface ExemptionEntry {
  id: string;
  /** Policy names this entry waives; every other policy still applies. */
  waives: readonly string[];
  /** Type token of the exempted resource. */
  type: string;
  /**
   * Where the claim sits when not on the resource itself: a resource the exempted one names by an
   * input (a function URL names its function). The component check applies to the claimant.
   */
  claimant?: { type: string; input: string; keys?: NameInputs };
  /** Component type that must appear above the claimant in its URN's type chain. */
  component?: string;
  /** Logical name the resource must have, when the entry is for one resource. */
  name?: string;
  /** The entry's condition in words (for messages and the README). */
  condition: string;
  /** The condition; `stack` is every resource of the stack when the caller has it. */
  holds: (r: Linkable, stack: readonly Linkable[]) => boolean;
  reason: string;
}

/** A trust policy whose every Allow admits only AWS-account principals, each under MFA. */
function trustOnlyMfaAccounts(r: Linkable): boolean {
  const trust = statements(known(() => (r.props as Props).assumeRolePolicy));
  const allows = (trust ?? []).filter((s) => s.Effect === "Allow");
  return (
    allows.length > 0 &&
    allows.every((s) => {
      const p = principalsOf(s);
      return (
        !p.anyone && p.service.length === 0 && p.federated.length === 0 && p.aws.length > 0 && requiresMfa(s.Condition)
      );
    })
  );
}

const ELB_PRINCIPALS = new Set(Object.values(ELB_ACCOUNTS).map((a) => `arn:aws:iam::${a}:root`));

/** Every unconditioned Allow grants only s3:PutObject, only to Elastic Load Balancing's regional accounts. */
function onlyElbLogDelivery(r: Linkable): boolean {
  const doc = statements(known(() => (r.props as Props).policy));
  const grants = (doc ?? []).filter((s) => s.Effect === "Allow" && principalsOf(s).aws.length > 0);
  return (
    grants.length > 0 &&
    grants.every((s) => {
      const p = principalsOf(s);
      const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
      return (
        !p.anyone && p.aws.every((a) => ELB_PRINCIPALS.has(a)) && actions.length === 1 && actions[0] === "s3:PutObject"
      );
    })
  );
}

export const DEVICE_PLUGIN_PATH = "/var/lib/kubelet/device-plugins";

export const EXEMPTIONS: readonly ExemptionEntry[] = [
  {
    id: "research-admin",
    waives: ["iam-no-effective-admin"],
    type: "aws:iam/role:Role",
    component: "ml-platform:research:ResearchAdminRole",
    condition: "its trust policy admits only AWS-account principals, each under aws:MultiFactorAuthPresent",
    holds: (r) => trustOnlyMfaAccounts(r),
    reason:
      "The research account's administrators need broad rights inside their own account; the organization's SCP and the permissions boundary, not this role's policy, hold the guardrails.",
  },
  {
    id: "nvidia-device-plugin",
    waives: ["k8s-no-host-path", "k8s-run-as-non-root"],
    type: "kubernetes:apps/v1:DaemonSet",
    condition: `in namespace kube-system, and its only hostPath volume is ${DEVICE_PLUGIN_PATH}`,
    holds: (r) => {
      const props = r.props as Props;
      const pod = podSpecOf(r.type, props);
      const paths = pod ? hostPathsOf(pod) : [];
      return (
        metadataOf(props).namespace === "kube-system" &&
        paths.length > 0 &&
        paths.every((p) => p === DEVICE_PLUGIN_PATH)
      );
    },
    reason:
      "The NVIDIA device plugin registers GPUs with the kubelet through its device-plugin socket directory, which only root may write; it still runs unprivileged, with no added capabilities and no privilege escalation.",
  },
  {
    id: ELB_LOG_DELIVERY,
    waives: ["resource-policy-no-public-principal"],
    type: "aws:s3/bucketPolicy:BucketPolicy",
    claimant: { type: "aws:s3/bucket:Bucket", input: "bucket", keys: { name: "bucket", prefix: "bucketPrefix" } },
    component: "ml-platform:classification:PhotoApi",
    condition:
      "the policy of the photo API's load-balancer log bucket grants other accounts only s3:PutObject, and only Elastic Load Balancing's regional log-delivery accounts",
    holds: onlyElbLogDelivery,
    reason:
      "In regions older than its service principal, Elastic Load Balancing writes access logs as its regional account, and AWS documents that grant without conditions.",
  },
  {
    id: "slack-signed-webhook",
    waives: ["lambda-function-url-auth"],
    type: "aws:lambda/functionUrl:FunctionUrl",
    claimant: { type: "aws:lambda/function:Function", input: "functionName" },
    component: "ml-platform:ops:SlackBot",
    condition: "authorizationType NONE on the Slack bot's function, which verifies Slack's request signature itself",
    holds: (r) => (r.props as Props).authorizationType === "NONE",
    reason:
      "Slack cannot SigV4-sign requests; the function checks the v0 HMAC signature and timestamp of every request before acting.",
  },
];

/** The entry id a resource claims, from its tag (AWS) or annotation (Kubernetes); undefined if none. */
export function claimOf(r: Linkable): string | undefined {
  const props = r.props as Props;
  if (r.type.startsWith("kubernetes:")) {
    const annotations = known(() => metadataOf(props).annotations);
    return isRecord(annotations) ? known(() => str(annotations[K8S.policyExemption])) : undefined;
  }
  const tags = known(() => props.tags);
  return isRecord(tags) ? known(() => str(tags[TAG.policyExemption])) : undefined;
}

const byId = new Map(EXEMPTIONS.map((e) => [e.id, e]));

/** Why `claimant` may not claim `entry` (its type, component or name differ); undefined when it may. */
function claimantProblem(entry: ExemptionEntry, claimant: Linkable): string | undefined {
  const type = entry.claimant?.type ?? entry.type;
  if (claimant.type !== type) return `entry ${entry.id} is for ${type}, not ${claimant.type}`;
  if (entry.component && !componentTypes(claimant).includes(entry.component))
    return `entry ${entry.id} requires a parent component of type ${entry.component}`;
  if (entry.name && claimant.name !== entry.name) return `entry ${entry.id} is for the resource named ${entry.name}`;
  return undefined;
}

/** The resources holding the claim for `r` under `entry`: `r` itself, or the resource it names. */
function claimantsOf(entry: ExemptionEntry, r: Linkable, stack: readonly Linkable[]): Linkable[] {
  if (!entry.claimant) return [r];
  const { type, input, keys } = entry.claimant;
  return linkedTargets(
    r,
    input,
    stack.filter((x) => x.type === type),
    keys,
  );
}

/**
 * The entry exempting `r` from `policy`, if any: some claimant of `r` claims an entry that waives
 * the policy, may claim it, and the entry's condition holds for `r`.
 */
export function exemptionFor(policy: string, r: Linkable, stack: readonly Linkable[] = []): ExemptionEntry | undefined {
  const candidates = EXEMPTIONS.filter((e) => e.type === r.type && e.waives.includes(policy));
  for (const entry of candidates) {
    const claimants = claimantsOf(entry, r, stack);
    if (claimants.length === 0) continue;
    const ok = claimants.every((c) => claimOf(c) === entry.id && claimantProblem(entry, c) === undefined);
    if (ok && entry.holds(r, stack)) return entry;
  }
  return undefined;
}

/**
 * Why a claim on `r` does not hold; undefined when `r` claims nothing or its claim matches. A
 * claimant (the function of a function URL) is checked for type and component; the entry's
 * condition is checked on each exempted resource that names it.
 */
export function claimProblem(r: Linkable, stack: readonly Linkable[]): string | undefined {
  const id = claimOf(r);
  if (id === undefined) return undefined;
  const entry = byId.get(id);
  if (!entry) return `claims exemption "${id}", which is not on the reviewed list (${[...byId.keys()].join(", ")})`;
  const problem = claimantProblem(entry, r);
  if (problem) return `claims exemption "${id}" but ${problem}`;
  const exempted = entry.claimant
    ? stack.filter((x) => x.type === entry.type && claimantsOf(entry, x, stack).some((c) => c.urn === r.urn))
    : [r];
  const failing = exempted.filter((x) => !entry.holds(x, stack));
  if (failing.length > 0)
    return `claims exemption "${id}" but ${failing.map((x) => x.name).join(", ")} fails its condition: ${entry.condition}`;
  return undefined;
}

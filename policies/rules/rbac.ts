/**
 * Kubernetes RBAC: a Role or ClusterRole never grants every verb, or every resource, of a custom
 * resource group (any group the API server does not build in, or `*`). Custom resources are
 * where controllers and operators live; a wildcard there hands out whatever kinds and verbs the
 * next CRD adds, e.g. a `*` on `search.ml-platform.dev` would let a create-only account delete
 * every SegmentBuild and write their status. Built-in groups are judged by the IAM-like rules of
 * their own components, not here.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, forTypes, isRecord } from "./util";

export const RBAC_WILDCARD_POLICY = "k8s-rbac-no-wildcard-on-custom-resources";

export const ROLE_TYPES = [
  "kubernetes:rbac.authorization.k8s.io/v1:Role",
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
] as const;

/** API groups the Kubernetes API server serves itself (core is ""); anything else is a custom or aggregated API. */
export const BUILT_IN_GROUPS: ReadonlySet<string> = new Set([
  "",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "apps",
  "authentication.k8s.io",
  "authorization.k8s.io",
  "autoscaling",
  "batch",
  "certificates.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "events.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "internal.apiserver.k8s.io",
  "networking.k8s.io",
  "node.k8s.io",
  "policy",
  "rbac.authorization.k8s.io",
  "resource.k8s.io",
  "scheduling.k8s.io",
  "storage.k8s.io",
  "storagemigration.k8s.io",
]);

/** What in one rule is too broad on custom groups; empty when nothing is. */
export function wildcardOnCustomGroups(rule: unknown): string[] {
  if (!isRecord(rule)) return [];
  const groups = asArray<string>(rule.apiGroups).map(String);
  const custom = groups.filter((g) => g === "*" || !BUILT_IN_GROUPS.has(g));
  if (custom.length === 0) return [];
  const problems: string[] = [];
  if (asArray(rule.verbs).map(String).includes("*")) problems.push("verbs *");
  if (asArray(rule.resources).map(String).includes("*")) problems.push("resources *");
  return problems.length > 0 ? [`${problems.join(" and ")} on ${custom.map((g) => g || '""').join(", ")}`] : [];
}

export const rbacPolicies: ResourceValidationPolicy[] = [
  {
    name: RBAC_WILDCARD_POLICY,
    description:
      "Kubernetes Roles and ClusterRoles grant no `*` verbs and no `*` resources on custom resource groups (any apiGroup not built into the API server, or `*`): name the kinds and verbs.",
    validateResource: forTypes(ROLE_TYPES, (props, _args, report) => {
      asArray(props.rules).forEach((rule, i) => {
        for (const problem of wildcardOnCustomGroups(rule)) report(`rules[${i}]: ${problem}`);
      });
    }),
  },
];

/**
 * The RBAC of the segment builds, exactly the verbs each piece uses on exactly the kinds it
 * uses, in the search namespace only:
 * - the operator (workloads/search/operator): reads SegmentBuilds through its informer (get,
 *   list, watch), patches them for its finalizer, replaces their status; creates, watches and
 *   deletes their Jobs; watches (and on cleanup lists) the Jobs' pods to read the build's
 *   termination message; holds its Lease. `segmentbuilds/finalizers` update is what the API
 *   server asks of whoever sets `blockOwnerDeletion` on an owner reference to a SegmentBuild
 *   (when OwnerReferencesPermissionEnforcement is on, as on EKS).
 * - the CronJobs' create step: creates SegmentBuilds, nothing else.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { GROUP, SEGMENT_BUILD } from "../../../../workloads/search/crds/types";

type PolicyRule = k8s.types.input.rbac.v1.PolicyRule;

export function operatorRules(leaseName: string): PolicyRule[] {
  const sb = SEGMENT_BUILD.plural;
  return [
    { apiGroups: [GROUP], resources: [sb], verbs: ["get", "list", "watch", "patch"] },
    { apiGroups: [GROUP], resources: [`${sb}/status`], verbs: ["update"] },
    { apiGroups: [GROUP], resources: [`${sb}/finalizers`], verbs: ["update"] },
    { apiGroups: ["batch"], resources: ["jobs"], verbs: ["get", "list", "watch", "create", "delete"] },
    { apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"] },
    // `create` cannot be limited to a name (the object does not exist yet); reading and renewing can.
    { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
    { apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: [leaseName], verbs: ["get", "update"] },
  ];
}

export const creatorRules = (): PolicyRule[] => [
  { apiGroups: [GROUP], resources: [SEGMENT_BUILD.plural], verbs: ["create"] },
];

/** A namespaced Role and its binding to one ServiceAccount of the same name. */
export function boundRole(
  name: string,
  args: { namespace: string; roleName: string; labels: Record<string, string>; rules: PolicyRule[] },
  opts: pulumi.CustomResourceOptions,
): k8s.rbac.v1.Role {
  const metadata = { name: args.roleName, namespace: args.namespace, labels: args.labels };
  const role = new k8s.rbac.v1.Role(name, { metadata, rules: args.rules }, opts);
  new k8s.rbac.v1.RoleBinding(
    name,
    {
      metadata,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: args.roleName },
      subjects: [{ kind: "ServiceAccount", name: args.roleName, namespace: args.namespace }],
    },
    { ...opts, dependsOn: [role] },
  );
  return role;
}

/**
 * What the operator's processes need in RBAC, exactly the verbs each uses on exactly the kinds
 * it uses, in its namespace only (the search stack declares these rules; the tests bind them):
 * - the operator (workloads/search/operator): reads SegmentBuilds through its informer (get,
 *   list, watch), patches them for its finalizer, replaces their status; creates, watches and
 *   deletes their Jobs; watches (and on cleanup lists) the Jobs' pods to read the build's
 *   termination message; reads each tier's build PodTemplate (get, one per build); holds its Lease. `segmentbuilds/finalizers` update is what the API
 *   server asks of whoever sets `blockOwnerDeletion` on an owner reference to a SegmentBuild
 *   (when OwnerReferencesPermissionEnforcement is on, as on EKS).
 * - the CronJobs' create step: creates SegmentBuilds, nothing else.
 */
import { GROUP, SEGMENT_BUILD } from "../crds/types";

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: string[];
}

export function operatorRules(leaseName: string): PolicyRule[] {
  const sb = SEGMENT_BUILD.plural;
  return [
    { apiGroups: [GROUP], resources: [sb], verbs: ["get", "list", "watch", "patch"] },
    { apiGroups: [GROUP], resources: [`${sb}/status`], verbs: ["update"] },
    { apiGroups: [GROUP], resources: [`${sb}/finalizers`], verbs: ["update"] },
    { apiGroups: ["batch"], resources: ["jobs"], verbs: ["get", "list", "watch", "create", "delete"] },
    { apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"] },
    { apiGroups: [""], resources: ["podtemplates"], verbs: ["get"] },
    // `create` cannot be limited to a name (the object does not exist yet); reading and renewing can.
    { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
    { apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: [leaseName], verbs: ["get", "update"] },
  ];
}

export const creatorRules = (): PolicyRule[] => [
  { apiGroups: [GROUP], resources: [SEGMENT_BUILD.plural], verbs: ["create"] },
];

/**
 * What the segment controller does in the Kubernetes API, as Role rules: the four kinds of a shard
 * host (reconcile.ts `KINDS`), read and watch its IndexServing, and write that object's status
 * through the status subresource only (never its spec), in its namespace, nothing else. Written
 * here beside the code that needs them; the search layer grants exactly these, and the
 * integration tests run under them.
 */
import { GROUP, INDEX_SERVING } from "../crds/types";

const VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"];

export interface RoleRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

export function controllerRoleRules(): RoleRule[] {
  return [
    { apiGroups: [""], resources: ["configmaps", "services"], verbs: [...VERBS] },
    { apiGroups: ["apps"], resources: ["deployments"], verbs: [...VERBS] },
    { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: [...VERBS] },
    { apiGroups: [GROUP], resources: [INDEX_SERVING.plural], verbs: ["get", "list", "watch"] },
    { apiGroups: [GROUP], resources: [`${INDEX_SERVING.plural}/status`], verbs: ["update", "patch"] },
  ];
}

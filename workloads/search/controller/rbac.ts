/**
 * What the segment controller does in the Kubernetes API, as Role rules: the four kinds of a shard
 * host (reconcile.ts `KINDS`), in its namespace, nothing else. Written here beside the code that
 * needs them; the search layer grants exactly these, and the integration test runs under them.
 */
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
  ];
}

/** A namespaced Role and its binding to the ServiceAccount of the same name. */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { PolicyRule } from "../../../../workloads/search/operator/config";

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

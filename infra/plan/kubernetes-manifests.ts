/**
 * Kubernetes objects of an offline plan as the manifests `pulumi up` would send: what the tests
 * put to the embedded API server.
 */
import type { KubeObject } from "../../scripts/embedded-k8s";
import type { PlannedResource } from "./types";

/** `kubernetes:apps/v1:Deployment` + inputs → a manifest (`core` is the empty API group). */
export function manifestOf(r: PlannedResource): KubeObject {
  const [, groupVersion, kind] = r.type.split(":");
  const apiVersion = groupVersion.startsWith("core/") ? groupVersion.slice("core/".length) : groupVersion;
  return { apiVersion, kind, ...(r.inputs as { metadata: KubeObject["metadata"] }) };
}

/** Every Kubernetes object of a plan's resources, as manifests. */
export const kubernetesManifests = (resources: PlannedResource[]): KubeObject[] =>
  resources.filter((r) => r.type.startsWith("kubernetes:")).map(manifestOf);

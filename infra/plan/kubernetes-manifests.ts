/**
 * Kubernetes objects of an offline plan as the manifests `pulumi up` would send: what the tests
 * put to the embedded API server.
 */
import type { PlannedResource } from "./types";

/** A Kubernetes object as a plain manifest (what the embedded API server in scripts/embedded-k8s applies). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** `kubernetes:apps/v1:Deployment` + inputs → a manifest (`core` is the empty API group). */
export function manifestOf(r: PlannedResource): KubeObject {
  const [, groupVersion, kind] = r.type.split(":");
  const apiVersion = groupVersion.startsWith("core/") ? groupVersion.slice("core/".length) : groupVersion;
  return { apiVersion, kind, ...(r.inputs as { metadata: KubeObject["metadata"] }) };
}

/** Every Kubernetes object of a plan's resources, as manifests. */
export const kubernetesManifests = (resources: PlannedResource[]): KubeObject[] =>
  resources.filter((r) => r.type.startsWith("kubernetes:")).map(manifestOf);

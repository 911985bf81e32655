/**
 * The security context every platform pod runs with: what PodSecurity `restricted` requires
 * (non-root, no privilege escalation, no capabilities, RuntimeDefault seccomp) plus a read-only
 * root filesystem, so a pod spec cannot forget one of them.
 */
import type * as k8s from "@pulumi/kubernetes";

type PodSecurityContext = k8s.types.input.core.v1.PodSecurityContext;
type SecurityContext = k8s.types.input.core.v1.SecurityContext;

/** Pod level: a fixed non-root uid/gid, so volumes (the image cache) are writable by that uid only. */
export function restrictedPodSecurityContext(uid: number): PodSecurityContext {
  if (!Number.isInteger(uid) || uid < 1) throw new Error(`pod security: uid ${uid} must be a non-root uid (>= 1)`);
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Container level, for every container and init container. */
export function restrictedContainerSecurityContext(): SecurityContext {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}
